// Real-shaped tool calls for the cut-off tables: the tools' schemas come from a captured Claude Code
// request (test/fixtures/claude-code/print-mode-hello.json); the argument texts follow what servers
// send: llama.cpp/vLLM compact JSON, OpenAI-style spaced JSON, and pretty-printed JSON with escapes.
import type { ToolParam } from "../../src/protocol/anthropic.ts";
import { loadFixture } from "./fixtures.ts";

export const CLAUDE_CODE_TOOLS = loadFixture("print-mode-hello").body.tools as ToolParam[];

export function schemaOf(name: string): Record<string, unknown> {
  const schema = CLAUDE_CODE_TOOLS.find((t) => t.name === name)?.input_schema;
  if (!schema) throw new Error(`the captured request declares no ${name} tool`);
  return schema;
}

export interface RealCall {
  name: string;
  /** The arguments exactly as the server streamed them. */
  args: string;
}

const pretty = (v: unknown) => JSON.stringify(v, null, 2);

export const REAL_CALLS: RealCall[] = [
  { name: "Bash", args: '{"command": "rm -rf ./build && npm run build", "description": "Rebuild the project from scratch"}' },
  { name: "Bash", args: '{"command":"sleep 30 && curl -s http://127.0.0.1:8080/health","timeout":120000,"run_in_background":true,"description":"Wait, then check health"}' },
  { name: "Bash", args: '{"command": "git commit -m \\"fix: handle \\\\\\"quoted\\\\\\" names\\"", "description": "Commit the fix", "dangerouslyDisableSandbox": false, "timeout": 60000.5, "run_in_background": false}' },
  { name: "Write", args: pretty({ file_path: "/tmp/project/src/greet.ts", content: 'export const greet = (n: string) => `héllo ${n}`;\n\t// "tab" \\ slash \u00e9 🦀\n' }) },
  { name: "Write", args: '{"file_path":"/tmp/a.txt","content":"line1\\nline2\\u00e9\\ud83e\\udd80"}' },
  { name: "Edit", args: '{"file_path": "/tmp/project/src/app.ts", "old_string": "const port = 3000;", "new_string": "const port = Number(process.env.PORT ?? 3000);", "replace_all": false}' },
  { name: "Edit", args: '{"replace_all":true,"file_path":"/tmp/x.py","old_string":"print(\'a\')","new_string":"print(\'b\')"}' },
  { name: "Read", args: '{"file_path": "/tmp/project/README.md", "offset": 120, "limit": 40}' },
  { name: "Read", args: '{"file_path":"/tmp/doc.pdf","pages":"1-5","allow_large":true,"offset":0,"limit":2000}' },
];

/** Every proper prefix of a call's arguments, from "" up to one character short. */
export function prefixesOf(args: string): string[] {
  return Array.from({ length: args.length }, (_, i) => args.slice(0, i));
}
