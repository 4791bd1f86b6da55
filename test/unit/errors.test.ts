import { describe, expect, test } from "bun:test";
import { mapStreamError, mapUpstreamError } from "../../src/translate/errors.ts";

describe("upstream error mapping (protocol.md §5.10, §6.9)", () => {
  const cases: [string, number, string, number, string, RegExp][] = [
    ["llama.cpp context overflow", 400, JSON.stringify({ error: { code: 400, message: "request (13392 tokens) exceeds the available context size (8192 tokens), try increasing it", type: "exceed_context_size_error", n_prompt_tokens: 13392, n_ctx: 8192 } }), 400, "invalid_request_error", /^prompt is too long: 13392 tokens > 8192 maximum$/],
    ["vLLM (older) context overflow", 400, JSON.stringify({ object: "error", message: "This model's maximum context length is 32768 tokens. However, you requested 34000 tokens (2000 in the messages, 32000 in the completion).", type: "BadRequestError", code: 400 }), 400, "invalid_request_error", /^input length and `max_tokens` exceed context limit: 2000 \+ 32000 > 32768, decrease input length or `max_tokens` and try again$/],
    ["vLLM (older) prompt alone over the window", 400, JSON.stringify({ object: "error", message: "This model's maximum context length is 32768 tokens. However, you requested 72000 tokens (40000 in the messages, 32000 in the completion).", type: "BadRequestError", code: 400 }), 400, "invalid_request_error", /^prompt is too long: 40000 tokens > 32768 maximum$/],
    ["OpenRouter context_length_exceeded", 400, JSON.stringify({ error: { code: "context_length_exceeded", message: "too long" } }), 400, "invalid_request_error", /^prompt is too long/],
    ["OpenAI-style 400", 400, JSON.stringify({ error: { message: "bad tools", type: "invalid_request_error", param: "tools[3].parameters", code: "invalid_function_parameters" } }), 400, "invalid_request_error", /^lmstudio: bad tools$/],
    ["Ollama 404 object", 404, JSON.stringify({ error: { message: 'model "x" not found, try pulling it first', type: "not_found_error" } }), 404, "not_found_error", /model "x" not found/],
    ["Ollama native string", 404, JSON.stringify({ error: 'model "x" not found' }), 404, "not_found_error", /model "x" not found/],
    ["MLX string error 503", 503, JSON.stringify({ error: "out of memory" }), 529, "overloaded_error", /out of memory/],
    ["429", 429, JSON.stringify({ error: { code: 429, message: "slow down" } }), 429, "rate_limit_error", /slow down/],
    ["401", 401, "unauthorized", 401, "authentication_error", /unauthorized/],
    ["402", 402, "{}", 402, "billing_error", /lmstudio/],
    ["403", 403, "{}", 403, "permission_error", /lmstudio/],
    ["408", 408, "", 504, "timeout_error", /empty response body/],
    ["413", 413, "too big", 413, "request_too_large", /too big/],
    ["422", 422, JSON.stringify({ detail: "field required" }), 400, "invalid_request_error", /field required/],
    ["500 html", 500, "<html>Internal Server Error</html>", 500, "api_error", /Internal Server Error/],
    ["502", 502, "bad gateway", 529, "overloaded_error", /bad gateway/],
    // Reverse proxies answer with HTML pages: their title, never the markup.
    ["nginx 413 page", 413, "<html>\r\n<head><title>413 Request Entity Too Large</title></head>\r\n<body>\r\n<center><h1>413 Request Entity Too Large</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n", 413, "request_too_large", /^lmstudio: 413 Request Entity Too Large$/],
    ["page without a title", 502, "<!DOCTYPE html><html><body><h1>Bad Gateway</h1><p>upstream down</p></body></html>", 529, "overloaded_error", /^lmstudio: Bad Gateway$/],
    ["page with neither", 500, "<html><body>Internal <b>Server</b> Error</body></html>", 500, "api_error", /^lmstudio: Internal Server Error$/],
    ["text that merely mentions a tag", 500, "error: <html> not allowed", 500, "api_error", /^lmstudio: error: <html> not allowed$/],
    ["Cloudflare 524", 524, "error code: 524", 504, "timeout_error", /error code: 524/],
    ["Cloudflare 522", 522, "error code: 522", 504, "timeout_error", /error code: 522/],
  ];
  for (const [name, status, body, wantStatus, wantType, wantMessage] of cases) {
    test(name, () => {
      const e = mapUpstreamError(status, body, "lmstudio");
      expect(e.status).toBe(wantStatus);
      expect(e.type).toBe(wantType as never);
      expect(e.message).toMatch(wantMessage);
    });
  }
  test("Retry-After is kept", () => {
    expect(mapUpstreamError(429, "{}", "x", { "retry-after": "3" }).headers).toEqual({ "retry-after": "3" });
  });
  test("mid-stream errors by code", () => {
    expect(mapStreamError({ code: 429, message: "rate" }, "openrouter").type).toBe("rate_limit_error");
    expect(mapStreamError({ message: "boom" }, "vllm").type).toBe("api_error");
    expect(mapStreamError({ code: 502, message: "Provider overloaded", metadata: { error_type: "provider_overloaded" } }, "openrouter").type).toBe("overloaded_error");
  });
});
