// Scripted models for `test-model`: each decides its answer from the request it receives (which
// probe's prompt, which tools, which tool results Claude Code sent back), as a model would.
// - good: answers every probe and task correctly.
// - weak: the failures the issue names: fenced arguments, markup in text instead of a call,
//   reasoning written into the answer, one call where two were asked for, an Edit whose
//   old_string keeps Read's line numbers, and it ignores tools in real tasks.
// - slow: the good model's answers, with a slow first token on every long prompt (no prompt
//   cache) and slow decoding.
// - sloppy: the good model's answers, but every call's arguments come in a ```json fence.
import type { ChatMessage, ChatRequest } from "../../src/protocol/openai.ts";
import { chunk, DONE, finish, sse, text, textReply, toolStart, usageChunk } from "./chunks.ts";
import type { Frame, Reply } from "./upstream.ts";

const flat = (c: ChatMessage["content"]) => (typeof c === "string" ? c : c.map((p) => ("text" in p ? String(p.text) : "")).join("\n"));
const all = (req: ChatRequest) => req.messages.map((m) => flat(m.content)).join("\n");
const last = (req: ChatRequest) => req.messages.at(-1)!;
/** Tool results Claude Code sent back, in order. */
const toolResults = (req: ChatRequest) => req.messages.filter((m) => m.role === "tool").map((m) => String(m.content));
/** Claude Code's Read output without its `cat -n` numbering. */
const uncatN = (s: string) => s.replace(/^\s*\d+\t/gm, "");
const cwdOf = (req: ChatRequest) => /Primary working directory: (\S+)/.exec(all(req))?.[1] ?? "/missing-cwd";

const role = chunk({ role: "assistant", content: "" });
let callId = 0;
/** One or more whole tool calls in one answer. */
function toolReply(...calls: [string, string][]): Reply {
  const frames = calls.map(([name, args], i) => toolStart(i, `call_${++callId}`, name, args));
  return sse(role, ...frames, finish("tool_calls"), usageChunk(1000, 40), DONE);
}
const call = (name: string, input: object): [string, string] => [name, JSON.stringify(input)];

const NOTES = "/home/user/project/notes.md";
const PACKAGE = "/home/user/project/package.json";
const TSCONFIG = "/home/user/project/tsconfig.json";
const GREET = "/home/user/project/src/greet.ts";
const SUMMARY = "The release notes list CSV import with headers, stable export column order, remembered folders, ISO dates and two crash fixes; XLSX import comes next.".split(" ");

type Kind = "good" | "weak" | "slow" | "sloppy";

/** The probe answers; the follow-up turn (notes.md's content came back) is the decode test. */
function probe(kind: Kind, req: ChatRequest): Reply | null {
  const text_ = all(req);
  const lastMsg = last(req);
  const fullPrompt = (req.tools?.length ?? 0) > 4;
  if (lastMsg.role === "tool" && lastMsg.content.includes("Release notes")) {
    if (kind !== "slow") return sse(role, ...SUMMARY.map((w, i) => text(i ? ` ${w}` : w)), finish("stop"), usageChunk(20000, SUMMARY.length), DONE);
    const slowWords: Frame[] = SUMMARY.flatMap((w, i) => [{ delayMs: 150 }, text(i ? ` ${w}` : w)]);
    return { kind: "sse", headerDelayMs: 1500, frames: [role, ...slowWords, finish("stop"), usageChunk(20000, SUMMARY.length), DONE] };
  }
  if (text_.includes("capital of France")) return textReply("Paris");
  if (text_.includes(`Show me what is in ${NOTES}`)) {
    if (kind === "weak" && fullPrompt) return textReply(`<tool_call>\n{"name": "Read", "arguments": {"file_path": "${NOTES}"}}\n</tool_call>`);
    if (kind === "weak") return toolReply(["Read", "```json\n{'file_path': '" + NOTES + "',}\n```"]);
    const reply = toolReply(call("Read", { file_path: NOTES }));
    return kind === "slow" && fullPrompt ? { ...reply, headerDelayMs: 1500 } : reply;
  }
  if (text_.includes("Which version does") && lastMsg.role === "tool") return textReply(/"version": "([^"]+)"/.exec(lastMsg.content)?.[1] ?? "unknown");
  if (text_.includes("They are independent")) {
    if (kind === "weak") return toolReply(call("Read", { file_path: PACKAGE }));
    return toolReply(call("Read", { file_path: PACKAGE }), call("Read", { file_path: TSCONFIG }));
  }
  if (text_.includes("change the greeting") && lastMsg.role === "tool") {
    const line = lastMsg.content.split("\n").find((l) => l.includes("Hello"))!;
    const old = kind === "weak" ? line : uncatN(line);
    return toolReply(call("Edit", { file_path: GREET, old_string: old, new_string: uncatN(line).replace("Hello", "Welcome") }));
  }
  if (text_.includes("17 × 23")) {
    if (kind === "weak") return textReply("Let me think: 17 × 20 = 340 and 17 × 3 = 51, so 340 + 51 = 391.");
    return sse(role, chunk({ reasoning_content: "17 × 20 = 340, 17 × 3 = 51, total 391." }), text("391"), finish("stop"), usageChunk(900, 20), DONE);
  }
  return null;
}

/** The tasks, step by step from the tool results Claude Code sends back. */
function task(kind: Kind, req: ChatRequest): Reply | null {
  const text_ = all(req);
  const results = toolResults(req);
  const cwd = cwdOf(req);
  const done = (s: string) => textReply(s);
  if (kind === "weak" && /hello\.txt|math\.test\.js|fetchData|server\.toml|Run the shell command/.test(text_))
    return textReply("You can do this yourself by editing the files in your editor.");
  if (text_.includes("Create a file named hello.txt"))
    return results.length ? done("Created hello.txt.") : toolReply(call("Write", { file_path: `${cwd}/hello.txt`, content: "Hello from anyclaude\n" }));
  if (text_.includes("`node math.test.js` fails")) {
    if (!results.length) return toolReply(call("Read", { file_path: `${cwd}/math.js` }));
    const read = results.find((r) => r.includes("return a - b"));
    if (results.length === 1 && read) {
      const line = uncatN(read.split("\n").find((l) => l.includes("return a - b"))!);
      return toolReply(call("Edit", { file_path: `${cwd}/math.js`, old_string: line, new_string: line.replace("a - b", "a + b") }));
    }
    return done("Fixed: add() now returns a + b.");
  }
  if (text_.includes("Rename the function fetchData")) {
    if (!results.length) return toolReply(call("Read", { file_path: `${cwd}/util.js` }), call("Read", { file_path: `${cwd}/main.js` }));
    if (results.length === 2) {
      const edit = (f: string) => call("Edit", { file_path: `${cwd}/${f}`, old_string: "fetchData", new_string: "loadData", replace_all: true });
      return toolReply(edit("util.js"), edit("main.js"));
    }
    return done("Renamed fetchData to loadData in util.js and main.js.");
  }
  if (text_.includes("Which port does server.toml")) {
    if (!results.length) return toolReply(call("Read", { file_path: `${cwd}/server.toml` }));
    return done(/port = (\d+)/.exec(results[0]!)?.[1] ?? "I could not find it");
  }
  if (text_.includes("Run the shell command `ls`")) {
    if (!results.length) return toolReply(call("Bash", { command: "ls", description: "List files in the current folder" }));
    return done(`It lists one file: ${results[0]!.trim()}`);
  }
  return null;
}

/** Wraps the arguments of every tool call in a reply in a ```json fence. */
function fenced(reply: Reply): Reply {
  if (reply.kind !== "sse") return reply;
  const frames = reply.frames.map((f) => {
    if (typeof f !== "string" || f === DONE) return f;
    const c = JSON.parse(f) as { choices: { delta?: { tool_calls?: { function: { arguments: string } }[] } }[] };
    for (const t of c.choices[0]?.delta?.tool_calls ?? []) t.function.arguments = `\`\`\`json\n${t.function.arguments}\n\`\`\``;
    return JSON.stringify(c);
  });
  return { ...reply, frames };
}

export function scriptedModel(kind: Kind): (req: ChatRequest) => Reply {
  const as = kind === "sloppy" ? "good" : kind;
  return (req) => {
    // Claude Code's side requests (titles, topic checks) carry no tools.
    if (!req.tools?.length) return textReply("Model test");
    const reply = probe(as, req) ?? task(as, req) ?? textReply("I am not sure what you want.");
    return kind === "sloppy" ? fenced(reply) : reply;
  };
}
