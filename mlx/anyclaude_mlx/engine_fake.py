"""A deterministic engine for tests on machines without MLX (mlx-server.md §5).

The next token is a pure function of the whole context actually in the cache, so any prefix
or reuse bug (off-by-one, stale tail, a shared buffer that was not copied) changes the output.
Caches share their buffer the way MLX slice-assignment does: a missing copy corrupts another
entry. Counters let tests assert cache behaviour without timing anything.
"""

from __future__ import annotations

import json
import re
import time
import zlib
from dataclasses import dataclass, field
from typing import Any, Callable, Iterator, Optional

from .engine import Cancelled, GeneratedToken, ModelInfo, Sampling

PIECE = re.compile(r"<\|[a-z_]+\|>|\s+|\w+|[^\w\s]")
EOS_PIECE = "<|im_end|>"
GENERATION_PROMPT = "<|im_start|>assistant\n"
EMPTY_THINK = "<think>\n\n</think>\n\n"
WORDS = [f"{w} " for w in "alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi omicron pi".split()]
TEMPLATES = {
    "hermes": "{# fake ChatML #}{{ '<tool_call>' }}{{ tool_call.name }}",
    "qwen3_coder": "{# fake #}<tool_call>\n<function={{ name }}>\n<parameter={{ p }}>",
    "mistral": "{# fake #}[TOOL_CALLS]",
    "harmony": "{# fake #}<|start|>assistant<|channel|>final<|message|>",
}


class LoadError(Exception):
    pass


@dataclass
class Counters:
    tokens_prefilled: int = 0
    copies: int = 0
    bytes_copied: int = 0
    requests: int = 0


def piece_id(piece: str) -> int:
    return zlib.crc32(piece.encode("utf-8")) & 0xFFFFFF


class FakeCache:
    def __init__(self, counters: Counters, bytes_per_token: int, trimmable: bool = True, buf: Optional[list[int]] = None, offset: int = 0):
        self._counters = counters
        self._bpt = bytes_per_token
        self._trimmable = trimmable
        self.buf = buf if buf is not None else []
        self._offset = offset

    @property
    def offset(self) -> int:
        return self._offset

    @property
    def nbytes(self) -> int:
        return self._offset * self._bpt

    def is_trimmable(self) -> bool:
        return self._trimmable

    def trim(self, n: int) -> int:
        if not self._trimmable:
            return 0
        n = max(0, min(n, self._offset))
        self._offset -= n  # like KVCache: only the offset moves; the buffer keeps stale data
        return n

    def copy(self) -> "FakeCache":
        self._counters.copies += 1
        self._counters.bytes_copied += self.nbytes
        return FakeCache(self._counters, self._bpt, self._trimmable, list(self.buf[: self._offset]), self._offset)

    def write(self, tokens: list[int]) -> None:
        for i, t in enumerate(tokens):
            pos = self._offset + i
            if pos < len(self.buf):
                self.buf[pos] = t
            else:
                self.buf.append(t)
        self._offset += len(tokens)

    def context(self) -> tuple[int, ...]:
        return tuple(self.buf[: self._offset])


@dataclass
class ScriptRule:
    when: re.Pattern[str]
    reply: str


@dataclass
class FakeEngine:
    """Options mirror the server's --fake-* flags."""

    context_window: int = 32768
    bytes_per_token: int = 1024
    trimmable: bool = True
    family: str = "hermes"
    load_seconds: float = 0.0
    fail_load: Optional[str] = None
    hang_load: bool = False
    prefill_delay: float = 0.0  # seconds per prefilled token (keep-alive and cancellation tests)
    token_delay: float = 0.0
    max_words: int = 12
    memory_mb: Optional[int] = None  # simulated memory left for one request's KV cache
    script: list[ScriptRule] = field(default_factory=list)
    counters: Counters = field(default_factory=Counters)

    def __post_init__(self) -> None:
        self._pieces: dict[int, str] = {piece_id(p): p for p in WORDS + [EOS_PIECE]}
        self._eos = piece_id(EOS_PIECE)

    @staticmethod
    def from_script_file(path: Optional[str], **kwargs: Any) -> "FakeEngine":
        rules: list[ScriptRule] = []
        if path:
            with open(path, encoding="utf-8") as f:
                for r in json.load(f):
                    rules.append(ScriptRule(re.compile(r["when"], re.S), r["reply"]))
        return FakeEngine(script=rules, **kwargs)

    # ---- Engine ---------------------------------------------------------------------------

    def load(self, progress: Callable[[float], None]) -> ModelInfo:
        steps = 10
        for i in range(steps):
            if self.load_seconds:
                time.sleep(self.load_seconds / steps)
            progress((i + 1) / steps)
            if self.fail_load and i == steps // 2:
                raise LoadError(self.fail_load)
        while self.hang_load:
            time.sleep(3600)
        return ModelInfo(
            id="fake-model",
            context_window=self.context_window,
            bytes_per_token=self.bytes_per_token,
            generation_prompt_tokens=len(self.encode(GENERATION_PROMPT)),
            chat_template=TEMPLATES.get(self.family, TEMPLATES["hermes"]),
            identity=f"fake:{self.family}:{self.trimmable}",
            max_kv_bytes=self.memory_mb << 20 if self.memory_mb else None,
        )

    def encode(self, text: str) -> list[int]:
        ids = []
        for p in PIECE.findall(text):
            i = piece_id(p)
            self._pieces.setdefault(i, p)
            ids.append(i)
        return ids

    def decode(self, ids: list[int]) -> str:
        return "".join(self._pieces.get(i, "?") for i in ids)

    def render_text(self, messages: list[dict[str, Any]], tools: Optional[list[dict[str, Any]]], template_kwargs: dict[str, Any], add_generation_prompt: bool = True) -> str:
        out = []
        system = "\n\n".join(_text(m.get("content")) for m in messages if m.get("role") == "system")
        if system or tools:
            tool_lines = "\n".join(json.dumps(t, sort_keys=True, separators=(",", ":")) for t in tools or [])
            out.append(f"<|im_start|>system\n{system}\n\n# Tools\n{tool_lines}<|im_end|>\n")
        for m in messages:
            role = m.get("role")
            if role == "system":
                continue
            if role == "assistant":
                body = _text(m.get("content"))
                for c in m.get("tool_calls") or []:
                    fn = c.get("function", {})
                    args = fn.get("arguments")
                    args = json.loads(args) if isinstance(args, str) and args else (args or {})
                    body += "\n<tool_call>\n" + json.dumps({"name": fn.get("name"), "arguments": args}, separators=(",", ":")) + "\n</tool_call>"
                out.append(f"<|im_start|>assistant\n{body}<|im_end|>\n")
            elif role == "tool":
                out.append(f"<|im_start|>user\n<tool_response>\n{_text(m.get('content'))}\n</tool_response><|im_end|>\n")
            else:
                out.append(f"<|im_start|>user\n{_text(m.get('content'))}<|im_end|>\n")
        if add_generation_prompt:
            # Like Qwen3's template: thinking off adds an empty think block after the header.
            out.append(GENERATION_PROMPT + (EMPTY_THINK if template_kwargs.get("enable_thinking") is False else ""))
        return "".join(out)

    def render(self, messages: list[dict[str, Any]], tools: Optional[list[dict[str, Any]]], template_kwargs: dict[str, Any], add_generation_prompt: bool = True) -> list[int]:
        return self.encode(self.render_text(messages, tools, template_kwargs, add_generation_prompt))

    def generation_prompt_length(self, template_kwargs: dict[str, Any]) -> int:
        probe = [{"role": "user", "content": "x"}]
        return len(self.render(probe, None, template_kwargs)) - len(self.render(probe, None, template_kwargs, add_generation_prompt=False))

    def new_cache(self) -> FakeCache:
        return FakeCache(self.counters, self.bytes_per_token, self.trimmable)

    def prefill(self, cache: FakeCache, tokens: list[int], on_progress: Callable[[int], None], should_stop: Callable[[], bool]) -> None:
        chunk = 512
        for start in range(0, len(tokens), chunk):
            if should_stop():
                raise Cancelled()
            part = tokens[start : start + chunk]
            if self.prefill_delay:
                time.sleep(self.prefill_delay * len(part))
            cache.write(part)
            self.counters.tokens_prefilled += len(part)
            on_progress(start + len(part))

    def generate(self, cache: FakeCache, last_tokens: list[int], sampling: Sampling, max_tokens: int, should_stop: Callable[[], bool]) -> Iterator[GeneratedToken]:
        if not last_tokens:
            raise ValueError("generate needs at least one uncached token")
        self.counters.requests += 1
        cache.write(last_tokens)
        self.counters.tokens_prefilled += len(last_tokens)
        scripted = self._scripted(cache)
        for i in range(max_tokens):
            if should_stop():
                raise Cancelled()
            if self.token_delay:
                time.sleep(self.token_delay)
            if scripted is not None:
                token = scripted[i] if i < len(scripted) else self._eos
            else:
                token = self._next_from_context(cache.context(), i)
            cache.write([token])
            yield GeneratedToken(token, "" if token == self._eos else self._pieces.get(token, "?"))
            if token == self._eos:
                return

    def is_eos(self, token: int) -> bool:
        return token == self._eos

    # ---- output ----------------------------------------------------------------------------

    def _next_from_context(self, context: tuple[int, ...], i: int) -> int:
        if i >= self.max_words:
            return self._eos
        h = zlib.crc32(repr(context).encode())
        return piece_id(WORDS[h % len(WORDS)])

    def _scripted(self, cache: FakeCache) -> Optional[list[int]]:
        if not self.script:
            return None
        text = self.decode(list(cache.context()))
        last = text.rsplit("<|im_start|>", 2)[-2] if text.count("<|im_start|>") >= 2 else text
        for rule in self.script:
            m = rule.when.search(last)
            if m:
                return self.encode(m.expand(rule.reply))
        return None


def _text(content: Any) -> str:
    if content is None:
        return ""
    if isinstance(content, str):
        return content
    return "\n".join(p.get("text", "") for p in content if isinstance(p, dict) and p.get("type") == "text")
