// The npm package as `npm install -g anyclaude` gets it: npm pack (prepack builds the Node bundle),
// then an offline install into an empty project. The bundle inlines its libraries, so the package
// declares no runtime dependencies and installs alone.
import { beforeAll, expect, setDefaultTimeout, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { ROOT, tempDir } from "../helpers/processes.ts";

// Processes and builds on a shared 2-core machine: bun's 5 s default is too tight (bunfig has no test timeout).
setDefaultTimeout(60_000);

const packDir = tempDir("npmpack");
const project = tempDir("npminstall");
let tarball: string;
let packed: { files: { path: string }[] };

const npm = (args: string[], cwd: string) => {
  const r = spawnSync("npm", [...args, "--no-audit", "--no-fund"], { cwd, encoding: "utf8", env: { ...process.env, PATH: `${join(ROOT, "node_modules/.bin")}:${process.env.PATH}` } });
  if (r.status !== 0) throw new Error(`npm ${args.join(" ")} failed:\n${r.stderr}`);
  return r.stdout;
};

beforeAll(() => {
  // prepack (the Node build) prints its lines before npm's JSON.
  const out = npm(["pack", "--json", "--pack-destination", packDir], ROOT);
  [packed] = JSON.parse(out.slice(out.search(/^\[/m))) as [typeof packed];
  tarball = join(packDir, readdirSync(packDir).find((f) => f.endsWith(".tgz"))!);
  npm(["init", "-y"], project);
  npm(["install", "--offline", tarball], project);
}, 120_000);

const du = (path: string): number => (statSync(path).isDirectory() ? readdirSync(path).reduce((n, f) => n + du(join(path, f)), 0) : statSync(path).size);

test("the package holds the bundle, its MLX server files, README and LICENSE, and says where it comes from", () => {
  const paths = packed.files.map((f) => f.path);
  expect(paths).toContain("dist/node/anyclaude.mjs");
  expect(paths).toContain("LICENSE");
  expect(paths).toContain("README.md");
  expect(paths.filter((p) => p.startsWith("dist/node/assets/") && p.endsWith(".py")).length).toBeGreaterThan(10);
  const pkg = JSON.parse(readFileSync(join(project, "node_modules/anyclaude/package.json"), "utf8"));
  expect(pkg.license).toBe("MIT");
  expect(pkg.repository.url).toMatch(/^git\+https:\/\/github\.com\/[^/]+\/[^/]+\.git$/);
  expect(pkg.homepage).toStartWith("https://github.com/");
  expect(readFileSync(join(project, "node_modules/anyclaude/LICENSE"), "utf8")).toStartWith("MIT License");
});

test("the bundle imports only Node built-ins, so no runtime dependency is declared", () => {
  const bundle = readFileSync(join(project, "node_modules/anyclaude/dist/node/anyclaude.mjs"), "utf8");
  // A real parser: the tokenizer's vocabulary is full of "from" and "import" strings.
  const specifiers = new Bun.Transpiler({ loader: "js" }).scanImports(bundle.replace(/^#!.*\n/, "")).map((i) => i.path);
  expect(specifiers.length).toBeGreaterThan(10);
  expect(specifiers.filter((s) => !s.startsWith("node:") && !s.startsWith("."))).toEqual([]);
  const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8"));
  expect(pkg.dependencies ?? {}).toEqual({});
});

test("installed offline, alone, small, and it runs", () => {
  expect(readdirSync(join(project, "node_modules")).filter((f) => !f.startsWith("."))).toEqual(["anyclaude"]);
  expect(du(join(project, "node_modules"))).toBeLessThan(5e6);
  const bin = join(project, "node_modules/.bin/anyclaude");
  const version = spawnSync(bin, ["--version"], { encoding: "utf8" });
  expect(version.stdout.trim()).toBe(JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")).version);
  const schema = spawnSync(bin, ["config", "--schema"], { encoding: "utf8", cwd: project });
  expect(JSON.parse(schema.stdout).properties.backends.type).toBe("object");
});
