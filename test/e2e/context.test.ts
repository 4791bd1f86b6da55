// A 40-turn Claude Code session against a 32k-window backend keeps working: the proxy drops the
// oldest turns (context.truncate), every request fits, and no tool_result loses its tool_use.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { countChatRequestTokens } from "../../src/context/tokens.ts";
import type { ChatRequest } from "../../src/protocol/openai.ts";
import { chunk, DONE, finish, sse, textReply, toolStart, usageChunk } from "../helpers/chunks.ts";
import { BUN, ROOT, tempDir } from "../helpers/processes.ts";
import { startUpstream, type Upstream } from "../helpers/upstream.ts";

const TURNS = 40;
const WINDOW = 32768;
let upstream: Upstream;
const problems: string[] = [];
const sizes: number[] = [];
let toolTurns = 0;

/** Every tool message answers a call of the assistant message before it (tool messages aside). */
function pairingProblems(req: ChatRequest): string[] {
  const out: string[] = [];
  let calls: string[] = [];
  for (const m of req.messages) {
    if (m.role === "assistant") calls = (m.tool_calls ?? []).map((c) => c.id);
    else if (m.role === "tool") {
      if (!calls.includes(m.tool_call_id)) out.push(`orphan tool result ${m.tool_call_id}`);
    } else calls = [];
  }
  return out;
}

beforeAll(async () => {
  upstream = await startUpstream(async (req) => {
    const tokens = await countChatRequestTokens(req);
    sizes.push(tokens);
    if (tokens > WINDOW) problems.push(`request of ${tokens} tokens exceeds the window`);
    problems.push(...pairingProblems(req));
    if (!req.tools?.length) return textReply("Summary: listed numbers many times.", [tokens, 8]); // a compaction or title request
    if (toolTurns >= TURNS) return sse(chunk({ role: "assistant", content: "" }), chunk({ content: `finished ${toolTurns} turns` }), finish("stop"), usageChunk(tokens, 5), DONE);
    toolTurns++;
    return sse(
      chunk({ role: "assistant", content: "" }),
      toolStart(0, `call_${toolTurns}`, "Bash", JSON.stringify({ command: `seq ${toolTurns} 500 | tr '\\n' ' '`, description: "Print numbers" })),
      finish("tool_calls"),
      usageChunk(tokens, 30),
      DONE,
    );
  });
});
afterAll(async () => {
  await upstream.stop();
});

test(`a ${TURNS}-turn session against a ${WINDOW}-token window`, async () => {
  const cwd = tempDir("ctx");
  writeFileSync(join(cwd, ".anyclauderc.json"), JSON.stringify({ backend: "openai", backends: { openai: { baseUrl: upstream.url } }, context: { truncate: true } }));
  const proc = Bun.spawn([BUN, join(ROOT, "src/cli.ts"), "launch", "--", "-p", "print numbers forty times", "--output-format", "json", "--allowedTools", "Bash"], {
    cwd,
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
    env: { PATH: `${join(ROOT, "node_modules/.bin")}:/usr/bin:/bin`, HOME: tempDir("ctxhome"), NO_COLOR: "1" },
  });
  const [stdout, stderr] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text()]);
  expect(await proc.exited).toBe(0);
  const result = JSON.parse(stdout);
  expect(result.result).toBe(`finished ${TURNS} turns`);
  expect(problems).toEqual([]);
  expect(toolTurns).toBe(TURNS);
  expect(stderr).toMatch(/context: dropped the \d+ oldest messages to fit the 32768-token window/);
  console.log(`context: ${sizes.length} requests, prompt tokens max ${Math.max(...sizes)} of ${WINDOW}, last ${sizes.at(-1)}`);
}, 180_000);
