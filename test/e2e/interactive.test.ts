// Claude Code launched by anyclaude inside tmux, from an empty HOME: onboarding handled by the
// launcher, the folder-trust question answered by the user, a typed prompt answered by the model.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { textReply } from "../helpers/chunks.ts";
import { BUN, ROOT, tempDir } from "../helpers/processes.ts";
import { ensureCommand } from "../helpers/system-packages.ts";
import { startUpstream, type Upstream } from "../helpers/upstream.ts";

const SESSION = `anyclaude-test-${process.pid}`;
let upstream: Upstream;
const tmux = (...args: string[]) => spawnSync("tmux", args, { encoding: "utf8" });
const screen = () => tmux("capture-pane", "-p", "-t", SESSION).stdout ?? "";

async function waitForScreen(re: RegExp, ms = 30_000): Promise<string> {
  const end = Date.now() + ms;
  for (;;) {
    const s = screen();
    if (re.test(s)) return s;
    if (Date.now() > end) throw new Error(`screen never matched ${re}:\n${s}`);
    await Bun.sleep(200);
  }
}

beforeAll(async () => {
  ensureCommand("tmux");
  upstream = await startUpstream(() => textReply("Hello from the local model, typed through tmux"));
});
afterAll(async () => {
  tmux("kill-session", "-t", SESSION);
  await upstream.stop();
});

test("a typed prompt is answered by the scripted upstream", async () => {
  const home = tempDir("ihome");
  const cwd = tempDir("iwork");
  const status = join(tempDir("istatus"), "exit");
  const cmd = `${BUN} ${join(ROOT, "src/cli.ts")} --mode openai --base-url ${upstream.url} --model local; echo $? > ${status}; sleep 60`;
  const started = tmux(
    "new-session", "-d", "-s", SESSION, "-x", "140", "-y", "45", "-c", cwd,
    "env", `HOME=${home}`, `PATH=${join(ROOT, "node_modules/.bin")}:/usr/bin:/bin`, "TERM=xterm-256color", "sh", "-c", cmd,
  );
  expect(started.status).toBe(0);
  // Claude Code asks whether the folder is trusted; that answer is the user's.
  await waitForScreen(/trust this folder/i);
  // Keys sent before the dialog listens are lost: move until "Yes" is selected, then confirm.
  const trustDeadline = Date.now() + 15_000;
  while (!/❯ Yes, I trust/.test(screen()) && Date.now() < trustDeadline) {
    tmux("send-keys", "-t", SESSION, "Down");
    await Bun.sleep(500);
  }
  tmux("send-keys", "-t", SESSION, "Enter");
  await waitForScreen(/Claude Code v[\s\S]*❯/);
  await Bun.sleep(1000);
  tmux("send-keys", "-t", SESSION, "-l", "say hello");
  await Bun.sleep(300);
  tmux("send-keys", "-t", SESSION, "Enter");
  const shown = await waitForScreen(/Hello from the local model, typed through tmux/);
  expect(shown).not.toMatch(/Unable to connect|API Error/);
  expect(upstream.requests.some((r) => JSON.stringify(r.messages).includes("say hello"))).toBe(true);
  expect(JSON.parse(readFileSync(join(home, ".claude.json"), "utf8")).hasCompletedOnboarding).toBe(true);
  // Quit Claude Code: the launcher exits with it.
  tmux("send-keys", "-t", SESSION, "-l", "/exit");
  await Bun.sleep(300);
  tmux("send-keys", "-t", SESSION, "Enter");
  const end = Date.now() + 15_000;
  let code = "";
  while (Date.now() < end && !code) {
    try {
      code = readFileSync(status, "utf8").trim();
    } catch {
      await Bun.sleep(200);
    }
  }
  expect(code).toBe("0");
  // Claude Code's own exit line resumes without anyclaude; the launcher's line after it goes
  // through anyclaude again, for the same session.
  const after = (await waitForScreen(/to resume this session through anyclaude/)).replace(/\n/g, "");
  const claudeLine = /claude --resume ([0-9a-f-]{36})/.exec(after);
  const ours = /to resume this session through anyclaude: anyclaude --mode openai --base-url \S+ --model local -- --resume ([0-9a-f-]{36})/.exec(after);
  expect(claudeLine?.[1]).toBeDefined();
  expect(ours?.[1]).toBe(claudeLine![1]!);
}, 90_000);
