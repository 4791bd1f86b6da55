"""mlx_lm.models.cache, rewritten on the stand-in core with mlx-lm 0.32's semantics (see ../../README.md).

Every class keeps the attributes engine code may touch (`offset`, `keys`, `max_size`, `keep`, `cache`,
`caches`, `group_size`, `bits`) and leaves out what mlx-lm leaves out: ArraysCache has no `offset` and no
`trim`, and `_BaseCache.is_trimmable()` is False.
"""

from __future__ import annotations

from typing import Any, List, Optional

import mlx.core as mx
from mlx.utils import tree_map, tree_reduce


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


class _BaseCache:
    @property
    def state(self) -> Any:
        return []

    @state.setter
    def state(self, v: Any) -> None:
        if v is not None and v:
            raise ValueError("This cache has no state but a state was set.")

    @property
    def meta_state(self) -> Any:
        return ""

    @meta_state.setter
    def meta_state(self, v: Any) -> None:
        if v is not None and v:
            raise ValueError("This cache has no meta_state but a meta_state was set.")

    @classmethod
    def from_state(cls, state: Any, meta_state: Any) -> Any:
        obj = cls.__new__(cls)  # like mlx-lm: no __init__, the setters fill it
        obj.state = state
        obj.meta_state = meta_state
        return obj

    def empty(self) -> bool:
        raise NotImplementedError("Cache sub-class must implement this.")

    def is_trimmable(self) -> bool:
        return False

    def size(self) -> int:
        return 0

    @property
    def nbytes(self) -> int:
        raise NotImplementedError("Cache sub-class must implement nbytes")


def _grown(buf: Optional[Any], used: int, incoming: Any, step: int) -> Any:
    """A buffer with room for `incoming` after `used` entries, grown in whole steps (KVCache's policy)."""
    b, h, s, d = incoming.shape
    need = used + s
    if buf is not None and need <= buf.shape[2]:
        return buf
    extra = mx.zeros((b, h, (step + s - 1) // step * step, d), incoming.dtype)
    if buf is None:
        return extra
    if used % step != 0:
        buf = buf[..., :used, :]
    return mx.concatenate([buf, extra], axis=2)


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


class RotatingKVCache(_BaseCache):
    step = 256

    def __init__(self, max_size: int, keep: int = 0) -> None:
        self.keep = keep
        self.keys: Any = None
        self.values: Any = None
        self.offset = 0
        self.max_size = max_size
        self._idx = 0

    def _drop(self, n: int, v: Any, append: Any = None) -> Any:
        parts = [v[..., : self.keep, :], v[..., n + self.keep :, :]] if n > 0 else [v]
        if append is not None:
            parts.append(append)
        return mx.concatenate(parts, axis=2)

    def _in_time_order(self, v: Any) -> Any:
        if self._idx == v.shape[2]:
            return v
        if self._idx < self.offset:
            return mx.concatenate([v[..., : self.keep, :], v[..., self._idx :, :], v[..., self.keep : self._idx, :]], axis=2)
        return v[..., : self._idx, :]

    def _update_concat(self, keys: Any, values: Any) -> tuple[Any, Any]:
        if self.keys is None:
            self.keys, self.values = keys, values
        else:
            self.keys, self.values = self._in_time_order(self.keys), self._in_time_order(self.values)
            self._idx = self.keys.shape[2]
            # Keep max_size - 1 old entries so every new token still sees a full window.
            n = self._idx - self.max_size + 1
            self.keys, self.values = self._drop(n, self.keys, keys), self._drop(n, self.values, values)
        self.offset += keys.shape[2]
        self._idx = self.keys.shape[2]
        return self.keys, self.values

    def _update_in_place(self, keys: Any, values: Any) -> tuple[Any, Any]:
        b, h, s, kd = keys.shape
        prev = self.offset
        if self.keys is None or (prev >= self.keys.shape[2] and self.keys.shape[2] < self.max_size):
            size = min(self.step, self.max_size - prev)
            new_k = mx.zeros((b, h, size, kd), keys.dtype)
            new_v = mx.zeros((b, h, size, values.shape[3]), values.dtype)
            if self.keys is None:
                self.keys, self.values = new_k, new_v
            else:
                self.keys, self.values = mx.concatenate([self.keys, new_k], axis=2), mx.concatenate([self.values, new_v], axis=2)
            self._idx = prev
        over = self.keys.shape[2] - self.max_size
        if over > 0:
            self.keys, self.values = self._drop(over, self.keys), self._drop(over, self.values)
            self._idx = self.max_size
        if self._idx == self.max_size:
            self._idx = self.keep
        self.keys[..., self._idx : self._idx + s, :] = keys
        self.values[..., self._idx : self._idx + s, :] = values
        self.offset += s
        self._idx += s
        if self.offset < self.max_size:
            return self.keys[..., : self.offset, :], self.values[..., : self.offset, :]
        return self.keys, self.values

    def update_and_fetch(self, keys: Any, values: Any) -> tuple[Any, Any]:
        if keys.shape[2] == 1:
            return self._update_in_place(keys, values)
        return self._update_concat(keys, values)

    def size(self) -> int:
        return min(self.offset, self.max_size)

    @property
    def state(self) -> Any:
        if self.offset < self.keys.shape[2]:
            return self.keys[..., : self.offset, :], self.values[..., : self.offset, :]
        return self.keys, self.values

    @state.setter
    def state(self, v: Any) -> None:
        self.keys, self.values = v

    @property
    def meta_state(self) -> Any:
        return tuple(map(str, (self.keep, self.max_size, self.offset, self._idx)))

    @meta_state.setter
    def meta_state(self, v: Any) -> None:
        self.keep, self.max_size, self.offset, self._idx = map(int, v)

    def is_trimmable(self) -> bool:
        return self.offset < self.max_size

    def trim(self, n: int) -> int:
        n = min(self.offset, n)
        self.offset -= n
        self._idx -= n
        return n

    def empty(self) -> bool:
        return self.keys is None

    @property
    def nbytes(self) -> int:
        return 0 if self.keys is None else self.keys.nbytes + self.values.nbytes


class ArraysCache(_BaseCache):
    """State slots of linear-attention / state-space layers: no offset, cannot trim."""

    def __new__(cls, *args: Any, **kwargs: Any) -> "ArraysCache":
        instance = super().__new__(cls)
        instance.left_padding = None
        instance.lengths = None
        return instance

    def __init__(self, size: int, left_padding: Optional[List[int]] = None) -> None:
        self.cache: List[Any] = [None] * size
        if left_padding:
            self.left_padding = mx.array(left_padding)

    def __setitem__(self, idx: int, value: Any) -> None:
        self.cache[idx] = value

    def __getitem__(self, idx: int) -> Any:
        return self.cache[idx]

    @property
    def state(self) -> Any:
        lp = mx.array([]) if self.left_padding is None else self.left_padding
        ln = mx.array([]) if self.lengths is None else self.lengths
        return self.cache, lp, ln

    @state.setter
    def state(self, v: Any) -> None:
        self.cache, lp, ln = v
        self.left_padding = lp if lp.size > 0 else None
        self.lengths = ln if ln.size > 0 else None

    def empty(self) -> bool:
        return self.cache[0] is None

    @property
    def nbytes(self) -> int:
        return sum(c.nbytes for c in self.cache if c is not None)


class CacheList(_BaseCache):
    def __init__(self, *caches: Any) -> None:
        self.caches = caches

    def __getitem__(self, idx: int) -> Any:
        return self.caches[idx]

    def is_trimmable(self) -> bool:
        return all(c.is_trimmable() for c in self.caches)

    def trim(self, n: int) -> int:
        for c in self.caches:
            m = c.trim(n)
        return m

    @property
    def state(self) -> Any:
        return [c.state for c in self.caches]

    @state.setter
    def state(self, v: Any) -> None:
        for c, s in zip(self.caches, v):
            c.state = s

    @property
    def meta_state(self) -> Any:
        return [type(c).__name__ for c in self.caches], [c.meta_state for c in self.caches]

    @meta_state.setter
    def meta_state(self, v: Any) -> None:
        for c, m in zip(self.caches, v[1]):
            c.meta_state = m

    def size(self) -> int:
        return max(c.size() for c in self.caches)

    def empty(self) -> bool:
        return self.caches[0].empty()

    @property
    def nbytes(self) -> int:
        return sum(c.nbytes for c in self.caches)
