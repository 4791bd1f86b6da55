// Finding a Python that mlx-lm installs on: ≥ 3.10 (transformers 5 needs it). A stock Mac has only
// the system 3.9 at /usr/bin/python3, where pip fails with "no matching distribution"; Homebrew and
// uv put newer ones where PATH may not look.
import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { join } from "node:path";

export const MIN_PYTHON: readonly [number, number] = [3, 10];
const MINORS = [13, 12, 11, 10];
const HOMEBREW_BIN = "/opt/homebrew/bin"; // Apple Silicon Homebrew, often not on a fresh shell's PATH

export interface ProbedPython {
  path: string;
  /** [major, minor], or undefined when it did not run or said something else. */
  version?: [number, number];
}

export type PythonChoice = { ok: true; python: string; version: [number, number] } | { ok: false; message: string };

/** uv's managed Pythons live here (docs.astral.sh/uv/reference/storage). */
export function uvPythonRoot(home: string, env: Record<string, string | undefined>): string {
  return env.UV_PYTHON_INSTALL_DIR ?? join(env.XDG_DATA_HOME ?? join(home, ".local/share"), "uv/python");
}

/** Where to look, best first: versioned names on PATH, Homebrew's, uv's (its bin links, then its
 * install directories, newest first), then plain python3. */
export function pythonCandidates(home: string, uvRoot: string, uvPythons: string[], homebrewBin = HOMEBREW_BIN): string[] {
  const names = MINORS.map((m) => `python3.${m}`);
  const homebrew = [...names, "python3"].map((n) => join(homebrewBin, n));
  const uvBin = names.map((n) => join(home, ".local/bin", n));
  const uv = [...uvPythons].sort(byVersionDesc).map((dir) => join(uvRoot, dir, "bin", "python3"));
  return [...names, ...homebrew, ...uvBin, ...uv, "python3"];
}

/** uv's install directories look like cpython-3.12.7-macos-aarch64-none. */
function uvVersion(dir: string): number[] {
  const m = /^cpython-(\d+)\.(\d+)\.(\d+)/.exec(dir);
  return m ? [Number(m[1]), Number(m[2]), Number(m[3])] : [0, 0, 0];
}

function byVersionDesc(a: string, b: string): number {
  const [x, y] = [uvVersion(a), uvVersion(b)];
  for (let i = 0; i < 3; i++) if (x[i] !== y[i]) return y[i]! - x[i]!;
  return 0;
}

export function parsePythonVersion(output: string): [number, number] | undefined {
  const m = /^(\d+)\.(\d+)\s*$/.exec(output.trim());
  return m ? [Number(m[1]), Number(m[2])] : undefined;
}

const atLeast = (v: [number, number], min: readonly [number, number]) => v[0] > min[0] || (v[0] === min[0] && v[1] >= min[1]);
const show = (v: [number, number]) => `${v[0]}.${v[1]}`;
const INSTALL = "install one (`brew install python@3.12`, or `uv python install 3.12`), then run `anyclaude setup mlx` again";

/** The first probed Python new enough, or one line saying what was found and what to do. */
export function choosePython(probed: ProbedPython[], explicit: boolean): PythonChoice {
  const good = probed.find((p) => p.version && atLeast(p.version, MIN_PYTHON));
  if (good?.version) return { ok: true, python: good.path, version: good.version };
  const old = probed.filter((p) => p.version);
  const need = `mlx-lm needs Python ≥ ${show([...MIN_PYTHON] as [number, number])}`;
  if (explicit) {
    const p = probed[0];
    if (p?.version) return { ok: false, message: `${p.path} is Python ${show(p.version)}; ${need}: pass --python with a newer one, or ${INSTALL}` };
    return { ok: false, message: `cannot run ${p?.path ?? "python"} to check its version; pass --python with a Python ≥ 3.10` };
  }
  if (old.length) {
    const found = [...new Set(old.map((p) => `Python ${show(p.version!)} (${p.path})`))].join(", ");
    return { ok: false, message: `only ${found} found; ${need}: ${INSTALL}` };
  }
  return { ok: false, message: `no Python found; ${need}: ${INSTALL}` };
}

/** Runs the candidate to learn its version (a missing one simply has none). */
export function probePython(path: string, env: Record<string, string | undefined>): ProbedPython {
  const r = spawnSync(path, ["-c", "import sys; print('%d.%d' % sys.version_info[:2])"], { env, encoding: "utf8", timeout: 10_000 });
  const version = r.status === 0 ? parsePythonVersion(r.stdout) : undefined;
  return version ? { path, version } : { path };
}

function listUvPythons(root: string): string[] {
  try {
    return readdirSync(root).filter((d) => d.startsWith("cpython-3."));
  } catch {
    return [];
  }
}

/** The Python to build the venv with: `explicit` if given (checked), else the best one found. */
export function findPython(opts: { explicit?: string; home: string; env: Record<string, string | undefined>; homebrewBin?: string }): PythonChoice {
  if (opts.explicit) return choosePython([probePython(opts.explicit, opts.env)], true);
  const probed: ProbedPython[] = [];
  const uvRoot = uvPythonRoot(opts.home, opts.env);
  for (const candidate of pythonCandidates(opts.home, uvRoot, listUvPythons(uvRoot), opts.homebrewBin)) {
    const p = probePython(candidate, opts.env);
    probed.push(p);
    if (p.version && atLeast(p.version, MIN_PYTHON)) break;
  }
  return choosePython(probed, false);
}
