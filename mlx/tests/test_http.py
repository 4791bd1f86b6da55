"""The real server over HTTP on 127.0.0.1 with the fake engine: framing, usage, keep-alive,
cancellation, errors, readiness and lifecycle (SIGTERM, stdin EOF, load failures)."""

import importlib.util
import json
import signal
import socket
import tempfile
import time
import unittest

from tests.server_process import ServerProcess, read_json, sse_events

SYSTEM = {"role": "system", "content": "You are Claude Code. " + "Follow the rules carefully. " * 60}
TOOLS = [{"type": "function", "function": {"name": "Bash", "parameters": {"type": "object", "properties": {"command": {"type": "string"}}}}}]


def request(user: str, **extra):
    return {"messages": [SYSTEM, {"role": "user", "content": user}], "tools": TOOLS, "max_tokens": 6, **extra}


class ReadyServer(unittest.TestCase):
    args: tuple = ()

    @classmethod
    def setUpClass(cls):
        script = tempfile.NamedTemporaryFile("w", suffix=".json", delete=False)
        json.dump([
            {"when": "run the tool", "reply": '<think>Need a shell.</think>Running it.\n<tool_call>\n{"name": "Bash", "arguments": {"command": "echo hi"}}\n</tool_call>'},
            {"when": "say hello", "reply": "Hello there!"},
        ], script)
        script.close()
        cls.server = ServerProcess("--engine", "fake", "--fake-script", script.name, "--min-reuse", "8", *cls.args)
        cls.server.wait_event("ready")

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()


class ChatCompletionTests(ReadyServer):
    def test_health_ready_models(self):
        self.assertEqual(self.server.get("/health"), (200, {"state": "ready", "model": "fake-model", "progress": 1.0, "error": None}))
        self.assertEqual(self.server.get("/ready")[0], 200)
        status, models = self.server.get("/v1/models")
        self.assertEqual(models["data"][0]["id"], "fake-model")
        self.assertEqual(models["data"][0]["context_window"], 32768)

    def test_streaming_text_reasoning_and_a_whole_tool_call(self):
        status, r = self.server.post(request("please run the tool", stream=True, stream_options={"include_usage": True}, max_tokens=64))
        self.assertEqual(status, 200)
        self.assertEqual(r.headers["content-type"], "text/event-stream")
        chunks, _ = sse_events(r)
        deltas = [c["choices"][0]["delta"] for c in chunks if c["choices"]]
        self.assertEqual(deltas[0], {"role": "assistant", "content": ""})
        self.assertEqual("".join(d.get("reasoning", "") for d in deltas), "Need a shell.")
        self.assertEqual("".join(d.get("content", "") for d in deltas), "Running it.\n")
        calls = [d["tool_calls"][0] for d in deltas if "tool_calls" in d]
        self.assertEqual(len(calls), 1)
        self.assertEqual(json.loads(calls[0]["function"]["arguments"]), {"command": "echo hi"})
        self.assertRegex(calls[0]["id"], r"^[A-Za-z0-9]{9}$")
        self.assertEqual([c["choices"][0]["finish_reason"] for c in chunks if c["choices"]][-1], "tool_calls")
        self.assertEqual(chunks[-1]["choices"], [])
        self.assertGreater(chunks[-1]["usage"]["prompt_tokens"], 100)

    def test_non_streaming_and_cached_tokens_on_the_follow_up(self):
        first_status, r1 = self.server.post(request("say hello"))
        body1 = read_json(r1)
        self.assertEqual(body1["choices"][0]["message"]["content"], "Hello there!")
        follow = {"messages": [SYSTEM, {"role": "user", "content": "say hello"}, {"role": "assistant", "content": "Hello there!"}, {"role": "user", "content": "say hello again"}], "tools": TOOLS, "max_tokens": 6}
        _, r2 = self.server.post(follow)
        usage = read_json(r2)["usage"]
        self.assertGreaterEqual(usage["prompt_tokens_details"]["cached_tokens"], body1["usage"]["prompt_tokens"])
        status, stats = self.server.get("/v1/cache")
        self.assertGreaterEqual(stats["hits"], 1)
        self.assertTrue(any(e["kind"] == "checkpoint" for e in stats["entries"]))

    def test_bad_requests(self):
        status, r = self.server.post(None, raw=b"{not json")
        self.assertEqual(status, 400)
        self.assertIn("bad request", read_json(r)["error"]["message"])
        status, r = self.server.post({"messages": []})
        self.assertEqual(status, 400)
        status, r = self.server.post({"messages": [{"role": "user", "content": "x"}], "max_tokens": "many"})
        self.assertEqual(status, 400)
        for seed in (-1, 1.5, "7", True):
            status, r = self.server.post({"messages": [{"role": "user", "content": "x"}], "seed": seed})
            self.assertEqual(status, 400, seed)
            self.assertIn("seed must be a non-negative integer", read_json(r)["error"]["message"])
        status, r = self.server.post({}, path="/v1/nope")
        self.assertEqual(status, 404)

    def test_prompt_too_long_is_a_400_with_the_context_size(self):
        status, r = self.server.post({"messages": [{"role": "user", "content": "word " * 40000}], "max_tokens": 5})
        self.assertEqual(status, 400)
        self.assertRegex(read_json(r)["error"]["message"], r"^prompt is too long: \d+ tokens > 32768 maximum$")
        self.assertEqual(self.server.get("/ready")[0], 200)  # and it keeps serving

    def test_stop_sequences(self):
        _, r = self.server.post(request("say hello", stop=["there"]))
        body = read_json(r)
        self.assertEqual(body["choices"][0]["message"]["content"], "Hello ")
        self.assertEqual(body["choices"][0]["finish_reason"], "stop")


class MemoryAdmissionTests(ReadyServer):
    # 1 KB per token (fake engine) and 1 MB free: at most 1024 tokens of KV.
    args = ("--fake-memory-mb", "1")

    def test_a_prompt_whose_kv_would_not_fit_memory_is_refused_not_crashed(self):
        status, r = self.server.post({"messages": [{"role": "user", "content": "word " * 2000}], "max_tokens": 5})
        self.assertEqual(status, 400)
        self.assertRegex(read_json(r)["error"]["message"], r"^prompt is too long: \d+ tokens > 1024 maximum \(the KV cache would need")
        status, r = self.server.post(request("say hello"))
        self.assertEqual(status, 200)
        self.assertEqual(read_json(r)["choices"][0]["message"]["content"], "Hello there!")


class SlowPrefillTests(ReadyServer):
    args = ("--fake-prefill-delay", "0.004", "--min-reuse", "100000")

    def test_keepalive_comments_while_prefilling(self):
        _, r = self.server.post(request("say hello", stream=True))
        chunks, comments = sse_events(r)
        self.assertTrue(any(c.startswith(": keepalive ") for c in comments), comments)
        self.assertEqual("".join(c["choices"][0]["delta"].get("content", "") for c in chunks if c["choices"]), "Hello there!")

    def test_client_disconnect_cancels_the_request(self):
        sock = socket.create_connection(("127.0.0.1", self.server.port))
        body = json.dumps(request("say hello", stream=True)).encode()
        sock.sendall(b"POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n" % len(body) + body)
        sock.recv(100)
        sock.close()
        deadline = time.time() + 10
        while time.time() < deadline and not any("cancelled" in line for line in self.server.stderr):
            time.sleep(0.05)
        self.assertTrue(any("client disconnected; request cancelled" in line for line in self.server.stderr), "".join(self.server.stderr))
        # The worker is free again: the next request is answered.
        _, r = self.server.post(request("say hello"))
        self.assertEqual(read_json(r)["choices"][0]["message"]["content"], "Hello there!")


class FastChunkPrefillTests(ReadyServer):
    # 512-token chunks of ~0.6 s: progress events come faster than the keep-alive interval.
    args = ("--fake-prefill-delay", "0.0012", "--min-reuse", "100000")

    def test_keepalives_flow_between_fast_chunks_so_a_client_that_left_is_noticed(self):
        _, r = self.server.post({"messages": [{"role": "user", "content": "word " * 1500}], "max_tokens": 3, "stream": True})
        _, comments = sse_events(r)
        self.assertTrue(any(c.startswith(": keepalive ") for c in comments), comments)


class LifecycleTests(unittest.TestCase):
    def start(self, *args, **kwargs) -> ServerProcess:
        s = ServerProcess(*args, **kwargs)
        self.addCleanup(s.stop)
        return s

    def test_loading_then_ready(self):
        s = self.start("--engine", "fake", "--fake-load-seconds", "1.5")
        try:
            s.wait_event("listening")
            status, body = s.get("/ready")
            self.assertEqual((status, body["state"]), (503, "loading"))
            status, _ = s.post(request("x"))
            self.assertEqual(status, 503)
            s.wait_event("ready")
            self.assertEqual(s.get("/ready")[0], 200)
            self.assertTrue(any(e["event"] == "loading" and 0 < e.get("progress", 0) < 1 for e in s.events))
        finally:
            self.assertEqual(s.stop(), 0)

    def test_load_failure_exits_3_with_the_error(self):
        s = self.start("--engine", "fake", "--fake-fail-load", "weights are corrupt")
        self.assertEqual(s.proc.wait(10), 3)
        self.assertIn("weights are corrupt", s.wait_event("failed")["error"])

    def test_missing_model_directory_exits_2(self):
        s = self.start("--engine", "mlx", "--model", "/nonexistent/model")
        self.assertEqual(s.proc.wait(10), 2)
        self.assertIn("model directory not found", s.wait_event("failed")["error"])

    def test_mlx_not_importable_exits_5(self):
        if importlib.util.find_spec("mlx") and importlib.util.find_spec("mlx.core"):
            self.skipTest("mlx is installed here")
        s = self.start("--engine", "mlx", "--model", tempfile.mkdtemp())
        self.assertEqual(s.proc.wait(10), 5)
        self.assertIn("cannot import mlx", s.wait_event("failed")["error"])

    def test_sigterm_during_a_hung_load_exits_0(self):
        s = self.start("--engine", "fake", "--fake-hang-load")
        s.wait_event("listening")
        s.proc.send_signal(signal.SIGTERM)
        self.assertEqual(s.proc.wait(10), 0)

    def test_sigterm_ends_an_open_stream_with_an_error_and_exits_0(self):
        s = self.start("--engine", "fake", "--fake-token-delay", "0.5")
        s.wait_event("ready")
        _, r = s.post(request("say hello", stream=True))
        r.readline()
        s.proc.send_signal(signal.SIGTERM)
        chunks, _ = sse_events(r)
        self.assertTrue(any("error" in c for c in chunks), chunks)
        self.assertEqual(s.proc.wait(10), 0)

    def test_stdin_eof_shuts_it_down(self):
        s = self.start("--engine", "fake", watch_stdin=True)
        s.wait_event("ready")
        s.proc.stdin.close()  # what a SIGKILLed parent leaves behind
        self.assertEqual(s.proc.wait(10), 0)


if __name__ == "__main__":
    unittest.main()
