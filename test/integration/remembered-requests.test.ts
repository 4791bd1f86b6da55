// Through the app and the OpenAI-compatible backend, a session of requests in which the tool list,
// the system prompt and the conversation's first messages are remembered: every upstream request
// is the translation of the body read from scratch, key order included, and so is every answer.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import * as v from "valibot";
import { PROFILES, profileForModel } from "../../src/backends/profiles.ts";
import type { Listening } from "../../src/runtime/serve.ts";
import { MessagesRequestSchema } from "../../src/protocol/anthropic.ts";
import { translateRequest } from "../../src/translate/request.ts";
import { textReply } from "../helpers/chunks.ts";
import { loadFixture } from "../helpers/fixtures.ts";
import { startProxy } from "../helpers/proxy.ts";
import { startUpstream, type Upstream } from "../helpers/upstream.ts";

type Body = Record<string, unknown> & { messages: unknown[]; system: { text: string }[]; tools: { description: string }[] };
const fixture = (name: string) => loadFixture(name).body as Body;

let upstream: Upstream;
let proxy: Listening;
beforeAll(async () => {
  upstream = await startUpstream(() => textReply("ok"));
  proxy = await startProxy({ upstreamUrl: upstream.url });
});
afterAll(async () => {
  await proxy.stop();
  await upstream.stop();
});

describe("a session with remembered parts", () => {
  const hello = fixture("print-mode-hello");
  const bash = fixture("print-mode-bash-tool-result");
  const edited = (body: Body, edit: (b: Body) => void) => {
    const copy = structuredClone(body);
    edit(copy);
    return copy;
  };
  const session: [string, object][] = [
    ["the first turn", hello],
    ["the same again", hello],
    ["the next turn", bash],
    ["another conversation in between", fixture("interactive-hello")],
    ["the turn after", { ...bash, messages: [...bash.messages, { role: "assistant", content: "a.txt it is." }, { role: "user", content: "thanks" }] }],
    ["a tool's description changed", edited(bash, (b) => (b.tools[3]!.description += "!"))],
    ["one letter deep in the system prompt", edited(bash, (b) => (b.system[2]!.text = b.system[2]!.text.replace("agent", "agenT")))],
    ["the first turn once more", hello],
  ];
  for (const [name, body] of session)
    test(name, async () => {
      const before = upstream.requests.length;
      const res = await fetch(`${proxy.url}/v1/messages`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ ...body, stream: true }) });
      expect(res.status).toBe(200);
      expect(await res.text()).toContain('"text":"ok"');
      const profile = profileForModel(PROFILES.openai, "test-model");
      const expected = translateRequest(v.parse(MessagesRequestSchema, { ...body, stream: true }), { model: "test-model", profile }).request;
      expect(upstream.requests.length).toBe(before + 1);
      expect(JSON.stringify(upstream.requests.at(-1))).toBe(JSON.stringify(expected));
    });
});

describe("a request retried while another is sent", () => {
  test("the retry sends its own body: the buffer the other is written into is not the one held", async () => {
    const a = fixture("print-mode-bash-tool-result");
    const b = fixture("interactive-hello");
    let refused = false;
    const other = await startUpstream((req) => {
      const last = JSON.stringify(req.messages.at(-1));
      if (!refused && last.includes("retry me")) {
        refused = true;
        return { kind: "text", status: 503, body: "busy" };
      }
      return textReply("ok");
    });
    const retrying = await startProxy({ upstreamUrl: other.url });
    try {
      const send = (body: object) =>
        fetch(`${retrying.url}/v1/messages`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ ...body, stream: true }) }).then((r) => r.text());
      const first = { ...a, messages: [...a.messages, { role: "user", content: "retry me" }] };
      await send(a); // its conversation's run is in the reused buffer
      const held = send(first);
      while (!refused) await Bun.sleep(5);
      expect(await send(b)).toContain('"text":"ok"'); // while the first waits to retry
      expect(await held).toContain('"text":"ok"');
      const profile = profileForModel(PROFILES.openai, "test-model");
      const expected = (body: object) => JSON.stringify(translateRequest(v.parse(MessagesRequestSchema, { ...body, stream: true }), { model: "test-model", profile }).request);
      expect(other.requests.map((r) => JSON.stringify(r))).toEqual([a, first, b, first].map(expected));
    } finally {
      await retrying.stop();
      await other.stop();
    }
  });
});
