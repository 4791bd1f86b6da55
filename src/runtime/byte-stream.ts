// A response body as it arrives, on either runtime: fetch's web stream, or node:http's
// IncomingMessage read from its own events (under Node a web stream over it costs a transferable
// ReadableStream per request, and a promise chain per read on top of the Node one).

/** A web ReadableStream, or a Node Readable such as node:http's IncomingMessage. */
export type ByteStream = ReadableStream<Uint8Array> | NodeByteStream;

/** What NodeReader needs of an IncomingMessage. */
export interface NodeByteStream {
  on(event: "data", listener: (chunk: Uint8Array) => void): unknown;
  on(event: "end" | "close", listener: () => void): unknown;
  on(event: "error", listener: (error: Error) => void): unknown;
  pause(): unknown;
  resume(): unknown;
  destroy(): unknown;
  /** Whether the whole message arrived (IncomingMessage.complete); a stream without it is never complete. */
  readonly complete?: boolean;
  readonly destroyed: boolean;
}

export interface ByteReader {
  /** The next chunk as it arrived; rejects when the stream fails. */
  read(): Promise<IteratorResult<Uint8Array, undefined>>;
  /** Stops the stream; a read in flight, and every read after, ends. */
  cancel(): void;
  /**
   * The reader has what it wants and the sender said it is done (an SSE answer's [DONE]): the rest
   * of the body (the end of its chunked encoding, often a moment later) is let in and dropped, so
   * the connection serves the next request; one that has not ended after `releaseMs` is cut.
   */
  release(): void;
}

/** How long a released body may take to end before it is cut. */
const RELEASE_MS = 1000;

export function readerOf(body: ByteStream, releaseMs = RELEASE_MS): ByteReader {
  if ("getReader" in body) return new WebReader(body.getReader(), releaseMs);
  return new NodeReader(body, releaseMs);
}

class WebReader implements ByteReader {
  private released = false;

  constructor(
    private readonly reader: { read(): Promise<{ done?: boolean; value?: Uint8Array }>; cancel(): Promise<void> },
    private readonly releaseMs: number,
  ) {}

  read(): Promise<IteratorResult<Uint8Array, undefined>> {
    return this.reader.read() as Promise<IteratorResult<Uint8Array, undefined>>;
  }

  cancel(): void {
    if (!this.released) this.stop();
  }

  /** Read to the end and dropped: fetch returns a connection to its pool only once its body is read. */
  release(): void {
    if (this.released) return;
    this.released = true;
    const cut = setTimeout(() => this.stop(), this.releaseMs);
    cut.unref?.();
    void (async () => {
      try {
        while (!(await this.reader.read()).done);
      } catch {}
      clearTimeout(cut);
    })();
  }

  private stop(): void {
    this.reader.cancel().catch(() => {});
  }
}

/** Past this many bytes read ahead, the stream is paused until the reader catches up. */
const READ_AHEAD_BYTES = 64 * 1024;

const DONE: IteratorResult<Uint8Array, undefined> = { done: true, value: undefined };

class PrematureCloseError extends Error {
  constructor() {
    super("the response closed before it ended");
  }
}

/** Chunks in the order they arrived, one per read, as a web stream reader gives them. */
class NodeReader implements ByteReader {
  private readonly queue: Uint8Array[] = [];
  private queuedBytes = 0;
  private paused = false;
  private ended = false;
  private error: Error | undefined;
  private cancelled = false;
  /** The read waiting for a chunk, the end or an error. */
  private wake: (() => void) | undefined;

  constructor(
    private readonly stream: NodeByteStream,
    private readonly releaseMs: number,
  ) {
    // Cut before anyone listened (its 'close' is gone): a read must fail, not wait for events that never come.
    if (stream.destroyed) this.error = new PrematureCloseError();
    stream.on("data", (chunk) => {
      if (this.cancelled) return;
      this.queue.push(chunk);
      this.queuedBytes += chunk.byteLength;
      if (this.queuedBytes > READ_AHEAD_BYTES && !this.paused) {
        this.paused = true;
        stream.pause();
      }
      this.wakeUp();
    });
    stream.on("end", () => {
      this.ended = true;
      this.wakeUp();
    });
    stream.on("error", (error) => {
      this.error ??= error;
      this.wakeUp();
    });
    // Destroyed without an error (cancel, or the socket closed mid-message): no 'end' will come.
    stream.on("close", () => {
      if (!this.ended) this.error ??= new PrematureCloseError();
      this.wakeUp();
    });
  }

  read(): Promise<IteratorResult<Uint8Array, undefined>> {
    const value = this.queue.shift();
    if (value) {
      this.queuedBytes -= value.byteLength;
      if (this.paused && this.queuedBytes <= READ_AHEAD_BYTES / 2) {
        this.paused = false;
        this.stream.resume();
      }
      return Promise.resolve({ done: false, value });
    }
    if (this.cancelled) return Promise.resolve(DONE);
    if (this.error) return Promise.reject(this.error);
    if (this.ended) return Promise.resolve(DONE);
    return new Promise<void>((resolve) => (this.wake = resolve)).then(() => this.read());
  }

  cancel(): void {
    if (this.cancelled || this.ended) return;
    this.cancelled = true;
    this.queue.length = 0;
    // A message that fully arrived is drained, not destroyed: its connection goes back to the pool.
    // One still arriving is cut: the upstream sees its request closed and stops generating.
    if (this.stream.complete) this.stream.resume();
    else this.stream.destroy();
    this.wakeUp();
  }

  release(): void {
    if (this.cancelled || this.ended) return;
    this.cancelled = true;
    this.queue.length = 0;
    this.stream.resume();
    if (!this.stream.complete) {
      const cut = setTimeout(() => this.stream.destroy(), this.releaseMs);
      cut.unref?.();
      this.stream.on("close", () => clearTimeout(cut));
    }
    this.wakeUp();
  }

  private wakeUp(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }
}
