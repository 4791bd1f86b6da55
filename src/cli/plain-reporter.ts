// consola's fancy lines, as they come out where there is no colour (stderr and stdout both pipes or files),
// without loading consola's main entry: its std-env, string-width, node:tty and box drawing cost ~6 MB of
// resident memory in a proxy that is otherwise idle. Anywhere colour, a badge or a CI/test reporter could
// apply, `usePlainLines` says no and the logger keeps consola's own fancy reporter.
import { sep } from "node:path";
import { formatWithOptions, type InspectOptions } from "node:util";
import type { ConsolaReporter, LogObject } from "consola";

/** True when consola's fancy reporter would print exactly what `plainReporter` prints. */
export function usePlainLines(env: NodeJS.ProcessEnv, argv: string[], platform: string, stdoutTTY: boolean, stderrTTY: boolean): boolean {
  if (stdoutTTY || stderrTTY || platform === "win32" || env.TERM === "linux") return false;
  if ("FORCE_COLOR" in env || argv.includes("--color")) return false;
  // std-env's CI/test detection picks consola's basic reporter; leave those to consola.
  return !("CI" in env) && !("TEST" in env) && env.NODE_ENV !== "test" && !("GITHUB_ACTIONS" in env) && !("GITLAB_CI" in env);
}

const ICONS: Record<string, string> = { error: "✖", fatal: "✖", ready: "✔", warn: "⚠", info: "ℹ", success: "✔", debug: "⚙", trace: "→", fail: "✖", start: "◐", log: "" };

/** Backtick and _underline_ markup with colour off: the marks go, the text stays (as consola does). */
const markup = (s: string): string => s.replace(/`([^`]+)`/gm, (_, m: string) => m).replace(/\s+_([^_]+)_\s+/gm, (_, m: string) => ` ${m} `);

function stackLines(stack: string, message: string, level: number): string {
  const indent = "  ".repeat(level + 1);
  const cwd = process.cwd() + sep;
  const lines = stack.split("\n").splice(message.split("\n").length).map((l) => l.trim().replace("file://", "").replace(cwd, ""));
  return `\n${indent}${lines.map((l) => `  ${l}`).join(`\n${indent}`)}`;
}

function formatError(err: Error, opts: InspectOptions & { errorLevel?: number }): string {
  const message = err.message ?? formatWithOptions(opts, err);
  const level = opts.errorLevel ?? 0;
  const stack = err.stack ? stackLines(err.stack, message, level) : "";
  const caused = err.cause ? `\n\n${formatError(err.cause as Error, { ...opts, errorLevel: level + 1 })}` : "";
  return `${level > 0 ? `${"  ".repeat(level)}[cause]: ` : ""}${message}\n${stack}${caused}`;
}

function formatPlainLine(o: LogObject, opts: InspectOptions): string {
  const args = o.args.map((a) => (a && typeof (a as Error).stack === "string" ? formatError(a as Error, opts) : a));
  const [message = "", ...additional] = formatWithOptions(opts, ...args).split("\n");
  const badge = o.badge ?? o.level < 2;
  const icon = typeof ICONS[o.type] === "string" ? ICONS[o.type] : (o as { icon?: string }).icon || o.type;
  const type = badge ? ` ${o.type.toUpperCase()} ` : icon;
  let line = (o.tag ? `[${o.tag}] ` : "") + [type, markup(message)].filter(Boolean).join(" ");
  line += markup(additional.length > 0 ? `\n${additional.join("\n")}` : "");
  if (o.type === "trace") {
    const err = new Error(`Trace: ${o.message}`);
    line += stackLines(err.stack ?? "", err.message, 0);
  }
  return badge ? `\n${line}\n` : line;
}

export const plainReporter: ConsolaReporter = {
  log(o, ctx) {
    const options = ctx.options as typeof ctx.options & { formatOptions?: InspectOptions };
    const line = formatPlainLine(o, { columns: 0, ...options.formatOptions } as InspectOptions);
    const stream = (o.level < 2 ? options.stderr : options.stdout) ?? process.stderr;
    stream.write(`${line}\n`);
  },
};
