// Claude Code through `anyclaude --mode mlx`: the launcher starts the MLX server (fake engine,
// scripted) and a Bash tool round trip runs for real.
import { expect, test } from "bun:test";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { BUN, ROOT, tempDir } from "../helpers/processes.ts";

test("a tool round trip through the managed MLX server", async () => {
  const cwd = tempDir("mlxwork");
  const script = join(tempDir("script"), "script.json");
  writeFileSync(
    script,
    JSON.stringify([
      { when: "<tool_response>\\n(.*?)\\n</tool_response>", reply: "The tool said: \\1" },
      { when: "run the proof", reply: '<tool_call>\n{"name": "Bash", "arguments": {"command": "echo mlx-proof > proof.txt && cat proof.txt", "description": "Write a proof file"}}\n</tool_call>' },
    ]),
  );
  writeFileSync(join(cwd, ".anyclauderc.json"), JSON.stringify({ backend: "mlx", backends: { mlx: { python: "python3", serverArgs: ["--engine", "fake", "--fake-script", script, "--min-reuse", "16"] } } }));
  const home = tempDir("mlxhome");
  const proc = Bun.spawn([BUN, join(ROOT, "src/cli.ts"), "--debug", "--", "-p", "run the proof", "--output-format", "json", "--allowedTools", "Bash"], {
    cwd,
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
    env: { PATH: `${join(ROOT, "node_modules/.bin")}:/usr/bin:/bin`, HOME: home, NO_COLOR: "1" },
  });
  const [stdout, stderr] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text()]);
  expect(await proc.exited).toBe(0);
  expect(JSON.parse(stdout).result).toBe("The tool said: mlx-proof");
  expect(readFileSync(join(cwd, "proof.txt"), "utf8").trim()).toBe("mlx-proof");
  expect(stderr).toContain("MLX server ready");
  // The follow-up reused the first request's prefix: the server logged it.
  const reuse = [...stderr.matchAll(/reused=(\d+) prefilled=(\d+)/g)].map((m) => [Number(m[1]), Number(m[2])]);
  expect(reuse.length).toBeGreaterThanOrEqual(2);
  const [reused, prefilled] = reuse.at(-1)!;
  expect(reused!).toBeGreaterThan(prefilled! * 5);
}, 90_000);
