// Expected failures of a command: one line for the user and the exit code the README documents
// (2 for usage and config, 1 for runtime). Anything else reaching the runner is a bug.
import { existsSync } from "node:fs";
import { dirname } from "node:path";
import { ConfigError } from "../config/load.ts";
import { MlxServerError } from "../supervisor/mlx-server-error.ts";

export const EXIT_RUNTIME = 1;
export const EXIT_USAGE = 2;

export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = EXIT_RUNTIME,
  ) {
    super(message);
  }
}

/** The user-facing line and exit code of an expected failure; null for a bug. */
export function expectedFailure(e: unknown): { message: string; exitCode: number } | null {
  if (e instanceof CliError) return { message: e.message, exitCode: e.exitCode };
  if (e instanceof ConfigError) return { message: e.message, exitCode: EXIT_USAGE };
  if (e instanceof MlxServerError) return { message: e.message, exitCode: EXIT_RUNTIME };
  return null;
}

/** A file the user named could not be read: what and why, without the stack. */
export function fileError(path: string, e: unknown, what = "file"): CliError {
  const code = (e as { code?: string }).code;
  const why = code === "ENOENT" ? "does not exist" : code === "EACCES" ? "cannot be read (permission denied)" : code === "EISDIR" ? "is a folder" : code === "ENOTDIR" ? "is not a folder" : (e as Error).message;
  return new CliError(`${what} ${path} ${why}`);
}

/** A file or folder we make could not be made: where and why ("does not exist" would blame the new file). */
export function writeError(path: string, e: unknown, action: string): CliError {
  const code = (e as { code?: string }).code;
  const why =
    code === "ENOENT" && !existsSync(dirname(path))
      ? `${dirname(path)} does not exist`
      : code === "EACCES" || code === "EPERM"
        ? "permission denied"
        : code === "EROFS"
          ? "the file system is read-only"
          : code === "EISDIR"
            ? "it is a folder"
            : code === "ENOTDIR"
              ? "part of the path is a file, not a folder"
              : (e as Error).message;
  return new CliError(`cannot ${action} ${path}: ${why}`);
}
