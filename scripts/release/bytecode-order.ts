// Profile-guided layout of the linux-x64 executable's bytecode (`bun build --bytecode-order`): the
// executable just built runs twice with BUN_BYTECODE_ORDER_OUT set, and Bun records which functions
// each run loaded: `serve` as a proxy is used (start, two streamed Claude Code turns with a tool,
// SIGTERM), then the launcher (`anyclaude --mode openai`, with a stand-in `claude` that exits at once).
// The second build puts those functions together at the front, so a proxy pages in only them: idle
// RSS of serve 49.9 -> 45.0 MB (61.4 -> 56.8 MB after 300 requests), of the launcher 46.2 -> 43.6 MB.
// Everything else stays in the executable, after them. The runs talk only to an upstream on 127.0.0.1
// served here; cwd and HOME are an empty folder and the environment is bare, so no config file or
// variable of the machine that builds changes what is recorded.
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const LISTENING = /listening on (http:\/\/\S+)/;
const RUN_TIMEOUT_MS = 30_000;

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

/** Records both runs into `dir`; the order files, the more telling first (serve, with requests). */
export async function recordBytecodeOrders(executable: string, dir: string): Promise<string[]> {
  const upstream = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    fetch: (req) => (req.method === "GET" ? Response.json({ data: [{ id: "m" }] }) : new Response(ANSWER, { headers: { "content-type": "text/event-stream" } })),
  });
  const backend = ["--mode", "openai", "--base-url", `http://127.0.0.1:${upstream.port}/v1`, "--model", "m"];
  const orders = [join(dir, "serve.order"), join(dir, "launch.order")];
  try {
    await recordServe(executable, backend, orders[0]!);
    await recordLaunch(executable, backend, orders[1]!);
    return orders;
  } finally {
    upstream.stop(true);
  }
}

interface Run {
  child: Bun.Subprocess<"ignore", "pipe", "pipe">;
  log: () => string;
  /** Waits for the exit; throws with the output unless it is 0 and the order file was written. */
  finish: (what: string) => Promise<void>;
}

/** Starts the executable in an empty HOME and cwd, with only the given PATH, recording into `orderFile`. */
function start(executable: string, args: string[], orderFile: string, home: string, path?: string): Run {
  const env: Record<string, string> = { HOME: home, BUN_BYTECODE_ORDER_OUT: orderFile, ...(path ? { PATH: path } : {}) };
  const child = Bun.spawn([executable, ...args], { cwd: home, env, stdin: "ignore", stdout: "pipe", stderr: "pipe" });
  let log = "";
  const decoder = new TextDecoder();
  const drained = Promise.all(
    [child.stdout, child.stderr].map(async (s) => {
      for await (const c of s) log += decoder.decode(c, { stream: true });
    }),
  );
  const timer = setTimeout(() => child.kill("SIGKILL"), RUN_TIMEOUT_MS);
  return {
    child,
    log: () => log,
    finish: async (what) => {
      const code = await child.exited;
      clearTimeout(timer);
      await drained;
      if (code !== 0) throw new Error(`${what} exited with ${code ?? child.signalCode}:\n${log}`);
      if (!existsSync(orderFile) || !readFileSync(orderFile, "utf8").startsWith("v")) throw new Error(`no bytecode order was written to ${orderFile}`);
    },
  };
}

async function recordServe(executable: string, backend: string[], orderFile: string): Promise<void> {
  const home = mkdtempSync(join(tmpdir(), "anyclaude-bytecode-order-"));
  const run = start(executable, ["serve", "--port", "0", ...backend], orderFile, home);
  try {
    while (!LISTENING.test(run.log())) {
      if (run.child.exitCode !== null || run.child.signalCode) throw new Error(`serve did not start:\n${run.log()}`);
      await Bun.sleep(5);
    }
    const url = `${LISTENING.exec(run.log())![1]}/v1/messages`;
    // Two turns: the second takes the path of an unchanged tool list.
    for (let turn = 0; turn < 2; turn++) {
      const res = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: REQUEST });
      const text = await res.text();
      if (!res.ok || !text.includes("event: message_stop")) throw new Error(`the recorded request failed (${res.status}): ${text.slice(0, 300)}`);
    }
    run.child.kill("SIGTERM");
    await run.finish("serve");
  } finally {
    if (run.child.exitCode === null) run.child.kill("SIGKILL");
    rmSync(home, { recursive: true, force: true });
  }
}

async function recordLaunch(executable: string, backend: string[], orderFile: string): Promise<void> {
  const home = mkdtempSync(join(tmpdir(), "anyclaude-bytecode-order-"));
  const bin = join(home, "bin");
  mkdirSync(bin);
  writeFileSync(join(bin, "claude"), "#!/bin/sh\nexit 0\n");
  chmodSync(join(bin, "claude"), 0o755);
  const run = start(executable, backend, orderFile, home, bin);
  try {
    await run.finish("the launcher");
  } finally {
    if (run.child.exitCode === null) run.child.kill("SIGKILL");
    rmSync(home, { recursive: true, force: true });
  }
}
