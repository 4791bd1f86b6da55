// The Homebrew audit rules that apply to our formula, encoded from Homebrew/brew's own cops
// (Library/Homebrew/rubocops/*.rb, read at aad366f) and audits; each problem names its source.
// The formula is parsed by Ruby itself (formula-tree.rb, Ripper); these rules read that tree.
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { ensureCommand } from "./system-packages.ts";

export type Value = { str: string } | { dstr: string[] } | { sym: string } | { hash: Record<string, Value> } | { expr: string[] };
export interface Node {
  kind: "call" | "block" | "def" | "expr";
  name: string;
  line: number;
  args?: Value[];
  children?: Node[];
  empty?: boolean;
}
export interface FormulaTree {
  class: string;
  superclass: string;
  classLine: string;
  comments: string[];
  body: Node[];
}

/** `ruby -c`, then the structure; throws with Ruby's message on a syntax error. */
export function parseFormula(file: string): FormulaTree {
  ensureCommand("ruby");
  const syntax = spawnSync("ruby", ["-c", file], { encoding: "utf8" });
  if (syntax.status !== 0) throw new Error(`ruby -c: ${syntax.stderr.trim()}`);
  const r = spawnSync("ruby", [join(import.meta.dir, "formula-tree.rb"), file], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`formula-tree.rb: ${r.stderr.trim()}`);
  return JSON.parse(r.stdout) as FormulaTree;
}

const str = (v: Value | undefined) => (v && "str" in v ? v.str : undefined);
const calls = (nodes: Node[], name: string) => nodes.filter((n) => n.name === name && n.kind === "call");
const blocks = (nodes: Node[], name: string) => nodes.filter((n) => n.name === name && n.kind === "block");
const ON_SYSTEM = ["on_macos", "on_linux", "on_arm", "on_intel", "on_system", "on_sonoma", "on_sequoia", "on_tahoe"];

// ast_constants.rb FORMULA_COMPONENT_PRECEDENCE_LIST, the part a binary formula can use.
const PRECEDENCE: [string, Node["kind"]][][] = [
  [["desc", "call"]], [["homepage", "call"]], [["url", "call"]], [["mirror", "call"]], [["version", "call"]], [["sha256", "call"]],
  [["license", "call"]], [["revision", "call"]], [["head", "call"]], [["stable", "block"]], [["livecheck", "block"]],
  [["bottle", "block"]], [["keg_only", "call"]], [["deprecate!", "call"]], [["disable!", "call"]], [["depends_on", "call"]],
  [["uses_from_macos", "call"]], [["on_macos", "block"]], [["on_system", "block"]], [["on_linux", "block"]], [["on_arm", "block"]],
  [["on_intel", "block"]], [["conflicts_with", "call"]], [["resource", "block"]], [["install", "def"]], [["post_install", "def"]],
  [["caveats", "def"]], [["test", "block"]],
];
// components_order.rb check_on_system_block_content.
const ON_SYSTEM_ALLOWED = ["livecheck", "keg_only", "disable!", "deprecate!", "depends_on", "conflicts_with", "fails_with", "resource", "patch", "pour_bottle?", ...ON_SYSTEM];
// version.rb VERSION_PARSERS, the GitHub releases parser: the version the URL already says.
const GITHUB_RELEASE_VERSION = /github\.com\/.+\/releases\/download\/(?:[rvV]_?)?(\d+(?:\.\d+)+)\//;
const TEMPLATE_COMMENTS = ["# PLEASE REMOVE", "# Documentation:", "# if this fails, try separate make/make install steps", "# The URL of the archive", "## Naming --", "# if your formula fails when building in parallel", "# Remove unrecognized options if warned by configure", '# system "cmake'];

export function auditFormula(f: FormulaTree, formulaName: string): string[] {
  const problems: string[] = [];
  const p = (cop: string, message: string) => problems.push(`${cop}: ${message}`);
  const body = f.body;

  if (f.superclass !== "Formula") p("FormulaAudit/ClassName", `superclass ${f.superclass} is not Formula`);
  if (!/^class \w+ < \w+/.test(f.classLine)) p("FormulaAudit/ClassInheritance", "use a space in class inheritance");

  // desc.rb + shared/desc_helper.rb
  const desc = str(calls(body, "desc")[0]?.args?.[0]);
  if (desc === undefined) p("FormulaAudit/Desc", "formula should have a desc");
  else {
    if (desc.length === 0) p("FormulaAudit/Desc", "desc should not be empty");
    if (/^\s/.test(desc) || /\s$/.test(desc)) p("FormulaAudit/Desc", "desc has leading or trailing spaces");
    if (/command ?line/i.test(desc)) p("FormulaAudit/Desc", 'use "command-line"');
    if (/^(the|an?)(?=\s)/i.test(desc)) p("FormulaAudit/Desc", "desc shouldn't start with an article");
    if (/^[a-z]/.test(desc) && !["iOS", "iPhone", "macOS"].includes(desc.split(/\s/)[0]!)) p("FormulaAudit/Desc", "desc should start with a capital letter");
    if (new RegExp(`^${formulaName.replace(/-/g, "").split("").join("[\\s\\-]?")}\\b`, "i").test(desc)) p("FormulaAudit/Desc", "desc shouldn't start with the formula name");
    if (/\.$/.test(desc) && !desc.endsWith("etc.")) p("FormulaAudit/Desc", "desc shouldn't end with a full stop");
    if (/\p{So}/u.test(desc)) p("FormulaAudit/Desc", "desc shouldn't contain emojis or symbols");
    if (desc.length > 80) p("FormulaAudit/Desc", `desc is too long (${desc.length} > 80)`);
  }

  // homepage.rb + shared/homepage_helper.rb
  const homepage = str(calls(body, "homepage")[0]?.args?.[0]);
  if (!homepage) p("FormulaAudit/Homepage", "formula should have a homepage");
  else if (!/^https?:\/\//.test(homepage)) p("FormulaAudit/Homepage", "homepage should start with http or https");

  // components_order.rb: top-level order, and what on_* blocks may hold.
  const rank = (n: Node) => PRECEDENCE.findIndex((group) => group.some(([name, kind]) => name === n.name && kind === n.kind));
  let last = -1;
  let lastName = "";
  for (const n of body) {
    const r = rank(n);
    if (r < 0) continue;
    if (r < last) p("FormulaAudit/ComponentsOrder", `\`${n.name}\` (line ${n.line}) should be put before \`${lastName}\``);
    else [last, lastName] = [r, n.name];
  }
  for (const name of ON_SYSTEM) {
    const found = blocks(body, name);
    if (found.length > 1) p("FormulaAudit/ComponentsOrder", `there can only be one \`${name}\` block in a formula`);
    for (const child of found[0]?.children ?? [])
      if (child.kind !== "def" && !ON_SYSTEM_ALLOWED.includes(child.name)) p("FormulaAudit/ComponentsOrder", `\`${name}\` cannot include \`${child.name}\``);
  }

  // components_redundancy.rb
  if (blocks(body, "stable").length && !calls(body, "head").length && !blocks(body, "head").length) p("FormulaAudit/ComponentsRedundancy", "`stable do` should not be present without a `head` spec");

  // checksum.rb: Checksum and ChecksumCase, wherever sha256 is called.
  const walk = (nodes: Node[]): Node[] => nodes.flatMap((n) => [n, ...walk(n.children ?? [])]);
  for (const n of walk(body).filter((n) => n.name === "sha256" && n.kind === "call")) {
    const sha = str(n.args?.[0]) ?? "";
    if (sha.length !== 64) p("FormulaAudit/Checksum", `sha256 should be 64 characters (line ${n.line})`);
    if (/[^a-fA-F0-9]/.test(sha)) p("FormulaAudit/Checksum", "sha256 contains invalid characters");
    if (/[A-F]/.test(sha)) p("FormulaAudit/ChecksumCase", "sha256 should be lowercase");
  }
  if (walk(body).some((n) => n.name === "md5" || n.name === "sha1")) p("FormulaAudit/Checksum", "MD5/SHA1 checksums are deprecated");

  // version.rb, and resource_auditor.rb's "version is redundant with version scanned from URL".
  const stableUrl = str(calls(body, "url")[0]?.args?.[0]);
  const version = calls(body, "version")[0];
  if (version) {
    const v = str(version.args?.[0]) ?? "";
    if (!v || v.startsWith("v")) p("FormulaAudit/Version", `version ${JSON.stringify(v)} is empty or has a leading v`);
    if (stableUrl && GITHUB_RELEASE_VERSION.exec(stableUrl)?.[1] === v) p("ResourceAuditor#audit_version", `version ${v} is redundant with version scanned from URL`);
  } else if (stableUrl && !GITHUB_RELEASE_VERSION.test(stableUrl)) p("ResourceAuditor#audit_version", "no version, and none can be scanned from the URL");

  // livecheck.rb
  for (const lc of blocks(body, "livecheck")) {
    const kids = lc.children ?? [];
    const url = calls(kids, "url")[0];
    if (!url && (calls(kids, "regex").length || calls(kids, "strategy").length)) p("FormulaAudit/LivecheckUrlProvided", "a url should be provided when regex or strategy are used");
    const lcUrl = str(url?.args?.[0]);
    if (lcUrl && [stableUrl, homepage].some((u) => u && (u === lcUrl || u === `${lcUrl}/` || `${u}/` === lcUrl))) p("FormulaAudit/LivecheckUrlSymbol", "use a symbol (url :stable / :homepage)");
    if (calls(kids, "skip").length && kids.length >= 3) p("FormulaAudit/LivecheckSkip", "skipped formulae must not contain other livecheck information");
  }

  // class.rb: Test, and FormulaAuditStrict/TestPresent.
  const test = blocks(body, "test")[0];
  if (!test) p("FormulaAuditStrict/TestPresent", "a `test do` test block should be added");
  else if (test.empty) p("FormulaAudit/Test", "`test do` should not be empty");
  else if ((test.children ?? []).length === 1 && test.children![0]!.name === "true") p("FormulaAudit/Test", "`test do` should contain a real test");

  // lines.rb Comments
  for (const c of f.comments) {
    if (TEMPLATE_COMMENTS.some((t) => c.includes(t))) p("FormulaAudit/Comments", "please remove default template comments");
    if (/#\s*depends_on\s+(.+)\s*$/.test(c)) p("FormulaAudit/Comments", `commented-out dependency in ${c}`);
  }
  if (!calls(body, "license").length) p("FormulaAudit (audit_license)", "formula has no license");
  return problems;
}

export interface Platform {
  os: "macos" | "linux";
  arch: "arm64" | "x86_64";
}

/** What Homebrew sees on one platform: on_* blocks apply only there, later url/sha256 win. */
export function onPlatform(f: FormulaTree, platform: Platform): { url?: string; sha256?: string; archRequired: string[] } {
  const state: { url?: string; sha256?: string; archRequired: string[] } = { archRequired: [] };
  const applies: Record<string, boolean> = {
    on_macos: platform.os === "macos",
    on_linux: platform.os === "linux",
    on_arm: platform.arch === "arm64",
    on_intel: platform.arch === "x86_64",
  };
  const run = (nodes: Node[]) => {
    for (const n of nodes) {
      if (n.kind === "block" && n.name in applies) {
        if (applies[n.name]) run(n.children ?? []);
      } else if (n.kind === "call" && n.name === "url") state.url = str(n.args?.[0]);
      else if (n.kind === "call" && n.name === "sha256") state.sha256 = str(n.args?.[0]);
      else if (n.kind === "call" && n.name === "depends_on") {
        const arg = n.args?.[0];
        const arch = arg && "hash" in arg ? arg.hash.arch : undefined;
        if (arch && "sym" in arch) state.archRequired.push(arch.sym);
      }
    }
  };
  run(f.body);
  return state;
}
