"""Stand-in mlx_lm cache classes whose state is not a plain append-only KV buffer (tests only):
RotatingKVCache (sliding window, wraps in place), ArraysCache (recurrent slots), ChunkedKVCache
(llama4's chunked attention, drops rows before the current chunk), CacheList."""

from __future__ import annotations

from typing import Any, List, Optional

import mlx.core as mx

from .cache_base import _BaseCache, _grown


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


class ChunkedKVCache(_BaseCache):
    """llama4's chunked-attention layers (mlx-lm d78bf58e, with e03e45ed's maybe_trim_front). The model
    calls maybe_trim_front() before every forward pass, which keeps only the last chunk_size rows and
    moves start_position; trim() moves offset back over those rows only, yet is_trimmable() is always
    True, though the rows of the current chunk before start_position are gone."""

    step = 256

    def __init__(self, chunk_size: int) -> None:
        self.keys: Any = None
        self.values: Any = None
        self.offset = 0
        self.chunk_size = chunk_size
        self.start_position = 0

    def maybe_trim_front(self) -> None:
        if self.keys is None:
            return
        valid = self.offset - self.start_position
        if valid > self.chunk_size:
            trim = valid - self.chunk_size
            self.start_position += trim
            self.keys = self.keys[..., trim:valid, :]
            self.values = self.values[..., trim:valid, :]

    def update_and_fetch(self, keys: Any, values: Any) -> tuple[Any, Any]:
        prev = self.offset - self.start_position
        self.keys = _grown(self.keys, prev, keys, self.step)
        self.values = _grown(self.values, prev, values, self.step)
        self.offset += keys.shape[2]
        end = self.offset - self.start_position
        self.keys[..., prev:end, :] = keys
        self.values[..., prev:end, :] = values
        return self.keys[..., :end, :], self.values[..., :end, :]

    @property
    def state(self) -> Any:
        # As in mlx-lm: sliced by offset, not by offset - start_position.
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
        n = min(self.offset - self.start_position, n)
        self.offset -= n
        return n

    @property
    def meta_state(self) -> Any:
        return tuple(map(str, (self.chunk_size, self.start_position)))

    @meta_state.setter
    def meta_state(self, v: Any) -> None:
        self.chunk_size, self.start_position = map(int, v)

    def empty(self) -> bool:
        return self.keys is None

    @property
    def nbytes(self) -> int:
        return 0 if self.keys is None else self.keys.nbytes + self.values.nbytes


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
