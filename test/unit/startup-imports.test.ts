// What `anyclaude serve` loads before it listens: the static import graph from src/cli.ts and the serve
// command, read with Bun's own transpiler (which drops type-only and unused imports, as Bun does when it
// runs them). Code only some commands or modes need is imported on demand, so an idle proxy does not
// hold it (and the split executables do not page in its bytecode).
import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { ROOT } from "../helpers/processes.ts";

const transpiler = new Bun.Transpiler({ loader: "ts" });

/** Repo-relative source files and bare package specifiers reachable by static imports from `entries`. */
function staticClosure(entries: string[]): Set<string> {
  const seen = new Set<string>();
  const pending = entries.map((e) => join(ROOT, e));
  while (pending.length) {
    const file = pending.pop()!;
    const name = relative(ROOT, file);
    if (seen.has(name)) continue;
    seen.add(name);
    if (!file.endsWith(".ts")) continue; // json, embedded files
    for (const imp of transpiler.scanImports(readFileSync(file, "utf8"))) {
      if (imp.kind !== "import-statement") continue;
      if (imp.path.startsWith(".")) pending.push(resolve(dirname(file), imp.path));
      else seen.add(imp.path);
    }
  }
  return seen;
}

const serve = staticClosure(["src/cli.ts", "src/cli/serve.ts"]);

describe("serve's static imports", () => {
  test("reach the proxy itself (the walk follows imports)", () => {
    for (const f of ["src/cli/start-proxy.ts", "src/server/app.ts", "src/translate/stream.ts", "src/runtime/serve.ts", "hono", "valibot"]) expect(serve).toContain(f);
  });

  // Each is loaded where it is used: another command, MLX mode, the first token count, a terminal.
  test.each([
    ["the MLX supervisor (mlx mode only)", "src/supervisor/mlx-server.ts"],
    ["the embedded MLX server files", "src/supervisor/embedded-server.ts"],
    ["the tokenizer's tables (first count)", "gpt-tokenizer/encoding/o200k_base"],
    ["consola's fancy reporter (a terminal)", "consola"],
    ["the Node listener", "@hono/node-server"],
    ["the launcher", "src/cli/launch.ts"],
    ["test-model", "src/cli/test-model.ts"],
    ["trace", "src/cli/trace.ts"],
    ["doctor", "src/cli/doctor.ts"],
    ["setup", "src/cli/setup.ts"],
    ["config --schema", "@valibot/to-json-schema"],
  ])("exclude %s", (_, file) => {
    expect(serve).not.toContain(file);
  });
});
