// `anyclaude setup mlx` finding a Python ≥ 3.10: the order it looks in, and the one line it prints when a
// stock Mac has only the system 3.9 (where pip says "no matching distribution" for transformers 5).
import { expect, test } from "bun:test";
import { copyFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { choosePython, findPython, parsePythonVersion, pythonCandidates, uvPythonRoot } from "../../src/cli/find-python.ts";
import { ROOT, tempDir } from "../helpers/processes.ts";

const FAKE = join(ROOT, "test/fixtures/fake-python.sh");

test("versions are read from the probe's output", () => {
  const cases: [string, [number, number] | undefined][] = [
    ["3.12\n", [3, 12]],
    ["3.9", [3, 9]],
    ["Python 3.12.1", undefined],
    ["", undefined],
  ];
  for (const [out, want] of cases) expect(parsePythonVersion(out)).toEqual(want);
});

test("candidates: versioned names, Homebrew's, uv's (newest first), then python3", () => {
  const root = "/Users/me/.local/share/uv/python";
  const list = pythonCandidates("/Users/me", root, ["cpython-3.11.9-macos-aarch64-none", "cpython-3.13.1-macos-aarch64-none", "cpython-3.12.7-macos-aarch64-none"]);
  expect(list.slice(0, 4)).toEqual(["python3.13", "python3.12", "python3.11", "python3.10"]);
  expect(list).toContain("/opt/homebrew/bin/python3.12");
  expect(list).toContain("/Users/me/.local/bin/python3.12");
  const uv = list.filter((p) => p.startsWith(root));
  expect(uv).toEqual([`${root}/cpython-3.13.1-macos-aarch64-none/bin/python3`, `${root}/cpython-3.12.7-macos-aarch64-none/bin/python3`, `${root}/cpython-3.11.9-macos-aarch64-none/bin/python3`]);
  expect(list.at(-1)).toBe("python3");
  expect(list.indexOf("/opt/homebrew/bin/python3")).toBeLessThan(list.indexOf(uv[0]!));
});

test("uv's install directory follows its storage rules", () => {
  expect(uvPythonRoot("/h", {})).toBe("/h/.local/share/uv/python");
  expect(uvPythonRoot("/h", { XDG_DATA_HOME: "/x" })).toBe("/x/uv/python");
  expect(uvPythonRoot("/h", { UV_PYTHON_INSTALL_DIR: "/u", XDG_DATA_HOME: "/x" })).toBe("/u");
});

test("choosing: the first new enough, else one line with what was found and what to do", () => {
  expect(choosePython([{ path: "python3.13" }, { path: "/usr/bin/python3", version: [3, 9] }, { path: "/opt/homebrew/bin/python3", version: [3, 12] }], false)).toEqual({ ok: true, python: "/opt/homebrew/bin/python3", version: [3, 12] });
  const onlySystem = choosePython([{ path: "python3.12" }, { path: "python3", version: [3, 9] }], false);
  expect(onlySystem).toEqual({ ok: false, message: expect.stringContaining("only Python 3.9 (python3) found; mlx-lm needs Python ≥ 3.10: install one (`brew install python@3.12`") });
  expect(choosePython([{ path: "python3" }], false)).toEqual({ ok: false, message: expect.stringContaining("no Python found") });
  expect(choosePython([{ path: "/usr/bin/python3", version: [3, 9] }], true)).toEqual({ ok: false, message: expect.stringContaining("/usr/bin/python3 is Python 3.9; mlx-lm needs Python ≥ 3.10") });
  expect(choosePython([{ path: "/nope/python" }], true)).toEqual({ ok: false, message: expect.stringContaining("cannot run /nope/python") });
});

test("findPython runs the candidates: the system 3.9 alone is refused, a uv-managed 3.12 is found", () => {
  const bin = tempDir("pybin");
  const home = tempDir("pyhome");
  copyFileSync(FAKE, join(bin, "python3"));
  const env = { PATH: bin, FAKE_PYTHON_VERSION: "3.9" };
  const homebrewBin = join(home, "no-homebrew"); // never the host's own /opt/homebrew
  const refused = findPython({ home, env, homebrewBin });
  expect(refused).toEqual({ ok: false, message: expect.stringContaining("only Python 3.9 (python3) found") });

  const uv = join(home, ".local/share/uv/python/cpython-3.12.7-macos-aarch64-none/bin");
  mkdirSync(uv, { recursive: true });
  copyFileSync(FAKE, join(uv, "python3"));
  // Every copy of the fake now answers 3.12: uv's comes before python3 on PATH.
  const found = findPython({ home, env: { ...env, FAKE_PYTHON_VERSION: undefined }, homebrewBin });
  expect(found).toEqual({ ok: true, python: join(uv, "python3"), version: [3, 12] });

  expect(findPython({ explicit: FAKE, home, env: { FAKE_PYTHON_VERSION: "3.9" } })).toEqual({ ok: false, message: expect.stringContaining("is Python 3.9") });
  expect(findPython({ explicit: FAKE, home, env: {} })).toEqual({ ok: true, python: FAKE, version: [3, 12] });
});
