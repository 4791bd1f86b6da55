"""The real mlx_lm engine. Runs on Apple Silicon with mlx-lm installed and small local models, skips
cleanly everywhere else:
  ANYCLAUDE_MLX_TEST_MODEL         plain attention, e.g. mlx-community/Qwen2.5-0.5B-Instruct-4bit
  ANYCLAUDE_MLX_TEST_HYBRID_MODEL  a hybrid (ArraysCache layers), e.g. mlx-community/LFM2-350M-4bit or a
                                   Qwen3-Next / Granite-4.0-H build: the shape the Linux stand-in imitates.
Each model runs the engine checks and the whole Claude Code session, cached against uncached."""

import importlib.util
import os
import unittest

from .session_runner import check_session, run_session
from .standin_env import STANDIN

HAVE_MLX = importlib.util.find_spec("mlx") is not None and importlib.util.find_spec("mlx_lm") is not None
REAL_MLX = HAVE_MLX and not (importlib.util.find_spec("mlx").origin or "").startswith(STANDIN)
MODELS = {kind: os.environ.get(var) for kind, var in (("plain", "ANYCLAUDE_MLX_TEST_MODEL"), ("hybrid", "ANYCLAUDE_MLX_TEST_HYBRID_MODEL"))}


class _RealModel:
    kind = ""

    @classmethod
    def setUpClass(cls):
        from anyclaude_mlx.engine import Sampling
        from anyclaude_mlx.engine_mlx import MLXEngine

        cls.Sampling, cls.MLXEngine = Sampling, MLXEngine
        cls.engine = MLXEngine(MODELS[cls.kind])
        cls.info = cls.engine.load(lambda p: None)

    def generate(self, cache, tokens, n=12):
        return [t.token for t in self.engine.generate(cache, tokens, self.Sampling(), n, lambda: False)]

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

    def test_counts_its_own_tokens(self):
        prompt = self.engine.render([{"role": "user", "content": "Count to five."}], None, {})
        cache = self.engine.new_cache()
        self.engine.prefill(cache, prompt[:-1], lambda d: None, lambda: False)
        out = [t for t in self.generate(cache, prompt[-1:]) if t is not None]
        self.assertEqual(cache.offset, len(prompt) + len(out))
        self.assertEqual(cache.copy().offset, cache.offset)
        if cache.is_trimmable():
            self.assertEqual(cache.trim(len(out) + 1), len(out) + 1)
            self.assertEqual([t for t in self.generate(cache, prompt[-1:]) if t is not None], out)
        else:
            self.assertEqual(cache.trim(3), 0)
            self.assertEqual(cache.offset, len(prompt) + len(out))

    def test_memory_is_measured(self):
        self.assertGreater(self.info.bytes_per_token, 0)
        self.assertIsNotNone(self.info.max_kv_bytes)
        cache = self.engine.new_cache()
        self.engine.prefill(cache, self.engine.render([{"role": "user", "content": "hi " * 600}], None, {}), lambda d: None, lambda: False)
        self.assertGreater(cache.nbytes, 0)

    def test_claude_code_session_cached_equals_uncached(self):
        cached, manager = run_session(self.MLXEngine(MODELS[self.kind]), True)
        plain, _ = run_session(self.MLXEngine(MODELS[self.kind]), False)
        check_session(self, MODELS[self.kind], cached, plain, manager)


@unittest.skipUnless(REAL_MLX and MODELS["plain"], "needs mlx + mlx_lm and ANYCLAUDE_MLX_TEST_MODEL (Apple Silicon)")
class PlainAttentionModelTests(_RealModel, unittest.TestCase):
    kind = "plain"


@unittest.skipUnless(REAL_MLX and MODELS["hybrid"], "needs mlx + mlx_lm and ANYCLAUDE_MLX_TEST_HYBRID_MODEL (Apple Silicon)")
class HybridModelTests(_RealModel, unittest.TestCase):
    kind = "hybrid"

    def test_the_cache_really_is_hybrid(self):
        cache = self.engine.new_cache()
        self.assertFalse(cache.is_trimmable(), [type(c).__name__ for c in cache.layers])


if __name__ == "__main__":
    unittest.main()
