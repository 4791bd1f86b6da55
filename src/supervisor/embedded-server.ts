// The MLX server's Python sources, embedded in the compiled binary and written out at start
// (python cannot read the binary's /$bunfs paths). test/unit/supervisor-files.test.ts checks this
// list against mlx/anyclaude_mlx so no file is forgotten. Embedded files are only ever read and
// written anew: copyFile and friends fail on /$bunfs paths (ENOENT) in the compiled binary.
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import init from "../../mlx/anyclaude_mlx/__init__.py" with { type: "file" };
import main from "../../mlx/anyclaude_mlx/__main__.py" with { type: "file" };
import cacheManager from "../../mlx/anyclaude_mlx/cache_manager.py" with { type: "file" };
import engine from "../../mlx/anyclaude_mlx/engine.py" with { type: "file" };
import engineFake from "../../mlx/anyclaude_mlx/engine_fake.py" with { type: "file" };
import engineMlx from "../../mlx/anyclaude_mlx/engine_mlx.py" with { type: "file" };
import httpServer from "../../mlx/anyclaude_mlx/http_server.py" with { type: "file" };
import parsersInit from "../../mlx/anyclaude_mlx/parsers/__init__.py" with { type: "file" };
import parsersBase from "../../mlx/anyclaude_mlx/parsers/base.py" with { type: "file" };
import parsersCalls from "../../mlx/anyclaude_mlx/parsers/calls.py" with { type: "file" };
import parsersHarmony from "../../mlx/anyclaude_mlx/parsers/harmony.py" with { type: "file" };
import parsersMarkers from "../../mlx/anyclaude_mlx/parsers/markers.py" with { type: "file" };
import worker from "../../mlx/anyclaude_mlx/worker.py" with { type: "file" };
import requirements from "../../mlx/requirements.txt" with { type: "file" };

export const SERVER_FILES: Record<string, string> = {
  "anyclaude_mlx/__init__.py": init,
  "anyclaude_mlx/__main__.py": main,
  "anyclaude_mlx/cache_manager.py": cacheManager,
  "anyclaude_mlx/engine.py": engine,
  "anyclaude_mlx/engine_fake.py": engineFake,
  "anyclaude_mlx/engine_mlx.py": engineMlx,
  "anyclaude_mlx/http_server.py": httpServer,
  "anyclaude_mlx/parsers/__init__.py": parsersInit,
  "anyclaude_mlx/parsers/base.py": parsersBase,
  "anyclaude_mlx/parsers/calls.py": parsersCalls,
  "anyclaude_mlx/parsers/harmony.py": parsersHarmony,
  "anyclaude_mlx/parsers/markers.py": parsersMarkers,
  "anyclaude_mlx/worker.py": worker,
};

/** Bun gives absolute (or /$bunfs) paths; the Node bundle gives paths relative to itself. */
const located = (path: string) => (path.startsWith("./") || path.startsWith("../") ? fileURLToPath(new URL(path, import.meta.url)) : path);

/** Writes the pinned mlx-lm requirements to path (for `pip install -r`); returns path. */
export function writeRequirements(path: string): string {
  writeFileSync(path, readFileSync(located(requirements)), { mode: 0o600 });
  return path;
}

/**
 * Writes the server package under dir (only files that changed), owner-only: folders 0700, files 0600,
 * also when an earlier run left them wider (the mode options apply only to what they create).
 * Returns dir, the cwd for `python -m anyclaude_mlx`.
 */
export function extractServer(dir: string): string {
  for (const [rel, src] of Object.entries(SERVER_FILES)) {
    const out = join(dir, rel);
    const body = readFileSync(located(src));
    mkdirSync(dirname(out), { recursive: true, mode: 0o700 });
    chmodSync(dirname(out), 0o700);
    if (!(existsSync(out) && readFileSync(out).equals(body))) writeFileSync(out, body, { mode: 0o600 });
    chmodSync(out, 0o600);
  }
  return dir;
}
