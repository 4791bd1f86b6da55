// Reads an upstream text/event-stream body into `data` payloads (protocol.md §7.1): handles
// CRLF, multi-line data, comments, and UTF-8 split across network chunks.

export class StreamIdleError extends Error {
  constructor(readonly idleMs: number) {
    super(`upstream sent nothing for ${Math.round(idleMs / 1000)} s`);
  }
}

export async function* readSseData(body: ReadableStream<Uint8Array>, idleMs: number): AsyncGenerator<string> {
  // TextDecoderStream keeps a multi-byte character split across network chunks intact.
  const reader = body.pipeThrough(new TextDecoderStream() as unknown as TransformStream<Uint8Array, string>).getReader();
  let buffer = "";
  let data: string[] = [];
  try {
    for (;;) {
      const { done, value } = await readWithIdleLimit<string>(reader, idleMs);
      if (done) break;
      buffer += value;
      let nl: number;
      while ((nl = buffer.indexOf("\n")) >= 0) {
        const line = buffer.slice(0, nl).replace(/\r$/, "");
        buffer = buffer.slice(nl + 1);
        if (line === "") {
          if (data.length) yield data.join("\n");
          data = [];
        } else if (line.startsWith("data:")) data.push(line.slice(line[5] === " " ? 6 : 5));
        // ":" comments (keep-alives), event:, id:, retry: carry nothing we need.
      }
    }
    const tail = buffer.replace(/\r$/, "");
    if (tail.startsWith("data:")) data.push(tail.slice(tail[5] === " " ? 6 : 5));
    if (data.length) yield data.join("\n");
  } finally {
    reader.cancel().catch(() => {});
  }
}

function readWithIdleLimit<T>(reader: { read(): Promise<{ done: boolean; value?: T }> }, idleMs: number): Promise<{ done: boolean; value?: T }> {
  if (!(idleMs > 0)) return reader.read();
  let timer: ReturnType<typeof setTimeout> | undefined;
  return Promise.race([
    reader.read(),
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new StreamIdleError(idleMs)), idleMs);
    }),
  ]).finally(() => clearTimeout(timer));
}
