// Bad requests get a clear Anthropic error, and the server keeps serving.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { textReply } from "../helpers/chunks.ts";
import { loadFixture } from "../helpers/fixtures.ts";
import { startProxy } from "../helpers/proxy.ts";
import { startUpstream, type Upstream } from "../helpers/upstream.ts";
import type { Listening } from "../../src/runtime/serve.ts";

let upstream: Upstream;
let proxy: Listening;
beforeAll(async () => {
  upstream = await startUpstream(() => textReply("fine"));
  proxy = await startProxy({ upstreamUrl: upstream.url });
});
afterAll(async () => {
  await proxy.stop();
  await upstream.stop();
});

const post = (body: string | Uint8Array, path = "/v1/messages?beta=true", headers: Record<string, string> = {}) =>
  fetch(`${proxy.url}${path}`, { method: "POST", headers: { "content-type": "application/json", ...headers }, body });

const valid = { model: "claude-x", max_tokens: 10, messages: [{ role: "user", content: "hi" }] };

async function expectError(res: Response, status: number, type: string, message: RegExp) {
  expect(res.status).toBe(status);
  const body = (await res.json()) as { type: string; error: { type: string; message: string }; request_id: string };
  expect(body.type).toBe("error");
  expect(body.error.type).toBe(type);
  expect(body.error.message).toMatch(message);
  expect(body.request_id).toMatch(/^req_/);
}

describe("bad input", () => {
  const cases: [string, string, number, string, RegExp][] = [
    ["malformed JSON", '{"model": "x", ', 400, "invalid_request_error", /not valid JSON/],
    ["empty body", "", 400, "invalid_request_error", /empty/],
    ["JSON array", "[1,2]", 400, "invalid_request_error", /must be a JSON object/],
    ["max_tokens as string", JSON.stringify({ ...valid, max_tokens: "10" }), 400, "invalid_request_error", /^max_tokens: Invalid type/],
    ["missing model", JSON.stringify({ max_tokens: 10, messages: valid.messages }), 400, "invalid_request_error", /^model:/],
    ["empty messages array", JSON.stringify({ ...valid, messages: [] }), 400, "invalid_request_error", /^messages: at least one message is required$/],
    ["bad role", JSON.stringify({ ...valid, messages: [{ role: "robot", content: "x" }] }), 400, "invalid_request_error", /^messages\.0\.role/],
    ["text block with a number", JSON.stringify({ ...valid, messages: [{ role: "user", content: [{ type: "text", text: 5 }] }] }), 400, "invalid_request_error", /^messages\.0\.content\.0\.text: Invalid type: Expected string but received 5/],
    ["tool_use without id", JSON.stringify({ ...valid, messages: [{ role: "assistant", content: [{ type: "tool_use", name: "x", input: {} }] }] }), 400, "invalid_request_error", /^messages\.0\.content\.0\.id/],
    ["stream as string", JSON.stringify({ ...valid, stream: "yes" }), 400, "invalid_request_error", /^stream:/],
    ["thinking of unknown type", JSON.stringify({ ...valid, thinking: { type: "sometimes" } }), 400, "invalid_request_error", /^thinking\.type/],
  ];
  for (const [name, body, status, type, message] of cases) {
    test(name, async () => expectError(await post(body), status, type, message));
  }

  test("a 40 MB body gets 413 request_too_large", async () => {
    const huge = JSON.stringify({ ...valid, messages: [{ role: "user", content: "x".repeat(40 * 1024 * 1024) }] });
    await expectError(await post(huge), 413, "request_too_large", /exceeds/);
  });

  test("a tool_result without its tool_use is answered (sent as user text), not rejected", async () => {
    const before = upstream.requests.length;
    const res = await post(JSON.stringify({ ...valid, messages: [{ role: "user", content: [{ type: "tool_result", tool_use_id: "toolu_nope", content: "orphan" }] }] }));
    expect(res.status).toBe(200);
    expect(upstream.requests[before]!.messages).toEqual([{ role: "user", content: "[tool result for toolu_nope]: orphan" }]);
  });

  test("count_tokens validates too", async () => {
    await expectError(await post("{", "/v1/messages/count_tokens"), 400, "invalid_request_error", /not valid JSON/);
  });

  test("unknown routes are Anthropic 404s", async () => {
    await expectError(await post("{}", "/v1/complete"), 404, "not_found_error", /no route/);
  });

  test("unknown top-level fields and beta headers are ignored", async () => {
    const res = await post(JSON.stringify({ ...valid, brand_new_field: { x: 1 }, context_management: { edits: [] } }), undefined, {
      "anthropic-beta": "claude-code-20250219,some-future-beta-2027-01-01",
    });
    expect(res.status).toBe(200);
  });

  test("the server still serves after all of the above, including a real captured request", async () => {
    const fixture = loadFixture("interactive-hello");
    const res = await post(JSON.stringify(fixture.body));
    expect(res.status).toBe(200);
    expect(await res.text()).toContain("message_stop");
  });
});
