"""`_BaseCache` of the stand-in mlx_lm.models.cache (tests only): mlx-lm 0.32's defaults, setters and
`from_state`."""

from __future__ import annotations

from typing import Any, Optional

import mlx.core as mx


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
