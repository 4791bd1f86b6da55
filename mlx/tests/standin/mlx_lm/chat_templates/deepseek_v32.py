"""Stand-in of mlx_lm.chat_templates.deepseek_v32 (tests only), written from its interface in mlx-lm 0.32:
DeepSeek-V3.2 ships no Jinja template, so mlx_lm renders it with this function. What engine code meets:
`enable_thinking` becomes `thinking_mode`, only the keywords `encode_messages` knows are accepted, tool-call
arguments are read as JSON text (`json.loads`, as OpenAI sends them), and without a generation prompt
the "<｜Assistant｜><think>" suffix after a last user turn is removed."""

from __future__ import annotations

import json
from typing import Any, Dict, List, Optional

BOS, EOS = "<｜begin▁of▁sentence｜>", "<｜end▁of▁sentence｜>"
DSML = "｜DSML｜"


def _calls(tool_calls: List[Dict[str, Any]]) -> str:
    invokes = []
    for c in tool_calls:
        args = json.loads(c["function"]["arguments"])  # a mapping here raises TypeError, as in mlx-lm
        params = "\n".join(
            f'<{DSML}parameter name="{k}" string="{"true" if isinstance(v, str) else "false"}">{v if isinstance(v, str) else json.dumps(v)}</{DSML}parameter>'
            for k, v in args.items()
        )
        invokes.append(f'<{DSML}invoke name="{c["function"]["name"]}">\n{params}\n</{DSML}invoke>')
    return f"\n\n<{DSML}function_calls>\n" + "\n".join(invokes) + f"\n</{DSML}function_calls>"


def encode_messages(
    messages: List[Dict[str, Any]],
    thinking_mode: str = "thinking",
    context: Optional[List[Dict[str, Any]]] = None,
    drop_thinking: bool = True,
    add_default_bos_token: bool = True,
    tools: Any = None,
) -> str:
    out = [BOS if add_default_bos_token and not context else ""]
    last_user = max((i for i, m in enumerate(messages) if m["role"] == "user"), default=-1)
    for i, m in enumerate(messages):
        content = m.get("content") or ""
        if m["role"] == "system":
            out.append(content)
            if tools:
                out.append("\n\n## Tools\n<functions>\n" + "\n".join(json.dumps(t["function"]) for t in tools) + "\n</functions>\n")
        elif m["role"] == "user":
            think = "<think>" if thinking_mode == "thinking" and i == last_user else "</think>"
            out.append(f"<｜User｜>{content}<｜Assistant｜>{think}")
        elif m["role"] == "assistant":
            out.append(content + (_calls(m["tool_calls"]) if m.get("tool_calls") else "") + EOS)
        elif m["role"] == "tool":
            out.append(f"\n<result>{content}</result>")
    return "".join(out)


def apply_chat_template(messages: List[Dict[str, Any]], continue_final_message: bool = False, add_generation_prompt: bool = False, **kwargs: Any) -> str:
    if "enable_thinking" in kwargs:
        kwargs["thinking_mode"] = "thinking" if kwargs.pop("enable_thinking") else "chat"
    out = encode_messages(messages, **kwargs)
    if not add_generation_prompt and messages[-1]["role"] == "user":
        out = out.removesuffix("<｜Assistant｜><think>")
    return out
