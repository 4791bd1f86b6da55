// `trace compare` on a folder of `test-model` results: one self-contained page with the models side
// by side, their score per probe and task, and bar charts of score and speed (inline SVG). Pure.
import { type ModelTestResult, score } from "../testmodel/result.ts";

const esc = (s: string) => s.replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]!);

export interface ModelRow {
  label: string;
  verdict: string;
  passed: number;
  total: number;
  prefillTokensPerSecond: number | null;
  followUpTtftMs: number | null;
  decodeTokensPerSecond: number | null;
  testedAt: string;
}

/** The newest result of each mode/model, best score first. */
export function latestPerModel(results: ModelTestResult[]): ModelTestResult[] {
  const newest = new Map<string, ModelTestResult>();
  for (const r of results) {
    const key = `${r.mode}/${r.model}`;
    if ((newest.get(key)?.startedAt ?? "") < r.startedAt) newest.set(key, r);
  }
  return [...newest.values()].sort((a, b) => score(b).passed / score(b).total - score(a).passed / score(a).total || a.model.localeCompare(b.model));
}

export function modelRows(results: ModelTestResult[]): ModelRow[] {
  return latestPerModel(results).map((r) => ({
    label: `${r.mode}/${r.model}`,
    verdict: r.verdict,
    ...score(r),
    prefillTokensPerSecond: r.speed.prefillTokensPerSecond,
    followUpTtftMs: r.speed.followUpTtftMs,
    decodeTokensPerSecond: r.speed.decodeTokensPerSecond,
    testedAt: r.startedAt,
  }));
}

function barChart(id: string, title: string, rows: ModelRow[], value: (r: ModelRow) => number | null, label: (r: ModelRow, v: number) => string): string {
  const width = 640;
  const barHeight = 24;
  const labelWidth = 220;
  const max = Math.max(1e-9, ...rows.map((r) => value(r) ?? 0));
  const bars = rows
    .map((r, i) => {
      const y = 30 + i * (barHeight + 8);
      const v = value(r);
      const w = v === null ? 0 : Math.max(1, ((width - labelWidth - 110) * v) / max);
      const shown = v === null ? "n/a" : label(r, v);
      return `<g class="bar" data-model="${esc(r.label)}"><text x="${labelWidth - 8}" y="${y + barHeight * 0.7}" text-anchor="end">${esc(r.label)}</text><rect x="${labelWidth}" y="${y}" width="${w.toFixed(1)}" height="${barHeight}" fill="#4f7cff"></rect><text x="${labelWidth + w + 6}" y="${y + barHeight * 0.7}">${esc(shown)}</text></g>`;
    })
    .join("");
  return `<svg id="${id}" xmlns="http://www.w3.org/2000/svg" width="${width}" height="${rows.length * (barHeight + 8) + 40}" role="img" aria-label="${esc(title)}"><text x="0" y="18" font-weight="bold">${esc(title)}</text>${bars}</svg>`;
}

export function renderModelPage(results: ModelTestResult[], title = "anyclaude: models for Claude Code"): string {
  const latest = latestPerModel(results);
  const rows = modelRows(results);
  const head = latest.map((r) => `<th data-model="${esc(`${r.mode}/${r.model}`)}">${esc(`${r.mode}/${r.model}`)}</th>`).join("");
  // Probes and tasks by id, in the order the first model ran them.
  const checks = new Map<string, string>();
  for (const r of latest) for (const c of [...r.probes, ...(r.tasks ?? []).map((t) => ({ ...t, title: `task: ${t.title}` }))]) if (!checks.has(c.id)) checks.set(c.id, c.title);
  const cell = (r: ModelTestResult, id: string) => {
    const c = [...r.probes, ...(r.tasks ?? [])].find((x) => x.id === id);
    return c ? `<td class="${c.pass ? "pass" : "fail"}" title="${esc(c.reason)}">${c.pass ? "✓" : "✗"} <small>${esc(c.reason)}</small></td>` : "<td>–</td>";
  };
  const checkRows = [...checks].map(([id, t]) => `<tr><th>${esc(t)}</th>${latest.map((r) => cell(r, id)).join("")}</tr>`).join("\n");
  const summary = (label: string, f: (r: ModelRow) => string) => `<tr><th>${label}</th>${rows.map((r) => `<td>${esc(f(r))}</td>`).join("")}</tr>`;
  const n = (x: number | null, unit: string) => (x === null ? "n/a" : `${x} ${unit}`);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title>
<style>body{font:14px system-ui,sans-serif;margin:24px;color:#222}table{border-collapse:collapse;margin:16px 0}td,th{border:1px solid #ccc;padding:4px 8px;text-align:left;vertical-align:top}td.pass{background:#eaf7ea}td.fail{background:#fbeaea}small{color:#555}svg text{font:13px system-ui,sans-serif}</style>
</head><body>
<h1>${esc(title)}</h1>
<p>Each model's newest <code>anyclaude test-model</code> run. Hover a cell for the full reason.</p>
<table id="models"><thead><tr><th></th>${head}</tr></thead>
<tbody>
${summary("verdict", (r) => r.verdict)}
${summary("score", (r) => `${r.passed}/${r.total}`)}
${summary("cold prefill", (r) => n(r.prefillTokensPerSecond, "tokens/s"))}
${summary("follow-up first token", (r) => (r.followUpTtftMs === null ? "n/a" : `${(r.followUpTtftMs / 1000).toFixed(1)} s`))}
${summary("decode", (r) => n(r.decodeTokensPerSecond, "tokens/s"))}
${checkRows}
</tbody></table>
${barChart("score-chart", "Share of probes and tasks passed", rows, (r) => r.passed / r.total, (r) => `${r.passed}/${r.total}`)}
${barChart("decode-chart", "Decode speed (tokens/s)", rows, (r) => r.decodeTokensPerSecond, (_, v) => `${v} tok/s`)}
${barChart("prefill-chart", "Cold prefill of Claude Code's prompt (tokens/s)", rows, (r) => r.prefillTokensPerSecond, (_, v) => `${v} tok/s`)}
</body></html>
`;
}
