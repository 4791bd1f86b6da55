// A 40-turn Claude Code session against a 32k-window backend keeps working: the proxy drops the
// oldest turns (context.truncate), every request fits, and no tool_result loses its tool_use.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { localCounter } from "../../src/context/text-counter.ts";
import type { ChatRequest } from "../../src/protocol/openai.ts";
import { chunk, DONE, finish, sse, textReply, toolStart, usageChunk } from "../helpers/chunks.ts";
import type { Subprocess } from "bun";
import { BUN, ROOT, startServe, tempDir } from "../helpers/processes.ts";
import { startUpstream, type Upstream } from "../helpers/upstream.ts";

const TURNS = 40;
const WINDOW = 32768;
let upstream: Upstream;
const problems: string[] = [];
const sizes: number[] = [];
let toolTurns = 0;
let compactions = 0;

const counter = localCounter();
/** What the upstream receives, counted like the proxy counts (texts + 4 per message + tool definitions). */
async function upstreamTokens(req: ChatRequest): Promise<number> {
  const texts = req.messages.flatMap((m) => [
    typeof m.content === "string" ? m.content : m.content.map((p) => (p.type === "text" ? p.text : "")).join(""),
    ...(m.role === "assistant" ? (m.tool_calls ?? []).flatMap((c) => [c.function.name, c.function.arguments]) : []),
  ]);
  const { tokens: counts } = await counter.count([...texts, ...(req.tools ?? []).map((t) => JSON.stringify(t))]);
  return counts.reduce((a, b) => a + b, 0) + 4 * req.messages.length;
}

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
    const tokens = await upstreamTokens(req);
    sizes.push(tokens);
    if (tokens > WINDOW) problems.push(`request of ${tokens} tokens exceeds the window`);
    problems.push(...pairingProblems(req));
    if (!req.tools?.length || JSON.stringify(req.messages.at(-1)).includes("CRITICAL: Respond with TEXT ONLY")) {
      compactions++; // Claude Code compacting (or a title request)
      return textReply("Summary: listed numbers many times.", [tokens, 8]);
    }
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

function reset() {
  problems.length = 0;
  sizes.length = 0;
  toolTurns = 0;
  compactions = 0;
}

async function completeSession(proc: Subprocess<"ignore", "pipe", "pipe">, log: () => string | Promise<string>) {
  const stdout = await new Response(proc.stdout).text();
  expect(await proc.exited).toBe(0);
  expect(JSON.parse(stdout).result).toBe(`finished ${TURNS} turns`);
  expect(problems).toEqual([]);
  expect(toolTurns).toBe(TURNS);
  const truncations = [...(await log()).matchAll(/context: dropped the \d+ oldest messages to fit the 32768-token window/g)].length;
  console.log(`context: ${sizes.length} requests, prompt tokens max ${Math.max(...sizes)} of ${WINDOW}; ${compactions} compaction requests, ${truncations} truncations`);
  return { truncations, compactions };
}

const config = (cwd: string) =>
  writeFileSync(join(cwd, ".anyclauderc.json"), JSON.stringify({ backend: "openai", backends: { openai: { baseUrl: upstream.url } }, context: { truncate: true } }));
const claudeEnv = (home: string) => ({ PATH: `${join(ROOT, "node_modules/.bin")}:/usr/bin:/bin`, HOME: home, NO_COLOR: "1" });

test(`launcher: a ${TURNS}-turn session against a ${WINDOW}-token window (Claude Code compacts in time)`, async () => {
  reset();
  const cwd = tempDir("ctx");
  config(cwd);
  const proc = Bun.spawn([BUN, join(ROOT, "src/cli.ts"), "launch", "--", "-p", "print numbers forty times", "--output-format", "json", "--allowedTools", "Bash"], { cwd, stdin: "ignore", stdout: "pipe", stderr: "pipe", env: claudeEnv(tempDir("ctxhome")) });
  const stderr = new Response(proc.stderr).text();
  const { truncations, compactions: c } = await completeSession(proc, () => stderr);
  expect(truncations + c).toBeGreaterThan(0);
}, 180_000);

test(`serve with context.truncate: a ${TURNS}-turn session by a client that does not compact`, async () => {
  reset();
  const cwd = tempDir("ctx");
  config(cwd);
  const serve = await startServe([], undefined, { cwd, env: { HOME: tempDir("servehome") } });
  try {
    const proc = Bun.spawn([join(ROOT, "node_modules/.bin/claude"), "-p", "print numbers forty times", "--output-format", "json", "--allowedTools", "Bash"], {
      cwd,
      stdin: "ignore",
      stdout: "pipe",
      stderr: "pipe",
      env: { ...claudeEnv(tempDir("ctxhome")), ANTHROPIC_BASE_URL: serve.url, ANTHROPIC_AUTH_TOKEN: "x", CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1" },
    });
    const { truncations } = await completeSession(proc, () => serve.output());
    expect(truncations).toBeGreaterThan(0);
  } finally {
    await serve.stop();
  }
}, 180_000);
