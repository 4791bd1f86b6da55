// anyclaude: run Claude Code on any model.
import { defineCommand, runMain } from "citty";
import pkg from "../package.json" with { type: "json" };
import { launchArgs } from "./cli/launch-args.ts";
import { showUsage } from "./cli/usage.ts";

const main = defineCommand({
  meta: { name: "anyclaude", version: pkg.version, description: pkg.description },
  // Declared here too so `anyclaude --mode x -- -p hi` parses as the default command's flags.
  args: launchArgs,
  // Loaded on demand: `--version` and `serve` do not pay for the trace or schema code.
  subCommands: {
    launch: () => import("./cli/launch.ts").then((m) => m.launchCommand),
    serve: () => import("./cli/serve.ts").then((m) => m.serveCommand),
    doctor: () => import("./cli/doctor.ts").then((m) => m.doctorCommand),
    models: () => import("./cli/models.ts").then((m) => m.modelsCommand),
    config: () => import("./cli/config.ts").then((m) => m.configCommand),
    setup: () => import("./cli/setup.ts").then((m) => m.setupCommand),
    trace: () => import("./cli/trace.ts").then((m) => m.traceCommand),
  },
  default: "launch",
});

await runMain(main, { showUsage });
