"""The Engine interface. Everything but engine_mlx.py depends only on this module."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Iterator, Optional, Protocol


@dataclass(frozen=True)
class ModelInfo:
    id: str
    context_window: int
    # Measured: what one more token adds to the cache (not a formula over the config).
    bytes_per_token: int
    # Tokens of the generation prompt with default template options; the worker measures it per
    # option set (Engine.generation_prompt_length), since e.g. enable_thinking changes it.
    generation_prompt_tokens: int
    chat_template: str
    # Entries never cross identities (model, template, kwargs).
    identity: str
    # KV bytes the caches may use without exhausting memory; None = unknown (no check), 0 = the
    # weights leave nothing (every request is refused).
    max_kv_bytes: Optional[int] = None
    # Cache bytes that do not grow with tokens (recurrent state, full sliding windows).
    kv_fixed_bytes: int = 0
    # How max_kv_bytes was arrived at, for the refusal message.
    memory_note: str = ""


@dataclass
class Sampling:
    temperature: float = 0.0
    top_p: float = 1.0
    top_k: int = 0
    seed: Optional[int] = None


class CacheHandle(Protocol):
    """One prompt cache: the KV state of `offset` tokens."""

    @property
    def offset(self) -> int: ...

    @property
    def nbytes(self) -> int: ...

    def is_trimmable(self) -> bool: ...

    def trim(self, n: int) -> int:
        """Drop the last n tokens in place; returns how many every layer dropped."""
        ...

    def copy(self) -> "CacheHandle":
        """An independent, materialised copy (no shared buffers)."""
        ...


class Cancelled(Exception):
    """Raised inside prefill/generate when should_stop() turned true."""


@dataclass
class GeneratedToken:
    # None: a text-only flush of the detokenizer at the end (no token was fed to the cache).
    token: Optional[int]
    text: str


class Engine(Protocol):
    def load(self, progress: Callable[[float], None]) -> ModelInfo: ...

    def render(self, messages: list[dict[str, Any]], tools: Optional[list[dict[str, Any]]], template_kwargs: dict[str, Any], add_generation_prompt: bool = True) -> list[int]:
        """Chat template → token ids, by default with the generation prompt appended."""
        ...

    def generation_prompt_length(self, template_kwargs: dict[str, Any]) -> int:
        """Tokens the generation prompt adds under these template options."""
        ...

    def new_cache(self) -> CacheHandle: ...

    def prefill(self, cache: CacheHandle, tokens: list[int], on_progress: Callable[[int], None], should_stop: Callable[[], bool]) -> None:
        """Feed tokens into the cache (offset grows by len(tokens))."""
        ...

    def generate(
        self,
        cache: CacheHandle,
        last_tokens: list[int],
        sampling: Sampling,
        max_tokens: int,
        should_stop: Callable[[], bool],
    ) -> Iterator[GeneratedToken]:
        """Feed last_tokens (at least one) and decode; every yielded token is already in the cache."""
        ...

    def is_eos(self, token: int) -> bool: ...


@dataclass
class Usage:
    prompt_tokens: int = 0
    cached_tokens: int = 0
    completion_tokens: int = 0
    extra: dict[str, Any] = field(default_factory=dict)
