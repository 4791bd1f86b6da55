// Profile-guided layout of the linux-x64 executable's bytecode (`bun build --bytecode-order`): the
// executable just built runs `serve` once, as a proxy is used (start, two streamed Claude Code turns
// with a tool, SIGTERM), with BUN_BYTECODE_ORDER_OUT set, and Bun records which functions that run
// loaded. The second build puts them together at the front, so a proxy pages in only those: idle RSS
// 49.9 -> 45.0 MB, 61.4 -> 56.8 MB after 300 requests. Everything else stays in the executable, after them.
// The run talks only to an upstream on 127.0.0.1 served here; cwd and HOME are an empty folder and the
// environment is bare, so no config file or variable of the machine that builds changes what is recorded.
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const LISTENING = /listening on (http:\/\/\S+)/;
const START_TIMEOUT_MS = 30_000;

const chunk = (delta: object, finish: string | null = null) =>
  `data: ${JSON.stringify({ id: "c", object: "chat.completion.chunk", created: 1, model: "m", choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;

/** An OpenAI stream as local servers send one: reasoning, text, a tool call in pieces, usage. */
const ANSWER = [
  chunk({ role: "assistant", content: "" }),
  chunk({ reasoning_content: "Read the file first." }),
  chunk({ content: "Reading " }),
  chunk({ content: "it." }),
  chunk({ tool_calls: [{ index: 0, id: "call_1", type: "function", function: { name: "Read", arguments: '{"file_' } }] }),
  chunk({ tool_calls: [{ index: 0, function: { arguments: 'path":"/tmp/a.txt"}' } }] }),
  chunk({}, "tool_calls"),
  `data: ${JSON.stringify({ choices: [], usage: { prompt_tokens: 900, completion_tokens: 12 } })}\n\n`,
  "data: [DONE]\n\n",
].join("");

/** A Claude Code turn, small: a system prompt, one tool, streaming. */
const REQUEST = JSON.stringify({
  model: "claude-sonnet-4-5",
  max_tokens: 32000,
  stream: true,
  system: [{ type: "text", text: "You are Claude Code." }],
  tools: [
    {
      name: "Read",
      description: "Reads a file.",
      input_schema: { type: "object", properties: { file_path: { type: "string" } }, required: ["file_path"], additionalProperties: false },
    },
  ],
  messages: [{ role: "user", content: [{ type: "text", text: "What is in /tmp/a.txt?" }] }],
});

/** Runs `executable serve` as described above and writes Bun's order file to `orderFile`. */
export async function recordBytecodeOrder(executable: string, orderFile: string): Promise<void> {
  const upstream = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    fetch: (req) => (req.method === "GET" ? Response.json({ data: [{ id: "m" }] }) : new Response(ANSWER, { headers: { "content-type": "text/event-stream" } })),
  });
  const home = mkdtempSync(join(tmpdir(), "anyclaude-bytecode-order-"));
  const args = ["serve", "--port", "0", "--mode", "openai", "--base-url", `http://127.0.0.1:${upstream.port}/v1`, "--model", "m"];
  const child = Bun.spawn([executable, ...args], { cwd: home, env: { HOME: home, BUN_BYTECODE_ORDER_OUT: orderFile }, stdout: "pipe", stderr: "pipe" });
  let log = "";
  const decoder = new TextDecoder();
  const drained = Promise.all(
    [child.stdout, child.stderr].map(async (s) => {
      for await (const c of s) log += decoder.decode(c, { stream: true });
    }),
  );
  try {
    const deadline = Date.now() + START_TIMEOUT_MS;
    while (!LISTENING.test(log)) {
      if (child.exitCode !== null || Date.now() > deadline) throw new Error(`serve did not start:\n${log}`);
      await Bun.sleep(5);
    }
    const url = `${LISTENING.exec(log)![1]}/v1/messages`;
    // Two turns: the second takes the path of an unchanged tool list.
    for (let turn = 0; turn < 2; turn++) {
      const res = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: REQUEST });
      const text = await res.text();
      if (!res.ok || !text.includes("event: message_stop")) throw new Error(`the recorded request failed (${res.status}): ${text.slice(0, 300)}`);
    }
    child.kill("SIGTERM");
    const code = await child.exited;
    await drained;
    if (code !== 0) throw new Error(`serve exited with ${code}:\n${log}`);
    if (!existsSync(orderFile) || !readFileSync(orderFile, "utf8").startsWith("v")) throw new Error(`no bytecode order was written to ${orderFile}`);
  } finally {
    if (child.exitCode === null) child.kill("SIGKILL");
    upstream.stop(true);
    rmSync(home, { recursive: true, force: true });
  }
}
