"""`mlx.core` on numpy: the calls mlx-lm's caches, generate_step and engine_mlx.py make.

Arrays are numpy arrays. Slice assignment writes into shared buffers, which is stricter than MLX (a
missing copy shows up as corruption). Memory figures come from the environment so tests can shape them:
ANYCLAUDE_STANDIN_WORKING_SET (bytes, default 32 GiB) and the weights' bytes that `load` registers.
"""

from __future__ import annotations

import contextlib
import os
from typing import Any, Iterable

import numpy as np


class Dtype:
    def __init__(self, np_dtype: Any):
        self.np = np.dtype(np_dtype)
        self.size = self.np.itemsize


uint32, int32, float16, float32, bfloat16 = Dtype(np.uint32), Dtype(np.int32), Dtype(np.float16), Dtype(np.float32), Dtype(np.float32)


def _dt(d: Any) -> Any:
    return d.np if isinstance(d, Dtype) else d


def array(value: Any, dtype: Any = None) -> np.ndarray:
    out = np.array(value, dtype=_dt(dtype))
    if dtype is None and out.dtype == np.float64:
        out = out.astype(np.float32)
    if dtype is None and out.dtype == np.int64:
        out = out.astype(np.int32)
    return out


def zeros(shape: Any, dtype: Any = float32) -> np.ndarray:
    return np.zeros(shape, dtype=_dt(dtype))


def arange(*args: Any, dtype: Any = None) -> np.ndarray:
    return np.arange(*args, dtype=_dt(dtype))


def concatenate(arrays: Iterable[np.ndarray], axis: int = 0) -> np.ndarray:
    return np.concatenate(list(arrays), axis=axis)


concat = concatenate


def argmax(x: np.ndarray, axis: Any = None, keepdims: bool = False) -> np.ndarray:
    return np.argmax(x, axis=axis, keepdims=keepdims)


def logsumexp(x: np.ndarray, axis: Any = None, keepdims: bool = False) -> np.ndarray:
    m = np.max(x, axis=axis, keepdims=True)
    out = m + np.log(np.sum(np.exp(x - m), axis=axis, keepdims=True))
    return out if keepdims else np.squeeze(out, axis=axis)


def quantize(w: np.ndarray, group_size: int = 64, bits: int = 4) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Affine quantisation in groups along the last axis, packed little-end first into uint32."""
    *lead, dim = w.shape
    groups = w.astype(np.float32).reshape(*lead, dim // group_size, group_size)
    lo, hi = groups.min(axis=-1, keepdims=True), groups.max(axis=-1, keepdims=True)
    scale = np.where(hi > lo, (hi - lo) / (2**bits - 1), 1.0)
    q = np.rint((groups - lo) / scale).astype(np.uint32).reshape(*lead, dim)
    per = 32 // bits
    q = q.reshape(*lead, dim // per, per)
    packed = np.zeros((*lead, dim // per), dtype=np.uint32)
    for j in range(per):
        packed |= q[..., j] << np.uint32(bits * j)
    return packed, scale[..., 0].astype(w.dtype), lo[..., 0].astype(w.dtype)


def dequantize(packed: np.ndarray, scales: np.ndarray, biases: np.ndarray, group_size: int = 64, bits: int = 4) -> np.ndarray:
    per = 32 // bits
    *lead, words = packed.shape
    q = np.stack([(packed >> np.uint32(bits * j)) & np.uint32(2**bits - 1) for j in range(per)], axis=-1).reshape(*lead, words * per)
    q = q.reshape(*lead, -1, group_size).astype(np.float32)
    return (q * scales[..., None] + biases[..., None]).reshape(*lead, words * per)


# ---- evaluation, streams, memory --------------------------------------------------------------


def eval(*args: Any) -> None:  # noqa: A001 - mlx's name
    """Arrays are already computed; walk the tree the way mx.eval accepts it (None leaves allowed)."""


def async_eval(*args: Any) -> None:
    pass


def clear_cache() -> None:
    pass


class Device:
    def __init__(self, kind: str = "gpu"):
        self.type = kind


class Stream:
    def __init__(self, device: Device):
        self.device = device


def default_device() -> Device:
    return Device()


def new_thread_local_stream(device: Device) -> Stream:
    return Stream(device)


def new_stream(device: Device) -> Stream:
    return Stream(device)


@contextlib.contextmanager
def stream(s: Any):
    yield s


_state = {"wired_limit": 0, "weights_bytes": 0}


def _working_set() -> int:
    return int(os.environ.get("ANYCLAUDE_STANDIN_WORKING_SET", str(32 << 30)))


def device_info(d: Any = None) -> dict[str, Any]:
    return {"architecture": "standin", "memory_size": _working_set() * 4 // 3, "max_recommended_working_set_size": _working_set()}


def get_active_memory() -> int:
    return _state["weights_bytes"]


def set_wired_limit(limit: int) -> int:
    if limit > device_info()["max_recommended_working_set_size"]:
        raise ValueError("[metal::set_wired_limit] Setting a wired limit larger than the maximum working set size is not allowed.")
    old, _state["wired_limit"] = _state["wired_limit"], int(limit)
    return old


def wired_limit() -> int:
    """Stand-in only: what set_wired_limit last set (tests read it)."""
    return _state["wired_limit"]


class _Metal:
    @staticmethod
    def is_available() -> bool:
        return True

    @staticmethod
    def device_info() -> dict[str, Any]:
        return device_info()


metal = _Metal()


class _Random:
    def __init__(self) -> None:
        self.rng = np.random.default_rng(0)

    def seed(self, s: int) -> None:
        if isinstance(s, bool) or not isinstance(s, int) or not 0 <= s < 1 << 64:
            # mlx binds seed(uint64): nanobind refuses anything else.
            raise TypeError(f"seed(): incompatible function arguments. The following argument types are supported:\n    1. seed(seed: int) -> None\n\nInvoked with types: {type(s).__name__}")
        self.rng = np.random.default_rng(s)

    def categorical(self, logits: np.ndarray, axis: int = -1) -> np.ndarray:
        p = np.exp(logits - logits.max(axis=axis, keepdims=True))
        p = p / p.sum(axis=axis, keepdims=True)
        flat = p.reshape(-1, p.shape[-1])
        return np.array([self.rng.choice(p.shape[-1], p=row) for row in flat]).reshape(p.shape[:-1])


random = _Random()
