// doctor's advice when nothing answers: a server on this machine or the LAN is to be started; a
// hosted service (https, elsewhere) is not, the network or the URL is at fault.
import { expect, test } from "bun:test";
import { unreachableFix } from "../../src/cli/doctor.ts";

const cases: [string, Parameters<typeof unreachableFix>, RegExp][] = [
  ["OpenRouter's default URL", ["openrouter", "https://openrouter.ai/api/v1"], /^cannot reach openrouter\.ai: check the network connection, or the URL \(--base-url or backends\.openrouter\.baseUrl\)$/],
  ["the Anthropic API", ["claude", "https://api.anthropic.com"], /^cannot reach api\.anthropic\.com: check the network/],
  ["a local server", ["lmstudio", "http://127.0.0.1:1234/v1"], /^start the lmstudio server, or set its URL/],
  ["a local server behind https", ["vllm", "https://localhost:8000/v1"], /^start the vllm server/],
  ["a server on the LAN", ["ollama", "http://192.168.1.20:11434/v1"], /^start the ollama server/],
];
for (const [what, args, says] of cases) test(what, () => expect(unreachableFix(...args)).toMatch(says));
