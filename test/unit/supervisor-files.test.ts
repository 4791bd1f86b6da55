import { expect, test } from "bun:test";
import { chmodSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { extractServer, SERVER_FILES } from "../../src/supervisor/embedded-server.ts";
import { tempDir } from "../helpers/processes.ts";

const MLX = join(import.meta.dir, "../../mlx");
const pyFiles = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? (e.name === "__pycache__" ? [] : pyFiles(join(dir, e.name))) : e.name.endsWith(".py") ? [relative(MLX, join(dir, e.name))] : []));

test("every Python file of the server is embedded", () => {
  expect(Object.keys(SERVER_FILES).sort()).toEqual(pyFiles(join(MLX, "anyclaude_mlx")).sort());
});

const modeOf = (path: string) => statSync(path).mode & 0o777;
const foldersOf = (rels: string[]) => [...new Set(rels.map((rel) => dirname(rel)))];

test("extractServer writes the package byte for byte, owner-only (files 0600, folders 0700)", () => {
  const dir = tempDir("extract");
  extractServer(dir);
  const rels = Object.keys(SERVER_FILES);
  for (const rel of rels) {
    expect(readFileSync(join(dir, rel))).toEqual(readFileSync(join(MLX, rel)));
    expect([rel, modeOf(join(dir, rel))]).toEqual([rel, 0o600]);
  }
  for (const folder of foldersOf(rels)) expect([folder, modeOf(join(dir, folder))]).toEqual([folder, 0o700]);
});

test("extractServer narrows what an earlier run left readable by others, changed or not", () => {
  const dir = tempDir("extract-wide");
  const [same, stale] = Object.keys(SERVER_FILES) as [string, string];
  for (const folder of foldersOf(Object.keys(SERVER_FILES))) mkdirSync(join(dir, folder), { recursive: true, mode: 0o755 });
  writeFileSync(join(dir, same), readFileSync(join(MLX, same)), { mode: 0o644 });
  writeFileSync(join(dir, stale), "old", { mode: 0o644 });
  for (const folder of foldersOf(Object.keys(SERVER_FILES))) chmodSync(join(dir, folder), 0o755);
  extractServer(dir);
  expect([modeOf(join(dir, same)), modeOf(join(dir, stale))]).toEqual([0o600, 0o600]);
  expect(readFileSync(join(dir, stale))).toEqual(readFileSync(join(MLX, stale)));
  for (const folder of foldersOf(Object.keys(SERVER_FILES))) expect([folder, modeOf(join(dir, folder))]).toEqual([folder, 0o700]);
});
