// The repository alone is enough: a clone of HEAD (node_modules hard-linked, nothing else) serves
// a streamed Claude Code request and runs every benchmark in its quick mode. A test, bench or
// source file that reads outside the repository (a sibling folder, an untracked file) fails here.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { textReply } from "../helpers/chunks.ts";
import { BUN, ROOT, startServe, tempDir } from "../helpers/processes.ts";
import { startUpstream, type Upstream } from "../helpers/upstream.ts";

// One level down, so the clone's parent holds nothing the worktree's parent might.
const clone = join(tempDir("clone"), "anyclaude");
let upstream: Upstream;

beforeAll(async () => {
  const git = Bun.spawnSync(["git", "clone", "--quiet", ROOT, clone], { stderr: "pipe" });
  if (git.exitCode !== 0) throw new Error(`git clone failed: ${git.stderr.toString()}`);
  // Hard links: a copy of node_modules in well under a second.
  const cp = Bun.spawnSync(["cp", "-al", join(ROOT, "node_modules"), join(clone, "node_modules")], { stderr: "pipe" });
  if (cp.exitCode !== 0) throw new Error(`copying node_modules failed: ${cp.stderr.toString()}`);
  upstream = await startUpstream(() => textReply("from the clone"));
}, 60_000);
afterAll(async () => {
  await upstream.stop();
});

// The machine's PATH (its python3 and numpy serve bench:mlx's stand-in), the clone's tools first.
const env = () => ({ PATH: `${join(clone, "node_modules/.bin")}:${process.env.PATH}`, HOME: tempDir("home"), NO_COLOR: "1" });

test("serve from the clone answers a captured Claude Code request, streamed", async () => {
  const serve = await startServe(["--mode", "openai", "--base-url", upstream.url, "--model", "test-model"], [BUN, join(clone, "src/cli.ts")], { cwd: clone, env: env() });
  try {
    const body = JSON.parse(readFileSync(join(clone, "test/fixtures/claude-code/print-mode-hello.json"), "utf8")).body;
    const res = await fetch(`${serve.url}/v1/messages`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ ...body, stream: true }) });
    expect(res.status).toBe(200);
    const sse = await res.text();
    expect(sse).toContain('"text":"from the clone"');
    expect(sse.trimEnd().endsWith('data: {"type":"message_stop"}')).toBe(true);
  } finally {
    await serve.stop();
  }
}, 60_000);

describe("every benchmark runs from the clone in its quick mode", () => {
  // As the README writes them; soak exits 1 only on a missed correctness target in a quick run.
  const benches: [string, string[], RegExp][] = [
    ["bench", ["--quick"], /anyclaude bun: TTFD p50 vs node pipe .* — [✓✗] (met|missed)/],
    ["bench:startup", ["--quick"], /launch→ready: .* — [✓✗] (met|missed)/],
    ["bench:analyze", ["--quick"], /whole command, bun src\/cli\.ts .* — [✓✗] (met|missed)/],
    ["soak", ["--quick"], /failed streams: 0 streams — ✓ met/],
    ["bench:mlx", ["--quick"], /of prompt tokens from the cache/],
  ];
  for (const [script, args, says] of benches)
    test(`bun run ${script} ${args.join(" ")}`, async () => {
      const p = Bun.spawn([BUN, "run", script, ...args], { cwd: clone, stdout: "pipe", stderr: "pipe", env: env() });
      const [out, err] = await Promise.all([new Response(p.stdout).text(), new Response(p.stderr).text()]);
      const code = await p.exited;
      if (code !== 0) throw new Error(`${script} exited ${code}:\n${out}\n${err}`);
      expect(out).toMatch(says);
    }, 180_000);
});
