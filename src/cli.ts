// anyclaude: run Claude Code on any model.
// First: start-up code is not compiled as if it were hot (src/runtime/jit-policy.ts).
import "./runtime/startup-jit.ts";
import pkg from "../package.json" with { type: "json" };
import { mainCommand } from "./cli/main-command.ts";
import { exitAfterOutput } from "./cli/output.ts";
import { runCommandLine } from "./cli/run-command-line.ts";
import { debugLevelFromEnv } from "./config/load.ts";

const argv = process.argv.slice(2);
// The seed project's spelling: `anyclaude --test-model …` runs `anyclaude test-model …`.
const seedTestModel = argv.indexOf("--test-model");
if (seedTestModel >= 0 && (argv.indexOf("--") < 0 || seedTestModel < argv.indexOf("--"))) {
  argv.splice(seedTestModel, 1);
  argv.unshift("test-model");
}
const ownArgs = argv.includes("--") ? argv.slice(0, argv.indexOf("--")) : argv;
// Before any config is read, only to decide whether a bug prints its stack trace; a bad value is
// reported by the config, where it is read for real.
let envDebug = 0;
try {
  envDebug = debugLevelFromEnv(process.env.ANYCLAUDE_DEBUG) ?? 0;
} catch {}
const code = await runCommandLine(mainCommand, argv, { version: pkg.version, debug: ownArgs.includes("--debug") || envDebug > 0 });
if (code !== undefined) await exitAfterOutput(code);
