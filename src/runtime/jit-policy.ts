// JavaScriptCore compiles a function once it has run often enough. Start-up code (the command line,
// the config and its schema, the first probe, the app's routes) runs a few hundred times at most, and
// compiling it pages in the optimizing compilers for nothing: ~3 MB of an idle proxy's resident memory.
// Until the proxy listens, the tier-up thresholds are scaled up (the compiled executable starts so,
// `--compile-jit-policy` in scripts/build.ts); then they are normal again, for the request path.
// Node has no such setting, nor has a Bun without Bun.unsafe.setJITPolicy: there both are no-ops.

/** How many times more reluctant to compile than normal JavaScriptCore is during start-up. */
export const STARTUP_JIT_SCALE = 4;

const setJitScale = (scale: number) => {
  if (typeof Bun !== "undefined" && typeof Bun.unsafe.setJITPolicy === "function") Bun.unsafe.setJITPolicy(scale);
};

export const useStartupJit = () => setJitScale(STARTUP_JIT_SCALE);
export const useNormalJit = () => setJitScale(1);
