// The command tree: `anyclaude [launch flags] [-- claude args]` and its subcommands.
import { defineCommand } from "citty";
import pkg from "../../package.json" with { type: "json" };
import { launchArgs } from "./launch-args.ts";

export const mainCommand = defineCommand({
  meta: { name: "anyclaude", version: pkg.version, description: pkg.description },
  // Declared here too so `anyclaude --mode x -- -p hi` parses as the default command's flags.
  args: launchArgs,
  // Loaded on demand: `--version` and `serve` do not pay for the trace or schema code.
  subCommands: {
    launch: () => import("./launch.ts").then((m) => m.launchCommand),
    serve: () => import("./serve.ts").then((m) => m.serveCommand),
    doctor: () => import("./doctor.ts").then((m) => m.doctorCommand),
    models: () => import("./models.ts").then((m) => m.modelsCommand),
    config: () => import("./config.ts").then((m) => m.configCommand),
    setup: () => import("./setup.ts").then((m) => m.setupCommand),
    trace: () => import("./trace.ts").then((m) => m.traceCommand),
    "test-model": () => import("./test-model.ts").then((m) => m.testModelCommand),
  },
  default: "launch",
});
