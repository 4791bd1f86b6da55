"""cache_manager.cache_cost: a model's cache cost from the sizes its leaf caches had after each warm-up chunk. Sizes
are what mlx-lm's classes (models/cache.py at d78bf58e) hold after 256-token chunks of a layer whose row
costs 100 bytes: a KVCache grows in 256-row steps; a RotatingKVCache keeps its first chunk whole, then
max_size - 1 + 256 rows; a ChunkedKVCache keeps chunk_size rows and a new 256-row step; ArraysCache state
does not grow."""

import unittest

from anyclaude_mlx.cache_manager import cache_cost, marginal_bytes_per_token

STEP, PEAK, SPARE = 256, 2048, 512
ROW = 100


def rows(*counts):
    return [n * ROW for n in counts]


class CacheCostTests(unittest.TestCase):
    def test_leaves(self):
        table = [
            ("KVCache", [(None, rows(256, 512, 768))], (ROW, SPARE * ROW)),
            ("ArraysCache", [(None, [4096, 4096, 4096])], (0, 4096)),
            ("window of 128, full within the warm-up (gpt-oss)", [(128, rows(256, 383, 383))], (0, (128 + PEAK) * ROW)),
            ("window of 1024, not reached (Gemma 3)", [(1024, rows(256, 512, 768))], (0, (1024 + PEAK) * ROW)),
            ("window of 4096 (Gemma 2)", [(4096, rows(256, 512, 768))], (0, (4096 + PEAK) * ROW)),
            ("llama4 chunk of 8192", [(8192, rows(256, 512, 768))], (0, (8192 + PEAK) * ROW)),
            ("llama4 chunk of 64", [(64, rows(256, 320, 320))], (0, (64 + PEAK) * ROW)),
            (
                "Gemma 3: five windows and a KVCache",
                [(1024, rows(256, 512, 768))] * 5 + [(None, rows(256, 512, 768))],
                (ROW, 5 * (1024 + PEAK) * ROW + SPARE * ROW),
            ),
            ("Falcon-H1 parts: state and a KVCache", [(None, [4096] * 3), (None, rows(256, 512, 768))], (ROW, 4096 + SPARE * ROW)),
            ("no warm-up sizes", [(None, []), (1024, [])], (0, 0)),
        ]
        for label, leaves, want in table:
            with self.subTest(label):
                self.assertEqual(cache_cost(leaves, STEP, PEAK, SPARE), want)

    def test_marginal(self):
        for sizes, want in [([], 0), ([512], 0), (rows(256, 512), ROW), (rows(512, 256), 0), ([7, 7, 7], 0)]:
            self.assertEqual(marginal_bytes_per_token(sizes, STEP), want, sizes)


if __name__ == "__main__":
    unittest.main()
