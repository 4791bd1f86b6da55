"""Tool-call and reasoning parsers, chosen per model from its chat template (mlx-server.md §3)."""

from __future__ import annotations

from typing import Any, Optional, Protocol

from .base import Content, Event, Reasoning, ToolCall, ToolSchemas, merge
from .calls import json_calls, mistral_calls, qwen3_coder_calls
from .harmony import HarmonyParser
from .markers import MarkerParser, ToolMarker

FAMILIES = ("hermes", "qwen3_coder", "mistral", "harmony")


class StreamParser(Protocol):
    def feed(self, text: str) -> list[Event]: ...
    def finish(self) -> list[Event]: ...


def family_for_template(template: str, override: Optional[str] = None) -> str:
    if override:
        return override
    if "<|channel|>" in template or ("<|start|>" in template and "<|message|>" in template):
        return "harmony"
    if "<function=" in template and "<parameter=" in template:
        return "qwen3_coder"
    if "[TOOL_CALLS]" in template:
        return "mistral"
    return "hermes"


def make_parser(family: str, tools: Optional[list[dict[str, Any]]] = None, start_in_reasoning: bool = False) -> StreamParser:
    schemas = ToolSchemas(tools)
    if family == "harmony":
        return HarmonyParser(schemas)
    if family == "qwen3_coder":
        markers = [
            ToolMarker("<tool_call>", "</tool_call>", qwen3_coder_calls, structural_end=True),
            # Known quirk: the <tool_call> wrapper is dropped; a bare <function=…> then ends at </function>.
            ToolMarker("<function=", "</function>", lambda body, t: qwen3_coder_calls(body + "</function>", t), keep_start=True, line_start_only=True, swallow_after="</tool_call>"),
        ]
        return MarkerParser(schemas, markers, start_in_reasoning=start_in_reasoning)
    if family == "mistral":
        return MarkerParser(schemas, [ToolMarker("[TOOL_CALLS]", None, mistral_calls)], start_in_reasoning=start_in_reasoning)
    # Hermes <tool_call>{json}</tool_call>, plus Qwen2.5-Coder's ```json fences / bare objects.
    return MarkerParser(
        schemas,
        [ToolMarker("<tool_call>", "</tool_call>", json_calls)],
        start_in_reasoning=start_in_reasoning,
        leading_json=json_calls if not schemas.empty else None,
    )


__all__ = ["Content", "Event", "Reasoning", "ToolCall", "FAMILIES", "family_for_template", "make_parser", "merge", "StreamParser"]
