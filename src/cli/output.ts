// Data for the user or a script goes to stdout; diagnostics go to stderr through the logger.
export const printLine = (text: string): void => void process.stdout.write(`${text}\n`);

// An empty write's callback runs once everything written before it is flushed.
const flushed = (stream: NodeJS.WriteStream) => new Promise<void>((done) => stream.write("", () => done()));

/**
 * Ends the process once stdout and stderr are flushed: where pipes are asynchronous (Bun, Node on
 * macOS), exiting at once could cut `models --json | jq` or the last log line.
 */
export async function exitAfterOutput(code: number): Promise<never> {
  await Promise.all([flushed(process.stdout), flushed(process.stderr)]);
  process.exit(code);
}
