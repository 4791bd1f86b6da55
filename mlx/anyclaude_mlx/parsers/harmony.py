"""GPT-OSS harmony output: channels instead of tags (mlx_lm has no parser for it).

    <|channel|>analysis<|message|>…<|end|>                       → reasoning
    <|start|>assistant<|channel|>commentary to=functions.X <|constrain|>json<|message|>{…}<|call|>  → tool call
    <|start|>assistant<|channel|>final<|message|>…<|return|>      → content
The recipient may sit in the header before <|channel|>; any channel may carry it.
"""

from __future__ import annotations

import json
import re

from .base import Content, Event, Reasoning, SteppingParser, ToolCall, ToolSchemas, held_suffix

ENDS = ["<|end|>", "<|call|>", "<|return|>"]
RECIPIENT = re.compile(r"to=(?:functions\.)?([\w.-]+)")


class HarmonyParser(SteppingParser):
    def __init__(self, tools: ToolSchemas):
        self.tools = tools
        self.buf = ""
        self.state = "header"  # header → body → header …
        self.header = ""
        self.body = ""

    def _kind(self) -> tuple[str, str | None]:
        m = RECIPIENT.search(self.header)
        if m:
            return "tool", m.group(1)
        channel = re.search(r"<\|channel\|>\s*(\w+)", self.header)
        name = channel.group(1) if channel else "final"
        return ("reasoning" if name == "analysis" else "content"), None

    def _close_output(self, out: list[Event]) -> None:
        if self.state == "body":
            self._close(out)  # output ended inside a message (no <|end|>): take what is there

    def _step(self, out: list[Event], final: bool) -> bool:
        if self.state == "header":
            i = self.buf.find("<|message|>")
            if i >= 0:
                self.header = self.buf[:i]
                self.buf = self.buf[i + len("<|message|>") :]
                self.state = "body"
                return True
            # Output with no harmony framing at all is plain content.
            if "<|" not in self.buf:
                keep = 0 if final else held_suffix(self.buf, ["<|"])
                if len(self.buf) > keep:
                    out.append(Content(self.buf[: len(self.buf) - keep]))
                    self.buf = self.buf[len(self.buf) - keep :]
            return False
        ends = [(self.buf.find(e), e) for e in ENDS if self.buf.find(e) >= 0]
        kind, _ = self._kind()
        if ends:
            i, marker = min(ends)
            self._stream(kind, self.buf[:i], out)
            self.buf = self.buf[i + len(marker) :]
            self._close(out)
            return True
        keep = 0 if final else held_suffix(self.buf, ENDS)
        self._stream(kind, self.buf[: len(self.buf) - keep], out)
        self.buf = self.buf[len(self.buf) - keep :]
        return False

    def _stream(self, kind: str, text: str, out: list[Event]) -> None:
        if not text:
            return
        if kind == "tool":
            self.body += text  # buffered until <|call|>
        elif kind == "reasoning":
            out.append(Reasoning(text))
        else:
            out.append(Content(text))

    def _close(self, out: list[Event]) -> None:
        kind, name = self._kind()
        if kind == "tool":
            try:
                args = json.loads(self.body) if self.body.strip() else {}
            except ValueError:
                args = None
            if isinstance(args, dict) and name and (self.tools.empty or name in self.tools):
                out.append(ToolCall(name, args))
            else:
                out.append(Content(self.body))
        self.header = ""
        self.body = ""
        self.state = "header"
