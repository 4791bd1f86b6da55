"""PrefixCacheManager over the fake engine's caches (mlx-server.md §2.3)."""

import unittest

from anyclaude_mlx.cache_manager import PrefixCacheManager, common_prefix
from anyclaude_mlx.engine_fake import Counters, FakeCache

ID = "model-a"


def filled(tokens, counters=None, trimmable=True):
    c = FakeCache(counters or Counters(), 10, trimmable)
    c.write(list(tokens))
    return c


class CacheManagerTests(unittest.TestCase):
    def setUp(self):
        self.counters = Counters()
        self.mgr = PrefixCacheManager(lambda: FakeCache(self.counters, 10), max_entries=4, budget_bytes=10_000, min_reuse=3)

    def test_common_prefix(self):
        for a, b, n in [([], [1], 0), ([1, 2, 3], [1, 2, 4], 2), (list(range(1000)), list(range(1000)) + [5], 1000), ([1] * 600, [1] * 599 + [2], 599)]:
            self.assertEqual(common_prefix(a, b), n)

    def test_miss_then_turn_reuse_moves_and_trims(self):
        first = self.mgr.acquire([1, 2, 3, 4, 5], ID)
        self.assertEqual((first.kind, first.reused), ("miss", 0))
        cache = filled([1, 2, 3, 4, 5, 9, 9])  # prompt + generated
        self.assertTrue(self.mgr.store([1, 2, 3, 4, 5, 9, 9], cache, "turn", ID))
        nxt = self.mgr.acquire([1, 2, 3, 4, 5, 9, 7, 8], ID)
        self.assertEqual((nxt.kind, nxt.reused), ("turn", 6))
        self.assertIs(nxt.cache, cache)  # moved, not copied
        self.assertEqual(nxt.cache.offset, 6)
        self.assertEqual(self.mgr.entries(), [])
        self.assertEqual(self.counters.copies, 0)

    def test_exact_hit_leaves_one_token_to_generate(self):
        self.mgr.store([1, 2, 3, 4], filled([1, 2, 3, 4]), "turn", ID)
        got = self.mgr.acquire([1, 2, 3, 4], ID)
        self.assertEqual(got.reused, 3)
        self.assertEqual(got.cache.offset, 3)

    def test_checkpoints_are_copied_and_stay(self):
        self.mgr.store([1, 2, 3, 4], filled([1, 2, 3, 4], self.counters), "checkpoint", ID)
        a = self.mgr.acquire([1, 2, 3, 4, 5, 6], ID)
        b = self.mgr.acquire([1, 2, 3, 4, 7, 8], ID)
        self.assertEqual((a.kind, a.reused, b.kind, b.reused), ("checkpoint", 4, "checkpoint", 4))
        self.assertIsNot(a.cache, b.cache)
        self.assertEqual(self.counters.copies, 2)
        a.cache.write([5, 6])
        b.cache.write([7, 8])
        self.assertEqual(a.cache.context(), (1, 2, 3, 4, 5, 6))  # no aliasing between copies
        self.assertEqual(b.cache.context(), (1, 2, 3, 4, 7, 8))
        self.assertEqual(len(self.mgr.entries()), 1)

    def test_longest_usable_prefix_wins_and_lru_refreshes(self):
        self.mgr.store([1, 2, 3], filled([1, 2, 3]), "checkpoint", ID)
        self.mgr.store([1, 2, 3, 4, 5, 6], filled([1, 2, 3, 4, 5, 6]), "turn", ID)
        got = self.mgr.acquire([1, 2, 3, 4, 5, 6, 7], ID)
        self.assertEqual((got.kind, got.reused), ("turn", 6))

    def test_below_min_reuse_is_a_miss(self):
        self.mgr.store([1, 2, 9, 9], filled([1, 2, 9, 9]), "turn", ID)
        self.assertEqual(self.mgr.acquire([1, 2, 3, 4], ID).kind, "miss")

    def test_identities_never_mix(self):
        self.mgr.store([1, 2, 3, 4], filled([1, 2, 3, 4]), "checkpoint", "model-b")
        self.assertEqual(self.mgr.acquire([1, 2, 3, 4, 5], ID).kind, "miss")

    def test_non_trimmable_rules(self):
        c = filled([1, 2, 3, 4], trimmable=False)
        self.assertFalse(self.mgr.store([1, 2, 3, 4], c, "turn", ID))  # a turn can never be reused
        self.mgr.store([1, 2, 3, 4], filled([1, 2, 3, 4], trimmable=False), "checkpoint", ID)
        self.assertEqual(self.mgr.acquire([1, 2, 3, 5, 6], ID).kind, "miss")  # would need a trim
        got = self.mgr.acquire([1, 2, 3, 4, 5], ID)
        self.assertEqual((got.kind, got.reused), ("checkpoint", 4))

    def test_store_asserts_offset_equals_key(self):
        with self.assertRaises(AssertionError):
            self.mgr.store([1, 2, 3], filled([1, 2]), "turn", ID)

    def test_newer_turn_replaces_its_prefix(self):
        self.mgr.store([1, 2, 3], filled([1, 2, 3]), "turn", ID)
        self.mgr.store([1, 2, 3, 4, 5], filled([1, 2, 3, 4, 5]), "turn", ID)
        self.assertEqual([e.tokens for e in self.mgr.entries()], [[1, 2, 3, 4, 5]])

    def test_eviction_turns_first_then_lru_checkpoints(self):
        self.mgr.store([9, 9, 9, 1], filled([9, 9, 9, 1]), "checkpoint", ID)
        for k in range(4):
            self.mgr.store([k, k, k, k], filled([k] * 4), "turn", ID)
        kinds = sorted(e.kind for e in self.mgr.entries())
        self.assertEqual(kinds, ["checkpoint", "turn", "turn", "turn"])
        self.assertNotIn([0, 0, 0, 0], [e.tokens for e in self.mgr.entries()])

    def test_byte_budget(self):
        mgr = PrefixCacheManager(lambda: FakeCache(Counters(), 10), max_entries=8, budget_bytes=100, min_reuse=1)
        self.assertFalse(mgr.store(list(range(11)), filled(range(11)), "turn", ID))  # 110 bytes: never fits
        mgr.store(list(range(6)), filled(range(6)), "turn", ID)
        mgr.store(list(range(10, 16)), filled(range(10, 16)), "turn", ID)
        self.assertLessEqual(mgr.nbytes(), 100)
        self.assertEqual(len(mgr.entries()), 1)

    def test_entries_and_the_running_request_share_memory(self):
        # 10 bytes per token; 200 bytes of headroom, of which the entries may keep 150.
        mgr = PrefixCacheManager(lambda: FakeCache(Counters(), 10), max_entries=8, budget_bytes=150, min_reuse=1, memory_bytes=200)
        mgr.store(list(range(5)), filled(range(5)), "checkpoint", ID)  # 50 bytes
        mgr.store(list(range(10, 15)), filled(range(10, 15)), "turn", ID)  # 50 bytes
        mgr.reserve(120)  # a request needing 120 bytes leaves 80 for entries: the turn goes first
        self.assertEqual([e.kind for e in mgr.entries()], ["checkpoint"])
        self.assertTrue(mgr.store(list(range(20, 24)), filled(range(20, 24)), "checkpoint", ID))  # 40 more: the older goes
        self.assertEqual([e.tokens for e in mgr.entries()], [list(range(20, 24))])
        mgr.reserve(200)  # nothing left beside the request
        self.assertEqual(mgr.entries(), [])
        self.assertFalse(mgr.store([1, 2], filled([1, 2]), "checkpoint", ID))
        mgr.reserve(0)
        self.assertTrue(mgr.store([1, 2], filled([1, 2]), "checkpoint", ID))

    def test_a_cancelled_prefix_outlives_older_checkpoints(self):
        mgr = PrefixCacheManager(lambda: FakeCache(Counters(), 10, False), max_entries=2, min_reuse=1)
        mgr.store([1, 2, 3], filled([1, 2, 3], trimmable=False), "checkpoint", ID)
        mgr.store([7, 8, 9], filled([7, 8, 9], trimmable=False), "checkpoint", ID)
        self.assertTrue(mgr.store([1, 2, 3, 4, 5], filled([1, 2, 3, 4, 5], trimmable=False), "prefix", ID))
        self.assertEqual(sorted(e.kind for e in mgr.entries()), ["checkpoint", "prefix"])
        got = mgr.acquire([1, 2, 3, 4, 5, 6], ID)
        self.assertEqual((got.kind, got.reused), ("prefix", 5))
        self.assertNotIn("prefix", [e.kind for e in mgr.entries()])  # moved, not copied

    def test_disabled(self):
        mgr = PrefixCacheManager(lambda: FakeCache(Counters(), 10), max_entries=0)
        self.assertFalse(mgr.store([1, 2, 3], filled([1, 2, 3]), "turn", ID))
        self.assertEqual(mgr.acquire([1, 2, 3], ID).kind, "miss")


if __name__ == "__main__":
    unittest.main()
