// The comparison as a self-contained HTML page: tables plus bar charts drawn as inline SVG, so it
// opens from disk with no network.
import type { ComparisonRow } from "./compare.ts";

const esc = (s: string) => s.replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]!);

function barChart(title: string, rows: ComparisonRow[], value: (r: ComparisonRow) => number, unit: string, id: string): string {
  const width = 640;
  const barHeight = 28;
  const labelWidth = 220;
  const max = Math.max(1e-9, ...rows.map(value));
  const height = rows.length * (barHeight + 10) + 40;
  const bars = rows
    .map((r, i) => {
      const y = 30 + i * (barHeight + 10);
      const w = Math.max(1, ((width - labelWidth - 90) * value(r)) / max);
      return `<g class="bar" data-model="${esc(r.label)}"><text x="${labelWidth - 8}" y="${y + barHeight * 0.68}" text-anchor="end">${esc(r.label)}</text><rect x="${labelWidth}" y="${y}" width="${w.toFixed(1)}" height="${barHeight}" fill="#4f7cff"></rect><text x="${labelWidth + w + 6}" y="${y + barHeight * 0.68}">${value(r).toFixed(1)} ${unit}</text></g>`;
    })
    .join("");
  return `<svg id="${id}" xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" role="img" aria-label="${esc(title)}"><text x="0" y="18" font-weight="bold">${esc(title)}</text>${bars}</svg>`;
}

export function renderReport(rows: ComparisonRow[], title = "anyclaude model comparison"): string {
  const cell = (s: { median: number; min: number; max: number }, d = 0) => `${s.median.toFixed(d)} <small>(${s.min.toFixed(d)}–${s.max.toFixed(d)})</small>`;
  const table = rows
    .map((r) => `<tr><td>${esc(r.label)}</td><td>${r.runs}${r.failed ? ` (${r.failed} failed)` : ""}</td><td>${cell(r.promptMs)}</td><td>${cell(r.generationMs)}</td><td>${cell(r.totalMs)}</td><td>${cell(r.tokensPerSecond, 1)}</td><td>${cell(r.cachedTokens)}</td></tr>`)
    .join("\n");
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title>
<style>body{font:14px system-ui,sans-serif;margin:24px;color:#222}table{border-collapse:collapse;margin:16px 0}td,th{border:1px solid #ccc;padding:4px 8px;text-align:right}td:first-child,th:first-child{text-align:left}small{color:#777}svg text{font:13px system-ui,sans-serif}</style>
</head><body>
<h1>${esc(title)}</h1>
<p>Median of each model's runs (min–max in brackets). Prompt processing = time to the first token.</p>
<table><thead><tr><th>backend/model</th><th>runs</th><th>prompt ms</th><th>generation ms</th><th>total ms</th><th>tokens/s</th><th>cached tokens</th></tr></thead>
<tbody>
${table}
</tbody></table>
${barChart("Total time per request (median, ms)", rows, (r) => r.totalMs.median, "ms", "total-chart")}
${barChart("Generation speed (median, tokens/s)", rows, (r) => r.tokensPerSecond.median, "tok/s", "speed-chart")}
</body></html>
`;
}
