// `bun run bench:mlx`: a 20-turn Claude Code session built from the captured requests, replayed
// through the MLX server (fake engine) with the prefix-cache manager and without it. Prints the
// prefilled tokens of each turn side by side; a title request and a sub-agent run in between.
import { readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createConsola } from "consola";
import * as v from "valibot";
import { PROFILES } from "../../src/backends/profiles.ts";
import { MessagesRequestSchema } from "../../src/protocol/anthropic.ts";
import { translateRequest } from "../../src/translate/request.ts";
import { startMlxServer } from "../../src/supervisor/mlx-server.ts";

const FIXTURES = join(import.meta.dir, "../../test/fixtures/claude-code");
const TURNS = 20;
const fixture = (name: string) => JSON.parse(readFileSync(join(FIXTURES, `${name}.json`), "utf8")).body as Record<string, unknown> & { messages: unknown[] };

const hello = fixture("print-mode-hello");
const toolTurn = fixture("print-mode-bash-tool-result");
const [assistantTurn, resultTurn] = toolTurn.messages.slice(-2) as [Record<string, unknown>, Record<string, unknown>];
const output = (k: number) => `total ${k * 8}\n` + Array.from({ length: 25 }, (_, i) => `-rw-r--r-- 1 user user ${1000 + i * k} Nov 26 12:00 file_${k}_${i}.ts`).join("\n");

/** Turn k: the first turn plus k-1 Bash tool rounds, as Claude Code sends them. */
function mainTurn(k: number): Record<string, unknown> {
  const messages = [...hello.messages];
  for (let i = 1; i < k; i++) {
    const id = `toolu_bench_${i}`;
    messages.push(
      { ...assistantTurn, content: [{ type: "text", text: `Step ${i}.` }, { type: "tool_use", id, name: "Bash", input: { command: `ls -la dir${i}`, description: "List files" } }] },
      { ...resultTurn, content: [{ type: "tool_result", tool_use_id: id, content: output(i), is_error: false }] },
    );
  }
  return { ...hello, messages, stream: false, max_tokens: 32 };
}
const titleRequest = { model: "claude-haiku-5", max_tokens: 32, system: [{ type: "text", text: "Summarize this coding conversation in under 50 characters." }], messages: [{ role: "user", content: "Please list the files and explain the build." }] };
const subAgent = { ...hello, system: [{ type: "text", text: "You are a sub-agent exploring the repository. Report findings briefly." }], messages: [{ role: "user", content: "Find where the tests are configured." }], max_tokens: 32, stream: false };

function toOpenAI(body: Record<string, unknown>) {
  const req = v.parse(MessagesRequestSchema, body);
  return translateRequest(req, { model: "fake-model", profile: PROFILES.mlx.translate }).request;
}

interface Row { label: string; prompt: number; prefilled: number }

async function replay(cacheOn: boolean): Promise<Row[]> {
  const server = await startMlxServer({
    python: "python3",
    args: ["--engine", "fake", "--context-window", "1000000", ...(cacheOn ? [] : ["--max-entries", "0"])],
    logger: createConsola({ level: 1 }),
    serverDir: join(tmpdir(), `anyclaude-bench-mlx-${process.pid}`),
  });
  const rows: Row[] = [];
  const send = async (label: string, body: Record<string, unknown>) => {
    const res = await fetch(`${server.url}/chat/completions`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(toOpenAI(body)) });
    const json = (await res.json()) as { usage: { prompt_tokens: number; prompt_tokens_details: { cached_tokens: number } } };
    rows.push({ label, prompt: json.usage.prompt_tokens, prefilled: json.usage.prompt_tokens - json.usage.prompt_tokens_details.cached_tokens });
  };
  try {
    for (let k = 1; k <= TURNS; k++) {
      await send(`turn ${k}`, mainTurn(k));
      if (k === 10) {
        await send("title (haiku)", { ...titleRequest, stream: false });
        await send("sub-agent", subAgent);
      }
    }
  } finally {
    await server.stop();
  }
  return rows;
}

const withCache = await replay(true);
const without = await replay(false);
console.log(`MLX server, fake engine: ${TURNS}-turn Claude Code session from the captured requests`);
console.log("request          prompt tok   prefilled (cache)   prefilled (no cache)   from cache");
withCache.forEach((r, i) => {
  const share = r.prompt ? (100 * (r.prompt - r.prefilled)) / r.prompt : 0;
  console.log(`${r.label.padEnd(16)} ${String(r.prompt).padStart(10)} ${String(r.prefilled).padStart(19)} ${String(without[i]!.prefilled).padStart(22)} ${share.toFixed(1).padStart(11)}%`);
});
const followUps = withCache.filter((r) => /^turn ([2-9]|\d\d)/.test(r.label));
const prompt = followUps.reduce((a, r) => a + r.prompt, 0);
const prefilled = followUps.reduce((a, r) => a + r.prefilled, 0);
const total = (rows: Row[]) => rows.reduce((a, r) => a + r.prefilled, 0);
console.log(`total prefilled: ${total(withCache)} with the cache vs ${total(without)} without (${(total(without) / Math.max(1, total(withCache))).toFixed(1)}x less work)`);
console.log(`follow-up turns: ${((100 * (prompt - prefilled)) / prompt).toFixed(1)}% of prompt tokens from the cache (target >= 95%)`);
const after = withCache.find((r) => r.label === "turn 11")!;
const before = withCache.find((r) => r.label === "turn 10")!;
console.log(`turn 11, after the title and sub-agent requests: prefilled ${after.prefilled} of ${after.prompt} (turn 10 prefilled ${before.prefilled})`);
