import { describe, expect, test } from "bun:test";
import * as v from "valibot";
import { PROFILES } from "../../src/backends/profiles.ts";
import { type MessagesRequest, MessagesRequestSchema, toWire } from "../../src/protocol/anthropic.ts";
import type { ChatMessage } from "../../src/protocol/openai.ts";
import { mistralToolId } from "../../src/translate/ids.ts";
import { DEFAULT_PROFILE, type TranslateProfile } from "../../src/translate/profile.ts";
import { translateRequest } from "../../src/translate/request.ts";
import { toBackendToolName } from "../../src/translate/tool-names.ts";
import { loadFixture } from "../helpers/fixtures.ts";

const req = (over: Record<string, unknown>): MessagesRequest =>
  v.parse(MessagesRequestSchema, { model: "claude-x", max_tokens: 1000, messages: [{ role: "user", content: "hi" }], ...over });
const tr = (over: Record<string, unknown>, profile: Partial<TranslateProfile> = {}) =>
  translateRequest(req(over), { model: "local", profile: { ...DEFAULT_PROFILE, ...profile } });
const msgs = (over: Record<string, unknown>, profile: Partial<TranslateProfile> = {}) => tr(over, profile).request.messages;

const IMG = { type: "image", source: { type: "base64", media_type: "image/png", data: "iVBOR" } };
const toolUse = (id: string, name = "Read", input: object = { file_path: `/${id}` }) => ({ type: "tool_use", id, name, input });
const toolResult = (id: string, content: unknown = `result ${id}`, extra: object = {}) => ({ type: "tool_result", tool_use_id: id, content, ...extra });

describe("system prompt", () => {
  const cases: [string, unknown, ChatMessage | undefined][] = [
    ["string", "Be brief.", { role: "system", content: "Be brief." }],
    ["blocks joined, billing header dropped", [
      { type: "text", text: "x-anthropic-billing-header: cc_version=2.1.328.ccf; cc_entrypoint=cli; cch=71fea;" },
      { type: "text", text: "You are Claude Code.", cache_control: { type: "ephemeral" } },
      { type: "text", text: "Rules." },
    ], { role: "system", content: "You are Claude Code.\n\nRules." }],
    ["only a billing header", [{ type: "text", text: "x-anthropic-billing-header: cch=1;" }], undefined],
  ];
  for (const [name, system, want] of cases) {
    test(name, () => {
      const out = msgs({ system });
      if (want) expect(out[0]).toEqual(want);
      else expect(out[0]!.role).toBe("user");
    });
  }
  test("OpenRouter Claude models keep cache_control parts", () => {
    const system = [{ type: "text", text: "A", cache_control: { type: "ephemeral" } }];
    expect(msgs({ system }, { keepCacheControl: true })[0]).toEqual({ role: "system", content: [{ type: "text", text: "A", cache_control: { type: "ephemeral" } }] });
  });
  test("mid-conversation system messages fold into the user turn before them (T19)", () => {
    const out = msgs({
      messages: [
        { role: "user", content: "first" },
        { role: "system", content: [{ type: "text", text: "# Environment" }] },
        { role: "assistant", content: "ok" },
        { role: "user", content: "second" },
      ],
    });
    expect(out).toEqual([
      { role: "user", content: "first\n\n# Environment" },
      { role: "assistant", content: "ok" },
      { role: "user", content: "second" },
    ]);
  });
  test("a leading system message folds into the next user turn", () => {
    expect(msgs({ messages: [{ role: "system", content: "env" }, { role: "user", content: "hi" }] })).toEqual([{ role: "user", content: "env\n\nhi" }]);
  });
});

describe("tool turns", () => {
  test("parallel calls, reversed results and trailing user text (T2, T3, T6)", () => {
    const out = msgs({
      messages: [
        { role: "user", content: "read both" },
        { role: "assistant", content: [{ type: "text", text: "Reading." }, toolUse("toolu_A"), toolUse("toolu_B")] },
        { role: "user", content: [toolResult("toolu_B"), toolResult("toolu_A"), { type: "text", text: "<system-reminder>x</system-reminder>" }] },
      ],
    });
    expect(out.slice(1)).toEqual([
      {
        role: "assistant",
        content: "Reading.",
        tool_calls: [
          { id: "toolu_A", type: "function", function: { name: "Read", arguments: '{"file_path":"/toolu_A"}' } },
          { id: "toolu_B", type: "function", function: { name: "Read", arguments: '{"file_path":"/toolu_B"}' } },
        ],
      },
      { role: "tool", tool_call_id: "toolu_A", content: "result toolu_A" },
      { role: "tool", tool_call_id: "toolu_B", content: "result toolu_B" },
      { role: "user", content: "<system-reminder>x</system-reminder>" },
    ]);
  });

  test("a missing result is synthesized; an orphan result becomes user text", () => {
    const { request, notes } = tr({
      messages: [
        { role: "user", content: "go" },
        { role: "assistant", content: [toolUse("toolu_A"), toolUse("toolu_B")] },
        { role: "user", content: [toolResult("toolu_A"), toolResult("toolu_Z", "stray")] },
      ],
    });
    expect(request.messages.slice(2)).toEqual([
      { role: "tool", tool_call_id: "toolu_A", content: "result toolu_A" },
      { role: "tool", tool_call_id: "toolu_B", content: "(tool call interrupted; no result)" },
      { role: "user", content: "[tool result for toolu_Z]: stray" },
    ]);
    expect(notes).toEqual(["tool_result toolu_Z has no matching tool_use; sent as user text", "synthesized missing tool result(s)"]);
  });

  test("an unanswered call followed by a new user turn gets a synthesized result", () => {
    const out = msgs({
      messages: [
        { role: "user", content: "go" },
        { role: "assistant", content: [toolUse("toolu_A")] },
        { role: "user", content: "never mind" },
      ],
    });
    expect(out.slice(2)).toEqual([
      { role: "tool", tool_call_id: "toolu_A", content: "(tool call interrupted; no result)" },
      { role: "user", content: "never mind" },
    ]);
  });

  test("images inside tool results: placeholder in the tool message, one user message after (T4)", () => {
    const out = msgs({
      messages: [
        { role: "user", content: "look" },
        { role: "assistant", content: [toolUse("toolu_A"), toolUse("toolu_B")] },
        { role: "user", content: [toolResult("toolu_A", [{ type: "text", text: "shot:" }, IMG]), toolResult("toolu_B", [IMG])] },
      ],
    });
    expect(out.slice(2)).toEqual([
      { role: "tool", tool_call_id: "toolu_A", content: "shot:\n[image #1 attached below]" },
      { role: "tool", tool_call_id: "toolu_B", content: "[image #2 attached below]" },
      {
        role: "user",
        content: [
          { type: "text", text: "Images returned by tool calls:" },
          { type: "image_url", image_url: { url: "data:image/png;base64,iVBOR" } },
          { type: "image_url", image_url: { url: "data:image/png;base64,iVBOR" } },
        ],
      },
    ]);
  });

  test("URL images go only to servers that fetch them (T18)", () => {
    const urlImage = { type: "image", source: { type: "url", url: "https://example.invalid/a.png" } };
    const body = req({ messages: [{ role: "user", content: [urlImage] }] });
    expect(translateRequest(body, { model: "m", profile: PROFILES.vllm.translate }).request.messages).toEqual([{ role: "user", content: [{ type: "image_url", image_url: { url: "https://example.invalid/a.png" } }] }]);
    expect(translateRequest(body, { model: "m", profile: PROFILES.lmstudio.translate }).request.messages).toEqual([{ role: "user", content: "[image omitted: this backend cannot fetch https://example.invalid/a.png]" }]);
  });

  test("Ollama: gif is not sent", () => {
    const gif = { ...IMG, source: { ...IMG.source, media_type: "image/gif" } };
    const out = translateRequest(req({ messages: [{ role: "user", content: [gif] }] }), { model: "m", profile: PROFILES.ollama.translate }).request.messages;
    expect(out).toEqual([{ role: "user", content: "[image omitted: image/gif not supported by backend]" }]);
  });

  test("is_error results are marked as errors", () => {
    const out = msgs({
      messages: [
        { role: "user", content: "go" },
        { role: "assistant", content: [toolUse("toolu_A"), toolUse("toolu_B")] },
        { role: "user", content: [toolResult("toolu_A", "exit 1", { is_error: true }), toolResult("toolu_B", "Error: already", { is_error: true })] },
      ],
    });
    expect(out.slice(2).map((m) => m.content)).toEqual(["Error: exit 1", "Error: already"]);
  });

  test("empty tool input is sent as {} and empty result as (no output) (T14)", () => {
    const out = msgs({
      messages: [
        { role: "user", content: "go" },
        { role: "assistant", content: [toolUse("toolu_A", "Noop", {})] },
        { role: "user", content: [toolResult("toolu_A", "")] },
      ],
    });
    expect(out[1]).toMatchObject({ tool_calls: [{ function: { arguments: "{}" } }] });
    expect(out[2]).toEqual({ role: "tool", tool_call_id: "toolu_A", content: "(no output)" });
  });

  test("Mistral profile derives 9-character ids identically for calls and results (T5)", () => {
    const out = msgs(
      {
        messages: [
          { role: "user", content: "go" },
          { role: "assistant", content: [toolUse("toolu_A")] },
          { role: "user", content: [toolResult("toolu_A")] },
        ],
      },
      { mistralToolIds: true },
    );
    const id = mistralToolId("toolu_A");
    expect(id).toMatch(/^[A-Za-z0-9]{9}$/);
    expect(out[1]).toMatchObject({ tool_calls: [{ id }] });
    expect(out[2]).toMatchObject({ tool_call_id: id });
  });
});

describe("assistant turns", () => {
  const history = {
    messages: [
      { role: "user", content: "q" },
      { role: "assistant", content: [{ type: "thinking", thinking: "hmm", signature: "sig" }, { type: "redacted_thinking", data: "xx" }, { type: "text", text: "a" }] },
      { role: "user", content: "q2" },
    ],
  };
  test("thinking is dropped for backends that take no reasoning back (T10)", () => {
    expect(msgs(history)[1]).toEqual({ role: "assistant", content: "a" });
  });
  test("thinking is sent back as reasoning_content for llama.cpp", () => {
    const out = translateRequest(req(history), { model: "m", profile: PROFILES.llamacpp.translate }).request.messages;
    expect(out[1]).toEqual({ role: "assistant", content: "a", reasoning_content: "hmm" });
  });
  test("a trailing assistant prefill is dropped (T8)", () => {
    const { request, notes } = tr({ messages: [{ role: "user", content: "q" }, { role: "assistant", content: "Sure, " }] });
    expect(request.messages).toEqual([{ role: "user", content: "q" }]);
    expect(notes).toContain("dropped trailing assistant prefill");
  });
  test("unknown block kinds survive re-serialisation for Anthropic-format upstreams", () => {
    const body = { model: "m", max_tokens: 5, messages: [{ role: "user", content: [{ type: "brand_new_block", x: 1 }, { type: "text", text: "b" }] }] };
    expect(toWire(v.parse(MessagesRequestSchema, body))).toEqual(body);
  });
  test("consecutive user turns merge; unknown block kinds are dropped", () => {
    const out = msgs({ messages: [{ role: "user", content: "a" }, { role: "user", content: [{ type: "brand_new_block", x: 1 }, { type: "text", text: "b" }] }] });
    expect(out).toEqual([{ role: "user", content: "a\n\nb" }]);
  });
});

describe("tools and parameters", () => {
  const tools = [
    { name: "Read", description: "Read a file", input_schema: { $schema: "https://json-schema.org/draft/2020-12/schema", type: "object", properties: { url: { type: "string", format: "uri" } } }, defer_loading: true },
    { type: "web_search_20250305", name: "web_search", max_uses: 8 },
    { name: "mcp__a_very_long_server_name_for_testing__and_a_tool_name_that_is_too_long", input_schema: { type: "object" } },
  ];
  test("server tools removed, schemas cleaned, long names hashed (T13, T15, §6.4)", () => {
    const { request } = tr({ tools });
    expect(request.tools).toEqual([
      { type: "function", function: { name: "Read", description: "Read a file", parameters: { type: "object", properties: { url: { type: "string" } } } } },
      { type: "function", function: { name: toBackendToolName(tools[2]!.name), parameters: { type: "object", properties: {} } } },
    ]);
    expect(request.tools![1]!.function.name).toMatch(/^[a-zA-Z0-9_-]{1,64}$/);
  });

  const choices: [string, unknown, Partial<TranslateProfile>, unknown][] = [
    ["auto", { type: "auto" }, {}, "auto"],
    ["any → required", { type: "any" }, {}, "required"],
    ["tool → function", { type: "tool", name: "Read" }, {}, { type: "function", function: { name: "Read" } }],
    ["none", { type: "none" }, {}, "none"],
    ["any on a server without tool_choice", { type: "any" }, { toolChoice: false }, undefined],
  ];
  for (const [name, choice, profile, want] of choices) {
    test(`tool_choice ${name}`, () => expect(tr({ tools: [tools[0]], tool_choice: choice }, profile).request.tool_choice).toEqual(want as never));
  }
  test("disable_parallel_tool_use → parallel_tool_calls false; llama.cpp gets true explicitly", () => {
    expect(tr({ tools: [tools[0]], tool_choice: { type: "auto", disable_parallel_tool_use: true } }).request.parallel_tool_calls).toBe(false);
    expect(tr({ tools: [tools[0]] }, { explicitParallelToolCalls: true }).request.parallel_tool_calls).toBe(true);
    expect(tr({ tools: [tools[0]] }).request.parallel_tool_calls).toBeUndefined();
  });

  const thinking: [string, Record<string, unknown>, Partial<TranslateProfile>, object][] = [
    ["adaptive + effort → reasoning_effort", { thinking: { type: "adaptive" }, output_config: { effort: "low" } }, {}, { reasoning_effort: "low" }],
    ["adaptive + max → high", { thinking: { type: "adaptive" }, output_config: { effort: "max" } }, {}, { reasoning_effort: "high" }],
    ["enabled budget buckets", { thinking: { type: "enabled", budget_tokens: 4000 } }, {}, { reasoning_effort: "medium" }],
    ["OpenRouter budget", { thinking: { type: "enabled", budget_tokens: 4000 } }, { thinkingStyle: "openrouter" }, { reasoning: { max_tokens: 4000 } }],
    ["OpenRouter disabled", { thinking: { type: "disabled" } }, { thinkingStyle: "openrouter" }, { reasoning: { enabled: false } }],
    ["template kwargs on", { thinking: { type: "adaptive" } }, { thinkingStyle: "template_kwargs" }, { chat_template_kwargs: { enable_thinking: true } }],
    ["template kwargs off", { thinking: { type: "disabled" } }, { thinkingStyle: "template_kwargs" }, { chat_template_kwargs: { enable_thinking: false } }],
  ];
  for (const [name, over, profile, want] of thinking) {
    test(`thinking: ${name}`, () => expect(tr(over, profile).request).toMatchObject(want));
  }

  test("streaming asks for usage; sampling passes through; stop sequences stay with the proxy (T9); max_tokens 0 becomes 1", () => {
    const { request } = tr({ stream: true, temperature: 0.2, top_p: 0.9, stop_sequences: ["END"], max_tokens: 0 });
    expect(request).toMatchObject({ model: "local", stream: true, stream_options: { include_usage: true }, temperature: 0.2, top_p: 0.9, max_tokens: 1 });
    expect(request.stop).toBeUndefined();
    expect(tr({}).request.stream_options).toBeUndefined();
  });
});

describe("captured Claude Code requests", () => {
  for (const name of ["print-mode-hello", "print-mode-bash-tool-result", "interactive-hello"]) {
    test(name, () => {
      const fixture = loadFixture(name);
      const body = v.parse(MessagesRequestSchema, fixture.body);
      const { request } = translateRequest(body, { model: "local", profile: DEFAULT_PROFILE });
      const text = JSON.stringify(request);
      expect(text).not.toContain("x-anthropic-billing-header");
      expect(request.messages[0]!.role).toBe("system");
      expect(request.messages.filter((m) => m.role === "system")).toHaveLength(1);
      // Roles alternate (tool messages aside) and the prompt ends with a user or tool turn.
      const roles = request.messages.map((m) => m.role).filter((r) => r !== "tool");
      for (let i = 1; i < roles.length; i++) expect(roles[i]).not.toBe(roles[i - 1]);
      expect(["user", "tool"]).toContain(request.messages.at(-1)!.role);
      expect(request.tools!.length).toBeGreaterThan(5);
      for (const t of request.tools!) expect(JSON.stringify(t.function.parameters)).not.toContain("$schema");
      // Byte-identical translation of the same input: prefix caches depend on it.
      expect(JSON.stringify(translateRequest(body, { model: "local", profile: DEFAULT_PROFILE }).request)).toBe(text);
    });
  }
  test("the Bash tool result goes back as a role:tool message", () => {
    const body = v.parse(MessagesRequestSchema, loadFixture("print-mode-bash-tool-result").body);
    const { request } = translateRequest(body, { model: "local", profile: DEFAULT_PROFILE });
    expect(request.messages.slice(-2)).toEqual([
      { role: "assistant", content: "Let me look.", tool_calls: [{ id: "toolu_011", type: "function", function: { name: "Bash", arguments: '{"command":"ls","description":"List files"}' } }] },
      { role: "tool", tool_call_id: "toolu_011", content: "a.txt" },
    ]);
  });
  test("the first turn's prompt is a prefix of the follow-up's (prefix cache stays valid)", () => {
    const hello = translateRequest(v.parse(MessagesRequestSchema, loadFixture("print-mode-hello").body), { model: "local", profile: DEFAULT_PROFILE }).request;
    const follow = translateRequest(v.parse(MessagesRequestSchema, loadFixture("print-mode-bash-tool-result").body), { model: "local", profile: DEFAULT_PROFILE }).request;
    expect(follow.messages[0]).toEqual(hello.messages[0]!);
    expect(JSON.stringify(follow.tools)).toBe(JSON.stringify(hello.tools));
  });
});
