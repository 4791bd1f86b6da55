// Under Node the proxy collects its heap once it has been quiet for a second after a burst
// (src/runtime/node-collector.ts, idle-collector.ts). Run in real Node: a Hono app answering with
// streamSSE, as the proxy does, behind listen(); the ArrayBuffers still alive after the quiet
// second tell whether the streams of the burst and the bodies they keep were freed.
import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { ROOT } from "../helpers/processes.ts";
import { nodeReleases } from "../helpers/node-releases.ts";
import { runUnderNode } from "../helpers/under-node.ts";

const hono = (path: string) => JSON.stringify(pathToFileURL(join(ROOT, "node_modules/hono/dist", path)).href);
const SCRIPT = `
import { Hono } from ${hono("index.js")};
import { streamSSE } from ${hono("helper/streaming/index.js")};
import { listen } from "./serve.js";
const app = new Hono();
app.post("/", async (c) => {
  const body = new Uint8Array(await c.req.arrayBuffer());
  return streamSSE(c, async (s) => {
    await s.write(body.subarray(0, 16));
    await s.write("data: end\\n\\n");
  });
});
const server = await listen(app.fetch, { hostname: "127.0.0.1", port: 0, collectWhenIdle: process.argv[2] === "collect" });
const quiet = () => new Promise((r) => setTimeout(r, 1600));
await quiet(); // past the collection after start-up: only one after the burst can free it
const payload = "x".repeat(32 * 1024);
for (let i = 0; i < 100; i++) await (await fetch(server.url, { method: "POST", body: payload })).text();
await quiet();
console.log(process.memoryUsage().arrayBuffers);
await server.stop();
`;

async function arrayBuffersAfterQuiet(node: string, variant: "collect" | "plain"): Promise<number> {
  return runUnderNode<number>({ name: "node-idle", entrypoints: [join(ROOT, "src/runtime/serve.ts")], script: SCRIPT, args: [variant], node });
}

const MB = 1024 * 1024;

for (const node of nodeReleases())
  describe(node.name, () => {
    test("a second after a burst, the streams of its answers and the bodies they kept are freed", async () => {
      expect(await arrayBuffersAfterQuiet(node.bin, "collect")).toBeLessThan(0.5 * MB);
    }, 30_000);

    test("the measure can tell: without the idle collection they are still there", async () => {
      expect(await arrayBuffersAfterQuiet(node.bin, "plain")).toBeGreaterThan(1 * MB);
    }, 30_000);
  });
