// The floor under Bun: Bun.serve + fetch, piping the request body to the upstream and the answer
// back, unchanged. `bun scripts/bench/pipe-bun.ts <upstream /v1 url>`; prints "listening on <url>".
const upstream = process.argv[2]!;
const server = Bun.serve({
  hostname: "127.0.0.1",
  port: 0,
  idleTimeout: 0,
  async fetch(req) {
    const up = await fetch(`${upstream}/chat/completions`, { method: "POST", headers: { "content-type": "application/json" }, body: req.body });
    return new Response(up.body, { status: up.status, headers: { "content-type": up.headers.get("content-type") ?? "text/event-stream" } });
  },
});
process.stderr.write(`listening on http://127.0.0.1:${server.port}\n`);
process.on("SIGTERM", () => process.exit(0));
