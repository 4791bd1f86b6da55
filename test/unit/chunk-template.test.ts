// The chunk fast path must mean exactly what the full path means: every message of every real
// stream (the wire corpus, the frozen scenarios) and adversarial lines go through readMessage with
// the stream's templates and with none, and the two items must be the same, down to key order.
import { describe, expect, test } from "bun:test";
import { ChunkTemplates } from "../../src/backends/chunk-template.ts";
import { type Decoded, decodeBatches, readMessage } from "../../src/backends/decode.ts";
import { SseLineParser, type SseMessage } from "../../src/backends/sse-reader.ts";
import { loadGoldens } from "../helpers/golden.ts";
import { loadWireCorpus } from "../helpers/wire-corpus.ts";

/** Runs a stream's messages both ways; returns how many took the fast path. */
function compareStream(messages: SseMessage[]): number {
  const templates = new ChunkTemplates();
  let fast = 0;
  for (const m of messages) {
    const slow = readMessage(m, "srv", new ChunkTemplates());
    // In place, as decodeBatches matches a message inside its network read: the same as on its own.
    const inPlace = templates.matchIn(`data: ${m.data}\n\n`, 6, 6 + m.data.length);
    expect(inPlace).toStrictEqual(templates.match(m.data));
    if (m.event !== "error" && inPlace !== undefined) fast++;
    const got = readMessage(m, "srv", templates);
    expect({ data: m.data, item: got }).toStrictEqual({ data: m.data, item: slow });
    expect(JSON.stringify(got)).toBe(JSON.stringify(slow));
  }
  return fast;
}

const parse = (text: string): SseMessage[] => {
  const p = new SseLineParser();
  return [...p.feed(text), ...p.end()];
};
const data = (lines: string[]): SseMessage[] => lines.map((d) => ({ event: "message", data: d }));

/** decodeBatches' items for a body arriving in reads of `size` bytes. */
async function decoded(bytes: Buffer, size: number): Promise<Decoded[]> {
  const body = new ReadableStream<Uint8Array>({
    start(c) {
      for (let i = 0; i < bytes.length; i += size) c.enqueue(new Uint8Array(bytes.subarray(i, i + size)));
      c.close();
    },
  });
  const items: Decoded[] = [];
  const response = new Response(body, { headers: { "content-type": "text/event-stream" } });
  for await (const batch of decodeBatches(response, { backend: "srv", idleMs: 10_000, streamRequested: true })) items.push(...batch);
  return items;
}

/** The full path: each message parsed on its own, up to the first item that ends the stream. */
function slowItems(text: string): Decoded[] {
  const items: Decoded[] = [];
  for (const m of parse(text)) {
    const item = readMessage(m, "srv", new ChunkTemplates());
    items.push(item);
    if (item.kind !== "chunk") return items;
  }
  return [...items, { kind: "end", complete: false }];
}

const streamedFixtures = (): Buffer[] =>
  loadWireCorpus().flatMap((f) =>
    f.responses
      .filter((r) => (r.headers["content-type"] ?? "").includes("event-stream"))
      .map((r) => Buffer.concat(r.body.map((b) => (typeof b === "string" ? Buffer.from(b) : "base64" in b ? Buffer.from(b.base64, "base64") : Buffer.alloc(0))))),
  );

describe("decodeBatches, which matches chunks in place in each read, agrees with the full path", () => {
  test("every streamed wire fixture, whole and cut into reads of 1, 7 and 64 bytes", async () => {
    for (const bytes of streamedFixtures()) {
      const slow = JSON.stringify(slowItems(bytes.toString("utf8")));
      for (const size of [bytes.length || 1, 1, 7, 64]) expect(JSON.stringify(await decoded(bytes, size))).toBe(slow);
    }
  });
});

describe("the chunk fast path agrees with the full path", () => {
  test("every message of every streamed wire fixture and frozen scenario", () => {
    let fast = 0;
    let streams = 0;
    for (const f of loadWireCorpus())
      for (const r of f.responses) {
        if (!(r.headers["content-type"] ?? "").includes("event-stream")) continue;
        const bytes = Buffer.concat(r.body.map((b) => (typeof b === "string" ? Buffer.from(b) : "base64" in b ? Buffer.from(b.base64, "base64") : Buffer.alloc(0))));
        fast += compareStream(parse(bytes.toString("utf8")));
        streams++;
      }
    for (const { golden } of loadGoldens())
      for (const reply of golden.replies) {
        if (reply.kind !== "sse") continue;
        const text = reply.frames.map((f) => (typeof f === "string" ? `data: ${f}\n\n` : "raw" in f ? Buffer.from(f.raw).toString("utf8") : "")).join("");
        fast += compareStream(parse(text));
        streams++;
      }
    expect(streams).toBeGreaterThan(50);
    // The fast path is taken on real streams, not only allowed.
    expect(fast).toBeGreaterThan(200);
  });

  const T = '{"id":"c1","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"content":"hello"},"finish_reason":null}]}';
  const withBody = (body: string) => T.replace('"content":"hello"', `"content":"${body}"`);
  const bodies: [string, string][] = [
    ["plain", "world"],
    ["empty", ""],
    ["an escaped quote and key inside", String.raw`a\",\"content\":\"b`],
    ["an unescaped quote and key: a duplicate key, the last wins", 'a","content":"b'],
    ["escaped quote", String.raw`say \"hi\"`],
    ["escaped backslash", String.raw`C:\\dir`],
    ["trailing backslash (invalid)", "abc\\"],
    ["escaped backslash before the end", "abc\\\\"],
    ["\\u0000", String.raw`a\u0000b`],
    ["a raw control character (invalid)", "a\u0001b"],
    ["a raw newline (invalid)", "a\nb"],
    ["a raw tab (invalid)", "a\tb"],
    ["U+2028 and U+2029 raw", "a\u2028b\u2029c"],
    ["an emoji raw", "ok 🎉"],
    ["an emoji as an escaped surrogate pair", String.raw`\ud83c\udf89`],
    ["a lone high surrogate escaped", String.raw`x\ud83c`],
    ["a lone low surrogate escaped", String.raw`\udf89x`],
    ["a lone surrogate raw", "x\ud83cy"],
    ["Go's HTML escapes", String.raw`\u003cthink\u003e \u0026`],
    ["escaped slash and the short escapes", String.raw`\/\b\f\n\r\t`],
    ["an invalid escape", String.raw`\x41`],
    ["a short \\u escape", String.raw`\u12`],
    ["the sentinel itself", "anyclaude:chunk-template:sentinel"],
  ];
  for (const [name, body] of bodies)
    test(`content: ${name}`, () => {
      compareStream(data([T, withBody(body), T]));
    });

  test("an emoji split across two chunks, as escaped halves and as raw halves", () => {
    compareStream(data([T, withBody(String.raw`a\ud83c`), withBody(String.raw`\udf89b`), withBody("a\ud83c"), withBody("\udf89b")]));
  });

  test("valid bodies take the fast path; invalid ones do not", () => {
    const t = new ChunkTemplates();
    t.learn(T, JSON.parse(T));
    expect(t.match(withBody(String.raw`say \"hi\" \ud83c`))).toBeDefined();
    expect(t.match(withBody('a","content":"b'))).toBeUndefined();
    expect(t.match(withBody("abc\\"))).toBeUndefined();
    expect(t.match(withBody("a\u0001b"))).toBeUndefined();
  });

  const others: [string, string][] = [
    ["keys reordered", '{"choices":[{"delta":{"content":"x"},"index":0,"finish_reason":null}],"id":"c1","object":"chat.completion.chunk","created":1,"model":"m"}'],
    ["an extra field", T.replace('"model":"m"', '"model":"m","system_fingerprint":"fp"')],
    ["created ticks", T.replace('"created":1', '"created":2')],
    ["finish_reason set", T.replace('"finish_reason":null', '"finish_reason":"stop"')],
    ["finish_reason error", T.replace('"finish_reason":null', '"finish_reason":"error"')],
    ["usage present", T.replace('"model":"m"', '"model":"m","usage":{"prompt_tokens":3,"completion_tokens":1}')],
    ["tool_calls", T.replace('"content":"hello"', '"content":null,"tool_calls":[{"index":0,"id":"t1","function":{"name":"Bash","arguments":"{}"}}]')],
    ["reasoning", T.replace('"content":"hello"', '"reasoning_content":"hmm"')],
    ["content not a string", T.replace('"content":"hello"', '"content":5')],
    ["a second choice", T.replace('"finish_reason":null}]', '"finish_reason":null},{"index":1,"delta":{"content":"b"}}]')],
    ["an error object", '{"object":"error","message":"boom","code":500}'],
    ["whitespace around the JSON", ` ${T} `],
    ["not JSON", "{oops"],
    ["[DONE]", "[DONE]"],
  ];
  for (const [name, line] of others)
    test(`after a template: ${name}`, () => {
      compareStream(data([T, line, withBody("again"), line]));
    });

  test("an `error` event with the template's shape is still an error", () => {
    compareStream([{ event: "message", data: T }, { event: "error", data: withBody("x") }]);
  });

  test("templates on other strings and shapes", () => {
    // reasoning fields vary too
    const r = T.replace('"content":"hello"', '"content":null,"reasoning_content":"think"');
    compareStream(data([r, r.replace('"think"', '"more \\"x\\""'), T, r]));
    // spaces around keys and colons
    const spaced = '{ "choices" : [ { "index" : 0, "delta" : { "content" : "a" } } ] }';
    compareStream(data([spaced, spaced.replace('"a"', '"b"')]));
    // a duplicate key: the earlier literal is not the one JSON.parse keeps
    const dup = '{"choices":[{"delta":{"content":"a","content":"a"}}]}';
    compareStream(data([dup, '{"choices":[{"delta":{"content":"X","content":"a"}}]}', '{"choices":[{"delta":{"content":"a","content":"X"}}]}']));
    // the same duplicate with the sentinel as the value
    const s = "anyclaude:chunk-template:sentinel";
    compareStream(data([`{"choices":[{"delta":{"content":"${s}","content":"${s}"}}]}`, `{"choices":[{"delta":{"content":"X","content":"${s}"}}]}`]));
    // a later duplicate spelled with an escape is no candidate: only the value check keeps the earlier literal out
    const esc = String.raw`"cont\u0065nt"`;
    compareStream(data([`{"choices":[{"delta":{"content":"a",${esc}:"a"}}]}`, `{"choices":[{"delta":{"content":"X",${esc}:"a"}}]}`]));
    compareStream(data([`{"choices":[{"delta":{"content":"${s}",${esc}:"${s}"}}]}`, `{"choices":[{"delta":{"content":"X",${esc}:"${s}"}}]}`]));
    // "content" in another place before and after the delta's
    const nested = '{"model":"content","choices":[{"delta":{"content":"a"},"message":{"content":"a"}}],"x":{"content":"a"}}';
    compareStream(data([nested, nested.replace('"delta":{"content":"a"}', '"delta":{"content":"b"}'), nested.replace('"x":{"content":"a"}', '"x":{"content":"b"}')]));
    // a __proto__ key is an own property for JSON.parse
    const proto = '{"__proto__":{"x":1},"choices":[{"delta":{"content":"a"}}]}';
    compareStream(data([proto, proto.replace('"a"', '"b"')]));
  });

  test("a stream whose chunks differ elsewhere every time stays exact (and stops learning)", () => {
    const lines = Array.from({ length: 200 }, (_, i) => T.replace('"created":1', `"created":${i}`).replace('"hello"', `"t${i}"`));
    expect(compareStream(data(lines))).toBe(0);
  });

  test("a matched chunk shares no writable part with the template", () => {
    const t = new ChunkTemplates();
    t.learn(T, JSON.parse(T));
    const a = t.match(withBody("a"))!;
    const b = t.match(withBody("b"))!;
    expect(a.choices![0]!.delta!.content).toBe("a");
    expect(b.choices![0]!.delta!.content).toBe("b");
    expect(a.choices).not.toBe(b.choices);
    expect(a.choices![0]).not.toBe(b.choices![0]);
    // What a consumer writes to one chunk's own parts never reaches the next chunk.
    const w = a as unknown as { model: string; choices: { index: number; delta: Record<string, unknown> }[] };
    w.model = "changed";
    w.choices[0]!.index = 9;
    w.choices[0]!.delta.role = "user";
    expect(t.match(withBody("c"))).toStrictEqual(JSON.parse(withBody("c")));
  });
});
