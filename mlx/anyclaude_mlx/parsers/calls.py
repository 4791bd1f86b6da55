"""Parsing one buffered tool-call block of each family into calls. None means: not a call."""

from __future__ import annotations

import json
import re
from typing import Any, Optional

from .base import ToolCall, ToolSchemas


def _as_call(obj: Any, tools: ToolSchemas) -> Optional[ToolCall]:
    if not isinstance(obj, dict):
        return None
    name = obj.get("name")
    args = obj.get("arguments", obj.get("parameters", {}))
    if isinstance(args, str):
        try:
            args = json.loads(args) if args.strip() else {}
        except ValueError:
            return None
    if not isinstance(name, str) or not isinstance(args, dict):
        return None
    if not tools.empty and name not in tools:
        return None
    return ToolCall(name, args)


def json_calls(body: str, tools: ToolSchemas) -> Optional[list[ToolCall]]:
    """Hermes `<tool_call>{json}</tool_call>` bodies, ```json fences, bare objects or lists."""
    text = body.strip()
    fence = re.match(r"^```[a-zA-Z]*\s*(.*?)\s*(```)?$", text, re.S)
    if fence:
        text = fence.group(1).strip()
    try:
        obj = json.loads(text)
    except ValueError:
        return None
    items = obj if isinstance(obj, list) else [obj]
    calls = [_as_call(o, tools) for o in items]
    return calls if calls and all(calls) else None  # type: ignore[return-value]


PARAM = re.compile(r"<parameter=([^>\n]+)>\n?")


def qwen3_coder_calls(body: str, tools: ToolSchemas) -> Optional[list[ToolCall]]:
    """`<function=NAME><parameter=P>value</parameter></function>`, tolerating missing closers."""
    calls: list[ToolCall] = []
    parts = re.split(r"<function=([^>\n]+)>\n?", body)
    if len(parts) < 3:
        return None
    for i in range(1, len(parts), 2):
        name, rest = parts[i].strip(), parts[i + 1]
        if not tools.empty and name not in tools:
            return None
        end = rest.rfind("</function>")
        if end >= 0:
            rest = rest[:end]
        args: dict[str, Any] = {}
        matches = list(PARAM.finditer(rest))
        for j, m in enumerate(matches):
            stop = matches[j + 1].start() if j + 1 < len(matches) else len(rest)
            value = rest[m.end() : stop].rstrip()
            if value.endswith("</parameter>"):
                value = value[: -len("</parameter>")]
            if value.endswith("\n"):
                value = value[:-1]
            key = m.group(1).strip()
            args[key] = tools.coerce(name, key, value)
        calls.append(ToolCall(name, args))
    return calls


def mistral_calls(body: str, tools: ToolSchemas) -> Optional[list[ToolCall]]:
    """`[TOOL_CALLS][{...}]` (v3) or `[TOOL_CALLS]name[ARGS]{...}` (v11+), possibly repeated."""
    segments = [s.strip() for s in body.split("[TOOL_CALLS]") if s.strip()]
    calls: list[ToolCall] = []
    for seg in segments:
        if "[ARGS]" in seg:
            name, _, args = seg.partition("[ARGS]")
            call = _as_call({"name": name.strip(), "arguments": args.strip()}, tools)
            if not call:
                return None
            calls.append(call)
        else:
            found = json_calls(seg, tools)
            if not found:
                return None
            calls.extend(found)
    return calls or None
