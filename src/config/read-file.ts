// Reading a config file: absent is fine (undefined), anything else that fails is a ConfigError
// (a folder, no permission, a link loop, a FIFO), so the CLI says one line instead of printing a
// stack trace or waiting forever for a writer that never comes.
import { readFileSync, statSync } from "node:fs";
import { ConfigError } from "./load.ts";

export function readConfigText(path: string): string | undefined {
  try {
    const stat = statSync(path);
    if (stat.isDirectory()) throw new ConfigError(`cannot read config file ${path}: it is a folder`);
    if (!stat.isFile()) throw new ConfigError(`cannot read config file ${path}: it is not a regular file (a FIFO, socket or device)`);
    return readFileSync(path, "utf8");
  } catch (e) {
    if (e instanceof ConfigError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return undefined;
    const why = code === "EACCES" || code === "EPERM" ? "permission denied" : code === "ELOOP" ? "its symbolic links form a loop" : (e as Error).message;
    throw new ConfigError(`cannot read config file ${path}: ${why}`);
  }
}
