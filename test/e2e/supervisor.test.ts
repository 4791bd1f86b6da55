// The supervisor with the real Python server on the fake engine: readiness, progress, failures,
// timeouts, and no child left behind on any exit path (checked by PID).
import { afterEach, describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { createConsola } from "consola";
import { startMlxServer } from "../../src/supervisor/mlx-server.ts";
import { MlxServerError } from "../../src/supervisor/mlx-server-error.ts";
import { alive, BUN, gone, ROOT, startServe, tempDir } from "../helpers/processes.ts";

function recordingLogger() {
  const lines: string[] = [];
  const logger = createConsola({ level: 4, reporters: [{ log: (o) => void lines.push(o.args.map(String).join(" ")) }] });
  return { logger, lines };
}
const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const s of stops.splice(0)) await s();
});
const serverDir = () => tempDir("mlx-server");

describe("MLX supervisor", () => {
  test("waits for /ready and shows load progress", async () => {
    const { logger, lines } = recordingLogger();
    const server = await startMlxServer({ python: "python3", args: ["--engine", "fake", "--fake-load-seconds", "1"], logger, serverDir: serverDir() });
    stops.push(server.stop);
    const ready = await fetch(server.url.replace(/\/v1$/, "/ready"));
    expect(ready.status).toBe(200);
    expect(lines.some((l) => /loading model: [1-9]0%/.test(l))).toBe(true);
    expect(lines.some((l) => l.includes("MLX server ready"))).toBe(true);
    const models = (await (await fetch(`${server.url}/models`)).json()) as { data: { id: string; max_model_len: number }[] };
    expect(models.data[0]).toMatchObject({ id: "fake-model", max_model_len: 32768 });
  });

  test("a server that fails to load: clear error with its own message, no hang", async () => {
    const { logger } = recordingLogger();
    const started = Date.now();
    const err = await startMlxServer({ python: "python3", args: ["--engine", "fake", "--fake-fail-load", "safetensors header is corrupt"], logger, serverDir: serverDir() }).catch((e) => e);
    expect(err).toBeInstanceOf(MlxServerError);
    expect(err.message).toContain("exited with code 3 (the model failed to load)");
    expect(err.message).toContain("safetensors header is corrupt");
    expect(Date.now() - started).toBeLessThan(15_000);
  });

  test("mlx not installed: exit 5 and the setup hint", async () => {
    const { logger } = recordingLogger();
    const err = await startMlxServer({ python: "python3", model: tempDir("model"), logger, serverDir: serverDir() }).catch((e) => e);
    expect(err).toBeInstanceOf(MlxServerError);
    expect(err.message).toContain("anyclaude setup mlx");
  });

  test("a missing python is a clear error", async () => {
    const { logger } = recordingLogger();
    const err = await startMlxServer({ python: "/nonexistent/python", args: ["--engine", "fake"], logger, serverDir: serverDir() }).catch((e) => e);
    expect(err).toBeInstanceOf(MlxServerError);
    expect(err.message).toMatch(/python/);
  });

  test("a server that hangs while loading: timeout with its last lines, and it is killed", async () => {
    const { logger } = recordingLogger();
    const err = await startMlxServer({ python: "python3", args: ["--engine", "fake", "--fake-hang-load", "--log-level", "DEBUG"], logger, readyTimeoutMs: 1500, serverDir: serverDir() }).catch((e) => e);
    expect(err).toBeInstanceOf(MlxServerError);
    expect(err.message).toContain("not ready after 2 s");
    const pids = Bun.spawnSync(["pgrep", "-f", "fake-hang-load"]).stdout.toString().trim();
    expect(pids).toBe("");
  });

  test("stop() ends the child", async () => {
    const { logger } = recordingLogger();
    const server = await startMlxServer({ python: "python3", args: ["--engine", "fake"], logger, serverDir: serverDir() });
    await server.stop();
    expect(await gone(server.pid)).toBe(true);
  });
});

describe("no MLX server outlives its parent", () => {
  async function parentWithServer(how: string) {
    const proc = Bun.spawn([BUN, join(ROOT, "test/fixtures/supervise-then-crash.ts"), how], { stdout: "pipe", stderr: "pipe" });
    const reader = proc.stdout.getReader();
    let text = "";
    while (!text.includes("\n")) {
      const { value, done } = await reader.read();
      if (done) throw new Error(`parent exited early: ${await new Response(proc.stderr).text()}`);
      text += new TextDecoder().decode(value);
    }
    return { proc, child: JSON.parse(text.split("\n")[0]!).pid as number };
  }

  for (const how of ["throw", "exit"]) {
    test(`parent ${how === "throw" ? "throws an uncaught exception" : "calls process.exit"}`, async () => {
      const { proc, child } = await parentWithServer(how);
      expect(alive(child)).toBe(true);
      await proc.exited;
      expect(await gone(child)).toBe(true);
    });
  }

  test("parent is SIGKILLed: the closed stdin pipe ends the server", async () => {
    const { proc, child } = await parentWithServer("wait");
    proc.kill("SIGKILL");
    await proc.exited;
    expect(await gone(child)).toBe(true);
  });

  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    test(`anyclaude serve --mode mlx gets ${signal}: proxy and server both gone`, async () => {
      const cwd = tempDir("mlxcfg");
      writeFileSync(join(cwd, ".anyclauderc.json"), JSON.stringify({ backend: "mlx", backends: { mlx: { python: "python3", serverArgs: ["--engine", "fake"] } } }));
      const serve = await startServe([], undefined, { cwd, env: { HOME: tempDir("home") } });
      const res = await fetch(`${serve.url}/v1/messages`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ model: "claude-x", max_tokens: 5, messages: [{ role: "user", content: "hi" }] }) });
      expect(res.status).toBe(200);
      const proc = serve.proc;
      const child = Number(Bun.spawnSync(["pgrep", "-P", String(proc.pid)]).stdout.toString().trim().split("\n")[0]);
      expect(child).toBeGreaterThan(0);
      proc.kill(signal);
      expect(await proc.exited).toBe(0);
      expect(await gone(child)).toBe(true);
    });
  }
});
