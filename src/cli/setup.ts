// `anyclaude setup mlx`: a venv under ~/.anyclaude with the pinned mlx-lm (needs network once).
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { defineCommand } from "citty";
import type { ConsolaInstance } from "consola";
import { type Child, spawnInherit } from "../runtime/spawn.ts";
import { STOP_SIGNALS, type StopSignal, signalExitCode } from "../runtime/signals.ts";
import { writeRequirements } from "../supervisor/embedded-server.ts";
import { loadCommandConfig } from "./choose-mode.ts";
import { CliError } from "./errors.ts";
import { findPython } from "./find-python.ts";
import { configArgs } from "./options.ts";


/**
 * Runs the steps in order. A signal to us goes to the running step (so no pip outlives an
 * interrupted setup) and stops the rest; the handlers are in place before the first step starts,
 * so a signal between spawning a step and waiting for it is not lost.
 */
async function runSteps(steps: string[][], logger: ConsolaInstance): Promise<void> {
  let current: Child | undefined;
  let interrupted: StopSignal | undefined;
  const onSignal = (signal: StopSignal) => {
    interrupted ??= signal;
    current?.kill(signal);
  };
  for (const s of STOP_SIGNALS) process.on(s, onSignal);
  try {
    for (const cmd of steps) {
      if (!interrupted) {
        logger.info(`$ ${cmd.join(" ")}`);
        current = await spawnInherit(cmd, process.env).catch((e: Error) => {
          throw new CliError(`cannot run ${cmd[0]}: ${e.message}`, 127);
        });
        if (interrupted) current.kill(interrupted);
      }
      const code = current ? await current.exited : 0;
      current = undefined;
      if (interrupted) throw new CliError(`interrupted during \`${cmd.slice(0, 4).join(" ")}\`; run \`anyclaude setup mlx\` again to finish`, signalExitCode(interrupted));
      if (code !== 0) throw new CliError(`\`${cmd.join(" ")}\` failed (exit ${code})${code === 127 ? "" : "; this step needs network access to the Python package index"}`, code);
    }
  } finally {
    for (const s of STOP_SIGNALS) process.off(s, onSignal);
  }
}

const setupMlx = defineCommand({
  meta: { name: "mlx", description: "Create ~/.anyclaude/venv and install the pinned mlx-lm into it" },
  args: { ...configArgs, python: { type: "string", description: "Python ≥ 3.10 to create the venv with (default: the newest found, Homebrew's and uv's included)" } },
  async run({ args }) {
    const { config, logger } = loadCommandConfig(args);
    const found = findPython({ explicit: args.python, home: config.home, env: process.env });
    if (!found.ok) throw new CliError(found.message);
    // Only once there is something to install: a failure stays one line.
    if (process.platform !== "darwin" || process.arch !== "arm64") logger.warn("MLX runs only on Apple Silicon; the install will likely fail here");
    logger.info(`using Python ${found.version.join(".")} at ${found.python}`);
    const base = join(config.home, ".anyclaude");
    const venv = join(base, "venv");
    mkdirSync(base, { recursive: true, mode: 0o700 });
    const requirements = writeRequirements(join(base, "mlx-requirements.txt"));
    const python = join(venv, "bin", "python");
    const steps = [
      [found.python, "-m", "venv", venv],
      [python, "-m", "pip", "install", "--upgrade", "pip"],
      [python, "-m", "pip", "install", "-r", requirements],
    ];
    await runSteps(steps, logger);
    logger.success(`ready: mlx mode will use ${python}`);
  },
});

export const setupCommand = defineCommand({
  meta: { name: "setup", description: "Install what a mode needs (mlx)" },
  subCommands: { mlx: setupMlx },
});
