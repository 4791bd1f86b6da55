// The probes: one Claude Code situation each, the request that stages it and the judge of the
// model's answer. Pure: the runner sends the requests and hands the answers back here.
import type { Message, MessageParam, MessagesRequest, ResponseBlock } from "../protocol/anthropic.ts";
import { catN, claudeCodeRequest, PROJECT, schemaOf } from "./prompt.ts";
import { schemaViolation } from "./schema-check.ts";

/** What came back for one probe request: the folded message, or the error that ended it. */
export interface Answer {
  message: Message | null;
  error: string | null;
}

export interface Judgement {
  pass: boolean;
  reason: string;
  /** Set when the failure is reasoning written into the answer (advice: a reasoning parser). */
  reasoningInAnswer?: true;
  /** Set when a call arrived but does not fit Claude Code's tools (advice: a better quant, not a parser). */
  badCall?: true;
  /** Set when the server answered with an error or not at all (no advice about the model). */
  noAnswer?: true;
}

export interface Probe {
  id: string;
  title: string;
  /** Claude Code cannot do its work when this fails. */
  critical: boolean;
  request(nonce: string): MessagesRequest;
  judge(answer: Answer): Judgement;
}

type ToolUse = Extract<ResponseBlock, { type: "tool_use" }>;
const calls = (m: Message): ToolUse[] => m.content.filter((b): b is ToolUse => b.type === "tool_use");
const textOf = (m: Message) => m.content.flatMap((b) => (b.type === "text" ? [b.text] : [])).join("").trim();
const clip = (s: string, n = 80) => (s.length > n ? `${s.slice(0, n)}…` : s);
const oneLine = (s: string) => s.replace(/\s+/g, " ").trim();
/** A model's text in a one-line reason: clipped, quoted, newlines escaped. */
const quote = (s: string, n = 80) => JSON.stringify(clip(s, n));
const pass = (reason: string): Judgement => ({ pass: true, reason });
const fail = (reason: string): Judgement => ({ pass: false, reason });
const badCall = (reason: string): Judgement => ({ pass: false, reason, badCall: true });

const NOTES = `${PROJECT}/notes.md`;
const PACKAGE = `${PROJECT}/package.json`;
const TSCONFIG = `${PROJECT}/tsconfig.json`;
const GREET = `${PROJECT}/src/greet.ts`;
export const GREET_SOURCE = 'export function greet(name: string): string {\n  return `Hello, ${name}!`;\n}\n';
const PACKAGE_SOURCE = '{\n  "name": "demo",\n  "version": "3.14.1",\n  "type": "module"\n}\n';

const user = (text: string): MessageParam => ({ role: "user", content: text });
/** A turn in which the model already called Read, and Claude Code's answer to it. */
function afterRead(ask: string, path: string, content: string): MessageParam[] {
  return [
    user(ask),
    { role: "assistant", content: [{ type: "tool_use", id: "toolu_probe_read", name: "Read", input: { file_path: path } }] },
    { role: "user", content: [{ type: "tool_result", tool_use_id: "toolu_probe_read", content: catN(content) }] },
  ];
}

/** Every precondition an answer must meet before its content is judged. */
function answered(a: Answer): Message | Judgement {
  if (a.error) return { ...fail(`error: ${clip(oneLine(a.error), 160)}`), noAnswer: true };
  if (!a.message) return { ...fail("no answer"), noAnswer: true };
  if (a.message.stop_reason === "max_tokens") return fail("ran out of tokens before finishing (looping or rambling)");
  return a.message;
}

/** The input of a call to `name` against Claude Code's schema for it. */
function checkCall(call: ToolUse): string | null {
  return schemaViolation(call.input, schemaOf(call.name));
}

function judgeReadNotes(a: Answer): Judgement {
  const m = answered(a);
  if (!("content" in m)) return m;
  const all = calls(m);
  if (!all.length) return fail(`no tool call; answered in text: ${quote(textOf(m))}`);
  const read = all.find((c) => c.name === "Read") ?? all.find((c) => c.name === "Bash");
  if (!read) return badCall(`called ${all.map((c) => c.name).join(", ")} instead of Read`);
  const bad = checkCall(read);
  if (bad) return badCall(`${read.name} arguments do not fit its schema: ${bad}`);
  const target = read.name === "Read" ? String(read.input.file_path) : String(read.input.command);
  if (!target.includes(NOTES) && !(read.name === "Bash" && target.includes("notes.md"))) return fail(`${read.name} of the wrong file: ${clip(target)}`);
  return pass(`${read.name} ${clip(target)}`);
}

export const PROBES: Probe[] = [
  {
    id: "plain",
    title: "plain answer",
    critical: false,
    request: () => claudeCodeRequest([user("What is the capital of France? Answer in one word, without using any tool.")], { full: false }),
    judge(a) {
      const m = answered(a);
      if (!("content" in m)) return m;
      if (calls(m).length) return fail(`called ${calls(m)[0]!.name} for a question that needs no tool`);
      return /paris/i.test(textOf(m)) ? pass(quote(textOf(m), 40)) : fail(`expected Paris, got ${quote(textOf(m))}`);
    },
  },
  {
    id: "tool-call",
    title: "one tool call, arguments valid",
    critical: true,
    request: () => claudeCodeRequest([user(`Show me what is in ${NOTES}.`)], { full: false }),
    judge: judgeReadNotes,
  },
  {
    id: "tool-result",
    title: "uses a tool result",
    critical: true,
    request: () => claudeCodeRequest(afterRead(`Which version does ${PACKAGE} declare? Answer with the version only.`, PACKAGE, PACKAGE_SOURCE), { full: false }),
    judge(a) {
      const m = answered(a);
      if (!("content" in m)) return m;
      if (/3\.14\.1/.test(textOf(m))) return pass(quote(textOf(m), 40));
      if (calls(m).length) return fail(`called ${calls(m)[0]!.name} again instead of reading the result`);
      return fail(`the result says 3.14.1, the answer says ${quote(textOf(m))}`);
    },
  },
  {
    id: "parallel",
    title: "two independent reads at once",
    critical: false,
    request: () =>
      claudeCodeRequest([user(`Read ${PACKAGE} and ${TSCONFIG}. They are independent: call Read for both in this one turn.`)], { full: false }),
    judge(a) {
      const m = answered(a);
      if (!("content" in m)) return m;
      const reads = calls(m).filter((c) => c.name === "Read");
      const paths = reads.map((c) => String(c.input.file_path));
      const bad = reads.map(checkCall).find(Boolean);
      if (bad) return fail(`Read arguments do not fit its schema: ${bad}`);
      if (paths.includes(PACKAGE) && paths.includes(TSCONFIG)) return pass(`${reads.length} Read calls in one turn`);
      if (!reads.length) return fail(calls(m).length ? `called ${calls(m).map((c) => c.name).join(", ")}, not Read` : "no tool call");
      return fail(`${reads.length} call (${paths.map((p) => p.split("/").at(-1)).join(", ")}); both files were asked for in one turn`);
    },
  },
  {
    id: "edit",
    title: "Edit with an exact old_string",
    critical: true,
    request: () =>
      claudeCodeRequest(afterRead(`In ${GREET}, change the greeting from "Hello" to "Welcome".`, GREET, GREET_SOURCE), { full: false }),
    judge(a) {
      const m = answered(a);
      if (!("content" in m)) return m;
      const edit = calls(m).find((c) => c.name === "Edit");
      if (!edit) return fail(calls(m).length ? `called ${calls(m).map((c) => c.name).join(", ")}, not Edit` : `no Edit call; said ${quote(textOf(m))}`);
      const bad = checkCall(edit);
      if (bad) return fail(`Edit arguments do not fit its schema: ${bad}`);
      const { file_path, old_string, new_string } = edit.input as Record<string, string>;
      if (file_path !== GREET) return fail(`Edit of the wrong file: ${clip(String(file_path))}`);
      if (/^\s*\d+\t/m.test(old_string!)) return fail("old_string keeps Read's line-number prefix");
      const found = GREET_SOURCE.split(old_string!).length - 1;
      if (found !== 1) return fail(`old_string occurs ${found} times in the file: ${quote(old_string!, 60)}`);
      const edited = GREET_SOURCE.replace(old_string!, new_string!);
      return edited.includes("`Welcome, ${name}!`") ? pass(`replaced ${quote(old_string!, 50)}`) : fail(`the edit leaves: ${quote(edited.split("\n")[1]!, 60)}`);
    },
  },
  {
    id: "full-prompt",
    title: "the same call with the full ~20k-token prompt",
    critical: true,
    request: (nonce) => claudeCodeRequest([user(`Show me what is in ${NOTES}.`)], { full: true, nonce }),
    judge: judgeReadNotes,
  },
  {
    id: "reasoning",
    title: "reasoning kept out of the answer",
    critical: false,
    request: () => claudeCodeRequest([user("What is 17 × 23? Work it out, then reply with only the number.")], { full: false }),
    judge(a) {
      const m = answered(a);
      if (!("content" in m)) return m;
      const answer = textOf(m);
      const leak = REASONING_MARKUP.exec(answer);
      if (leak) return { ...fail(`reasoning markup ${leak[0]} in the answer`), reasoningInAnswer: true };
      if (!answer.includes("391")) return fail(`expected 391, got ${quote(answer)}`);
      // "The answer is 391." is an answer; sums, or a paragraph around the number, are working.
      const rest = answer.replace(/[*`_\s.]|391/g, "");
      if (/[=+]/.test(rest) || rest.length > 40) return { ...fail(`the answer carries ${answer.length} characters of working: ${quote(answer, 60)}`), reasoningInAnswer: true };
      const thought = m.content.some((b) => b.type === "thinking");
      return pass(thought ? "391, reasoning in a thinking block" : "391");
    },
  },
];

const REASONING_MARKUP = /<\/?think>|<\|channel\|>|<\|start_of_thought\|>|\[THINK\]|<\/?reasoning>/i;

/** Tool-call syntax the server did not turn into a call, so Claude Code would only see text. */
export const TOOL_MARKUP = /<\/?tool_call>|<\|python_tag\|>|\[TOOL_CALLS\]|<\|tool_calls?_(begin|start)\|>|<function=|```(json)?\s*\{[^`]*"(name|arguments|function)"\s*:/;

/** The markup check across every probe's text. */
export function judgeMarkup(answers: { id: string; answer: Answer }[]): Judgement {
  for (const { id, answer } of answers) {
    const text = answer.message ? textOf(answer.message) : "";
    const hit = TOOL_MARKUP.exec(text);
    if (hit) return fail(`${id}: tool-call markup left in text: ${quote(text.slice(hit.index), 60)}`);
  }
  return pass("no tool-call markup in any answer");
}

/** How often arguments needed repair, from the proxy's own notes. */
export function judgeRepairs(toolCalls: number, repaired: number, unrepairable: number): Judgement {
  if (unrepairable) return fail(`${unrepairable} tool call${unrepairable > 1 ? "s" : ""} could not be repaired and never ran`);
  if (repaired) return fail(`${repaired} of ${toolCalls + unrepairable} tool calls needed repair`);
  return pass(`${toolCalls} tool calls, none needed repair`);
}

/** One line of what the model sent: its text, the size of its reasoning, its calls. */
export function describeAnswer(a: Answer): string {
  if (!a.message) return a.error ? `error: ${clip(oneLine(a.error), 120)}` : "nothing";
  const parts = a.message.content.map((b) =>
    b.type === "text" ? JSON.stringify(clip(b.text.trim(), 120)) : b.type === "thinking" ? `(thinking, ${b.thinking.length} chars)` : `${b.name}(${clip(JSON.stringify(b.input), 120)})`,
  );
  return parts.join(" ") || "(empty)";
}

export const toolCallCount = (answers: Answer[]) => answers.reduce((n, a) => n + (a.message ? calls(a.message).length : 0), 0);
