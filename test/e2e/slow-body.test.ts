// Held-out attack on issue 9 (2): twenty bodies that trickle in a byte at a time (slowloris)
// neither stop other requests from being served nor keep SIGTERM from ending serve at once.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { connect, type Socket } from "node:net";
import { textReply } from "../helpers/chunks.ts";
import { gone, startServe } from "../helpers/processes.ts";
import { startUpstream, type Upstream } from "../helpers/upstream.ts";

let upstream: Upstream;
beforeAll(async () => {
  upstream = await startUpstream(() => textReply("ok"));
});
afterAll(async () => {
  await upstream.stop();
});

test("slow bodies: others are served, and SIGTERM still ends serve with exit 0", async () => {
  const serve = await startServe(["--mode", "openai", "--base-url", upstream.url, "--model", "test-model"]);
  const port = Number(new URL(serve.url).port);
  const sockets: Socket[] = [];
  for (let i = 0; i < 20; i++) {
    const s = connect(port, "127.0.0.1");
    s.on("error", () => {});
    s.write(`POST /v1/messages HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{"model":`);
    sockets.push(s);
  }
  const trickle = setInterval(() => sockets.forEach((s) => s.write(" ")), 50);
  try {
    const res = await fetch(`${serve.url}/v1/messages`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ model: "claude-x", max_tokens: 5, messages: [{ role: "user", content: "hi" }] }) });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { content: { text: string }[] }).content[0]!.text).toBe("ok");
    serve.proc.kill("SIGTERM");
    // Generous: the point is seconds, not waiting for the slow clients to finish.
    const stopped = await gone(serve.proc.pid, 10_000);
    if (!stopped) serve.proc.kill("SIGKILL");
    expect(stopped).toBe(true);
    expect(serve.proc.exitCode).toBe(0);
  } finally {
    clearInterval(trickle);
    for (const s of sockets) s.destroy();
  }
}, 60_000);
