// Release archives: read back by the system tar (a real client), and the same bytes every time.
import { expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { tarGz } from "../../scripts/release/tarball.ts";
import { tempDir } from "../helpers/processes.ts";

const entries = [
  { name: "anyclaude", mode: 0o755, body: new Uint8Array(1300).map((_, i) => i % 251) },
  { name: "LICENSE", mode: 0o644, body: new TextEncoder().encode("MIT License\n") },
  { name: "empty", mode: 0o644, body: new Uint8Array(0) },
];

test("tar lists and extracts every entry with its mode, size and bytes", () => {
  const dir = tempDir("tgz");
  writeFileSync(join(dir, "a.tar.gz"), tarGz(entries));
  const list = spawnSync("tar", ["tvzf", "a.tar.gz"], { cwd: dir, encoding: "utf8" });
  expect(list.status).toBe(0);
  const lines = list.stdout.trim().split("\n");
  expect(lines.map((l) => l.split(/\s+/).at(-1))).toEqual(["anyclaude", "LICENSE", "empty"]);
  expect(lines[0]).toMatch(/^-rwxr-xr-x root\/root +1300 1970-01-01 00:00 anyclaude$/);
  const x = spawnSync("tar", ["xzf", "a.tar.gz"], { cwd: dir, encoding: "utf8" });
  expect(x.stderr).toBe("");
  for (const e of entries) expect(new Uint8Array(readFileSync(join(dir, e.name)))).toEqual(e.body);
  expect(statSync(join(dir, "anyclaude")).mode & 0o777).toBe(0o755);
});

test("the same entries give the same bytes: no timestamp in gzip or tar, Unix OS byte", () => {
  const a = tarGz(entries);
  expect(Buffer.from(tarGz(entries)).equals(Buffer.from(a))).toBe(true);
  expect([...a.subarray(4, 8)]).toEqual([0, 0, 0, 0]); // gzip mtime
  expect(a[9]).toBe(3);
  expect(gunzipSync(a).byteLength % 512).toBe(0);
});

test("a name too long for ustar is refused, not truncated", () => {
  expect(() => tarGz([{ name: "x".repeat(101), mode: 0o644, body: new Uint8Array(1) }])).toThrow("too long");
});
