// `anyclaude setup mlx`: a venv under ~/.anyclaude with the pinned mlx-lm (needs network once).
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { defineCommand } from "citty";
import { type Child, spawnInherit } from "../runtime/spawn.ts";
import { writeRequirements } from "../supervisor/embedded-server.ts";
import { loadCommandConfig } from "./choose-mode.ts";
import { CliError } from "./errors.ts";
import { findPython } from "./find-python.ts";
import { configArgs } from "./options.ts";

const SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP"] as const;

/** The step's exit code; a signal to us goes to the step too, so no pip outlives an interrupted setup. */
async function untilExit(child: Child): Promise<number> {
  const forward = (signal: NodeJS.Signals) => child.kill(signal);
  for (const s of SIGNALS) process.on(s, forward);
  try {
    return await child.exited;
  } finally {
    for (const s of SIGNALS) process.off(s, forward);
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
    for (const cmd of steps) {
      logger.info(`$ ${cmd.join(" ")}`);
      const child = await spawnInherit(cmd, process.env).catch((e: Error) => {
        throw new CliError(`cannot run ${cmd[0]}: ${e.message}`, 127);
      });
      const code = await untilExit(child);
      if (code > 128 && code < 160) throw new CliError(`interrupted during \`${cmd.slice(0, 4).join(" ")}\`; run \`anyclaude setup mlx\` again to finish`, code);
      if (code !== 0) throw new CliError(`\`${cmd.join(" ")}\` failed (exit ${code})${code === 127 ? "" : "; this step needs network access to the Python package index"}`, code);
    }
    logger.success(`ready: mlx mode will use ${python}`);
  },
});

export const setupCommand = defineCommand({
  meta: { name: "setup", description: "Install what a mode needs (mlx)" },
  subCommands: { mlx: setupMlx },
});
