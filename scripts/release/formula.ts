// Renders the Homebrew formula and the tap around it. Pure, so it is tested without a release.
import { readFileSync } from "node:fs";
import { join } from "node:path";

/** ≤ 80 characters, no article, not starting with the name (Homebrew's FormulaAudit/Desc). */
export const FORMULA_DESC = "Run Claude Code on local or hosted models: MLX, LM Studio, Ollama, vLLM";

export interface ReleaseAsset {
  url: string;
  sha256: string;
}

export interface FormulaValues {
  homepage: string;
  darwinArm64: ReleaseAsset;
  linuxX64: ReleaseAsset;
}

const TEMPLATE = join(import.meta.dir, "anyclaude.rb.template");

/** `owner/name` on GitHub: where the release assets and the homepage are. */
export function parseRepo(repo: string): { owner: string; name: string } {
  const m = /^([A-Za-z0-9](?:[A-Za-z0-9-]{0,38}))\/([A-Za-z0-9._-]{1,100})$/.exec(repo);
  if (!m || m[2] === "." || m[2] === "..") throw new Error(`--repo must be owner/name on GitHub, not ${JSON.stringify(repo)}`);
  return { owner: m[1]!, name: m[2]! };
}

export const releaseUrl = (repo: string, version: string, file: string) => `https://github.com/${repo}/releases/download/v${version}/${file}`;

export function renderFormula(values: FormulaValues, template = readFileSync(TEMPLATE, "utf8")): string {
  for (const a of [values.darwinArm64, values.linuxX64]) if (!/^[0-9a-f]{64}$/.test(a.sha256)) throw new Error(`not a sha256: ${a.sha256}`);
  const fields: Record<string, string> = {
    desc: FORMULA_DESC,
    homepage: values.homepage,
    darwinUrl: values.darwinArm64.url,
    darwinSha256: values.darwinArm64.sha256,
    linuxUrl: values.linuxX64.url,
    linuxSha256: values.linuxX64.sha256,
  };
  return template.replace(/\{\{(\w+)\}\}/g, (_, key: string) => {
    const v = fields[key];
    if (v === undefined) throw new Error(`template asks for unknown value ${key}`);
    if (/["\\#]/.test(v)) throw new Error(`${key} would break the Ruby string: ${v}`);
    return v;
  });
}

/** The tap's README: a tap is the repository owner/homebrew-anyclaude; brew names it owner/anyclaude. */
export function tapReadme(repo: string): string {
  const { owner } = parseRepo(repo);
  return `# ${owner}/anyclaude Homebrew tap

[anyclaude](https://github.com/${repo}): ${FORMULA_DESC}.

    brew install ${owner}/anyclaude/anyclaude

Apple Silicon Macs and x86-64 Linux. This repository is written by \`bun run release --repo ${repo}\`;
do not edit \`Formula/anyclaude.rb\` by hand.
`;
}

export const brewInstallLine = (repo: string) => `brew install ${parseRepo(repo).owner}/anyclaude/anyclaude`;
