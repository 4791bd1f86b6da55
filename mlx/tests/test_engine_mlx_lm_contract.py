"""engine_mlx.py against mlx-lm 0.32's own contracts (audit of issue 11), on the stand-in: checkpoints, trims,
loading gates and Python chat templates. The stand-in's numpy buffers are shared by slices, which is stricter
than MLX (where a slice is a value): a checkpoint that shares a buffer or a Python array with the live cache
shows up here."""

import unittest

from anyclaude_mlx.engine import Sampling

from .standin_env import SHAPES, StandinModules, model_dir

ENV = StandinModules()
AFM7 = "afm7"  # KVCache layers; its KV-reuse layers read the last one's state (mlx_lm/models/afm7.py)
CONCAT = "concatenate_kv"  # a ConcatenateKVCache layer, which no mlx-lm make_cache returns (see its config.json)
ALPHA, BETA = 12, 13  # " alpha", " beta" in the stand-in's base vocabulary


def setUpModule():
    ENV.__enter__()


def tearDownModule():
    ENV.__exit__()


def engine(shape, **kw):
    e = ENV.engine_mlx.MLXEngine(model_dir(shape), **kw)
    e.load(lambda p: None)
    return e


def prefill(e, cache, tokens):
    e.prefill(cache, tokens, lambda d: None, lambda: False)


def decode(e, cache, tokens):
    """Feeds tokens one per model call, as decoding does (the caches' single-token update path)."""
    for t in tokens:
        prefill(e, cache, [t])


def greedy(e, cache, last, n=8):
    return [t.token for t in e.generate(cache, last, Sampling(), n, lambda: False)]


def prompt_of(e, words=120):
    return e.render([{"role": "user", "content": "alpha beta gamma " * words}], None, {})


class CheckpointTests(unittest.TestCase):
    def test_a_checkpoint_is_untouched_by_what_the_live_cache_does_next(self):
        for shape in SHAPES + (AFM7, CONCAT):
            with self.subTest(shape=shape):
                e = engine(shape)
                prompt = prompt_of(e)
                n = 300  # inside KVCache's second 256-row step buffer: later rows are written in place
                self.assertGreater(len(prompt), n)
                live, fresh = e.new_cache(), e.new_cache()
                for cache in (live, fresh):
                    prefill(e, cache, prompt[:n])
                    decode(e, cache, [BETA] * 150)  # one token per call: a full window now wraps in place
                checkpoint = live.copy()
                # The live cache goes on: trimmed where it can trim, then overwritten in place
                # (decoding), then grown (prefill).
                if live.is_trimmable():
                    live.trim(40)
                decode(e, live, [ALPHA] * 150)
                prefill(e, live, [ALPHA] * 90)
                self.assertEqual(checkpoint.offset, n + 150)
                self.assertEqual(greedy(e, checkpoint, [BETA]), greedy(e, fresh, [BETA]))

    def test_an_empty_cache_copies(self):
        # mlx-lm's KVCache.state reads keys.shape, and keys is None until the first update.
        for shape in SHAPES + (AFM7, CONCAT):
            with self.subTest(shape=shape):
                e = engine(shape)
                empty = e.new_cache().copy()
                self.assertEqual((empty.offset, empty.nbytes), (0, 0))
                fresh = e.new_cache()
                prompt = prompt_of(e, 10)
                prefill(e, empty, prompt[:-1])
                prefill(e, fresh, prompt[:-1])
                self.assertEqual(greedy(e, empty, prompt[-1:]), greedy(e, fresh, prompt[-1:]))

    def test_two_copies_of_one_checkpoint_do_not_share_rows(self):
        e = engine("llama")
        prompt = prompt_of(e)
        base = e.new_cache()
        prefill(e, base, prompt[:260])
        first, second = base.copy(), base.copy()
        first.trim(4)
        prefill(e, first, [BETA] * 4)
        self.assertEqual(greedy(e, second, prompt[260:261]), greedy(e, base, prompt[260:261]))


class TrimTests(unittest.TestCase):
    def test_concatenate_kv_cache_trim_does_not_shrink_its_arrays(self):
        # The mlx-lm behaviour the engine must not rely on (cache.py, ConcatenateKVCache.trim).
        mx = ENV.core
        from mlx_lm.models.cache import ConcatenateKVCache

        c = ConcatenateKVCache()
        c.update_and_fetch(mx.zeros((1, 1, 5, 2)), mx.zeros((1, 1, 5, 2)))
        self.assertEqual((c.is_trimmable(), c.trim(2), c.offset), (True, 2, 3))
        c.update_and_fetch(mx.zeros((1, 1, 1, 2)), mx.zeros((1, 1, 1, 2)))
        self.assertEqual(c.offset, 6)

    def test_whatever_trims_continues_like_a_fresh_prefill(self):
        for shape in SHAPES + (AFM7, CONCAT):
            with self.subTest(shape=shape):
                e = engine(shape)
                prompt = prompt_of(e, 60)
                cache = e.new_cache()
                prefill(e, cache, prompt[:-1])
                first = greedy(e, cache, prompt[-1:])
                extra = cache.offset - (len(prompt) - 1)
                if cache.trim(extra) == 0:
                    self.assertFalse(cache.is_trimmable())
                    continue
                self.assertEqual(greedy(e, cache, prompt[-1:]), first)

    def test_a_cache_list_trims_only_when_all_it_holds_trims(self):
        from mlx_lm.models.cache import ArraysCache, CacheList, ChunkedKVCache, ConcatenateKVCache, KVCache, QuantizedKVCache, RotatingKVCache

        # The lists of mlx-lm's make_cache functions (models/*.py at d78bf58e), and lists no model makes.
        table = [
            ("deepseek_v32, longcat_flash", CacheList(KVCache(), KVCache()), True),
            ("quantized parts", CacheList(QuantizedKVCache(), KVCache()), True),
            ("nested", CacheList(KVCache(), CacheList(KVCache(), KVCache())), True),
            ("falcon_h1", CacheList(ArraysCache(size=2), KVCache()), False),
            ("baichuan_m1 sliding layers", CacheList(ArraysCache(size=2), RotatingKVCache(max_size=64)), False),
            ("a sliding window", CacheList(KVCache(), RotatingKVCache(max_size=64)), False),
            ("a chunked layer", CacheList(KVCache(), ChunkedKVCache(64)), False),
            ("a concatenating layer", CacheList(KVCache(), ConcatenateKVCache()), False),
            ("nested, a sliding window inside", CacheList(KVCache(), CacheList(KVCache(), RotatingKVCache(max_size=64))), False),
        ]
        rows = ENV.core.zeros((1, 1, 5, 64))

        def feed(c):  # five tokens into every attention cache, as a forward pass would
            for sub in getattr(c, "caches", ()):
                feed(sub)
            if hasattr(c, "update_and_fetch"):
                c.update_and_fetch(rows, rows)

        for label, layer, trims in table:
            with self.subTest(label):
                self.assertEqual(ENV.engine_mlx.trims_by_type(layer), trims)
                cache = ENV.engine_mlx.MLXCache([KVCache(), layer])
                for c in cache.layers:
                    feed(c)
                cache.tokens = 5
                self.assertEqual(cache.is_trimmable(), trims)
                self.assertEqual((cache.trim(2), cache.offset), (2, 3) if trims else (0, 5))

    def test_a_concatenate_kv_cache_is_restored_from_checkpoints_not_trimmed(self):
        e = engine(CONCAT)
        cache = e.new_cache()
        prefill(e, cache, [BETA] * 40)
        self.assertFalse(cache.is_trimmable())
        self.assertEqual((cache.trim(10), cache.offset), (0, 40))

    def test_afm7_trims_and_its_reuse_layers_read_only_what_is_left(self):
        # mlx-lm's afm7 has only KVCache layers in its prompt cache; its KV-reuse layers read
        # cache[-1].state, which a trim shortens (KVCache.state slices to offset).
        e = engine(AFM7)
        prompt = prompt_of(e, 60)
        cache, fresh = e.new_cache(), e.new_cache()
        prefill(e, cache, prompt[:-1])
        greedy(e, cache, prompt[-1:])
        self.assertTrue(cache.is_trimmable())
        cut = 70
        n = cache.offset - (len(prompt) - 1 - cut)
        self.assertEqual(cache.trim(n), n)
        prefill(e, fresh, prompt[: -1 - cut])
        last = prompt[-1 - cut : -cut]
        self.assertEqual(greedy(e, cache, last), greedy(e, fresh, last))

    def test_a_chunked_kv_cache_says_it_can_trim_but_is_never_trimmed(self):
        # mlx-lm's ChunkedKVCache (llama4) answers is_trimmable() True always, but the model drops the
        # rows before the last chunk_size on every call (maybe_trim_front), so a trim back into the
        # current chunk leaves it without the chunk's first rows: trusting it answers differently.
        e = engine("llama4")
        prompt = prompt_of(e, 60)
        cache, fresh = e.new_cache(), e.new_cache()
        prefill(e, cache, prompt[:-1])
        greedy(e, cache, prompt[-1:])  # decoding calls maybe_trim_front on every token
        chunked = [c for c in cache.layers if type(c).__name__ == "ChunkedKVCache"]
        self.assertTrue(chunked and all(c.is_trimmable() and c.start_position > 0 for c in chunked))
        self.assertFalse(cache.is_trimmable())
        before = cache.offset
        self.assertEqual((cache.trim(8), cache.offset), (0, before))
        prefill(e, fresh, prompt[:-1])
        n = before - (len(prompt) - 1)
        for c in cache.layers:  # what trusting is_trimmable() would do
            c.trim(n)
        cache.tokens -= n
        self.assertNotEqual(greedy(e, cache, prompt[-1:]), greedy(e, fresh, prompt[-1:]))


class LoadTests(unittest.TestCase):
    def test_a_model_with_its_own_architecture_file_needs_trust_remote_code(self):
        path = model_dir("remote_code_model")
        with self.assertRaisesRegex(ValueError, r'runs code from the model repository; if you trust it, add "serverArgs": \["--trust-remote-code"\]'):
            ENV.engine_mlx.MLXEngine(path).load(lambda p: None)
        info = ENV.engine_mlx.MLXEngine(path, trust_remote_code=True).load(lambda p: None)
        self.assertEqual(info.id, "remote_code_model")

    def test_a_python_chat_template_gets_tool_call_arguments_as_json_text(self):
        # DeepSeek-V3.2: mlx_lm renders it with mlx_lm.chat_templates.deepseek_v32, which json.loads
        # the arguments (Jinja templates such as Qwen's want a mapping instead).
        e = engine("deepseek_v32_python_template")
        call = {"id": "c1", "type": "function", "function": {"name": "Bash", "arguments": '{"command": "ls", "timeout": 5}'}}
        history = [
            {"role": "user", "content": "list"},
            {"role": "assistant", "content": "", "tool_calls": [call]},
            {"role": "tool", "tool_call_id": "c1", "content": "a.txt"},
        ]
        text = e.tokenizer.decode(e.render(history, None, {}))
        self.assertIn('<｜DSML｜parameter name="command" string="true">ls</｜DSML｜parameter>', text)
        self.assertIn('<｜DSML｜parameter name="timeout" string="false">5</｜DSML｜parameter>', text)
        qwen = engine("qwen3_next")
        self.assertIn('"arguments": {"command": "ls", "timeout": 5}', qwen.tokenizer.decode(qwen.render(history, None, {})))

    def test_a_python_template_model_serves_a_tool_round(self):
        from anyclaude_mlx.cache_manager import PrefixCacheManager
        from anyclaude_mlx.worker import Job, Worker

        e = ENV.engine_mlx.MLXEngine(model_dir("deepseek_v32_python_template"))
        worker = Worker(e, lambda e, i: PrefixCacheManager(e.new_cache))
        self.assertTrue(worker.load_model())
        call = {"id": "c1", "type": "function", "function": {"name": "Bash", "arguments": '{"command": "ls"}'}}
        tools = [{"type": "function", "function": {"name": "Bash", "description": "Run a command", "parameters": {"type": "object"}}}]
        messages = [{"role": "system", "content": "You are a coding agent."}, {"role": "user", "content": "list"}, {"role": "assistant", "content": "", "tool_calls": [call]}, {"role": "tool", "tool_call_id": "c1", "content": "a.txt"}]
        job = Job(messages=messages, tools=tools, max_tokens=4)
        worker.process(job)
        kinds = [ev[0] for ev in job.events.queue]
        self.assertNotIn("error", kinds, list(job.events.queue))
        self.assertEqual(kinds[-1], "done")

    def test_the_python_template_is_named_in_the_model_identity(self):
        e = engine("deepseek_v32_python_template")
        self.assertIsNone(e.tokenizer.chat_template)
        self.assertEqual(e.load(lambda p: None).chat_template, "mlx_lm.chat_templates.deepseek_v32")

    def test_named_templates_are_read_as_text(self):
        info = engine("named_templates").load(lambda p: None)
        self.assertIsInstance(info.chat_template, str)
        self.assertIn("{# tools #}", info.chat_template)
        self.assertIn("stand-in of Qwen3's template", info.chat_template)



class GenerateTests(unittest.TestCase):
    def test_a_negative_token_limit_generates_nothing(self):
        e = engine("llama")
        cache = e.new_cache()
        prompt = prompt_of(e, 10)
        prefill(e, cache, prompt[:-1])
        calls = []

        def should_stop():  # ends what would otherwise never end
            calls.append(1)
            return len(calls) > 50

        self.assertEqual([t.token for t in e.generate(cache, prompt[-1:], Sampling(), -1, should_stop) if t.token is not None], [])

    def test_generate_step_takes_an_array_prompt_only(self):
        from mlx_lm.generate import generate_step

        e = engine("llama")
        with self.assertRaises(TypeError):
            next(generate_step([BETA], e.model, prompt_cache=e.new_cache().layers))


if __name__ == "__main__":
    unittest.main()
