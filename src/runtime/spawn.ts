// Child processes, one implementation for Bun, the compiled binary and the Node bundle:
// node:child_process (Bun implements it). Spawning is off the hot path (claude, pip, the MLX
// server), so nothing is gained by a Bun.spawn copy that would have to behave the same.
import { type ChildProcess, spawn, type StdioOptions } from "node:child_process";
import { Readable } from "node:stream";
import { signalExitCode } from "./signals.ts";

/** A child with inherited stdio (claude, pip). */
export interface Child {
  pid: number;
  /** Exit code, or 128+n when a signal ended it (shell convention). */
  exited: Promise<number>;
  kill(signal?: NodeJS.Signals): void;
}

/** A child whose output we read, and whose stdin pipe stays open as its parent-death watchdog. */
export interface PipedChild extends Child {
  stdout: ReadableStream<Uint8Array>;
  stderr: ReadableStream<Uint8Array>;
  /** True once the child has exited (by code or signal). */
  readonly done: boolean;
  readonly exitCode: number | null;
}

const codeOf = (code: number | null, signal: string | null) => code ?? (signal ? signalExitCode(signal) : 1);

interface Started {
  p: ChildProcess;
  exited: Promise<number>;
  isDone: () => boolean;
}

/** Spawns and waits until the command runs: one that cannot start (ENOENT, EACCES) rejects at once. */
async function start(cmd: string[], env: Record<string, string | undefined>, cwd: string | undefined, stdio: StdioOptions): Promise<Started> {
  const p = spawn(cmd[0]!, cmd.slice(1), { stdio, env, ...(cwd ? { cwd } : {}) });
  await new Promise<void>((resolve, reject) => {
    p.once("spawn", resolve);
    p.once("error", reject);
  });
  let done = false;
  const exited = new Promise<number>((resolve) =>
    p.once("exit", (code, signal) => {
      done = true;
      resolve(codeOf(code, signal));
    }),
  );
  return { p, exited, isDone: () => done };
}

const killer = (p: ChildProcess) => (signal: NodeJS.Signals = "SIGTERM") => void p.kill(signal);

export async function spawnInherit(cmd: string[], env: Record<string, string | undefined>, cwd?: string): Promise<Child> {
  const { p, exited } = await start(cmd, env, cwd, "inherit");
  return { pid: p.pid ?? -1, exited, kill: killer(p) };
}

export async function spawnPiped(cmd: string[], opts: { cwd?: string; env: Record<string, string | undefined> }): Promise<PipedChild> {
  const { p, exited, isDone } = await start(cmd, opts.env, opts.cwd, ["pipe", "pipe", "pipe"]);
  return {
    pid: p.pid ?? -1,
    stdout: Readable.toWeb(p.stdout!) as ReadableStream<Uint8Array>,
    stderr: Readable.toWeb(p.stderr!) as ReadableStream<Uint8Array>,
    exited,
    get done() {
      return isDone();
    },
    get exitCode() {
      return p.exitCode;
    },
    kill: killer(p),
  };
}
