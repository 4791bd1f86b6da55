// A long Claude Code session for the bench: the captured tool-result request grown turn by turn,
// as Claude Code resends it. Each turn adds an assistant tool call and its result, and only the last
// message keeps `cache_control` (Claude Code moves the breakpoint to the newest message), so a
// turn's body repeats the previous one but for its end: what the remembered prefixes are for.
import { readFileSync } from "node:fs";

type Message = { role: string; content: unknown };
type Body = { messages: Message[] } & Record<string, unknown>;

function toolTurn(i: number, last: boolean): Message[] {
  const id = `toolu_bench_${String(i).padStart(4, "0")}`;
  const output = Array.from({ length: 6 }, (_, line) => `src/module_${i}/file_${line}.ts: export const value${line} = ${i * 7 + line};`).join("\n");
  return [
    { role: "assistant", content: [{ type: "text", text: `Reading module ${i}.` }, { type: "tool_use", id, name: "Bash", input: { command: `cat src/module_${i}/*.ts`, description: `Show module ${i}` } }] },
    { role: "user", content: [{ tool_use_id: id, type: "tool_result", content: output, is_error: false, ...(last ? { cache_control: { type: "ephemeral" } } : {}) }] },
  ];
}

/** The bodies of turns `from`..`to` (inclusive) of the session, as sent, with `stream: true`. */
export function sessionBodies(fixturePath: string, from: number, to: number): Body[] {
  const captured = (JSON.parse(readFileSync(fixturePath, "utf8")) as { body: Body }).body;
  // The captured opening (the user's prompt, Claude Code's system-role reminder), without its own tool turn.
  const opening = captured.messages.slice(0, 2);
  const bodies: Body[] = [];
  for (let turn = from; turn <= to; turn++) {
    const messages = [...opening];
    for (let i = 0; i < turn; i++) messages.push(...toolTurn(i, i === turn - 1));
    bodies.push({ ...captured, messages, stream: true });
  }
  return bodies;
}
