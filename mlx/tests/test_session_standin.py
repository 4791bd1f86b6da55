"""The real engine_mlx.py on the numpy stand-in, over a Claude Code session (title request, sub-agent,
cancels while prefilling and generating, a thinking-off turn): for every model shape a cached and a
cache-off server answer identically, and the cache is really used (follow-ups prefill only their new
tokens; after a cancel, only what the cancel lost)."""

import unittest

from .session_runner import check_session, run_session
from .standin_env import SHAPES, StandinModules, model_dir

ENV = StandinModules()


def setUpModule():
    ENV.__enter__()


def tearDownModule():
    ENV.__exit__()


class SessionOnStandinTests(unittest.TestCase):
    def test_cached_and_uncached_sessions_agree_and_the_cache_is_used(self):
        for shape in SHAPES:
            with self.subTest(shape=shape):
                cached, manager = run_session(ENV.engine_mlx.MLXEngine(model_dir(shape)), True)
                plain, _ = run_session(ENV.engine_mlx.MLXEngine(model_dir(shape)), False)
                check_session(self, shape, cached, plain, manager)


if __name__ == "__main__":
    unittest.main()
