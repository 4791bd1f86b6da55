"""A Claude Code session as the MLX server receives it (OpenAI chat format, after anyclaude's
translation), built from the captured requests in test/fixtures/claude-code: the real system prompt
and tools, Bash tool rounds, a title request and a sub-agent in between, a cancel while prefilling a
long tool result, a cancel while generating, a turn with thinking off, and a rewind (Esc Esc): the
conversation taken back to before an earlier user message, another one sent instead."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from typing import Any, Optional

FIXTURES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "test", "fixtures", "claude-code")


def _fixture(name: str) -> dict[str, Any]:
    with open(os.path.join(FIXTURES, f"{name}.json"), encoding="utf-8") as f:
        return json.load(f)["body"]


def _text(content: Any) -> str:
    return content if isinstance(content, str) else "\n".join(b.get("text", "") for b in content if b.get("type") == "text")


@dataclass
class Step:
    label: str
    messages: list[dict[str, Any]]
    tools: Optional[list[dict[str, Any]]]
    template_kwargs: dict[str, Any] = field(default_factory=dict)
    main: bool = True  # a turn of the main conversation (a follow-up after the first)
    cancel: Optional[str] = None  # "prefill": after the first prefill chunk; "generate": after 3 tokens
    max_tokens: int = 24


def tool_output(k: int, lines: int = 25) -> str:
    return f"total {k * 8}\n" + "\n".join(f"-rw-r--r-- 1 user user {1000 + i * k} Nov 26 12:00 file_{k}_{i}.ts" for i in range(lines))


def session(reply: Any) -> list[Step]:
    """`reply(step)` returns the text the model answered to an earlier step (the conversation goes on
    with what the model really said, as Claude Code's does)."""
    hello = _fixture("print-mode-hello")
    system = "\n\n".join(b["text"] for b in hello["system"])
    tools = [{"type": "function", "function": {"name": t["name"], "description": t.get("description", ""), "parameters": t.get("input_schema", {})}} for t in hello["tools"]]
    first = _text(hello["messages"][0]["content"])
    steps: list[Step] = []
    convo: list[dict[str, Any]] = [{"role": "system", "content": system}, {"role": "user", "content": first}]

    def main(label: str, **kw: Any) -> Step:
        step = Step(label, [dict(m) for m in convo], tools, **kw)
        steps.append(step)
        return step

    def tool_round(after: Step, k: int, lines: int = 25) -> None:
        call = {"id": f"toolu_{k:03d}", "type": "function", "function": {"name": "Bash", "arguments": json.dumps({"command": f"ls -la dir{k}", "description": "List files"})}}
        convo.append({"role": "assistant", "content": lambda: reply(after), "tool_calls": [call]})
        convo.append({"role": "tool", "tool_call_id": call["id"], "content": tool_output(k, lines)})

    t1 = main("turn 1", main=False)
    steps.append(Step("title", [{"role": "system", "content": "Summarize this coding conversation in under 50 characters."}, {"role": "user", "content": first}], None, {"enable_thinking": False}, main=False, max_tokens=12))
    tool_round(t1, 1)
    t2 = main("turn 2")
    steps.append(Step("sub-agent", [{"role": "system", "content": "You are a sub-agent exploring the repository. Report findings briefly."}, {"role": "user", "content": "Find where the tests are configured."}], tools, main=False))
    tool_round(t2, 2)
    t3 = main("turn 3")
    tool_round(t3, 3, lines=200)  # a long tool result, cancelled while prefilling
    main("turn 4 (cancelled while prefilling)", cancel="prefill")
    before_turn_5 = len(convo)
    convo.append({"role": "user", "content": "[Request interrupted by user]\nGo on, but only list the .ts files."})
    t5 = main("turn 5 (after the cancel)")
    tool_round(t5, 5)
    t6 = main("turn 6 (thinking off)", template_kwargs={"enable_thinking": False})
    tool_round(t6, 6)
    t7 = main("turn 7 (after thinking off)")
    tool_round(t7, 7, lines=30)
    main("turn 8 (cancelled while generating)", cancel="generate")
    convo.append({"role": "user", "content": "[Request interrupted by user]\nStop and summarise."})
    main("turn 9 (after the cancel)")
    # Every entry stored since runs past where this prompt parts from them: a cache that cannot trim
    # must not be reused beyond an entry that is a whole prefix of it.
    rewound = convo[:before_turn_5] + [{"role": "user", "content": "Rewind: list the directories instead."}]
    steps.append(Step("turn 10 (rewound to before turn 5, another message)", [dict(m) for m in rewound], tools, main=False))
    return steps


def resolve(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Fills in the model's earlier replies (known only once those steps ran)."""
    return [{**m, "content": m["content"]()} if callable(m.get("content")) else m for m in messages]
