// `serve` stops on SIGTERM/SIGINT while it is counting the tokens of a 30 MB body.
import { afterAll, beforeAll, expect, test } from "bun:test";
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

function base64(chars: number): string {
  const bytes = new Uint8Array(Math.ceil((chars * 3) / 4));
  for (let i = 0; i < bytes.length; i += 65_536) crypto.getRandomValues(bytes.subarray(i, i + 65_536));
  return Buffer.from(bytes).toString("base64").slice(0, chars);
}

for (const signal of ["SIGTERM", "SIGINT"] as const) {
  test(`${signal} during the count of a 30 MB body: serve exits 0 at once`, async () => {
    // The upstream lists a 32k window, so the body is counted.
    const serve = await startServe(["--mode", "openai", "--base-url", upstream.url, "--model", "test-model", "--debug"]);
    const body = JSON.stringify({ model: "claude-x", max_tokens: 10, messages: [{ role: "user", content: [{ type: "text", text: base64(15_000_000) }, { type: "text", text: "y".repeat(15_000_000) }] }] });
    const big = fetch(`${serve.url}/v1/messages`, { method: "POST", headers: { "content-type": "application/json" }, body }).then(
      (r) => r.status,
      () => "closed",
    );
    while (!serve.output().includes("context: counting the tokens")) await Bun.sleep(20);
    serve.proc.kill(signal);
    // Generous: the point is seconds, not the minutes a blocked event loop would take.
    const stopped = await gone(serve.proc.pid, 10_000);
    if (!stopped) serve.proc.kill("SIGKILL");
    expect(stopped).toBe(true);
    expect(serve.proc.exitCode).toBe(0);
    expect([400, "closed"]).toContain(await big);
  }, 60_000);
}
