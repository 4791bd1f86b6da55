// Where a chunk carries a failure (decode.ts readMessage): each shape against the error Claude Code gets.
// Shapes: vLLM's ErrorResponse (serving_chat.py), OpenRouter's top-level error and its choices[].error
// (openrouter.ai/docs/responses: StreamingChoice.error?: ErrorResponse), vLLM's finish_reason "abort".
import { describe, expect, test } from "bun:test";
import { ChunkTemplates } from "../../src/backends/chunk-template.ts";
import { readMessage } from "../../src/backends/decode.ts";

const err502 = { code: 502, message: "Provider returned error", metadata: { raw: "connection reset", provider_name: "Chutes" } };
const choice = (extra: object) => ({ choices: [{ index: 0, delta: { content: "" }, ...extra }] });

// [name, payload, expected: null for a chunk, else the error's type and message]
const CASES: [string, object, { type: string; message: string } | null][] = [
  ["top-level error (OpenRouter, vLLM ≥ 0.10)", { error: err502, ...choice({ finish_reason: "error" }) }, { type: "overloaded_error", message: "x: Provider returned error (connection reset)" }],
  ["error on the choice, finish_reason error", choice({ finish_reason: "error", native_finish_reason: "error", error: err502 }), { type: "overloaded_error", message: "x: Provider returned error (connection reset)" }],
  ["error on the choice beside finish_reason stop: still a failure", choice({ finish_reason: "stop", native_finish_reason: "error", error: err502 }), { type: "overloaded_error", message: "x: Provider returned error (connection reset)" }],
  ["finish_reason error without an error object", choice({ finish_reason: "error" }), { type: "api_error", message: "x: upstream reported finish_reason error" }],
  ["vLLM finish_reason abort", choice({ finish_reason: "abort" }), { type: "api_error", message: "x: the server aborted the answer (finish_reason abort)" }],
  ["error: null on the choice is no error", choice({ finish_reason: "stop", error: null }), null],
  ["a plain finishing chunk", choice({ finish_reason: "stop" }), null],
];

describe("failures carried by a chunk", () => {
  for (const [name, payload, want] of CASES)
    test(name, () => {
      const item = readMessage({ event: "message", data: JSON.stringify(payload) }, "x", new ChunkTemplates());
      if (!want) return expect(item.kind).toBe("chunk");
      expect(item.kind).toBe("error");
      const e = (item as { error: { type: string; message: string } }).error;
      expect({ type: e.type, message: e.message }).toEqual(want);
    });
});
