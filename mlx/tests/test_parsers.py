"""Every format, every chunking: whole, char by char, every two-way split, random splits."""

import random
import unittest

from anyclaude_mlx.parsers import Content, Reasoning, ToolCall, family_for_template, make_parser, merge

TOOLS = [
    {"type": "function", "function": {"name": "Bash", "parameters": {"type": "object", "properties": {"command": {"type": "string"}, "timeout": {"type": "number"}}}}},
    {"type": "function", "function": {"name": "Write", "parameters": {"type": "object", "properties": {"file_path": {"type": "string"}, "content": {"type": "string"}}}}},
    {"type": "function", "function": {"name": "Read", "parameters": {"type": "object", "properties": {"file_path": {"type": "string"}, "limit": {"type": "integer"}}}}},
]

CASES = [
    # (name, family, text, expected events, start_in_reasoning)
    ("plain text", "hermes", "Hello there, world.", [Content("Hello there, world.")], False),
    ("think then text", "hermes", "<think>plan it</think>\nThe answer.", [Reasoning("plan it"), Content("The answer.")], False),
    ("pre-opened think", "hermes", "plan it</think>\n\nThe answer.", [Reasoning("plan it"), Content("The answer.")], True),
    ("hermes call", "hermes", 'Running.\n<tool_call>\n{"name": "Bash", "arguments": {"command": "ls -la"}}\n</tool_call>',
     [Content("Running.\n"), ToolCall("Bash", {"command": "ls -la"})], False),
    ("hermes parallel calls", "hermes",
     '<tool_call>{"name":"Read","arguments":{"file_path":"/a"}}</tool_call>\n<tool_call>{"name":"Read","arguments":{"file_path":"/b"}}</tool_call>',
     [ToolCall("Read", {"file_path": "/a"}), Content("\n"), ToolCall("Read", {"file_path": "/b"})], False),
    ("hermes arguments as string", "hermes", '<tool_call>{"name":"Bash","arguments":"{\\"command\\":\\"pwd\\"}"}</tool_call>', [ToolCall("Bash", {"command": "pwd"})], False),
    ("hermes unknown tool stays text", "hermes", '<tool_call>{"name":"Nope","arguments":{}}</tool_call>', [Content('<tool_call>{"name":"Nope","arguments":{}}</tool_call>')], False),
    ("hermes broken JSON stays text", "hermes", "<tool_call>{oops</tool_call>", [Content("<tool_call>{oops</tool_call>")], False),
    ("hermes call truncated at EOS", "hermes", '<tool_call>{"name":"Bash","arguments":{"command":"ls"}}', [ToolCall("Bash", {"command": "ls"})], False),
    ("qwen2.5-coder json fence", "hermes", '```json\n{"name": "Bash", "arguments": {"command": "ls"}}\n```', [ToolCall("Bash", {"command": "ls"})], False),
    ("qwen2.5-coder bare object", "hermes", '{"name": "Read", "arguments": {"file_path": "/x"}}', [ToolCall("Read", {"file_path": "/x"})], False),
    ("a fence that is not a call stays text", "hermes", "```json\n{\"a\": 1}\n```", [Content("```json\n{\"a\": 1}\n```")], False),
    ("qwen3-coder canonical", "qwen3_coder",
     "Let me check.\n<tool_call>\n<function=Bash>\n<parameter=command>\nls -la\n</parameter>\n<parameter=timeout>\n5000\n</parameter>\n</function>\n</tool_call>",
     [Content("Let me check.\n"), ToolCall("Bash", {"command": "ls -la", "timeout": 5000})], False),
    ("qwen3-coder dropped </parameter>", "qwen3_coder",
     "<tool_call>\n<function=Read>\n<parameter=file_path>\n/a.py\n<parameter=limit>\n10\n</function>\n</tool_call>",
     [ToolCall("Read", {"file_path": "/a.py", "limit": 10})], False),
    ("qwen3-coder dropped <tool_call> wrapper", "qwen3_coder",
     "Writing.\n<function=Bash>\n<parameter=command>\necho hi\n</parameter>\n</function>\n</tool_call>",
     [Content("Writing.\n"), ToolCall("Bash", {"command": "echo hi"})], False),
    ("qwen3-coder markers inside Write content", "qwen3_coder",
     "<tool_call>\n<function=Write>\n<parameter=file_path>\n/t.md\n</parameter>\n<parameter=content>\nuse </tool_call> and </parameter> here\n</parameter>\n</function>\n</tool_call>",
     [ToolCall("Write", {"file_path": "/t.md", "content": "use </tool_call> and </parameter> here"})], False),
    ("qwen3-coder bare function for an undeclared tool is text", "qwen3_coder", "see <function=Foo> docs", [Content("see <function=Foo> docs")], False),
    ("mistral v3 list", "mistral", '[TOOL_CALLS][{"name": "Bash", "arguments": {"command": "ls"}}, {"name": "Read", "arguments": {"file_path": "/a"}}]',
     [ToolCall("Bash", {"command": "ls"}), ToolCall("Read", {"file_path": "/a"})], False),
    ("mistral v11 name[ARGS]", "mistral", 'Sure.[TOOL_CALLS]Bash[ARGS]{"command": "pwd"}', [Content("Sure."), ToolCall("Bash", {"command": "pwd"})], False),
    ("harmony analysis, call", "harmony",
     '<|channel|>analysis<|message|>Need ls.<|end|><|start|>assistant<|channel|>commentary to=functions.Bash <|constrain|>json<|message|>{"command":"ls"}<|call|>',
     [Reasoning("Need ls."), ToolCall("Bash", {"command": "ls"})], False),
    ("harmony recipient in header", "harmony",
     '<|start|>assistant to=functions.Read<|channel|>commentary json<|message|>{"file_path":"/a"}<|call|>', [ToolCall("Read", {"file_path": "/a"})], False),
    ("harmony final", "harmony", "<|channel|>analysis<|message|>hm<|end|><|start|>assistant<|channel|>final<|message|>Done.<|return|>",
     [Reasoning("hm"), Content("Done.")], False),
    ("harmony plain text", "harmony", "No framing at all.", [Content("No framing at all.")], False),
]


def run(family, text, chunks, start_in_reasoning):
    p = make_parser(family, TOOLS, start_in_reasoning)
    events = []
    for c in chunks:
        events += p.feed(c)
    events += p.finish()
    return merge(events)


def chunkings(text, seed):
    yield [text]
    yield list(text)
    for i in range(1, len(text)):
        yield [text[:i], text[i:]]
    rng = random.Random(seed)
    for _ in range(20):
        cuts = sorted(rng.sample(range(1, len(text)), min(len(text) - 1, rng.randint(1, 8))))
        yield [text[a:b] for a, b in zip([0] + cuts, cuts + [len(text)])]


class ParserTests(unittest.TestCase):
    def test_cases_in_every_chunking(self):
        for name, family, text, want, pre in CASES:
            for chunks in chunkings(text, name):
                with self.subTest(name=name, chunks=chunks[:3] if len(chunks) > 3 else chunks):
                    self.assertEqual(run(family, text, chunks, pre), want)

    def test_text_streams_before_the_end(self):
        p = make_parser("hermes", TOOLS)
        self.assertEqual(merge(p.feed("Hello wor")), [Content("Hello wor")])
        self.assertEqual(merge(p.feed("ld <tool_")), [Content("ld ")])  # partial marker held back

    def test_family_from_template(self):
        self.assertEqual(family_for_template("{{ '<tool_call>' }} tool_call.name"), "hermes")
        self.assertEqual(family_for_template("<tool_call>\n<function={{ n }}>\n<parameter={{ p }}>"), "qwen3_coder")
        self.assertEqual(family_for_template("[TOOL_CALLS]"), "mistral")
        self.assertEqual(family_for_template("<|start|>assistant<|channel|>final<|message|>"), "harmony")
        self.assertEqual(family_for_template("anything", "mistral"), "mistral")


if __name__ == "__main__":
    unittest.main()
