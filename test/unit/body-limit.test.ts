// The request size limit: decided from Content-Length without touching the body, counted as it
// arrives otherwise; either way the same answers as Hono's bodyLimit.
import { describe, expect, test } from "bun:test";
import { Hono } from "hono";
import { requestSizeLimit } from "../../src/server/body-limit.ts";

const MAX = 10;
function app() {
  const a = new Hono();
  a.post("/", requestSizeLimit(MAX, (c) => c.text("too large", 413)), async (c) => c.text(`read ${(await c.req.text()).length}`));
  return a;
}

describe("requestSizeLimit", () => {
  const chunked = (text: string) =>
    new ReadableStream<Uint8Array>({
      start(c) {
        for (const ch of text) c.enqueue(new TextEncoder().encode(ch));
        c.close();
      },
    });
  // A Request built here carries no Content-Length of its own: the server's would.
  const declared = (body: string, length = body.length) => new Request("http://x/", { method: "POST", body, headers: { "content-length": String(length) } });
  const cases: [string, () => Request, number, string][] = [
    ["declared length under the limit", () => declared("12345"), 200, "read 5"],
    ["declared length at the limit", () => declared("1234567890"), 200, "read 10"],
    ["declared length over the limit", () => declared("12345678901"), 413, "too large"],
    ["a declared length is believed", () => declared("1", 11), 413, "too large"],
    ["declared with Transfer-Encoding: counted", () => new Request("http://x/", { method: "POST", body: "12345678901", headers: { "content-length": "1", "transfer-encoding": "chunked" } }), 413, "too large"],
    ["no body", () => new Request("http://x/", { method: "POST" }), 200, "read 0"],
    ["chunked under the limit", () => new Request("http://x/", { method: "POST", body: chunked("12345"), duplex: "half" } as RequestInit), 200, "read 5"],
    ["chunked over the limit", () => new Request("http://x/", { method: "POST", body: chunked("12345678901"), duplex: "half" } as RequestInit), 413, "too large"],
  ];
  for (const [name, request, status, text] of cases)
    test(name, async () => {
      const res = await app().fetch(request());
      expect([res.status, await res.text()]).toEqual([status, text]);
    });

  // Under @hono/node-server asking for `body` builds a second, slower request (see body-limit.ts).
  test("a declared length never asks for the request's body stream", async () => {
    const req = declared("12345");
    Object.defineProperty(req, "body", {
      get() {
        throw new Error("body stream asked for");
      },
    });
    const res = await app().fetch(req);
    expect([res.status, await res.text()]).toEqual([200, "read 5"]);
  });
});
