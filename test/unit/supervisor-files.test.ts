import { expect, test } from "bun:test";
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { extractServer, SERVER_FILES } from "../../src/supervisor/embedded-server.ts";
import { tempDir } from "../helpers/processes.ts";

const MLX = join(import.meta.dir, "../../mlx");
const pyFiles = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? (e.name === "__pycache__" ? [] : pyFiles(join(dir, e.name))) : e.name.endsWith(".py") ? [relative(MLX, join(dir, e.name))] : []));

test("every Python file of the server is embedded", () => {
  expect(Object.keys(SERVER_FILES).sort()).toEqual(pyFiles(join(MLX, "anyclaude_mlx")).sort());
});

test("extractServer writes the package byte for byte, owner-only", () => {
  const dir = tempDir("extract");
  extractServer(dir);
  for (const rel of Object.keys(SERVER_FILES)) expect(readFileSync(join(dir, rel))).toEqual(readFileSync(join(MLX, rel)));
});
