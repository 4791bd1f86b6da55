"""`python -m anyclaude_mlx` with the mlx engine, on the numpy stand-in of mlx/mlx_lm: a hybrid model
(Qwen3-Next shape) serves follow-ups from its cache over HTTP, and a tokenizer that needs remote code
fails to load with what to do, then loads with --trust-remote-code."""

import unittest

from .server_process import ServerProcess, read_json
from .standin_env import STANDIN, model_dir

ENV = {"PYTHONPATH": STANDIN}


class ServerOnStandinTests(unittest.TestCase):
    def test_hybrid_model_follow_up_is_served_from_the_cache(self):
        server = ServerProcess("--model", model_dir("qwen3_next"), env=ENV)
        try:
            server.wait_event("ready", timeout=30)
            messages = [{"role": "system", "content": "You are a coding agent. " * 120}, {"role": "user", "content": "list the files"}]
            status, r = server.post({"messages": messages, "max_tokens": 8})
            self.assertEqual(status, 200)
            first = read_json(r)
            messages += [{"role": "assistant", "content": first["choices"][0]["message"]["content"] or ""}, {"role": "user", "content": "and the tests?"}]
            status, r = server.post({"messages": messages, "max_tokens": 8})
            self.assertEqual(status, 200)
            usage = read_json(r)["usage"]
            self.assertGreater(usage["prompt_tokens_details"]["cached_tokens"], first["usage"]["prompt_tokens"] - 8)
            status, cache = server.get("/v1/cache")
            self.assertGreater(cache["hits"], 0)
        finally:
            self.assertEqual(server.stop(), 0)

    def test_remote_code_tokenizer_says_what_to_do(self):
        refused = ServerProcess("--model", model_dir("remote_code_tokenizer"), env=ENV)
        try:
            failed = refused.wait_event("failed", timeout=30)
            self.assertIn('"serverArgs": ["--trust-remote-code"]', failed["error"])
        finally:
            self.assertEqual(refused.stop(), 3)
        trusted = ServerProcess("--model", model_dir("remote_code_tokenizer"), "--trust-remote-code", env=ENV)
        try:
            self.assertEqual(trusted.wait_event("ready", timeout=30)["model"], "remote_code_tokenizer")
        finally:
            self.assertEqual(trusted.stop(), 0)


if __name__ == "__main__":
    unittest.main()
