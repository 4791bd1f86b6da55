import { describe, expect, test } from "bun:test";
import * as v from "valibot";
import { PROFILES, type ProfileName, profileForModel } from "../../src/backends/profiles.ts";
import { MessagesRequestSchema } from "../../src/protocol/anthropic.ts";
import { translateRequest } from "../../src/translate/request.ts";

// Model ids as the servers list them: the Mistral ones are from bug reports of the 9-character rule
// (jundot/omlx#1995 on MLX, mistralai/mistral-vibe#1075 and anomalyco/opencode#1680 on Mistral's API,
// jackmpcollins/magentic#276 on vLLM), the others from the servers' model lists.
const cases: [ProfileName, string, { mistralToolIds: boolean; keepCacheControl: boolean; schemaProfile: "default" | "gemini" }][] = [
  ["mlx", "mlx-community/Devstral-Small-2-24B-Instruct-2512-4bit", { mistralToolIds: true, keepCacheControl: false, schemaProfile: "default" }],
  ["vllm", "mistralai/Mistral-Small-3.1-24B-Instruct-2503", { mistralToolIds: true, keepCacheControl: false, schemaProfile: "default" }],
  ["openrouter", "mistralai/devstral-medium", { mistralToolIds: true, keepCacheControl: false, schemaProfile: "default" }],
  ["ollama", "devstral:24b", { mistralToolIds: true, keepCacheControl: false, schemaProfile: "default" }],
  ["llamacpp", "Magistral-Small-2509-Q4_K_M.gguf", { mistralToolIds: true, keepCacheControl: false, schemaProfile: "default" }],
  ["lmstudio", "qwen/qwen3-coder-30b", { mistralToolIds: false, keepCacheControl: false, schemaProfile: "default" }],
  ["openrouter", "anthropic/claude-sonnet-4", { mistralToolIds: false, keepCacheControl: true, schemaProfile: "default" }],
  ["openrouter", "google/gemini-2.5-pro", { mistralToolIds: false, keepCacheControl: false, schemaProfile: "gemini" }],
  ["vllm", "google/gemma-3-27b-it", { mistralToolIds: false, keepCacheControl: false, schemaProfile: "default" }],
];

describe("profileForModel adds the model's quirks to the server's", () => {
  for (const [server, model, want] of cases) {
    test(`${server} ${model}`, () => {
      const p = profileForModel(PROFILES[server], model);
      expect({ mistralToolIds: p.mistralToolIds, keepCacheControl: p.keepCacheControl, schemaProfile: p.schemaProfile }).toEqual(want);
      expect(p.reasoningField).toBe(PROFILES[server].translate.reasoningField);
    });
  }
});

test("a Mistral model gets only 9-alphanumeric tool-call ids, the same for the call and its result", () => {
  const body = v.parse(MessagesRequestSchema, {
    model: "claude-x",
    max_tokens: 100,
    messages: [
      { role: "user", content: "go" },
      { role: "assistant", content: [{ type: "tool_use", id: "toolu_01A09q90qw90lq917835lq9", name: "Read", input: { file_path: "/a" } }] },
      { role: "user", content: [{ type: "tool_result", tool_use_id: "toolu_01A09q90qw90lq917835lq9", content: "a" }] },
    ],
  });
  const model = "mistralai/Devstral-Small-2505";
  const sent = translateRequest(body, { model, profile: profileForModel(PROFILES.vllm, model) }).request.messages;
  const callId = (sent[1] as { tool_calls: { id: string }[] }).tool_calls[0]!.id;
  expect(callId).toMatch(/^[a-zA-Z0-9]{9}$/);
  expect(sent[2]).toMatchObject({ role: "tool", tool_call_id: callId });
});
