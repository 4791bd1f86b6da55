// No secret in any log line: run with the most verbose logging, use keys everywhere, grep all output.
import { expect, test } from "bun:test";
import { join } from "node:path";
import { textReply } from "../helpers/chunks.ts";
import { BUN, ROOT, startServe } from "../helpers/processes.ts";
import { startUpstream } from "../helpers/upstream.ts";

const SECRETS = ["sk-upstream-SECRET-1111", "sk-or-SECRET-2222", "sk-ant-SECRET-3333", "bearer-SECRET-4444"];

test("keys from flags, env and request headers never reach the output", async () => {
  const upstream = await startUpstream(() => textReply("ok"));
  const env = { ...process.env, ANYCLAUDE_DEBUG: "2", OPENROUTER_API_KEY: SECRETS[1]!, NO_COLOR: "1" };
  Object.assign(process.env, { ANYCLAUDE_DEBUG: "2", OPENROUTER_API_KEY: SECRETS[1] });
  const serve = await startServe(["--mode", "openai", "--base-url", upstream.url, "--api-key", SECRETS[0]!, "--debug"]);
  try {
    for (const body of [JSON.stringify({ model: "claude-x", max_tokens: 5, stream: true, messages: [{ role: "user", content: "hi" }] }), "{broken"]) {
      await fetch(`${serve.url}/v1/messages`, { method: "POST", headers: { "content-type": "application/json", "x-api-key": SECRETS[2]!, authorization: `Bearer ${SECRETS[3]}` }, body }).then((r) => r.text());
    }
    const config = Bun.spawnSync([BUN, join(ROOT, "src/cli.ts"), "config", "--mode", "openrouter", "--api-key", SECRETS[0]!], { env });
    const output = serve.output() + config.stdout.toString() + config.stderr.toString();
    expect(output).toContain("→ openai"); // the run really logged
    expect(config.stdout.toString()).toContain("<redacted>");
    for (const secret of SECRETS) expect(output).not.toContain(secret);
    // …and the upstream key was really used.
    expect(upstream.headers[0]!.authorization).toBe(`Bearer ${SECRETS[0]}`);
  } finally {
    delete process.env.ANYCLAUDE_DEBUG;
    delete process.env.OPENROUTER_API_KEY;
    await serve.stop();
    await upstream.stop();
  }
});
