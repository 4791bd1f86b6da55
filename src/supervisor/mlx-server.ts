// Starts and supervises the MLX Python server: writes the embedded package out, spawns it
// (node:child_process, src/runtime/spawn.ts), shows load progress, waits for /ready, and makes sure it
// never outlives us.
// A stdin pipe covers the one exit we cannot hook (SIGKILL): the server exits when it closes.
import { existsSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import type { ConsolaInstance } from "consola";
import { type PipedChild, spawnPiped } from "../runtime/spawn.ts";
import { extractServer } from "./embedded-server.ts";
import { MlxServerError } from "./mlx-server-error.ts";

export interface MlxServerOptions {
  python: string;
  model?: string;
  /** Extra server flags (e.g. --cache-mb 12000, or --engine fake in tests). */
  args?: string[];
  port?: number;
  readyTimeoutMs?: number;
  logger: ConsolaInstance;
  /** Where the package is written (anyclaude uses ~/.anyclaude/mlx-server/<version>, from the config's home). */
  serverDir: string;
  /** A server script of the user's own to run instead (it must honour the same flags and /ready). */
  script?: string;
}

export interface MlxServer {
  url: string;
  pid: number;
  exited: Promise<number>;
  stop(): Promise<void>;
}

const EXIT_MEANING: Record<number, string> = {
  2: "bad arguments, or the model directory does not exist",
  3: "the model failed to load",
  4: "not enough memory for this model",
  5: "mlx / mlx_lm cannot be imported: run `anyclaude setup mlx` (Apple Silicon only)",
};

export function defaultPython(home: string): string {
  const venv = join(home, ".anyclaude", "venv", "bin", "python");
  return existsSync(venv) ? venv : "python3";
}

export async function startMlxServer(opts: MlxServerOptions): Promise<MlxServer> {
  const { logger } = opts;
  const dir = opts.script ? dirname(opts.script) : extractServer(opts.serverDir);
  const entry = opts.script ? [opts.script] : ["-m", "anyclaude_mlx"];
  const args = [...entry, "--port", String(opts.port ?? 0), "--watch-stdin", ...(opts.model ? ["--model", opts.model] : []), ...(opts.args ?? [])];
  const localModel = Boolean(opts.model && existsSync(opts.model) && statSync(opts.model).isDirectory());
  logger.debug(`starting MLX server: ${opts.python} ${args.join(" ")} (in ${dir})`);
  let child: PipedChild;
  try {
    child = await spawnPiped([opts.python, ...args], {
      cwd: dir,
      env: {
        ...process.env,
        PYTHONUNBUFFERED: "1",
        TOKENIZERS_PARALLELISM: "false",
        // A local model never needs the network.
        ...(localModel ? { HF_HUB_OFFLINE: "1", TRANSFORMERS_OFFLINE: "1" } : {}),
      },
    });
  } catch (e) {
    throw new MlxServerError(`cannot start ${opts.python}: ${(e as Error).message}. Set backends.mlx.python or run \`anyclaude setup mlx\`.`);
  }
  const killNow = () => child.kill("SIGKILL");
  process.on("exit", killNow);

  const lastErrors: string[] = [];
  let port: number | undefined;
  let failure: string | undefined;
  let shownProgress = -1;
  void readLines(child.stderr, (line) => {
    lastErrors.push(line);
    if (lastErrors.length > 20) lastErrors.shift();
    logger.debug(`[mlx] ${line}`);
  });
  void readLines(child.stdout, (line) => {
    let event: { event?: string; port?: number; progress?: number; error?: string };
    try {
      event = JSON.parse(line);
    } catch {
      return logger.debug(`[mlx] ${line}`);
    }
    if (event.event === "listening") port = event.port;
    else if (event.event === "loading" && typeof event.progress === "number") {
      const pct = Math.floor(event.progress * 10) * 10;
      if (pct > shownProgress) {
        shownProgress = pct;
        logger.info(`loading ${opts.model ?? "model"}: ${pct}%`);
      }
    } else if (event.event === "failed") failure = event.error;
    else if (event.event === "ready") logger.success(`MLX server ready (${opts.model ?? "model"})`);
  });

  const exited = child.exited.then((code) => {
    process.off("exit", killNow);
    return code;
  });
  const stop = async () => {
    if (child.done) return;
    child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
    await exited;
    clearTimeout(timer);
  };

  const deadline = Date.now() + (opts.readyTimeoutMs ?? 180_000);
  const detail = () => (lastErrors.length ? `\n${lastErrors.slice(-8).join("\n")}` : "");
  for (;;) {
    if (child.done) {
      const code = child.exitCode ?? 128;
      throw new MlxServerError(`MLX server exited with code ${code} (${EXIT_MEANING[code] ?? failure ?? "crashed"})${failure ? `: ${failure}` : ""}${detail()}`);
    }
    if (Date.now() > deadline) {
      await stop();
      throw new MlxServerError(`MLX server not ready after ${Math.round((opts.readyTimeoutMs ?? 180_000) / 1000)} s${detail()}`);
    }
    if (port !== undefined) {
      const ready = await fetch(`http://127.0.0.1:${port}/ready`, { signal: AbortSignal.timeout(1000) }).then((r) => r.ok, () => false);
      if (ready) return { url: `http://127.0.0.1:${port}/v1`, pid: child.pid, exited, stop };
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}

async function readLines(stream: ReadableStream<Uint8Array>, onLine: (line: string) => void): Promise<void> {
  const decoder = new TextDecoder();
  let buffer = "";
  for await (const chunk of stream) {
    buffer += decoder.decode(chunk, { stream: true });
    let nl: number;
    while ((nl = buffer.indexOf("\n")) >= 0) {
      const line = buffer.slice(0, nl).trimEnd();
      buffer = buffer.slice(nl + 1);
      if (line) onLine(line);
    }
  }
}
