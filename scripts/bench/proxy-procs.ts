// The processes `bun run bench` measures: each started with its arguments, found by the
// "listening on <url>" line it prints, and read for RSS from /proc.
import { existsSync, readFileSync } from "node:fs";

export interface Proxy {
  name: string;
  /** Where to POST: /v1/messages for anyclaude, /v1/chat/completions for the pipes. */
  url: string;
  speaks: "anthropic" | "openai";
  rssMb(): number;
  stop(): Promise<void>;
}

/** Starts a proxy process; null when `optional` and its executable is not built. */
export async function startProcess(name: string, cmd: string[], speaks: Proxy["speaks"], optional = false): Promise<Proxy | null> {
  const file = cmd[0]!.includes("/") ? cmd[0]! : cmd[1]!;
  if (optional && !existsSync(file)) return null;
  const child = Bun.spawn(cmd, { stdout: "pipe", stderr: "pipe", env: { ...process.env, NO_COLOR: "1" } });
  let log = "";
  const decoder = new TextDecoder();
  void (async () => {
    for await (const c of child.stderr) log += decoder.decode(c, { stream: true });
  })();
  void (async () => {
    for await (const c of child.stdout) log += decoder.decode(c, { stream: true });
  })();
  const deadline = Date.now() + 30_000;
  while (!/listening on (http:\/\/\S+)/.test(log)) {
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`${name} did not start: ${log}`);
    await Bun.sleep(10);
  }
  const base = /listening on (http:\/\/\S+)/.exec(log)![1]!;
  return {
    name,
    url: speaks === "anthropic" ? `${base}/v1/messages` : `${base}/v1/chat/completions`,
    speaks,
    rssMb: () => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, "utf8"))?.[1] ?? 0) / 1024,
    stop: async () => {
      child.kill("SIGTERM");
      await child.exited;
    },
  };
}

const enc = new TextEncoder();
const frame = (delta: object, finish: string | null = null) =>
  `data: ${JSON.stringify({ id: "c", object: "chat.completion.chunk", created: 1, model: "m", choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;

/**
 * A scripted OpenAI stream: a reasoning chunk (as vLLM/llama.cpp reasoning parsers send it, which
 * also tells the <think> splitter the content is the answer), `pieces` content chunks, usage, [DONE].
 */
export function answerBytes(pieces: number): Uint8Array {
  return enc.encode(
    frame({ role: "assistant", content: "" }) +
      frame({ reasoning_content: "Plan." }) +
      Array.from({ length: pieces }, (_, i) => frame({ content: `tok${i} ` })).join("") +
      frame({}, "stop") +
      `data: ${JSON.stringify({ choices: [], usage: { prompt_tokens: 20000, completion_tokens: pieces, prompt_tokens_details: { cached_tokens: 19000 } } })}\n\n` +
      "data: [DONE]\n\n",
  );
}
