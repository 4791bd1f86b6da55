// What trace files and reports hold: compact, capped traces; one population per backend and
// model; an HTML report that escapes whatever a model id or error contains.
import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { compareResults } from "../../src/trace/compare.ts";
import type { ReplayResult, RunResult } from "../../src/trace/replay.ts";
import { renderReport } from "../../src/trace/report-html.ts";
import { serializeTrace } from "../../src/trace/serialize.ts";
import type { Trace } from "../../src/trace/store.ts";
import { ROOT } from "../helpers/processes.ts";

// A captured Claude Code request (test/fixtures/claude-code), with a tool schema nested 40 deep
// as in the 60 KB request that became an 80 MB pretty-printed trace.
const captured = JSON.parse(readFileSync(join(ROOT, "test/fixtures/claude-code/print-mode-hello.json"), "utf8")).body;
let deep: Record<string, unknown> = { type: "string" };
for (let i = 0; i < 40; i++) deep = { type: "object", properties: { [`level${i}`]: deep, sibling: { type: "array", items: { type: "number" } } } };
const request = { ...captured, tools: [...captured.tools, { name: "Deep", description: "deep schema", input_schema: deep }] };

const trace = (over: Partial<Trace> = {}): Trace => ({
  version: 1,
  id: "req_1",
  mode: "openai",
  model: request.model,
  backendModel: "m",
  stream: true,
  request,
  upstreamRequest: { model: "m", messages: request.messages, tools: request.tools },
  response: { content: [{ type: "text", text: "x".repeat(1000) }] },
  timings: { received: 1, finished: 2 },
  ...over,
});

describe("trace files", () => {
  test("compact JSON: the file is about the size of what it records", () => {
    const t = trace();
    const json = serializeTrace(t);
    expect(json).not.toContain("\n  ");
    expect(JSON.parse(json)).toEqual(t);
    const parts = JSON.stringify(t.request).length + JSON.stringify(t.upstreamRequest).length + JSON.stringify(t.response).length;
    expect(json.length).toBeLessThan(parts + 2000);
  });

  test("over the cap, the translated copy goes first, and the trace says so", () => {
    const t = trace();
    const full = Buffer.byteLength(JSON.stringify(t));
    const cap = full - 100;
    const out = JSON.parse(serializeTrace(t, cap));
    expect(out.upstreamRequest).toBeNull();
    expect(out.request).toEqual(t.request);
    expect(out.truncated).toEqual({ limitBytes: cap, originalBytes: full, omitted: ["upstreamRequest"] });
    expect(Buffer.byteLength(serializeTrace(t, cap))).toBeLessThanOrEqual(cap);
  });

  test("a request bigger than the cap on its own is left out, never cut mid-way", () => {
    const out = JSON.parse(serializeTrace(trace(), 5000));
    expect(out.truncated.omitted).toEqual(["upstreamRequest", "response", "request"]);
    expect(out.request).toEqual({ model: request.model, messages: [] });
  });
});

const run = (n: number, over: Partial<RunResult> = {}): RunResult => ({ run: n, promptMs: 100 * n, generationMs: 200, totalMs: 100 * n + 200, outputTokens: 10, inputTokens: 5, cachedTokens: 0, tokensPerSecond: 50, ...over });
const result = (over: Partial<ReplayResult>): ReplayResult => ({ version: 1, mode: "ollama", model: "qwen", trace: "t", startedAt: "", runs: [run(1)], ...over });

describe("compare", () => {
  test("one row per backend URL and model; the server named only where it tells rows apart", () => {
    const rows = compareResults([
      result({ baseUrl: "http://127.0.0.1:11434/v1" }),
      result({ baseUrl: "http://127.0.0.1:11434/v1", runs: [run(2)] }),
      result({ baseUrl: "http://10.0.0.5:11434/v1", runs: [run(3)] }),
      result({ mode: "lmstudio", baseUrl: "http://127.0.0.1:1234/v1" }),
    ]);
    expect(rows.map((r) => [r.label, r.runs]).sort()).toEqual([
      ["lmstudio/qwen", 1],
      ["ollama/qwen @ 10.0.0.5:11434", 1],
      ["ollama/qwen @ 127.0.0.1:11434", 2],
    ]);
  });

  test("failed runs are counted and each failure is listed, not folded into the figures", () => {
    const [row] = compareResults([result({ runs: [run(1), run(2, { error: "timeout_error: no answer" }), run(3, { error: "timeout_error: no answer" })] })]);
    expect(row).toMatchObject({ runs: 3, failed: 2, errors: [{ message: "timeout_error: no answer", runs: 2 }] });
    expect(row!.promptMs).toEqual({ median: 100, min: 100, max: 100 });
  });

  test("the HTML report escapes model ids and errors (hono/html)", () => {
    const html = renderReport(compareResults([result({ model: `<script>alert("x")</script>`, runs: [run(1), run(2, { error: `<img src=x onerror="y">` })] })]));
    expect(html).not.toContain("<script>alert");
    expect(html).not.toContain("<img");
    expect(html).toContain("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;");
    expect(html).toContain('data-model="ollama/&lt;script&gt;');
    expect(html).toContain("Failed runs");
    expect(html.match(/<g class="bar"/g)).toHaveLength(2);
  });
});
