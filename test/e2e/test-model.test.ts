// `anyclaude test-model` end to end: the CLI from source against scripted models (good, weak,
// slow) that answer from the requests they see; --tasks with the real Claude Code CLI; the saved
// results charted side by side by `trace compare --html`, rendered in headless Chromium.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { artefacts, runners } from "../helpers/artefacts.ts";
import { BUN, CLAUDE, gone, ROOT, tempDir } from "../helpers/processes.ts";
import { scriptedModel } from "../helpers/scripted-models.ts";
import { ensureCommand } from "../helpers/system-packages.ts";
import { startUpstream, type Upstream } from "../helpers/upstream.ts";

const CLI = join(ROOT, "src/cli.ts");
const upstreams: Record<"good" | "weak" | "slow" | "sloppy", Upstream> = {} as never;
const home = tempDir("test-model-home");
const results = join(home, ".anyclaude", "model-tests");

beforeAll(async () => {
  for (const kind of ["good", "weak", "slow", "sloppy"] as const) upstreams[kind] = await startUpstream(scriptedModel(kind));
});
afterAll(async () => {
  for (const u of Object.values(upstreams)) await u.stop();
});

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

async function cli(args: string[], opts: { cwd?: string; home?: string } = {}): Promise<Run> {
  const p = Bun.spawn([BUN, CLI, ...args], {
    cwd: opts.cwd ?? tempDir("test-model-cwd"),
    stdout: "pipe",
    stderr: "pipe",
    // The real Claude Code CLI from node_modules is the `claude` on PATH.
    env: { PATH: `${join(CLAUDE, "..")}:${process.env.PATH}`, HOME: opts.home ?? home, NO_COLOR: "1" },
  });
  const [stdout, stderr] = await Promise.all([new Response(p.stdout).text(), new Response(p.stderr).text()]);
  return { code: await p.exited, stdout, stderr };
}

const testModel = (kind: keyof typeof upstreams, extra: string[] = []) =>
  cli(["test-model", "--mode", "openai", "--base-url", upstreams[kind].url, "--model", `${kind}-model`, ...extra]);

interface Outcome {
  id: string;
  pass: boolean;
  reason: string;
}
const card = (outcomes: Outcome[]) => outcomes.map((p) => [p.id, p.pass, p.reason]);
/** Advice quotes measured speeds; the words around them are what is asserted. */
const numbersOut = (advice: string[]) => advice.map((a) => a.replace(/\d+(\.\d+)?/g, "N"));

const GOOD_CARD = [
  ["plain", true, '"Paris"'],
  ["tool-call", true, "Read /home/user/project/notes.md"],
  ["tool-result", true, '"3.14.1"'],
  ["parallel", true, "2 Read calls in one turn"],
  ["edit", true, 'replaced "  return `Hello, ${name}!`;"'],
  ["full-prompt", true, "Read /home/user/project/notes.md"],
  ["reasoning", true, "391, reasoning in a thinking block"],
  ["markup", true, "no tool-call markup in any answer"],
  ["repairs", true, "5 tool calls, none needed repair"],
];

describe("anyclaude test-model", () => {
  test("a good model: every probe passes, verdict ready, no advice; the result is saved owner-only", async () => {
    const run = await testModel("good", ["--json"]);
    expect(run.code).toBe(0);
    const result = JSON.parse(run.stdout);
    expect(card(result.probes)).toEqual(GOOD_CARD);
    expect(result.verdict).toBe("ready");
    expect(result.advice).toEqual([]);
    expect(result.tasks).toBeNull();
    // Each probe reports what the model sent and its time.
    expect(result.probes.find((p: Outcome) => p.id === "edit").sent).toStartWith('Edit({"file_path":"/home/user/project/src/greet.ts"');
    // Speed counts the prompt tokens the server reported for the cold full-prompt turn.
    expect(result.speed.promptTokens).toBe(1000);
    // The probes went through the proxy with Claude Code's real prompt: the full one carries its tools.
    const full = upstreams.good.requests.find((r) => JSON.stringify(r).includes("[probe "))!;
    expect(full.tools!.map((t) => t.function.name)).toEqual(expect.arrayContaining(["Agent", "Bash", "Edit", "Read", "Write", "Skill"]));
    expect(JSON.stringify(full)).not.toContain("x-anthropic-billing-header");
    const saved = JSON.parse(readFileSync(join(results, `${result.startedAt.replace(/[-:]/g, "").replace(/\.\d+Z$/, "Z")}-openai-good-model.json`), "utf8"));
    expect(saved).toEqual(result);
    expect(statSync(results).mode & 0o777).toBe(0o700);
    expect(statSync(join(results, `${result.startedAt.replace(/[-:]/g, "").replace(/\.\d+Z$/, "Z")}-openai-good-model.json`)).mode & 0o777).toBe(0o600);
  }, 60_000);

  test("a weak model (the seed's --test-model spelling): each failure detected, not usable, advice says what to change", async () => {
    const run = await cli(["--test-model", "--mode", "openai", "--base-url", upstreams.weak.url, "--model", "weak-model", "--json"]);
    expect(run.code).toBe(1);
    const result = JSON.parse(run.stdout);
    expect(card(result.probes)).toEqual([
      ["plain", true, '"Paris"'],
      // Fenced, single-quoted arguments: the proxy repaired them, so the call itself passes…
      ["tool-call", true, "Read /home/user/project/notes.md"],
      ["tool-result", true, '"3.14.1"'],
      ["parallel", false, "1 call (package.json); both files were asked for in one turn"],
      ["edit", false, "old_string keeps Read's line-number prefix"],
      ["full-prompt", false, 'no tool call; answered in text: "<tool_call>\\n{\\"name\\": \\"Read\\", \\"arguments\\": {\\"file_path\\": \\"/home/user/project/note…"'],
      ["reasoning", false, 'the answer carries 63 characters of working: "Let me think: 17 × 20 = 340 and 17 × 3 = 51, so 340 + 51 = 3…"'],
      ["markup", false, 'full-prompt: tool-call markup left in text: "<tool_call>\\n{\\"name\\": \\"Read\\", \\"arguments\\": {\\"file_path\\": \\"/ho…"'],
      // …and the proxy's own note of the repair is counted (its log wording is the contract).
      ["repairs", false, "1 of 3 tool calls needed repair"],
    ]);
    expect(result.repairs).toEqual({ toolCalls: 3, repaired: 1, unrepairable: 0 });
    expect(result.verdict).toBe("not usable for tools");
    expect(result.advice).toEqual([
      "It calls tools with a short prompt but not with Claude Code's full one: check the context window. Raise the server's context length.",
      "Tool calls do not arrive as tool calls. Use the server's tool-call parser for this model family, or a model trained for tool use.",
      "Have the server return reasoning apart from the answer (reasoning_content, or <think> tags).",
      "Arguments needed repair or an edit missed its text: try a larger quant of this model (Q6_K/Q8_0, or 8-bit MLX).",
      "It calls one tool per turn: Claude Code still works, with more turns.",
    ]);
  }, 60_000);

  test("a slow model: every probe passes, and the advice names slow decoding and the missing prompt cache", async () => {
    const run = await testModel("slow");
    expect(run.code).toBe(0);
    // The table: one line per probe, the speed block, the verdict and the advice.
    expect(run.stdout).toContain("✓ the same call with the full ~20k-token prompt");
    expect(run.stdout).toMatch(/decode\s+\d+(\.\d+)? tokens\/s/);
    expect(run.stdout).toContain("Verdict: ready (9/9 passed)");
    const saved = JSON.parse(readFileSync(join(results, (await Array.fromAsync(new Bun.Glob("*-openai-slow-model.json").scan(results)))[0]!), "utf8"));
    expect(card(saved.probes)).toEqual(GOOD_CARD);
    expect(saved.verdict).toBe("ready");
    expect(numbersOut(saved.advice)).toEqual([
      "Slow for Claude Code (decode N tokens/s): a smaller model or a lower-bit quant.",
      "Set smallModel to a small, fast model: Claude Code's background requests (titles, summaries) then stop waiting on this one.",
      "Follow-up turns take as long as the first (N s vs N s to the first token): the server does not reuse its prompt cache. Turn on the server's prompt (prefix) cache.",
    ]);
  }, 60_000);

  test("a sloppy model (every call fenced): usable thanks to the proxy's repairs, and the card says so", async () => {
    const run = await testModel("sloppy", ["--json"]);
    expect(run.code).toBe(0);
    const result = JSON.parse(run.stdout);
    expect(card(result.probes)).toEqual([...GOOD_CARD.slice(0, -1), ["repairs", false, "5 of 5 tool calls needed repair"]]);
    expect(result.verdict).toBe("works with repairs");
    expect(result.advice).toEqual(["Arguments needed repair or an edit missed its text: try a larger quant of this model (Q6_K/Q8_0, or 8-bit MLX)."]);
  }, 60_000);

  test("a server that is not running: one line saying what to do, exit 1, nothing saved", async () => {
    const gone = await startUpstream([]);
    await gone.stop();
    const nohome = tempDir("test-model-nohome");
    const run = await cli(["test-model", "--mode", "llamacpp", "--base-url", gone.url], { home: nohome });
    expect(run.code).toBe(1);
    expect(run.stdout).toBe("");
    const lines = run.stderr.trim().split("\n").filter(Boolean);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(`llamacpp at ${gone.url} does not answer`);
    expect(lines[0]).toEndWith("start it, or pass --mode/--base-url");
    expect(existsSync(join(nohome, ".anyclaude"))).toBe(false);
  });

  test("mlx mode: the managed MLX server (fake engine) reports the cache it reused for the follow-up", async () => {
    const cwd = tempDir("test-model-mlx");
    const script = join(cwd, "script.json");
    writeFileSync(
      script,
      JSON.stringify([
        { when: "<tool_response>.*Release notes", reply: "The notes list CSV import with headers, stable export columns, ISO dates and two crash fixes." },
        { when: "Show me what is in (/home/user/project/notes\\.md)", reply: '<tool_call>\n{"name": "Read", "arguments": {"file_path": "\\1"}}\n</tool_call>' },
      ]),
    );
    const serverArgs = ["--engine", "fake", "--fake-script", script, "--min-reuse", "16"];
    writeFileSync(join(cwd, ".anyclauderc.json"), JSON.stringify({ backend: "mlx", backends: { mlx: { python: "python3", serverArgs } } }));
    // Its own HOME: this result is not one of the models charted below.
    const run = await cli(["test-model", "--json"], { cwd, home: cwd });
    const result = JSON.parse(run.stdout);
    expect(result.mode).toBe("mlx");
    expect(card(result.probes).find(([id]) => id === "full-prompt")).toEqual(["full-prompt", true, "Read /home/user/project/notes.md"]);
    // The follow-up continued the cold turn's prefix in the server's cache: most of ~20k tokens.
    expect(result.speed.promptTokens).toBeGreaterThan(15_000);
    expect(result.speed.mlxReusedTokens).toBeGreaterThan(result.speed.promptTokens / 2);
  }, 120_000);

  test("--tasks: the real Claude Code CLI does each task in a fresh folder, judged from the files it leaves", async () => {
    const good = JSON.parse((await testModel("good", ["--tasks", "--json"])).stdout);
    expect(card(good.tasks)).toEqual([
      ["create-file", true, "hello.txt has the line"],
      ["fix-test", true, "add() now adds"],
      ["rename", true, "renamed in both files, nothing else changed"],
      ["question", true, 'answered "8734"'],
      ["command", true, expect.stringMatching(/^named report-[0-9a-f]{8}\.txt$/)],
    ]);
    for (const t of good.tasks) expect(t.turns).toBeGreaterThanOrEqual(2);
    expect(good.verdict).toBe("ready");
    // The files came from Claude Code's own tools: the model only ever saw tool results.
    const write = upstreams.good.requests.find((r) => r.messages.some((m) => m.role === "tool" && String(m.content).includes("hello.txt")));
    expect(write).toBeDefined();

    const weak = JSON.parse((await testModel("weak", ["--tasks", "--json"])).stdout);
    expect(card(weak.tasks)).toEqual([
      ["create-file", false, "hello.txt was not created"],
      ["fix-test", false, "math.js unchanged"],
      ["rename", false, "fetchData is still in util.js and main.js"],
      ["question", false, 'answered "You can do this yourself by editing the files in your editor…"'],
      ["command", false, 'answered "You can do this yourself by editing the files in your editor…"'],
    ]);
    expect(weak.advice.at(-1)).toBe("5 of 5 real Claude Code tasks failed (create-file, fix-test, rename, question, command): see each task's reason.");
  }, 240_000);

  test("SIGTERM during --tasks: Claude Code and the task folder are gone, the stalled upstream request is closed", async () => {
    const good = scriptedModel("good");
    const tmp = tempDir("test-model-tmp"); // where the task folders are made
    // Probes answer; the first task's request never does.
    const stalling = await startUpstream((req) => (JSON.stringify(req.messages).includes("hello.txt") ? { kind: "sse", frames: [], stall: true } : good(req)));
    const proc = Bun.spawn([BUN, CLI, "test-model", "--mode", "openai", "--base-url", stalling.url, "--tasks"], {
      cwd: tempDir("test-model-cwd"),
      stdout: "pipe",
      stderr: "pipe",
      env: { PATH: `${join(CLAUDE, "..")}:${process.env.PATH}`, HOME: tempDir("test-model-sigterm"), NO_COLOR: "1", TMPDIR: tmp },
    });
    let claudePid: number | undefined;
    for (let i = 0; i < 600 && !claudePid; i++) {
      await Bun.sleep(100);
      if (stalling.requests.some((r) => JSON.stringify(r.messages).includes("hello.txt"))) {
        const children = Bun.spawnSync(["ps", "-o", "pid=,comm=", "--ppid", String(proc.pid)]).stdout.toString().trim().split("\n");
        claudePid = Number(children.find((l) => /claude/.test(l))?.trim().split(/\s+/)[0]) || undefined;
      }
    }
    expect(claudePid).toBeDefined();
    expect(readdirSync(tmp).filter((n) => n.startsWith("anyclaude-task-"))).toHaveLength(1);
    proc.kill("SIGTERM");
    expect(await proc.exited).toBe(143);
    expect(await gone(claudePid!)).toBe(true);
    expect(readdirSync(tmp).filter((n) => n.startsWith("anyclaude-task-"))).toEqual([]);
    for (let i = 0; i < 50 && stalling.aborted === 0; i++) await Bun.sleep(100);
    expect(stalling.aborted).toBeGreaterThanOrEqual(1);
    await stalling.stop();
  }, 90_000);

  test("from what is shipped (the linux-x64 binary, the Node bundle): the same scorecard; on Node the tasks run too", async () => {
    const built = await artefacts();
    for (const [name, command] of runners(built)) {
      const args = ["test-model", "--mode", "openai", "--base-url", upstreams.good.url, "--json", ...(name === "Node bundle" ? ["--tasks"] : [])];
      const p = Bun.spawn([...command, ...args], {
        cwd: tempDir("test-model-cwd"),
        stdout: "pipe",
        stderr: "pipe",
        env: { PATH: `${join(CLAUDE, "..")}:${process.env.PATH}`, HOME: tempDir("test-model-artefact"), NO_COLOR: "1" },
      });
      const [stdout, stderr] = await Promise.all([new Response(p.stdout).text(), new Response(p.stderr).text()]);
      expect({ name, code: await p.exited, stderr: stderr.includes("rror") ? stderr : "" }).toEqual({ name, code: 0, stderr: "" });
      const result = JSON.parse(stdout);
      expect(card(result.probes)).toEqual(GOOD_CARD);
      if (name === "Node bundle") expect(result.tasks.map((t: Outcome) => t.pass)).toEqual([true, true, true, true, true]);
    }
  }, 300_000);

  test("trace compare charts the saved models side by side; Chromium renders the page", async () => {
    // A results folder also holding a file that is not a model test: it is skipped.
    writeFileSync(join(results, "notes.json"), JSON.stringify({ something: "else" }));
    const json = JSON.parse((await cli(["trace", "compare", results, "--json"])).stdout);
    expect(json.map((r: { label: string; verdict: string }) => [r.label, r.verdict])).toEqual([
      ["openai/good-model", "ready"],
      ["openai/slow-model", "ready"],
      ["openai/sloppy-model", "works with repairs"],
      ["openai/weak-model", "not usable for tools"],
    ]);
    const html = join(tempDir("model-page"), "models.html");
    const r = await cli(["trace", "compare", results, "--html", html]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("openai/weak-model");

    ensureCommand("chromium");
    const flags = ["--headless", "--no-sandbox", "--disable-gpu", "--window-size=1100,1000"];
    const shot = join(tempDir("model-shot"), "models.png");
    expect(Bun.spawnSync(["chromium", ...flags, `--screenshot=${shot}`, `file://${html}`]).exitCode).toBe(0);
    expect(statSync(shot).size).toBeGreaterThan(10_000);
    const dom = Bun.spawnSync(["chromium", ...flags, "--dump-dom", `file://${html}`]).stdout.toString();
    const header = /<table id="models">[\s\S]*?<\/thead>/.exec(dom)![0];
    expect([...header.matchAll(/<th data-model="([^"]+)"/g)].map((m) => m[1])).toEqual(["openai/good-model", "openai/slow-model", "openai/sloppy-model", "openai/weak-model"]);
    for (const id of ["score-chart", "decode-chart", "prefill-chart"]) {
      const chart = new RegExp(`<svg id="${id}"[\\s\\S]*?</svg>`).exec(dom)![0];
      expect(chart.match(/<g class="bar"/g)).toHaveLength(4);
    }
    const score = /<svg id="score-chart"[\s\S]*?<\/svg>/.exec(dom)![0];
    expect(score).toContain(">14/14<"); // the good model's newest run had the tasks
    expect(score).toContain(">9/9<");
    expect(score).toContain(">8/9<");
    expect(score).toContain(">3/14<");
  }, 120_000);
});
