// The translator's notes reach the log on every path (issue 14 item 2), and a cut-off call comes
// back to the client as the note, never as a tool_use (issue 9), streamed or not.
import { afterEach, describe, expect, test } from "bun:test";
import { createConsola, type LogObject, LogLevels } from "consola";
import { chunk, DONE, finish, sse, text, toolArgs, toolStart, usageChunk } from "../helpers/chunks.ts";
import { loadFixture } from "../helpers/fixtures.ts";
import { assertGrammar } from "../helpers/grammar.ts";
import { startProxy } from "../helpers/proxy.ts";
import { cutOffNote } from "../../src/translate/tool-args.ts";
import { type Reply, startUpstream } from "../helpers/upstream.ts";

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0)) await f();
});

/** A proxy whose backend logs into `lines`, against an upstream that always gives `reply`. */
async function setup(reply: Reply) {
  const lines: { level: string; message: string }[] = [];
  const logger = createConsola({
    level: LogLevels.debug,
    reporters: [{ log: (o: LogObject) => void lines.push({ level: o.type, message: o.args.join(" ") }) }],
  });
  const upstream = await startUpstream([reply]);
  const proxy = await startProxy({ upstreamUrl: upstream.url, backend: { logger } });
  cleanup.push(() => upstream.stop(), () => proxy.stop());
  return { lines, url: `${proxy.url}/v1/messages`, upstream };
}

/** The captured Claude Code request (it declares Bash), streamed or not. */
function ask(url: string, stream: boolean) {
  const body = { ...loadFixture("print-mode-hello").body, stream };
  return fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
}

const events = (sseText: string) => [...sseText.matchAll(/^data: (.*)$/gm)].map((m) => JSON.parse(m[1]!));

/** The same tool call as an SSE stream and as one chat.completion JSON body (servers ignoring `stream`). */
function replies(args: string, content: string | null = null): [string, Reply][] {
  const json: Reply = {
    kind: "json",
    body: {
      id: "chatcmpl-1",
      object: "chat.completion",
      choices: [{ index: 0, message: { role: "assistant", content, tool_calls: [{ id: "call_1", type: "function", function: { name: "Bash", arguments: args } }] }, finish_reason: "tool_calls" }],
      usage: { prompt_tokens: 100, completion_tokens: 10 },
    },
  };
  const streamed = sse(chunk({ role: "assistant", content: "" }), ...(content ? [text(content)] : []), toolStart(0, "call_1", "Bash", args.slice(0, 9)), toolArgs(0, args.slice(9)), finish("tool_calls"), usageChunk(100, 10), DONE);
  return [
    ["streamed upstream", streamed],
    ["JSON upstream", json],
  ];
}

describe("translator notes reach the log", () => {
  for (const [name, reply] of replies("{'command': 'ls', 'description': 'List files',}")) {
    for (const stream of [true, false]) {
      test(`a repaired call is logged: ${name}, ${stream ? "streaming" : "non-streaming"} client`, async () => {
        const { lines, url } = await setup(reply);
        const res = await ask(url, stream);
        expect(res.status).toBe(200);
        await res.text();
        expect(lines).toContainEqual({ level: "debug", message: expect.stringContaining("repaired arguments of Bash: {'command': 'ls'") });
      });
    }
  }
});

describe("a cut-off call reaches the client as the note", () => {
  const cut = '{"command": "rm -rf ./';
  for (const [name, reply] of replies(cut)) {
    test(`nothing else said: an HTTP error that says so, not retried (${name})`, async () => {
      const { lines, url } = await setup(reply);
      for (const stream of [true, false]) {
        const res = await ask(url, stream);
        expect(res.status).toBe(500);
        expect(res.headers.get("x-should-retry")).toBe("false");
        expect(await res.json()).toMatchObject({ type: "error", error: { type: "api_error", message: cutOffNote("Bash") } });
      }
      expect(lines).toContainEqual({ level: "warn", message: expect.stringContaining("dropped tool call Bash, not run: arguments cut off") });
    });

    test(`after text: the turn ends with the note (${name})`, async () => {
      const [, withText] = replies(cut, "Cleaning up.").find(([n]) => n === name)!;
      const { url } = await setup(withText);
      const streamed = events(await (await ask(url, true)).text());
      assertGrammar(streamed);
      expect(JSON.stringify(streamed)).not.toContain("tool_use");
      const message = await (await ask(url, false)).json();
      expect(message).toMatchObject({ content: [{ type: "text", text: "Cleaning up." }, { type: "text", text: cutOffNote("Bash") }], stop_reason: "end_turn" });
    });
  }
});
