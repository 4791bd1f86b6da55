// Reads "the prompt does not fit" out of every server's wording (old and current releases) with
// whatever numbers it carries. Pure; the sources of each wording are named in test/fixtures/wire.

export interface Overflow {
  /** Tokens of the request as the server counted them (prompt, or prompt + completion). */
  tokens?: number;
  /** The context window. */
  max?: number;
  /** How far over the window the prompt is (Ollama says only this). */
  excess?: number;
  /** The prompt alone and the completion asked for, when the server tells them apart (vLLM). */
  prompt?: number;
  completion?: number;
  /** The prompt has at least this many tokens: vLLM ≥ 0.16 stops counting one token past the room max_tokens leaves. */
  promptAtLeast?: number;
}

type Reader = [RegExp, (m: RegExpExecArray) => Overflow];
const n = (s: string | undefined) => Number(s);

/** Total when the prompt fits (the answer is what overflows), else the prompt alone. */
const split = (max: number, prompt: number, completion: number, total = prompt + completion): Overflow => ({
  max,
  prompt,
  completion,
  tokens: prompt >= max ? prompt : total,
});

/** Only a lower bound on the prompt: it alone overflows when that bound does, else nothing is known of it. */
const atLeast = (max: number, prompt: number, completion: number): Overflow =>
  prompt >= max ? { max, completion, tokens: prompt, promptAtLeast: prompt } : { max, completion, promptAtLeast: prompt };

const READERS: Reader[] = [
  // vLLM ≥ 0.10: "maximum context length is M tokens. However, you requested C output tokens and your prompt contains (at least) P input tokens, for a total of (at least) T tokens"
  // "at least": vLLM tokenized only up to M - C + 1 tokens, so P is that bound, not the prompt.
  [/maximum context length is (\d+) tokens\. However, you requested (\d+) output tokens and your prompt contains (at least )?(\d+) input tokens, for a total of (?:at least )?(\d+) tokens/i,
    (m) => (m[3] ? atLeast(n(m[1]), n(m[4]), n(m[2])) : split(n(m[1]), n(m[4]), n(m[2]), n(m[5])))],
  // vLLM ≥ 0.18 checks characters before tokenizing: "…you requested C output tokens and your prompt contains N characters (more than X characters, …)"
  [/maximum context length is (\d+) tokens\. However, you requested (\d+) output tokens and your prompt contains \d+ characters/i, (m) => ({ max: n(m[1]), completion: n(m[2]) })],
  // vLLM 0.16–0.17: "You passed P input tokens and requested C output tokens. However, the model's context length is only M tokens" (P counted up to M - C + 1)
  [/You passed (\d+) input tokens and requested (\d+) output tokens\. However, the model's context length is only (\d+) tokens/i, (m) => atLeast(n(m[3]), n(m[1]), n(m[2]))],
  // vLLM 0.16–0.17, the character check: "You passed N input characters and requested C output tokens. However, the model's context length is only M tokens"
  [/You passed \d+ input characters and requested (\d+) output tokens\. However, the model's context length is only (\d+) tokens/i, (m) => ({ max: n(m[2]), completion: n(m[1]) })],
  // vLLM ≥ 0.16: "max_tokens=C cannot be greater than max_model_len=M" (0.18–0.19 print "max_tokens=Ccannot … max_model_len=max_total_tokens=M")
  [/(?:max_tokens|max_completion_tokens)=(\d+) ?cannot be greater than max_model_len=(?:max_total_tokens=)?(\d+)/i, (m) => ({ max: n(m[2]), completion: n(m[1]) })],
  // vLLM max_tokens check: "'max_tokens' (or 'max_completion_tokens') is too large: C. This model's maximum context length is M tokens and your request has P input tokens"
  [/is too large: (\d+)\. This model's maximum context length is (\d+) tokens and your request has (\d+) input tokens/i,
    (m) => split(n(m[2]), n(m[3]), n(m[1]))],
  // vLLM < 0.10 and OpenAI: "maximum context length is M tokens. However, you requested T tokens (P in the messages, C in the completion)"
  [/maximum context length is (\d+) tokens\. However, you requested (?:about )?(\d+) tokens \((\d+) (?:in the messages|of text input), (\d+) in the (?:completion|output)\)/i,
    (m) => split(n(m[1]), n(m[3]), n(m[4]), n(m[2]))],
  // vLLM: "maximum context length is M tokens. However, your request has P input tokens" / OpenAI "your messages resulted in T tokens"
  [/maximum context length is (\d+) tokens\. However, (?:your request has|your messages resulted in|you requested(?: about)?) (\d+) (?:input )?tokens/i,
    (m) => ({ max: n(m[1]), tokens: n(m[2]), prompt: n(m[2]) })],
  // vLLM V1 engine: "The decoder prompt (length P) is longer than the maximum model length of M"
  [/prompt \((?:total )?length (\d+)\) is longer than the maximum model length of (\d+)/i, (m) => ({ tokens: n(m[1]), prompt: n(m[1]), max: n(m[2]) })],
  // vLLM: "The prompt (total length P) is too long to fit into the model (context length M)"
  [/prompt \((?:total )?length (\d+)\) is too long to fit into the model \(context length (\d+)\)/i, (m) => ({ tokens: n(m[1]), prompt: n(m[1]), max: n(m[2]) })],
  // llama.cpp ≥ b4xxx: "request (P tokens) exceeds the available context size (M tokens)"
  [/request \((\d+) tokens\) exceeds the available context size \((\d+) tokens\)/i, (m) => ({ tokens: n(m[1]), max: n(m[2]) })],
  // LM Studio: "Trying to keep the first P tokens when context the overflows. However, the model is loaded with context length of only M tokens"
  [/keep the first (\d+) tokens when context (?:the )?overflows\.? However, the model is loaded with context length of only (\d+)/i, (m) => ({ tokens: n(m[1]), max: n(m[2]) })],
  // LM Studio 0.4 (llama.cpp engine): "…greater than the context length (n_keep: P>= n_ctx: M)"
  [/n_keep: (\d+)\s*>= n_ctx: (\d+)/i, (m) => ({ tokens: n(m[1]), max: n(m[2]) })],
  // LM Studio, a model that cannot shift its context mid-generation: "Reached context length of M tokens with model (arch: …)"
  [/Reached context length of (\d+) tokens/i, (m) => ({ max: n(m[1]) })],
  // Ollama ≥ 0.17.5, its MLX engine (x/mlxrunner/pipeline.go): "input length (P tokens) exceeds the model's maximum context length (M tokens)"
  [/input length \((\d+) tokens\) exceeds the model's maximum context length \((\d+) tokens\)/i, (m) => ({ tokens: n(m[1]), max: n(m[2]) })],
  // Ollama: "prompt too long; exceeded max context length by X tokens"
  [/exceeded max context length by (\d+) tokens/i, (m) => ({ excess: n(m[1]) })],
  // Mistral-style: "Prompt contains P tokens … too large for model with M maximum context length"
  [/prompt contains (\d+) tokens.{0,40}too large for model with (\d+) maximum context length/i, (m) => ({ tokens: n(m[1]), max: n(m[2]) })],
  // Our own and Anthropic's wording, when a server passes it through.
  [/prompt is too long: (\d+) tokens > (\d+)/i, (m) => ({ tokens: n(m[1]), max: n(m[2]) })],
];

/** Overflow wordings that carry no numbers (llama.cpp old releases, LM Studio, Ollama, OpenRouter codes). */
const WORDS = [
  /exceeds the available context size/i,
  /input is too large to process\. increase the physical batch size/i,
  /context size has been exceeded/i,
  /tokens to keep from the initial prompt is greater than the context length/i,
  /input length exceeds the context length/i,
  /prompt too long; exceeded (?:max )?context length/i,
  // Ollama ≥ 0.30.9 (llm/llama_server.go, ollama#16712): models without context shift (deepseek2 family)
  /the prompt is longer than the context length/i,
  /context[_ ]length[_ ]exceeded/i,
  /longer than the maximum model length/i,
  /maximum context length/i,
];

export function readOverflow(message: string, fields: Record<string, unknown>): Overflow | null {
  if (typeof fields.n_prompt_tokens === "number" && typeof fields.n_ctx === "number")
    return { tokens: fields.n_prompt_tokens, max: fields.n_ctx };
  for (const [re, read] of READERS) {
    const m = re.exec(message);
    if (m) return read(m);
  }
  if (fields.code === "context_length_exceeded" || fields.type === "exceed_context_size_error") return {};
  return WORDS.some((w) => w.test(message)) ? {} : null;
}
