// The comparison as a self-contained HTML page: tables plus bar charts drawn as inline SVG, so it
// opens from disk with no network. hono/html escapes every interpolated value.
import { html } from "hono/html";
import type { HtmlEscapedString } from "hono/utils/html";
import type { ComparisonRow, Stat } from "./compare.ts";

type Html = HtmlEscapedString | Promise<HtmlEscapedString>;

function barChart(title: string, rows: ComparisonRow[], value: (r: ComparisonRow) => number, unit: string, id: string): Html {
  const width = 640;
  const barHeight = 28;
  const labelWidth = 220;
  const max = Math.max(1e-9, ...rows.map(value));
  const height = rows.length * (barHeight + 10) + 40;
  const bars = rows.map((r, i) => {
    const y = 30 + i * (barHeight + 10);
    const w = Math.max(1, ((width - labelWidth - 90) * value(r)) / max);
    const textY = (y + barHeight * 0.68).toFixed(1);
    return html`<g class="bar" data-model="${r.label}"><text x="${labelWidth - 8}" y="${textY}" text-anchor="end">${r.label}</text><rect x="${labelWidth}" y="${y}" width="${w.toFixed(1)}" height="${barHeight}" fill="#4f7cff"></rect><text x="${(labelWidth + w + 6).toFixed(1)}" y="${textY}">${value(r).toFixed(1)} ${unit}</text></g>`;
  });
  return html`<svg id="${id}" xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" role="img" aria-label="${title}"><text x="0" y="18" font-weight="bold">${title}</text>${bars}</svg>`;
}

const cell = (s: Stat, d = 0) => html`${s.median.toFixed(d)} <small>(${s.min.toFixed(d)}–${s.max.toFixed(d)})</small>`;

export function renderReport(rows: ComparisonRow[], title = "anyclaude model comparison"): string {
  const table = rows.map(
    (r) =>
      html`<tr><td>${r.label}</td><td>${r.runs}${r.failed ? ` (${r.failed} failed)` : ""}</td><td>${cell(r.promptMs)}</td><td>${cell(r.generationMs)}</td><td>${cell(r.totalMs)}</td><td>${cell(r.tokensPerSecond, 1)}</td><td>${cell(r.cachedTokens)}</td></tr>\n`,
  );
  const failures = rows.flatMap((r) => r.errors.map((e) => html`<li>${r.label}: ${e.runs} failed: ${e.message}</li>`));
  const page = html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${title}</title>
<style>body{font:14px system-ui,sans-serif;margin:24px;color:#222}table{border-collapse:collapse;margin:16px 0}td,th{border:1px solid #ccc;padding:4px 8px;text-align:right}td:first-child,th:first-child{text-align:left}small{color:#777}svg text{font:13px system-ui,sans-serif}</style>
</head><body>
<h1>${title}</h1>
<p>Median of each model's successful runs (min–max in brackets). Prompt processing = time to the first token.</p>
<table><thead><tr><th>backend/model</th><th>runs</th><th>prompt ms</th><th>generation ms</th><th>total ms</th><th>tokens/s</th><th>cached tokens</th></tr></thead>
<tbody>
${table}</tbody></table>
${failures.length ? html`<h2>Failed runs</h2><ul>${failures}</ul>` : ""}
${barChart("Total time per request (median, ms)", rows, (r) => r.totalMs.median, "ms", "total-chart")}
${barChart("Generation speed (median, tokens/s)", rows, (r) => r.tokensPerSecond.median, "tok/s", "speed-chart")}
</body></html>
`;
  // Every part is synchronous, so the result is a plain escaped string, never a promise.
  if (page instanceof Promise) throw new Error("report rendering went asynchronous");
  return page.toString();
}
