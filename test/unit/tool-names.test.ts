// laterName (tool-names.ts): the name a streamed call ends up with, for every way servers name a
// call again after its first fragment.
import { describe, expect, test } from "bun:test";
import { laterName } from "../../src/translate/tool-names.ts";

const ROWS: [string, string, string | null | undefined, string][] = [
  ["the first name", "", "Bash", "Bash"],
  ["no name on a continuation (OpenAI)", "Bash", undefined, "Bash"],
  ["a null name (LiteLLM continuations)", "Bash", null, "Bash"],
  ["an empty name before the real one (vercel/ai#16507)", "", "", ""],
  ["the same name on every fragment (hermes-agent#8094, llama.cpp #13774)", "Bash", "Bash", "Bash"],
  ["a grown name with the same id (llama.cpp compute_diffs)", "Bash", "BashOutput", "BashOutput"],
  ["a grown MCP name", "mcp__github__get_issue", "mcp__github__get_issue_comments", "mcp__github__get_issue_comments"],
  ["the string \"null\" on a continuation (BerriAI/litellm#12513)", "Read", "null", "Read"],
  ["a shorter name is never taken", "BashOutput", "Bash", "BashOutput"],
  ["a different name is never taken", "Read", "Write", "Read"],
];

describe("laterName", () => {
  for (const [name, current, incoming, want] of ROWS) test(name, () => expect(laterName(current, incoming)).toBe(want));
});
