"""Events and helpers shared by the streaming parsers."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Optional, Union


@dataclass(frozen=True)
class Content:
    text: str


@dataclass(frozen=True)
class Reasoning:
    text: str


@dataclass(frozen=True)
class ToolCall:
    name: str
    arguments: dict = field(hash=False)


Event = Union[Content, Reasoning, ToolCall]


def held_suffix(buf: str, markers: list[str]) -> int:
    """Length of the longest suffix of buf that is a proper prefix of some marker."""
    best = 0
    for m in markers:
        for n in range(min(len(m) - 1, len(buf)), best, -1):
            if buf.endswith(m[:n]):
                best = n
                break
    return best


def merge(events: list[Event]) -> list[Event]:
    """Adjacent text events of one kind joined: the canonical form tests compare."""
    out: list[Event] = []
    for e in events:
        if out and type(e) is type(out[-1]) and isinstance(e, (Content, Reasoning)):
            out[-1] = type(e)(out[-1].text + e.text)  # type: ignore[call-arg]
        elif isinstance(e, (Content, Reasoning)) and not e.text:
            continue
        else:
            out.append(e)
    return out


class ToolSchemas:
    """The request's tools: names for validation, parameter types for coercion."""

    def __init__(self, tools: Optional[list[dict[str, Any]]] = None):
        self.params: dict[str, dict[str, Any]] = {}
        for t in tools or []:
            fn = t.get("function", t)
            name = fn.get("name")
            if name:
                self.params[name] = (fn.get("parameters") or {}).get("properties") or {}

    def __contains__(self, name: object) -> bool:
        return name in self.params

    @property
    def empty(self) -> bool:
        return not self.params

    def coerce(self, name: str, key: str, raw: str) -> Any:
        kind = (self.params.get(name, {}).get(key) or {}).get("type")
        if kind in ("integer", "number", "boolean", "array", "object", "null"):
            try:
                return json.loads(raw)
            except ValueError:
                return raw
        return raw


class SteppingParser:
    """Drives a state machine: `_step` consumes as much of `buf` as it can (holding back partial
    markers unless final); `_close` handles whatever state the output ended in."""

    buf: str

    def feed(self, text: str) -> list[Event]:
        self.buf += text
        out: list[Event] = []
        while self._step(out, final=False):
            pass
        return out

    def finish(self) -> list[Event]:
        out: list[Event] = []
        while self._step(out, final=True):
            pass
        self._close_output(out)
        self.buf = ""
        return out

    def _step(self, out: list[Event], final: bool) -> bool:
        raise NotImplementedError

    def _close_output(self, out: list[Event]) -> None:
        raise NotImplementedError
