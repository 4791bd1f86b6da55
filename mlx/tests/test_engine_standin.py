"""engine_mlx.py itself, on the numpy stand-in of mlx/mlx_lm 0.32 (tests/standin), for the cache
shapes of the models people run: Llama (KVCache), gpt-oss (RotatingKVCache + KVCache), Qwen3-Next
(ArraysCache at layer 0, KVCache every 4th layer), DeepSeek-V3.2 (CacheList), MLA latents, Falcon-H1,
Llama 4 (ChunkedKVCache + KVCache every 4th layer), Gemma 3 (windows of 1024 + KVCache every 6th layer)."""

import os
import unittest

from anyclaude_mlx.cache_manager import PrefixCacheManager, cache_budget
from anyclaude_mlx.engine import Sampling
from anyclaude_mlx.worker import Job, Worker

from .standin_env import SHAPES, StandinModules, model_dir

ENV = StandinModules()


def setUpModule():
    ENV.__enter__()


def tearDownModule():
    ENV.__exit__()


def engine(shape, **kw):
    e = ENV.engine_mlx.MLXEngine(model_dir(shape), **kw)
    info = e.load(lambda p: None)
    return e, info


def prefill(e, cache, tokens):
    e.prefill(cache, tokens, lambda d: None, lambda: False)


# Bytes one token adds, by hand from the shapes' config.json (float32 rows): a KV layer caches
# heads x (dim + vdim) x 4 bytes; sliding windows, linear attention and Falcon's SSM half add nothing.
EXPECTED_BYTES_PER_TOKEN = {
    "llama": 4 * 2 * (8 + 8) * 4,
    "gpt_oss": 2 * 2 * (8 + 8) * 4,
    "qwen3_next": 2 * 2 * (8 + 8) * 4,
    "deepseek_v32": 3 * ((16 + 4) + (8 + 8)) * 4,
    "mla": 3 * (16 + 4) * 4,
    "falcon_h1": 2 * 2 * (8 + 8) * 4,
    "llama4": 2 * 2 * (8 + 8) * 4,  # chunked layers stop growing past their chunk
    "gemma3": 1 * 2 * (8 + 8) * 4,  # windows longer than the warm-up add nothing either
}
TRIMMABLE = {"llama": True, "mla": True, "gpt_oss": False, "qwen3_next": False, "deepseek_v32": True, "falcon_h1": False, "llama4": False, "gemma3": False}


class EngineOnStandinTests(unittest.TestCase):
    def test_counts_its_own_tokens_for_every_shape(self):
        for shape in SHAPES:
            with self.subTest(shape=shape):
                e, _ = engine(shape)
                cache = e.new_cache()
                prompt = e.render([{"role": "user", "content": "hello " * 300}], None, {})
                prefill(e, cache, prompt[:-1])
                self.assertEqual(cache.offset, len(prompt) - 1)
                out = [t.token for t in e.generate(cache, prompt[-1:], Sampling(), 5, lambda: False) if t.token is not None]
                self.assertEqual(cache.offset, len(prompt) + len(out))
                self.assertEqual(cache.copy().offset, cache.offset)

    def test_trimmability_comes_from_the_cache_types(self):
        for shape in SHAPES:
            with self.subTest(shape=shape):
                e, _ = engine(shape)
                cache = e.new_cache()
                prefill(e, cache, [5] * 40)  # a RotatingKVCache below its window would say it can trim
                self.assertEqual(cache.is_trimmable(), TRIMMABLE[shape])
                before = [getattr(c, "offset", None) for c in cache.layers]
                self.assertEqual(cache.trim(10), 10 if TRIMMABLE[shape] else 0)
                self.assertEqual(cache.offset, 30 if TRIMMABLE[shape] else 40)
                if not TRIMMABLE[shape]:
                    self.assertEqual([getattr(c, "offset", None) for c in cache.layers], before)

    def test_trim_then_continue_equals_a_fresh_prefill(self):
        for shape in ("llama", "mla"):
            e, _ = engine(shape)
            prompt = e.render([{"role": "user", "content": "count to five " * 40}], None, {})
            cache = e.new_cache()
            prefill(e, cache, prompt[:-1])
            first = [t.token for t in e.generate(cache, prompt[-1:], Sampling(), 8, lambda: False)]
            cache.trim(cache.offset - (len(prompt) - 1))
            again = [t.token for t in e.generate(cache, prompt[-1:], Sampling(), 8, lambda: False)]
            self.assertEqual(first, again, shape)

    def test_bytes_per_token_is_measured_from_the_cache(self):
        for shape in SHAPES:
            with self.subTest(shape=shape):
                _, info = engine(shape)
                self.assertEqual(info.bytes_per_token, EXPECTED_BYTES_PER_TOKEN[shape])

    def test_the_memory_estimate_covers_the_cache_at_every_step(self):
        # Admission and the shared budget use kv_fixed_bytes + tokens x bytes_per_token: the cache
        # must never be larger (a Metal OOM aborts), sliding windows and llama4 chunks at their peak
        # (a 2048-token prefill chunk on top of a full window) included.
        for shape in SHAPES:
            with self.subTest(shape=shape):
                e, info = engine(shape)
                cache = e.new_cache()
                prompt = e.render([{"role": "user", "content": "alpha beta gamma delta " * 1600}], None, {})
                self.assertGreater(len(prompt), 3 * ENV.engine_mlx.PREFILL_STEP)
                for start in range(0, len(prompt) - 1, ENV.engine_mlx.PREFILL_STEP):
                    prefill(e, cache, prompt[start : min(start + ENV.engine_mlx.PREFILL_STEP, len(prompt) - 1)])
                    self.assertLessEqual(cache.nbytes, info.kv_fixed_bytes + cache.offset * info.bytes_per_token, cache.offset)
                for _ in e.generate(cache, prompt[-1:], Sampling(), 40, lambda: False):
                    self.assertLessEqual(cache.nbytes, info.kv_fixed_bytes + cache.offset * info.bytes_per_token, cache.offset)

    def test_wired_limit_is_the_recommended_working_set(self):
        engine("llama")
        self.assertEqual(ENV.core.wired_limit(), ENV.core.device_info()["max_recommended_working_set_size"])

    def test_headroom_and_budget(self):
        _, info = engine("llama")
        working_set = ENV.core.device_info()["max_recommended_working_set_size"]
        self.assertEqual(info.max_kv_bytes, working_set - (1 << 30) - ENV.engine_mlx.MEMORY_RESERVE)
        kv_headroom = ENV.engine_mlx.kv_headroom
        for working, used, want in [(0, 5, None), (10 << 30, 9 << 30, 0), (16 << 30, 4 << 30, 10 << 30)]:
            self.assertEqual(kv_headroom(working, used), want)
        for headroom, explicit, want in [(None, None, 8 << 30), (0, None, 0), (40 << 30, None, 30 << 30), (40 << 30, 1 << 20, 1 << 20)]:
            self.assertEqual(cache_budget(headroom, explicit), want)

    def test_weights_that_leave_no_headroom_are_refused_clearly(self):
        os.environ["ANYCLAUDE_STANDIN_WORKING_SET"] = str(3 << 30)  # 1 GiB of weights + 2 GiB kept free
        try:
            e = ENV.engine_mlx.MLXEngine(model_dir("qwen3_next"))
            worker = Worker(e, lambda e, i: PrefixCacheManager(e.new_cache, budget_bytes=cache_budget(i.max_kv_bytes), memory_bytes=i.max_kv_bytes))
            self.assertTrue(worker.load_model())
        finally:
            del os.environ["ANYCLAUDE_STANDIN_WORKING_SET"]
        self.assertEqual(worker.info.max_kv_bytes, 0)
        job = Job(messages=[{"role": "user", "content": "hi"}], tools=None, max_tokens=4)
        worker.process(job)
        kind, status, message = job.events.get_nowait()
        self.assertEqual((kind, status), ("error", 400))
        self.assertIn("no memory is left for the KV cache", message)
        self.assertIn("smaller or more quantized model", message)

    def test_a_prompt_that_fits_beside_full_windows_is_served(self):
        # Gemma 3 caches 5 layers in 6 in windows of 1024 tokens: counting them per token (as a warm-up
        # shorter than the window sees them) refused this prompt, which needs about half the headroom.
        os.environ["ANYCLAUDE_STANDIN_WORKING_SET"] = str((3 << 30) + (3 << 20))  # 1 GiB of weights, 2 GiB kept free
        try:
            e = ENV.engine_mlx.MLXEngine(model_dir("gemma3"))
            worker = Worker(e, lambda e, i: PrefixCacheManager(e.new_cache, budget_bytes=cache_budget(i.max_kv_bytes), memory_bytes=i.max_kv_bytes))
            self.assertTrue(worker.load_model())
        finally:
            del os.environ["ANYCLAUDE_STANDIN_WORKING_SET"]
        job = Job(messages=[{"role": "user", "content": "alpha beta gamma delta " * 1500}], tools=None, max_tokens=4)
        worker.process(job)
        events = list(job.events.queue)
        self.assertEqual(events[-1][0], "done", events[-1])
        self.assertGreater(events[-1][2]["prompt_tokens"], 6000)

    def test_generation_prompt_length_follows_the_template_options(self):
        e, info = engine("qwen3_next")
        self.assertEqual(info.generation_prompt_tokens, 3)  # <|im_start|> assistant \n
        self.assertEqual(e.generation_prompt_length({"enable_thinking": False}), 3 + 6)  # + <think> \n \n </think> \n \n

    def test_system_boundary_ends_where_the_users_text_starts(self):
        e, _ = engine("qwen3_next")
        worker = Worker(e, lambda e, i: PrefixCacheManager(e.new_cache))
        self.assertTrue(worker.load_model())
        system = {"role": "system", "content": "You are a coding agent."}
        tools = [{"type": "function", "function": {"name": "Bash", "description": "Run a command", "parameters": {"type": "object"}}}]
        job = Job(messages=[system, {"role": "user", "content": "anyclaude-probe is not a word"}], tools=tools, max_tokens=4)
        from mlx_lm.standin_model import render_qwen3  # the stand-in's template, as text

        text = render_qwen3([system], tools, False, True)
        self.assertEqual(worker.system_boundary(job), len(e.tokenizer.encode(text + "<|im_start|>user\n")))

    def test_trust_remote_code_reaches_the_tokenizer(self):
        path = model_dir("remote_code_tokenizer")
        with self.assertRaisesRegex(ValueError, r'runs code from the model repository; if you trust it, add "serverArgs": \["--trust-remote-code"\]'):
            ENV.engine_mlx.MLXEngine(path).load(lambda p: None)
        info = ENV.engine_mlx.MLXEngine(path, trust_remote_code=True).load(lambda p: None)
        self.assertEqual(info.id, "remote_code_tokenizer")

if __name__ == "__main__":
    unittest.main()
