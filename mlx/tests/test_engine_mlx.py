"""The real mlx_lm engine. Runs on Apple Silicon with mlx-lm installed and a small local model
(ANYCLAUDE_MLX_TEST_MODEL, e.g. a downloaded mlx-community/Qwen1.5-0.5B-Chat-4bit); skips
cleanly everywhere else."""

import importlib.util
import os
import unittest

HAVE_MLX = importlib.util.find_spec("mlx") is not None and importlib.util.find_spec("mlx_lm") is not None
MODEL = os.environ.get("ANYCLAUDE_MLX_TEST_MODEL")


@unittest.skipUnless(HAVE_MLX and MODEL, "needs mlx + mlx_lm and ANYCLAUDE_MLX_TEST_MODEL (Apple Silicon)")
class MLXEngineTests(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        from anyclaude_mlx.engine import Sampling
        from anyclaude_mlx.engine_mlx import MLXEngine

        cls.Sampling = Sampling
        cls.engine = MLXEngine(MODEL)
        cls.info = cls.engine.load(lambda p: None)

    def generate(self, cache, tokens):
        return [t.token for t in self.engine.generate(cache, tokens, self.Sampling(), 12, lambda: False)]

    def test_cached_equals_uncached(self):
        prompt = self.engine.render([{"role": "system", "content": "You are terse."}, {"role": "user", "content": "Name three colors."}], None, {})
        cold = self.engine.new_cache()
        self.engine.prefill(cold, prompt[:-1], lambda d: None, lambda: False)
        expected = self.generate(cold, prompt[-1:])
        warm = self.engine.new_cache()
        self.engine.prefill(warm, prompt[:-1], lambda d: None, lambda: False)
        snapshot = warm.copy()
        self.generate(warm, prompt[-1:])
        self.assertEqual(self.generate(snapshot, prompt[-1:]), expected)

    def test_trim_then_continue(self):
        prompt = self.engine.render([{"role": "user", "content": "Count to five."}], None, {})
        cache = self.engine.new_cache()
        if not cache.is_trimmable():
            self.skipTest("model cache is not trimmable")
        self.engine.prefill(cache, prompt[:-1], lambda d: None, lambda: False)
        out = self.generate(cache, prompt[-1:])
        self.assertEqual(cache.offset, len(prompt) + len(out))
        self.assertEqual(cache.trim(len(out) + 1), len(out) + 1)
        self.assertEqual(self.generate(cache, prompt[-1:]), out)

    def test_nbytes_and_offset(self):
        cache = self.engine.new_cache()
        self.engine.prefill(cache, self.engine.render([{"role": "user", "content": "hi"}], None, {}), lambda d: None, lambda: False)
        self.assertGreater(cache.nbytes, 0)
        self.assertGreater(cache.offset, 0)


if __name__ == "__main__":
    unittest.main()
