// anyclaude: run Claude Code on any model.
import { defineCommand, runMain } from "citty";
import pkg from "../package.json" with { type: "json" };
import { configCommand } from "./cli/config.ts";
import { doctorCommand } from "./cli/doctor.ts";
import { launchArgs, launchCommand } from "./cli/launch.ts";
import { modelsCommand } from "./cli/models.ts";
import { serveCommand } from "./cli/serve.ts";
import { setupCommand } from "./cli/setup.ts";
import { traceCommand } from "./cli/trace.ts";

const main = defineCommand({
  meta: { name: "anyclaude", version: pkg.version, description: pkg.description },
  // Declared here too so `anyclaude --mode x -- -p hi` parses as the default command's flags.
  args: launchArgs,
  subCommands: { launch: launchCommand, serve: serveCommand, doctor: doctorCommand, models: modelsCommand, config: configCommand, setup: setupCommand, trace: traceCommand },
  default: "launch",
});

await runMain(main);
