"""Prefix KV-cache reuse for Claude Code traffic (mlx-server.md §2.3).

A few entries keyed by token sequence, under a byte budget. Lookup takes the entry with the
longest usable common prefix; checkpoints (the end of system+tools) are copied on reuse, turn
entries (and the prefix a cancelled request processed) are moved. LRU refreshes on every hit.
The entries, checkpoint copies included, and the running request's cache share the memory the
weights leave: `reserve` evicts to make room; `cache_cost` estimates what a model's cache will
need from sizes measured at load. Pure Python over the CacheHandle protocol.
"""

from __future__ import annotations

import itertools
import threading
from dataclasses import dataclass
from typing import Callable, Optional

from .engine import CacheHandle


@dataclass
class Entry:
    tokens: list[int]
    cache: CacheHandle
    kind: str  # "checkpoint" | "turn" | "prefix" (what a cancelled request processed)
    identity: str
    last_used: int
    hits: int = 0

    @property
    def nbytes(self) -> int:
        return self.cache.nbytes


@dataclass
class Acquired:
    cache: CacheHandle
    reused: int  # tokens of the prompt already in the cache
    kind: str  # "checkpoint" | "turn" | "miss"


def common_prefix(a: list[int], b: list[int]) -> int:
    n = min(len(a), len(b))
    # Compare in blocks first: Claude Code prompts are 10-30k tokens.
    i = 0
    step = 256
    while i + step <= n and a[i : i + step] == b[i : i + step]:
        i += step
    while i < n and a[i] == b[i]:
        i += 1
    return i


UNKNOWN_MEMORY_BUDGET = 8 << 30


def cache_budget(headroom: Optional[int], explicit: Optional[int] = None) -> int:
    """Bytes the stored entries may use: what the user set, else three quarters of the measured
    headroom (the rest absorbs generation beyond the reserve), else a fixed 8 GiB when the device
    reports no memory figures."""
    if explicit is not None:
        return explicit
    if headroom is None:
        return UNKNOWN_MEMORY_BUDGET
    return headroom * 3 // 4


def marginal_bytes_per_token(sizes: list[int], step: int) -> int:
    """Bytes one more token costs, from a cache's sizes after each warm-up chunk of `step` tokens: the
    last difference, when fixed-size state (ArraysCache) no longer grows."""
    if len(sizes) < 2:
        return 0
    return max(0, sizes[-1] - sizes[-2]) // step


def cache_cost(leaves: list[tuple[Optional[int], list[int]]], step: int, peak_chunk: int, spare_rows: int) -> tuple[int, int]:
    """(bytes per token, fixed bytes) of a model's cache, from each leaf cache's row bound and its sizes
    after each warm-up chunk of `step` tokens.

    An unbounded leaf (KVCache, MLA latents, ArraysCache) costs its last difference per token, the rest
    of its size fixed, plus `spare_rows` rows when it grows: mlx-lm's KVCache allocates whole steps of
    256 rows and keeps a step it was trimmed back into, so it holds up to two steps more than its
    tokens. A bounded one (a sliding window of max_size rows, a llama4 chunk) is fixed at its
    peak whether or not the short warm-up reached its bound (Gemma 3's windows hold 1024 tokens): after
    a prefill chunk of S tokens mlx-lm's RotatingKVCache holds max_size - 1 + S rows and a ChunkedKVCache
    chunk_size + S, so bound + peak_chunk rows, each costing what a row of the first chunk did (that
    chunk is kept whole: `step` rows)."""
    per_token = fixed = 0
    for bound, sizes in leaves:
        if not sizes:
            continue
        if bound is None:
            grows = marginal_bytes_per_token(sizes, step)
            per_token += grows
            fixed += max(0, sizes[-1] - grows * step * len(sizes)) + grows * spare_rows
        else:
            fixed += sizes[0] * (bound + peak_chunk) // step
    return per_token, fixed


class PrefixCacheManager:
    def __init__(
        self,
        new_cache: Callable[[], CacheHandle],
        max_entries: int = 6,
        budget_bytes: int = UNKNOWN_MEMORY_BUDGET,
        min_reuse: int = 256,
        on_evict: Optional[Callable[[], None]] = None,
        memory_bytes: Optional[int] = None,
    ):
        self._new_cache = new_cache
        self.max_entries = max_entries
        self.budget_bytes = budget_bytes
        # Shared by the entries and the running request (None: unknown, no shared limit).
        self.memory_bytes = memory_bytes
        self.reserved = 0
        self.min_reuse = min_reuse
        self._on_evict = on_evict
        self._entries: list[Entry] = []
        self._clock = itertools.count(1)
        self._lock = threading.Lock()
        self.stats = {"hits": 0, "misses": 0, "reused_tokens": 0, "evictions": 0, "rejected_inserts": 0}

    @property
    def enabled(self) -> bool:
        return self.max_entries > 0

    def entries(self) -> list[Entry]:
        return list(self._entries)

    def nbytes(self) -> int:
        return sum(e.nbytes for e in self._entries)

    def room(self) -> int:
        """Bytes the entries may hold now, next to the running request's reservation."""
        if self.memory_bytes is None:
            return self.budget_bytes
        return max(0, min(self.budget_bytes, self.memory_bytes - self.reserved))

    def reserve(self, nbytes: int) -> None:
        """Set aside memory for the running request's cache, evicting entries to make room."""
        with self._lock:
            self.reserved = max(0, nbytes)
            self._evict()

    def _usable(self, e: Entry, prompt: list[int]) -> int:
        lcp = common_prefix(e.tokens, prompt)
        # At least one prompt token must stay uncached: generation needs logits.
        if e.cache.is_trimmable():
            return min(lcp, len(prompt) - 1)
        return len(e.tokens) if lcp == len(e.tokens) and len(e.tokens) < len(prompt) else 0

    def acquire(self, prompt: list[int], identity: str) -> Acquired:
        with self._lock:
            best: Optional[Entry] = None
            best_len = 0
            for e in self._entries:
                if e.identity != identity:
                    continue
                n = self._usable(e, prompt)
                if n > best_len or (n == best_len and best is not None and n > 0 and e.last_used > best.last_used):
                    best, best_len = e, n
            if best is None or best_len < max(1, self.min_reuse):
                self.stats["misses"] += 1
                return Acquired(self._new_cache(), 0, "miss")
            best.last_used = next(self._clock)
            best.hits += 1
            if best.kind == "checkpoint":
                cache = best.cache.copy()  # pinned: others will start from it too
            else:
                self._entries.remove(best)  # moved: the conversation continues from it
                cache = best.cache
            excess = cache.offset - best_len
            if excess > 0:
                trimmed = cache.trim(excess)
                if trimmed != excess or cache.offset != best_len:
                    # A layer could not trim: the cache is unusable for this prompt.
                    self.stats["misses"] += 1
                    return Acquired(self._new_cache(), 0, "miss")
            self.stats["hits"] += 1
            self.stats["reused_tokens"] += best_len
            return Acquired(cache, best_len, best.kind)

    def has(self, tokens: list[int], identity: str, kind: str) -> bool:
        with self._lock:
            return any(e.kind == kind and e.identity == identity and e.tokens == tokens for e in self._entries)

    def store(self, tokens: list[int], cache: CacheHandle, kind: str, identity: str) -> bool:
        """Keep `cache` (which must hold exactly `tokens`). Returns False when it was not kept."""
        if not self.enabled:
            return False
        if cache.offset != len(tokens):
            raise AssertionError(f"cache offset {cache.offset} != key length {len(tokens)}")
        if kind == "turn" and not cache.is_trimmable():
            return False  # a non-trimmable turn can never be reused (vllm-mlx#683)
        with self._lock:
            if cache.nbytes > self.room():
                self.stats["rejected_inserts"] += 1
                return False
            # A newer turn supersedes turns that are prefixes of it.
            if cache.is_trimmable():
                self._entries = [
                    e for e in self._entries
                    if not (e.kind in ("turn", "prefix") and kind in ("turn", "prefix") and e.identity == identity and len(e.tokens) <= len(tokens) and tokens[: len(e.tokens)] == e.tokens)
                ]
            self._entries = [e for e in self._entries if not (e.kind == kind and e.identity == identity and e.tokens == tokens)]
            self._entries.append(Entry(list(tokens), cache, kind, identity, next(self._clock)))
            self._evict()
            return True

    def _evict(self) -> None:
        evicted = False
        while self._entries and (len(self._entries) > self.max_entries or self.nbytes() > self.room()):
            # Turns before checkpoints and cancelled prefixes (the next request's likely start),
            # least recently used first.
            victim = min(self._entries, key=lambda e: (e.kind != "turn", e.last_used))
            self._entries.remove(victim)
            self.stats["evictions"] += 1
            evicted = True
        if evicted and self._on_evict:
            self._on_evict()

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def describe(self) -> dict:
        with self._lock:
            return {
                "entries": [
                    {"kind": e.kind, "tokens": len(e.tokens), "bytes": e.nbytes, "hits": e.hits, "last_used": e.last_used}
                    for e in sorted(self._entries, key=lambda e: -e.last_used)
                ],
                "bytes": self.nbytes(),
                "budget_bytes": self.budget_bytes,
                "memory_bytes": self.memory_bytes,
                "reserved_bytes": self.reserved,
                "max_entries": self.max_entries,
                **self.stats,
            }
