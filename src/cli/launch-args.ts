// The launcher's flags: the proxy's plus --proxy-only. Shared with the top-level command.
import { proxyArgs } from "./options.ts";

export const launchArgs = {
  ...proxyArgs,
  "proxy-only": { type: "boolean", description: "Run only the proxy (like `serve`), as PROXY_ONLY=true does" },
} as const;
