// The floor under Node: a node:http proxy that pipes POST bodies to the upstream and the answer
// back, unchanged. `node scripts/bench/pipe-node.mjs <upstream /v1 url>`; prints "listening on <url>".
import { createServer, request } from "node:http";

const upstream = new URL(process.argv[2]);
const server = createServer((req, res) => {
  const out = request(
    { hostname: upstream.hostname, port: upstream.port, path: `${upstream.pathname}/chat/completions`, method: "POST", headers: { "content-type": "application/json" } },
    (up) => {
      res.writeHead(up.statusCode ?? 502, { "content-type": up.headers["content-type"] ?? "text/event-stream" });
      up.pipe(res);
    },
  );
  out.on("error", () => res.destroy());
  req.pipe(out);
});
server.listen(0, "127.0.0.1", () => process.stderr.write(`listening on http://127.0.0.1:${server.address().port}\n`));
process.on("SIGTERM", () => process.exit(0));
