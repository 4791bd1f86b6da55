// `bun run bench:mlx`: a Claude Code session built from the captured requests, translated by anyclaude and
// replayed through the MLX server running the real engine_mlx.py on the numpy stand-in of mlx/mlx_lm
// (mlx/tests/standin), once per model shape: Llama (KVCache), gpt-oss (sliding windows), Qwen3-Next
// (linear attention), DeepSeek-V3.2 (CacheList) and an MLA latent cache. A title request and a sub-agent
// run in between, one turn is cancelled while it prefills a long tool result, and one runs with thinking
// off. Prints, per shape, what each request prefilled against its new tokens, the share of follow-up
// prompt tokens served from the cache, and what the turn after the cancel re-prefilled.
import { readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createConsola } from "consola";
import * as v from "valibot";
import { PROFILES } from "../../src/backends/profiles.ts";
import { MessagesRequestSchema } from "../../src/protocol/anthropic.ts";
import { translateRequest } from "../../src/translate/request.ts";
import { startMlxServer } from "../../src/supervisor/mlx-server.ts";
import { QUICK } from "./targets.ts";

const ROOT = join(import.meta.dir, "../..");
const FIXTURES = join(ROOT, "test/fixtures/claude-code");
// --quick (the clone test): one shape, to show the bench runs.
const SHAPES = QUICK ? ["llama"] : ["llama", "gpt_oss", "qwen3_next", "deepseek_v32", "mla"];
const FOLLOW_UP_TARGET = 95; // % of follow-up prompt tokens from the cache
const HEADER_SLACK = 3; // a cache that cannot trim re-prefills the shared "<|im_start|>" of the next turn
// The stand-in is imported instead of mlx; multi-token calls take this long, as prefill chunks do on a Mac,
// so the cancel lands mid-prefill.
process.env.PYTHONPATH = join(ROOT, "mlx/tests/standin");
process.env.ANYCLAUDE_STANDIN_PREFILL_SECONDS = "0.25";

type Body = Record<string, unknown> & { messages: Record<string, unknown>[] };
const fixture = (name: string) => JSON.parse(readFileSync(join(FIXTURES, `${name}.json`), "utf8")).body as Body;
const hello = fixture("print-mode-hello");
const [assistantTurn, resultTurn] = fixture("print-mode-bash-tool-result").messages.slice(-2) as [Record<string, unknown>, Record<string, unknown>];
const output = (k: number, lines: number) => `total ${k * 8}\n` + Array.from({ length: lines }, (_, i) => `-rw-r--r-- 1 user user ${1000 + i * k} Nov 26 12:00 file_${k}_${i}.ts`).join("\n");
const titleRequest = { model: "claude-haiku-5", max_tokens: 32, stream: false, system: [{ type: "text", text: "Summarize this coding conversation in under 50 characters." }], messages: [{ role: "user", content: "Please list the files and explain the build." }] };
const subAgent = { ...hello, system: [{ type: "text", text: "You are a sub-agent exploring the repository. Report findings briefly." }], messages: [{ role: "user", content: "Find where the tests are configured." }], max_tokens: 32, stream: false };

function toOpenAI(body: Record<string, unknown>) {
  return translateRequest(v.parse(MessagesRequestSchema, body), { model: "standin", profile: PROFILES.mlx.translate }).request;
}

interface Row { label: string; prompt: number; prefilled: number; growth: number; kind: "main" | "side" | "after-cancel" | "cancelled"; lost?: number }

async function replay(shape: string): Promise<Row[]> {
  const server = await startMlxServer({
    python: "python3",
    model: join(ROOT, "mlx/tests/standin/models", shape),
    args: ["--context-window", "1000000"],
    logger: createConsola({ level: 1 }),
    serverDir: join(tmpdir(), `anyclaude-bench-mlx-${process.pid}`),
  });
  const rows: Row[] = [];
  const convo = [...hello.messages];
  let round = 0;
  let previous = 0;
  const addRound = (lines = 25) => {
    round++;
    const id = `toolu_bench_${round}`;
    convo.push(
      { ...assistantTurn, content: [{ type: "text", text: `Step ${round}.` }, { type: "tool_use", id, name: "Bash", input: { command: `ls -la dir${round}`, description: "List files" } }] },
      { ...resultTurn, content: [{ type: "tool_result", tool_use_id: id, content: output(round, lines), is_error: false }] },
    );
  };
  const post = (body: Record<string, unknown>, signal?: AbortSignal) =>
    fetch(`${server.url}/chat/completions`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(toOpenAI(body)), ...(signal ? { signal } : {}) });
  const send = async (label: string, body: Record<string, unknown>, kind: Row["kind"]) => {
    const res = await post({ ...body, stream: false });
    const json = (await res.json()) as { usage?: { prompt_tokens: number; prompt_tokens_details: { cached_tokens: number } }; error?: { message: string } };
    if (!json.usage) throw new Error(`${shape} ${label}: ${json.error?.message ?? res.status}`);
    const prompt = json.usage.prompt_tokens;
    rows.push({ label, prompt, prefilled: prompt - json.usage.prompt_tokens_details.cached_tokens, growth: kind === "side" ? prompt : prompt - previous, kind });
    if (kind !== "side") previous = prompt;
  };
  const main = (label: string, extra: Record<string, unknown> = {}, kind: Row["kind"] = "main") => send(label, { ...hello, ...extra, messages: [...convo], max_tokens: 32 }, kind);

  /** Streams the turn, leaves once the server reports prefill progress, and reads back what it kept. */
  const cancelled = async (label: string) => {
    const abort = new AbortController();
    const res = await post({ ...hello, messages: [...convo], max_tokens: 32, stream: true }, abort.signal);
    const reader = res.body!.getReader();
    let total = 0;
    for (let text = ""; !total; ) {
      const { value, done } = await reader.read();
      if (done) throw new Error(`${shape} ${label}: the stream ended before the cancel`);
      text += new TextDecoder().decode(value);
      const m = /: keepalive (\d+)\/(\d+)/.exec(text);
      if (m && Number(m[1]) > 0) total = Number(m[2]);
    }
    abort.abort();
    // The server notices at its next write; what it kept is the newest entry beyond the previous turn.
    let kept = 0;
    for (let i = 0; i < 200 && !kept; i++) {
      await Bun.sleep(100);
      const cache = (await (await fetch(`${server.url}/cache`)).json()) as { entries: { kind: string; tokens: number }[] };
      kept = cache.entries.find((e) => e.kind !== "checkpoint" && e.tokens > previous && e.tokens < total)?.tokens ?? 0;
    }
    rows.push({ label, prompt: total, prefilled: kept, growth: total - previous, kind: "cancelled", lost: kept ? total - kept : undefined });
    previous = total;
  };

  try {
    await main("turn 1");
    for (let k = 2; k <= 5; k++) addRound(), await main(`turn ${k}`);
    await send("title (haiku)", titleRequest, "side");
    await send("sub-agent", subAgent, "side");
    addRound(), await main("turn 6");
    addRound(1600), await cancelled("turn 7 (cancelled)");
    const last = convo.at(-1)!;
    convo[convo.length - 1] = { ...last, content: [...(last.content as unknown[]), { type: "text", text: "[Request interrupted by user]\nGo on, but only list the .ts files." }] };
    await main("turn 8 (after cancel)", {}, "after-cancel");
    addRound(), await main("turn 9 (thinking off)", { thinking: { type: "disabled" } });
    for (let k = 10; k <= 12; k++) addRound(), await main(`turn ${k}`);
  } finally {
    await server.stop();
  }
  return rows;
}

const pct = (a: number, b: number) => (b ? (100 * a) / b : 0).toFixed(1);
const verdict = (ok: boolean) => (ok ? "met" : "MISSED");
console.log("MLX server (real engine_mlx.py on the numpy stand-in of mlx-lm 0.32): a Claude Code session per model shape");
const summary: string[] = [];
for (const shape of SHAPES) {
  const rows = await replay(shape);
  console.log(`\n== ${shape}`);
  console.log("request                  prompt tok   new tok   prefilled   from cache");
  for (const r of rows) {
    const note = r.kind === "cancelled" ? `   cancelled: kept ${r.prefilled}, lost ${r.lost ?? "?"}` : `${pct(r.prompt - r.prefilled, r.prompt).padStart(11)}%`;
    console.log(`${r.label.padEnd(24)} ${String(r.prompt).padStart(10)} ${String(r.growth).padStart(9)} ${String(r.kind === "cancelled" ? "-" : r.prefilled).padStart(11)} ${note}`);
  }
  const followUps = rows.filter((r) => r.kind === "main" && r.label !== "turn 1");
  const prompt = followUps.reduce((a, r) => a + r.prompt, 0);
  const prefilled = followUps.reduce((a, r) => a + r.prefilled, 0);
  const share = (100 * (prompt - prefilled)) / prompt;
  const cancel = rows.find((r) => r.kind === "cancelled")!;
  const after = rows.find((r) => r.kind === "after-cancel")!;
  const ideal = cancel.lost === undefined ? undefined : after.growth + cancel.lost;
  const cancelOk = ideal !== undefined && after.prefilled <= ideal + HEADER_SLACK;
  console.log(`follow-up turns: ${share.toFixed(1)}% of prompt tokens from the cache (target >= ${FOLLOW_UP_TARGET}%: ${verdict(share >= FOLLOW_UP_TARGET)})`);
  console.log(`after the cancel: prefilled ${after.prefilled} = new ${after.growth} + lost ${cancel.lost ?? "?"}${ideal !== undefined ? ` ${after.prefilled - ideal >= 0 ? "+" : "-"} ${Math.abs(after.prefilled - ideal)}` : ""} (target: only what the cancel lost: ${verdict(cancelOk)})`);
  summary.push(`${shape.padEnd(13)} follow-ups ${share.toFixed(1)}% ${verdict(share >= FOLLOW_UP_TARGET)}; after cancel prefilled ${after.prefilled} vs new+lost ${ideal ?? "?"} ${verdict(cancelOk)}`);
}
console.log(`\nsummary\n${summary.join("\n")}`);
