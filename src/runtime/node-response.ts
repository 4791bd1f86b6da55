// node:http's answer as a PostResponse: status, headers and body read straight from the
// IncomingMessage (the body is the message itself, an async iterable of Buffers).
import type { IncomingMessage } from "node:http";

/** Statuses that never carry a body (a Response has none for them either). */
const NO_BODY = new Set([101, 204, 205, 304]);

export class NodeResponse {
  readonly status: number;
  readonly ok: boolean;
  readonly body: IncomingMessage | null;
  readonly headers: { get(name: string): string | null };

  constructor(res: IncomingMessage) {
    this.status = res.statusCode ?? 502;
    this.ok = this.status >= 200 && this.status <= 299;
    // Node lower-cases the names and joins repeats with ", " already (set-cookie stays a list): as Headers.get reads them.
    const fields = res.headers;
    this.headers = {
      get: (name) => {
        const value = fields[name.toLowerCase()];
        return value === undefined ? null : Array.isArray(value) ? value.join(", ") : value;
      },
    };
    this.body = NO_BODY.has(this.status) ? null : res;
    if (!this.body) res.resume();
  }
}
