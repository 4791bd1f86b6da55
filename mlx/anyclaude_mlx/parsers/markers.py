"""A streaming text state machine (normal / reasoning / tool) driven by per-family markers.

Text and reasoning go out at once; only a suffix that could still become a marker is held back.
A tool call is buffered until it closes (or the output ends) and emitted whole; a block that
does not parse as a call for a declared tool is emitted as the text it was, never dropped.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Optional

from .base import Content, Event, Reasoning, SteppingParser, ToolCall, ToolSchemas, held_suffix

BodyParser = Callable[[str, ToolSchemas], Optional[list[ToolCall]]]


@dataclass(frozen=True)
class ToolMarker:
    start: str
    end: Optional[str]  # None: the call runs to the end of the output (Mistral)
    parse: BodyParser
    keep_start: bool = False  # the start marker is part of the body (bare <function=…>)
    line_start_only: bool = False
    swallow_after: Optional[str] = None  # an orphan closer that may follow (</tool_call>)
    # XML bodies: the end marker counts only after </function> or </parameter>, because file
    # contents in a value may contain it.
    structural_end: bool = False


class MarkerParser(SteppingParser):
    def __init__(
        self,
        tools: ToolSchemas,
        markers: list[ToolMarker],
        think: tuple[str, str] = ("<think>", "</think>"),
        start_in_reasoning: bool = False,
        leading_json: Optional[BodyParser] = None,
    ):
        self.tools = tools
        self.markers = markers
        self.think_start, self.think_end = think
        self.state = "reasoning" if start_in_reasoning else "normal"
        self.buf = ""
        self.tool: Optional[ToolMarker] = None
        self.started_text = False  # any non-space content emitted yet
        self.leading_json = leading_json
        self.swallow: Optional[str] = None
        self.at_line_start = True  # the emitted content so far ends a line
        self.after_think = False  # blank lines right after </think> carry nothing

    def _close_output(self, out: list[Event]) -> None:
        if self.state == "tool":
            self._close_tool(self.buf, out)
        elif self.state == "leading":
            self._close_leading(out)
        elif self.buf:
            out.append(Reasoning(self.buf) if self.state == "reasoning" else Content(self.buf))
        self.state = "normal"

    # ---- states -----------------------------------------------------------------------------

    def _emit_content(self, text: str, out: list[Event]) -> None:
        if text:
            out.append(Content(text))
            self.at_line_start = text.endswith("\n")
            if text.strip():
                self.started_text = True

    def _step(self, out: list[Event], final: bool) -> bool:
        if not self.buf:
            return False
        if self.state == "reasoning":
            i = self.buf.find(self.think_end)
            if i >= 0:
                if i:
                    out.append(Reasoning(self.buf[:i]))
                self.buf = self.buf[i + len(self.think_end) :]
                self.after_think = True
                self.state = "normal"
                return True
            keep = 0 if final else held_suffix(self.buf, [self.think_end])
            if len(self.buf) > keep:
                out.append(Reasoning(self.buf[: len(self.buf) - keep]))
                self.buf = self.buf[len(self.buf) - keep :]
            return False
        if self.state == "tool":
            return self._step_tool(out, final)
        if self.state == "leading":
            return False  # resolved at finish
        return self._step_normal(out, final)

    def _step_normal(self, out: list[Event], final: bool) -> bool:
        if self.after_think:
            self.buf = self.buf.lstrip("\n")
            if not self.buf:
                return False
            self.after_think = False
        if self.swallow:
            stripped = self.buf.lstrip()
            if stripped.startswith(self.swallow):
                self.buf = stripped[len(self.swallow) :]
                self.swallow = None
                return True
            if stripped and not self.swallow.startswith(stripped):
                self.swallow = None
            elif not final:
                return False
            else:
                self.swallow = None
        # Qwen2.5-Coder and friends answer with a bare JSON object or a ```json fence.
        if self.leading_json and not self.started_text:
            stripped = self.buf.lstrip()
            if stripped.startswith("{") or stripped.startswith("```"):
                self.state = "leading"
                return False
            if not final and "```".startswith(stripped):
                return False  # only whitespace or part of a fence so far: undecided
        candidates: list[tuple[int, str, Optional[ToolMarker]]] = []
        i = self.buf.find(self.think_start)
        if i >= 0:
            candidates.append((i, self.think_start, None))
        for m in self.markers:
            j = self._find_marker(m)
            if j >= 0:
                candidates.append((j, m.start, m))
        if candidates:
            pos, marker, tool = min(candidates, key=lambda c: c[0])
            self._emit_content(self.buf[:pos], out)
            if tool is None:
                self.buf = self.buf[pos + len(marker) :]
                self.state = "reasoning"
            else:
                self.buf = self.buf[pos if tool.keep_start else pos + len(marker) :]
                self.tool = tool
                self.state = "tool"
            return True
        keep = 0 if final else held_suffix(self.buf, [self.think_start] + [m.start for m in self.markers])
        if not final:
            # "<function=Na" at a line start: hold it until the name is complete.
            for m in self.markers:
                i = self.buf.rfind(m.start)
                if m.line_start_only and i >= 0 and self.buf.find(">", i) < 0:
                    keep = max(keep, len(self.buf) - i)
        self._emit_content(self.buf[: len(self.buf) - keep], out)
        self.buf = self.buf[len(self.buf) - keep :]
        return False

    def _find_marker(self, m: ToolMarker) -> int:
        start = 0
        while True:
            i = self.buf.find(m.start, start)
            if i < 0:
                return -1
            if not m.line_start_only:
                return i
            # A bare <function=NAME> counts only at a line start and for a declared tool.
            at_line_start = self.buf[i - 1] == "\n" if i > 0 else self.at_line_start
            name_end = self.buf.find(">", i)
            if at_line_start and name_end >= 0 and self.buf[i + len(m.start) : name_end].strip() in self.tools:
                return i
            if at_line_start and name_end < 0:
                return -1  # undecided: wait for the name (held back below)
            start = i + 1

    def _step_tool(self, out: list[Event], final: bool) -> bool:
        tool = self.tool
        assert tool is not None
        if tool.end is None:
            return False  # runs to the end of the output
        i = self._find_end(tool)
        if i < 0:
            return False
        body = self.buf[:i]
        self.buf = self.buf[i + len(tool.end) :]
        self._close_tool(body, out)
        self.swallow = tool.swallow_after
        return True

    def _find_end(self, tool: ToolMarker) -> int:
        assert tool.end is not None
        i = self.buf.find(tool.end)
        if not tool.structural_end:
            return i
        while i >= 0:
            before = self.buf[:i].rstrip()
            if before.endswith("</function>") or before.endswith("</parameter>"):
                return i
            i = self.buf.find(tool.end, i + 1)
        return -1

    def _close_tool(self, body: str, out: list[Event]) -> None:
        tool = self.tool
        assert tool is not None
        calls = tool.parse(body, self.tools)
        if calls:
            out.extend(calls)
        else:
            raw = (tool.start if not tool.keep_start else "") + body + (tool.end or "")
            self._emit_content(raw, out)
        self.tool = None
        self.state = "normal"

    def _close_leading(self, out: list[Event]) -> None:
        assert self.leading_json is not None
        calls = self.leading_json(self.buf, self.tools)
        if calls:
            out.extend(calls)
        else:
            self._emit_content(self.buf, out)
        self.buf = ""
