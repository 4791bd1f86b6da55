// Imported first by src/cli.ts, so it runs before any other module's top level (where most start-up
// compilation happens): the source run starts with the policy the compiled executable is built with.
import { useStartupJit } from "./jit-policy.ts";

useStartupJit();
