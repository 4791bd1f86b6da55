// Reading a config file: absent is fine (undefined), anything else that fails is a ConfigError
// (a folder, no permission), so the CLI says one line instead of printing a stack trace.
import { readFileSync } from "node:fs";
import { ConfigError } from "./load.ts";

export function readConfigText(path: string): string | undefined {
  try {
    return readFileSync(path, "utf8");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return undefined;
    const why = code === "EISDIR" ? "it is a folder" : code === "EACCES" || code === "EPERM" ? "permission denied" : (e as Error).message;
    throw new ConfigError(`cannot read config file ${path}: ${why}`);
  }
}
