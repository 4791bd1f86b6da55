// Child processes with inherited stdio: Bun.spawn on Bun, child_process on Node.
export interface Child {
  pid: number;
  /** Exit code, or 128+n when a signal ended it (shell convention). */
  exited: Promise<number>;
  kill(signal?: NodeJS.Signals): void;
}

const SIGNAL_NUMBERS: Record<string, number> = { SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGKILL: 9, SIGTERM: 15 };
const codeOf = (code: number | null, signal: string | null) =>
  code ?? (signal ? 128 + (SIGNAL_NUMBERS[signal] ?? 1) : 1);

export async function spawnInherit(cmd: string[], env: Record<string, string | undefined>, cwd?: string): Promise<Child> {
  if (typeof Bun !== "undefined") {
    const p = Bun.spawn(cmd, { stdio: ["inherit", "inherit", "inherit"], env, ...(cwd ? { cwd } : {}) });
    return {
      pid: p.pid,
      exited: p.exited.then(() => codeOf(p.exitCode, p.signalCode == null ? null : String(p.signalCode))),
      kill: (signal = "SIGTERM") => p.kill(signal),
    };
  }
  const { spawn } = await import("node:child_process");
  const p = spawn(cmd[0]!, cmd.slice(1), { stdio: "inherit", env, ...(cwd ? { cwd } : {}) });
  // Like Bun.spawn, a command that cannot start is an error at once.
  await new Promise<void>((resolve, reject) => {
    p.once("spawn", resolve);
    p.once("error", reject);
  });
  return {
    pid: p.pid ?? -1,
    exited: new Promise((resolve) => p.on("exit", (code, signal) => resolve(codeOf(code, signal)))),
    kill: (signal = "SIGTERM") => void p.kill(signal),
  };
}

/** A child whose output we read, and whose stdin pipe stays open as its parent-death watchdog. */
export interface PipedChild {
  pid: number;
  stdout: ReadableStream<Uint8Array>;
  stderr: ReadableStream<Uint8Array>;
  exited: Promise<number>;
  /** True once the child has exited (by code or signal). */
  readonly done: boolean;
  readonly exitCode: number | null;
  kill(signal?: NodeJS.Signals): void;
}

export async function spawnPiped(cmd: string[], opts: { cwd?: string; env: Record<string, string | undefined> }): Promise<PipedChild> {
  if (typeof Bun !== "undefined") {
    const p = Bun.spawn(cmd, { cwd: opts.cwd, env: opts.env, stdin: "pipe", stdout: "pipe", stderr: "pipe" });
    return {
      pid: p.pid,
      stdout: p.stdout,
      stderr: p.stderr,
      exited: p.exited.then(() => codeOf(p.exitCode, p.signalCode == null ? null : String(p.signalCode))),
      get done() {
        return p.exitCode !== null || p.signalCode !== null;
      },
      get exitCode() {
        return p.exitCode;
      },
      kill: (signal = "SIGTERM") => p.kill(signal),
    };
  }
  const { spawn } = await import("node:child_process");
  const { Readable } = await import("node:stream");
  const p = spawn(cmd[0]!, cmd.slice(1), { cwd: opts.cwd, env: opts.env, stdio: ["pipe", "pipe", "pipe"] });
  await new Promise<void>((resolve, reject) => {
    p.once("spawn", resolve);
    p.once("error", reject);
  });
  let done = false;
  const exited = new Promise<number>((resolve) =>
    p.on("exit", (code, signal) => {
      done = true;
      resolve(codeOf(code, signal));
    }),
  );
  return {
    pid: p.pid ?? -1,
    stdout: Readable.toWeb(p.stdout!) as ReadableStream<Uint8Array>,
    stderr: Readable.toWeb(p.stderr!) as ReadableStream<Uint8Array>,
    exited,
    get done() {
      return done;
    },
    get exitCode() {
      return p.exitCode;
    },
    kill: (signal = "SIGTERM") => void p.kill(signal),
  };
}
