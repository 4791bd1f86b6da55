// A full collection on demand under Node, without --expose-gc on the command line (the npm
// package's bin runs `node anyclaude.mjs`, with no flags).
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";

/**
 * The flag exposes `gc` to contexts made after it is set (the proxy's own context stays as it was),
 * so one small context is made to hand it over. Each call collects twice: Node 20's web streams
 * (every SSE response, every upstream body) are transferables reached through weak handles, which
 * a full collection only clears; the second one frees the streams and the buffers they still hold.
 */
export function nodeCollector(): () => void {
  setFlagsFromString("--expose-gc");
  const gc = runInNewContext("gc") as () => void;
  return () => {
    gc();
    gc();
  };
}
