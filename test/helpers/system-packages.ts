// Debian packages some tests need (tmux, chromium): installed on first use so CI has them too.
import { spawnSync } from "node:child_process";

const have = (cmd: string) => spawnSync("sh", ["-c", `command -v ${cmd}`]).status === 0;
let updated = false;

export function ensureCommand(cmd: string, pkg = cmd): void {
  if (have(cmd)) return;
  if (!updated) {
    spawnSync("apt-get", ["update", "-qq"], { stdio: "ignore" });
    updated = true;
  }
  const r = spawnSync("apt-get", ["install", "-y", "-qq", pkg], { stdio: "ignore", env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" } });
  if (r.status !== 0 || !have(cmd)) throw new Error(`${cmd} is needed by this test and apt-get install ${pkg} failed`);
}
