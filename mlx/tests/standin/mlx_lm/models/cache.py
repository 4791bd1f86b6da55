"""mlx_lm.models.cache, rewritten on the stand-in core with mlx-lm 0.32's semantics (see ../../README.md).

Every class keeps the attributes engine code may touch (`offset`, `keys`, `max_size`, `keep`, `cache`,
`caches`, `group_size`, `bits`) and leaves out what mlx-lm leaves out: ArraysCache has no `offset` and no
`trim`, and `_BaseCache.is_trimmable()` is False.
"""

from __future__ import annotations

from typing import Any, List, Optional

import mlx.core as mx
from mlx.utils import tree_map, tree_reduce

from .cache_base import _BaseCache, _grown
from .cache_stateful import ArraysCache, CacheList, ChunkedKVCache, RotatingKVCache

__all__ = ["make_prompt_cache", "can_trim_prompt_cache", "trim_prompt_cache", "KVCache", "ConcatenateKVCache", "QuantizedKVCache", "RotatingKVCache", "ArraysCache", "ChunkedKVCache", "CacheList"]


def make_prompt_cache(model: Any, max_kv_size: Optional[int] = None) -> List[Any]:
    if hasattr(model, "make_cache"):
        return model.make_cache()
    if max_kv_size is not None:
        return [RotatingKVCache(max_size=max_kv_size, keep=4) for _ in model.layers]
    return [KVCache() for _ in model.layers]


def can_trim_prompt_cache(cache: List[Any]) -> bool:
    return all(c.is_trimmable() for c in cache)


def trim_prompt_cache(cache: List[Any], num_tokens: int) -> int:
    # Like mlx-lm: reports what layer 0 trimmed.
    if not can_trim_prompt_cache(cache) or len(cache) == 0:
        return 0
    return [c.trim(num_tokens) for c in cache][0]


class KVCache(_BaseCache):
    step = 256

    def __init__(self) -> None:
        self.keys: Any = None
        self.values: Any = None
        self.offset = 0

    def update_and_fetch(self, keys: Any, values: Any) -> tuple[Any, Any]:
        prev = self.offset
        self.keys = _grown(self.keys, prev, keys, self.step)
        self.values = _grown(self.values, prev, values, self.step)
        self.offset += keys.shape[2]
        self.keys[..., prev : self.offset, :] = keys
        self.values[..., prev : self.offset, :] = values
        return self.keys[..., : self.offset, :], self.values[..., : self.offset, :]

    def size(self) -> int:
        return self.offset

    @property
    def state(self) -> Any:
        if self.offset == self.keys.shape[2]:
            return self.keys, self.values
        return self.keys[..., : self.offset, :], self.values[..., : self.offset, :]

    @state.setter
    def state(self, v: Any) -> None:
        self.keys, self.values = v
        self.offset = self.keys.shape[2]

    def is_trimmable(self) -> bool:
        return True

    def trim(self, n: int) -> int:
        n = min(self.offset, n)
        self.offset -= n  # the buffer keeps the stale entries; the next update overwrites them
        return n

    def empty(self) -> bool:
        return self.keys is None

    @property
    def nbytes(self) -> int:
        return 0 if self.keys is None else self.keys.nbytes + self.values.nbytes


class ConcatenateKVCache(_BaseCache):
    """afm7's last layer. As in mlx-lm, trim() only moves `offset`: the arrays keep the trimmed rows and
    the next update concatenates after them (and resets `offset` to their length)."""

    def __init__(self) -> None:
        self.keys: Any = None
        self.values: Any = None
        self.offset = 0

    def update_and_fetch(self, keys: Any, values: Any) -> tuple[Any, Any]:
        if self.keys is None:
            self.keys, self.values = keys, values
        else:
            self.keys = mx.concatenate([self.keys, keys], axis=-2)
            self.values = mx.concatenate([self.values, values], axis=-2)
        self.offset = self.keys.shape[-2]
        return self.keys, self.values

    @property
    def state(self) -> Any:
        return self.keys, self.values

    @state.setter
    def state(self, v: Any) -> None:
        self.keys, self.values = v
        self.offset = self.keys.shape[-2]

    def is_trimmable(self) -> bool:
        return True

    def trim(self, n: int) -> int:
        n = min(self.offset, n)
        self.offset -= n
        return n

    def empty(self) -> bool:
        return self.keys is None

    @property
    def nbytes(self) -> int:
        return 0 if self.keys is None else self.keys.nbytes + self.values.nbytes


class QuantizedKVCache(_BaseCache):
    step = 256

    def __init__(self, group_size: int = 64, bits: int = 8) -> None:
        self.keys: Any = None
        self.values: Any = None
        self.offset = 0
        self.group_size = group_size
        self.bits = bits

    def update_and_fetch(self, keys: Any, values: Any) -> tuple[Any, Any]:
        b, h, s, kd = keys.shape
        vd = values.shape[-1]
        prev = self.offset
        if self.keys is None or prev + s > self.keys[0].shape[-2]:
            per = 8 * mx.uint32.size // self.bits
            steps = (self.step + s - 1) // self.step * self.step

            def fresh(dim: int) -> tuple[Any, Any, Any]:
                return (
                    mx.zeros((b, h, steps, dim // per), mx.uint32),
                    mx.zeros((b, h, steps, dim // self.group_size), keys.dtype),
                    mx.zeros((b, h, steps, dim // self.group_size), keys.dtype),
                )

            if self.keys is None:
                self.keys, self.values = fresh(kd), fresh(vd)
            else:
                if prev % self.step != 0:
                    self.keys, self.values = tree_map(lambda x: x[..., :prev, :], (self.keys, self.values))
                grow = lambda x: mx.concatenate([x, mx.zeros((b, h, steps, x.shape[-1]), x.dtype)], axis=-2)  # noqa: E731
                self.keys, self.values = tree_map(grow, (self.keys, self.values))
        self.offset += s
        qk = mx.quantize(keys, group_size=self.group_size, bits=self.bits)
        qv = mx.quantize(values, group_size=self.group_size, bits=self.bits)
        for i in range(3):
            self.keys[i][..., prev : self.offset, :] = qk[i]
            self.values[i][..., prev : self.offset, :] = qv[i]
        return tree_map(lambda x: x[..., : self.offset, :], (self.keys, self.values))

    @property
    def state(self) -> Any:
        if self.offset == self.keys[0].shape[2]:
            return self.keys, self.values
        return tree_map(lambda x: x[..., : self.offset, :], (self.keys, self.values))

    @state.setter
    def state(self, v: Any) -> None:
        self.keys, self.values = v

    @property
    def meta_state(self) -> Any:
        return tuple(map(str, (self.offset, self.group_size, self.bits)))

    @meta_state.setter
    def meta_state(self, v: Any) -> None:
        self.offset, self.group_size, self.bits = map(int, v)

    def is_trimmable(self) -> bool:
        return True

    def trim(self, n: int) -> int:
        n = min(self.offset, n)
        self.offset -= n
        return n

    def empty(self) -> bool:
        return self.keys is None

    @property
    def nbytes(self) -> int:
        return tree_reduce(lambda a, x: a + x.nbytes, (self.keys, self.values), 0)
