// The built-in agentic tasks for `test-model --tasks`: the files each starts from, what Claude Code
// is asked, and how the result is judged from the files left behind and the final answer. Pure:
// judges read files through the function they are given.
import type { Judgement } from "./probes.ts";

export interface TaskRun {
  /** The task folder's file, or null when it is missing. */
  read(name: string): string | null;
  /** Claude Code's final answer. */
  answer: string;
}

export interface Task {
  id: string;
  title: string;
  /** Files written into the fresh folder before Claude Code starts. */
  files: Record<string, string>;
  prompt: string;
  judge(run: TaskRun): Judgement;
}

const ok = (reason: string): Judgement => ({ pass: true, reason });
const no = (reason: string): Judgement => ({ pass: false, reason });
const clip = (s: string, n = 60) => JSON.stringify(s.length > n ? `${s.slice(0, n)}…` : s);

const MATH = "function add(a, b) {\n  return a - b;\n}\n\nmodule.exports = { add };\n";
const MATH_TEST = 'const assert = require("node:assert");\nconst { add } = require("./math.js");\n\nassert.strictEqual(add(2, 3), 5);\nassert.strictEqual(add(-1, 1), 0);\nconsole.log("ok");\n';
const UTIL = 'function fetchData(url) {\n  return `data from ${url}`;\n}\n\nmodule.exports = { fetchData };\n';
const MAIN = 'const { fetchData } = require("./util.js");\n\nconsole.log(fetchData("https://example.com"));\n';
const SERVER = '[server]\nhost = "0.0.0.0"\nport = 8734\nworkers = 4\n';

/** The tasks; `token` makes the command task's answer unknowable without running the command. */
export function builtInTasks(token: string): Task[] {
  const listed = `report-${token}.txt`;
  return [
    {
      id: "create-file",
      title: "create a file with given content",
      files: {},
      prompt: "Create a file named hello.txt in the current folder containing exactly this one line: Hello from anyclaude",
      judge: ({ read }) => {
        const text = read("hello.txt");
        if (text === null) return no("hello.txt was not created");
        return text.trim() === "Hello from anyclaude" ? ok("hello.txt has the line") : no(`hello.txt holds ${clip(text)}`);
      },
    },
    {
      id: "fix-test",
      title: "fix a failing test",
      files: { "math.js": MATH, "math.test.js": MATH_TEST },
      prompt: "`node math.test.js` fails. Fix the bug in math.js so that it passes. Do not change math.test.js.",
      judge: ({ read }) => {
        if (read("math.test.js") !== MATH_TEST) return no("math.test.js was changed");
        const math = read("math.js");
        if (math === null) return no("math.js was deleted");
        if (math === MATH) return no("math.js unchanged");
        if (/return\s+(a\s*\+\s*b|b\s*\+\s*a)\s*;?/.test(math) && !/a\s*-\s*b/.test(math)) return ok("add() now adds");
        return no(`math.js: ${clip(math.replace(/\s+/g, " "), 80)}`);
      },
    },
    {
      id: "rename",
      title: "rename a function across two files",
      files: { "util.js": UTIL, "main.js": MAIN },
      prompt: "Rename the function fetchData to loadData everywhere in this project (util.js and main.js).",
      judge: ({ read }) => {
        const files = { "util.js": read("util.js") ?? "", "main.js": read("main.js") ?? "" };
        const left = Object.entries(files).filter(([, t]) => t.includes("fetchData"));
        if (left.length) return no(`fetchData is still in ${left.map(([n]) => n).join(" and ")}`);
        const expected = { "util.js": UTIL.replaceAll("fetchData", "loadData"), "main.js": MAIN.replaceAll("fetchData", "loadData") };
        const other = Object.entries(files).filter(([n, t]) => t.trim() !== expected[n as keyof typeof expected].trim());
        return other.length ? no(`${other[0]![0]} changed beyond the rename: ${clip(other[0]![1])}`) : ok("renamed in both files, nothing else changed");
      },
    },
    {
      id: "question",
      title: "answer a question about a file",
      files: { "server.toml": SERVER },
      prompt: "Which port does server.toml configure? Reply with the number only.",
      judge: ({ read, answer }) => {
        if (read("server.toml") !== SERVER) return no("server.toml was changed");
        return answer.includes("8734") ? ok(`answered ${clip(answer.trim(), 30)}`) : no(`answered ${clip(answer.trim())}`);
      },
    },
    {
      id: "command",
      title: "run a command and report its output",
      files: { [listed]: "generated for this run\n" },
      prompt: "Run the shell command `ls` in the current folder and tell me the exact name of the file it lists.",
      judge: ({ answer }) => (answer.includes(listed) ? ok(`named ${listed}`) : no(`answered ${clip(answer.trim())}`)),
    },
  ];
}
