// What a user sees for a bad or unreadable config file (exit 2, one line), and that printed base
// URLs never carry their credentials.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { textReply } from "../helpers/chunks.ts";
import { BUN, ROOT, startServe, tempDir } from "../helpers/processes.ts";
import { startUpstream, type Upstream } from "../helpers/upstream.ts";

let upstream: Upstream;
beforeAll(async () => {
  upstream = await startUpstream(() => textReply("ok"));
});
afterAll(async () => {
  await upstream.stop();
});

async function run(args: string[], cwd = tempDir("cfg")) {
  const p = Bun.spawn([BUN, join(ROOT, "src/cli.ts"), ...args], { cwd, stdout: "pipe", stderr: "pipe", env: { PATH: `${join(ROOT, "node_modules/.bin")}:/usr/bin:/bin`, HOME: tempDir("home"), NO_COLOR: "1" } });
  const [stdout, stderr] = await Promise.all([new Response(p.stdout).text(), new Response(p.stderr).text()]);
  return { code: await p.exited, out: stdout + stderr };
}

test("a misspelled key: exit 2, the file, the JSON path and the nearest key, on one line", async () => {
  const cwd = tempDir("cfg");
  writeFileSync(join(cwd, ".anyclauderc.json"), JSON.stringify({ backend: "lmstudio", backends: { lmstudio: { baseURL: "http://127.0.0.1:1234/v1" } } }));
  for (const command of [["config"], ["serve"], ["doctor"]]) {
    const r = await run(command, cwd);
    expect(r.code).toBe(2);
    expect(r.out.trim().split("\n")).toHaveLength(1);
    expect(r.out).toContain(`${join(cwd, ".anyclauderc.json")} at backends.lmstudio.baseURL: unknown key (did you mean baseUrl?)`);
  }
}, 60_000);

test("a config file that is a folder: exit 2, one line, no stack trace", async () => {
  const cwd = tempDir("cfg");
  mkdirSync(join(cwd, ".anyclauderc.json"));
  const r = await run(["config"], cwd);
  expect(r.code).toBe(2);
  expect(r.out.trim()).toEndWith(`cannot read config file ${join(cwd, ".anyclauderc.json")}: it is a folder`);
  expect(r.out.trim().split("\n")).toHaveLength(1);
}, 60_000);

test("doctor and config print base URLs without user:password", async () => {
  const url = upstream.url.replace("http://", "http://me:hunter2@");
  const doctor = await run(["doctor", "--mode", "openai", "--base-url", url]);
  const config = await run(["config", "--mode", "openai", "--base-url", url]);
  for (const r of [doctor, config]) {
    expect(r.out).toContain("http://<redacted>@127.0.0.1:");
    expect(r.out).not.toContain("hunter2");
  }
}, 60_000);

test("logs never carry a base URL's user:password, errors from the backend included", async () => {
  const serve = await startServe(["--mode", "openai", "--model", "m", "--base-url", "http://me:hunter2@127.0.0.1:9/v1", "--debug"]);
  try {
    const res = await fetch(`${serve.url}/v1/messages`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ model: "claude-x", max_tokens: 5, messages: [{ role: "user", content: "hi" }] }) });
    expect(res.status).toBeGreaterThanOrEqual(500);
    await res.text();
    await Bun.sleep(100);
    expect(serve.output()).toContain("http://<redacted>@127.0.0.1:9/v1");
    expect(serve.output()).not.toContain("hunter2");
  } finally {
    await serve.stop();
  }
}, 60_000);

test("maxRequestMB from the config file: a bigger body gets 413 request_too_large", async () => {
  const cwd = tempDir("cfg");
  writeFileSync(join(cwd, ".anyclauderc.json"), JSON.stringify({ backend: "openai", backends: { openai: { baseUrl: upstream.url, model: "test-model" } }, maxRequestMB: 1 }));
  const serve = await startServe([], undefined, { cwd, env: { HOME: tempDir("home") } });
  try {
    const post = (chars: number) =>
      fetch(`${serve.url}/v1/messages`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ model: "claude-x", max_tokens: 5, messages: [{ role: "user", content: "x ".repeat(chars / 2) }] }) });
    const big = await post(2_000_000);
    expect(big.status).toBe(413);
    expect(((await big.json()) as { error: { type: string } }).error.type).toBe("request_too_large");
    expect((await post(20_000)).status).toBe(200);
  } finally {
    await serve.stop();
  }
}, 60_000);
