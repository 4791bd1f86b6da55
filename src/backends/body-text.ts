// A whole upstream body as text (a JSON answer, an error's body), under the same idle limit as an
// SSE stream: Response.text() waits for ever on a server that sent its headers and then went silent.
import { readerOf } from "../runtime/byte-stream.ts";
import type { PostResponse } from "../runtime/http-post.ts";
import { StreamIdleError } from "./sse-reader.ts";
import { Utf8Stream } from "./utf8-stream.ts";

/** What Response.text() gives (a BOM dropped, bad bytes as U+FFFD); no bytes for `idleMs`: StreamIdleError, the body cut. */
export async function bodyText(response: PostResponse, idleMs: number): Promise<string> {
  if (!response.body) return "";
  const reader = readerOf(response.body);
  const decoder = new Utf8Stream();
  let idle = false;
  const timer = idleMs > 0 ? setTimeout(() => ((idle = true), reader.cancel()), idleMs) : undefined;
  let text = "";
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (idle) throw new StreamIdleError(idleMs);
      if (done) return text + decoder.end();
      timer?.refresh();
      text += decoder.decode(value);
    }
  } finally {
    clearTimeout(timer);
    reader.cancel();
  }
}
