// Under Node the upstream body is written into one buffer again and again (translate/request-json.ts
// RecentMessages, given back by runtime/body-lease.ts once node:http is done with it). A long
// session's turns, with Claude Code's side requests between them and at the same time, must reach
// the upstream as they do from the Bun source (which has reused its buffer all along).
import { beforeAll, expect, test } from "bun:test";
import { join } from "node:path";
import { BUN, ROOT, startServe, tempDir } from "../helpers/processes.ts";
import { chunk, text } from "../helpers/chunks.ts";
import { loadFixture } from "../helpers/fixtures.ts";
import { startUpstream } from "../helpers/upstream.ts";

const outdir = tempDir("nodesession");
const bundle = join(outdir, "node", "anyclaude.mjs");

beforeAll(async () => {
  const build = Bun.spawn([BUN, join(ROOT, "scripts/build.ts"), "--target", "node", "--outdir", outdir], { stdout: "pipe", stderr: "pipe" });
  expect(await build.exited).toBe(0);
}, 120_000);

type Message = { role: string; content: unknown };
const captured = loadFixture("print-mode-bash-tool-result").body as Record<string, unknown> & { messages: Message[] };
/** Turn n of a tool loop, as scripts/bench/session-bodies.ts grows it (the cache_control on the newest message). */
function turn(n: number): string {
  const messages = captured.messages.slice(0, 2);
  for (let i = 0; i < n; i++) {
    const id = `toolu_${String(i).padStart(4, "0")}`;
    messages.push(
      { role: "assistant", content: [{ type: "text", text: `Reading module ${i}.` }, { type: "tool_use", id, name: "Bash", input: { command: `cat src/module_${i}/*.ts` } }] },
      { role: "user", content: [{ tool_use_id: id, type: "tool_result", content: `file ${i} é`, ...(i === n - 1 ? { cache_control: { type: "ephemeral" } } : {}) }] },
    );
  }
  return JSON.stringify({ ...captured, messages, stream: true });
}
const side = (n: number) => JSON.stringify({ model: captured.model, max_tokens: 32, stream: true, messages: [{ role: "user", content: `Write a title for chat ${n}` }] });

async function upstreamRequests(command: string[]): Promise<unknown[]> {
  const upstream = await startUpstream([{ kind: "sse", frames: [chunk({ role: "assistant", content: "" }), text("ok"), chunk({}, "stop"), "[DONE]"] }]);
  const serve = await startServe(["--mode", "openai", "--base-url", upstream.url, "--model", "test-model"], command);
  const ask = async (body: string) => (await fetch(`${serve.url}/v1/messages`, { method: "POST", headers: { "content-type": "application/json" }, body })).text();
  try {
    for (let n = 40; n < 52; n++) {
      await ask(turn(n));
      if (n % 4 === 0) await ask(side(n));
      if (n % 5 === 0) await Promise.all([ask(turn(n + 1)), ask(side(n)), ask(turn(n)), ask(turn(n - 9)), ask(side(n + 1)), ask(turn(n + 2))]);
    }
    // Arrival order of the concurrent ones is the runtime's: compared as a multiset.
    return upstream.requests.map((r) => JSON.stringify(r)).sort();
  } finally {
    await serve.stop();
    await upstream.stop();
  }
}

test("Node bundle: a long session's upstream bodies, side requests between and beside its turns, are the Bun source's", async () => {
  const [node, bun] = [await upstreamRequests(["node", bundle]), await upstreamRequests([BUN, join(ROOT, "src/cli.ts")])];
  expect(node.length).toBe(bun.length);
  expect(node).toEqual(bun);
}, 120_000);
