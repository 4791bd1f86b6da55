// The Node bundle serves the frozen scenarios with the same bytes as Bun does in-process (ids and
// signatures, random in a real process, normalised). Under Node the upstream is reached with
// node:http (runtime/http-post.ts), so this is what holds that path to the fetch one.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { loadGoldens, requestBody } from "../helpers/golden.ts";
import { nodeReleases } from "../helpers/node-releases.ts";
import { BUN, ROOT, startServe, tempDir } from "../helpers/processes.ts";
import { chunk, text } from "../helpers/chunks.ts";
import { startUpstream } from "../helpers/upstream.ts";

const outdir = tempDir("nodebundle");
const bundle = join(outdir, "node", "anyclaude.mjs");

beforeAll(async () => {
  const build = Bun.spawn([BUN, join(ROOT, "scripts/build.ts"), "--target", "node", "--outdir", outdir], { stdout: "pipe", stderr: "pipe" });
  expect(await build.exited).toBe(0);
}, 120_000);
afterAll(() => {});

/** Ids and signatures differ per process; everything else must not. */
const normalise = (s: string) =>
  s
    .replace(/\b(msg|toolu|req)_[A-Za-z0-9]{24}\b/g, "$1_ID")
    .replace(/\b(msg|toolu|req)_\d{4}\b/g, "$1_ID")
    .replace(/"signature":"local:[^"]*"/g, '"signature":"SIG"');

// How the connection error reads is the runtime's own wording (Bun: "ECONNRESET (...)").
const RUNTIME_WORDED = new Set(["cut-connection"]);

// Under every maintained Node major: Node 22's own cork() once sent a stream's end ahead of its body.
for (const node of nodeReleases())
  describe(node.name, () => {
    describe("Node bundle on the frozen scenarios", () => {
      for (const { name, golden } of loadGoldens()) {
        test(name, async () => {
          const upstream = await startUpstream(golden.replies);
          // Recorded without a context window: a window far beyond the prompt keeps the context stage out of it.
          const cwd = tempDir("nodebundle-cwd");
          writeFileSync(join(cwd, ".anyclauderc.json"), JSON.stringify({ backends: { [golden.profile]: { contextLength: 10_000_000 } } }));
          const serve = await startServe(["--mode", golden.profile, "--base-url", upstream.url, "--model", "test-model"], [node.bin, bundle], { cwd, env: { HOME: cwd, OPENROUTER_API_KEY: "sk-or-test-key" } }); // OpenRouter refuses to start without one
          try {
            const res = await fetch(`${serve.url}/v1/messages`, { method: "POST", headers: { "content-type": "application/json" }, body: requestBody(golden) });
            const body = await res.text();
            expect(res.status).toBe(golden.expected.status);
            expect(res.headers.get("content-type")).toBe(golden.expected.contentType);
            if (RUNTIME_WORDED.has(name)) expect(normalise(body).replace(/stream interrupted: [^"]*/, "")).toBe(normalise(golden.expected.body).replace(/stream interrupted: [^"]*/, ""));
            else expect(normalise(body)).toBe(normalise(golden.expected.body));
          } finally {
            await serve.stop();
            await upstream.stop();
          }
        }, 30_000);
      }
    });

    test("Node bundle: a client that goes away mid-stream closes the upstream request too", async () => {
      const upstream = await startUpstream([{ kind: "sse", frames: [chunk({ role: "assistant", content: "" }), text("still thinking")], stall: true }]);
      const serve = await startServe(["--mode", "openai", "--base-url", upstream.url, "--model", "test-model"], [node.bin, bundle]);
      try {
        const client = new AbortController();
        const res = await fetch(`${serve.url}/v1/messages`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ model: "claude-sonnet-5", max_tokens: 100, stream: true, messages: [{ role: "user", content: "hi" }] }),
          signal: client.signal,
        });
        const reader = res.body!.getReader();
        let seen = "";
        while (!seen.includes("message_start")) seen += new TextDecoder().decode((await reader.read()).value);
        client.abort();
        for (let i = 0; i < 200 && upstream.aborted === 0; i++) await Bun.sleep(50);
        expect(upstream.aborted).toBe(1);
      } finally {
        await serve.stop();
        await upstream.stop();
      }
    }, 30_000);
  });
