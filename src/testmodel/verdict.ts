// From the scorecard to a verdict and what to change, in the terms of the server in use. Pure.
import type { Mode } from "../config/schema.ts";
import { windowAdvice } from "../backends/servers.ts";
import { MIN_USEFUL_WINDOW } from "../backends/window-check.ts";
import type { ProbeOutcome, Repairs } from "./run-probes.ts";
import type { TaskOutcome } from "./run-tasks.ts";
import type { Speed } from "./speed.ts";

export type Verdict = "ready" | "works with repairs" | "not usable for tools";

export interface VerdictInput {
  mode: Mode;
  probes: ProbeOutcome[];
  /** The real Claude Code tasks, when they ran. */
  tasks?: TaskOutcome[] | null;
  repairs: Repairs;
  speed: Speed;
  contextWindow?: number;
  smallModel?: string;
}

/** Below these Claude Code feels stuck: a 20k-token prompt takes over 2 minutes, a reply crawls. */
export const SLOW_PREFILL_TPS = 150;
export const SLOW_DECODE_TPS = 10;
/** A follow-up is "uncached" when its first token takes at least half the cold turn's time… */
const UNCACHED_RATIO = 0.5;
/** …and the cold turn was long enough for the difference to mean something. */
const MIN_COLD_TTFT_MS = 1000;

const TOOL_PARSER: Partial<Record<Mode, string>> = {
  vllm: "Start vLLM with --enable-auto-tool-choice and the --tool-call-parser for this model family (hermes, qwen3_coder, llama3_json, mistral…).",
  llamacpp: "Start llama-server with --jinja so the model's own chat template formats and parses tool calls.",
  lmstudio: "Use a model LM Studio lists as tool-capable, and a current LM Studio (its tool-call parser follows the model family).",
  ollama: "Use a model whose Ollama template supports tools (`ollama show <model>` lists tools under Capabilities).",
  mlx: "Use a model whose chat template anyclaude's MLX server parses (Hermes-style <tool_call>, Qwen3-Coder, Mistral, gpt-oss harmony).",
};
const REASONING_PARSER: Partial<Record<Mode, string>> = {
  vllm: "Start vLLM with --reasoning-parser for this model (e.g. qwen3, deepseek_r1) so reasoning arrives apart from the answer.",
  llamacpp: "Start llama-server with --reasoning-format deepseek so reasoning arrives apart from the answer.",
  lmstudio: "Turn on \"Separate reasoning_content\" in LM Studio's developer settings.",
  ollama: "Use a current Ollama and a model with thinking support, so reasoning arrives apart from the answer.",
};
const PROMPT_CACHE: Partial<Record<Mode, string>> = {
  vllm: "Start vLLM with --enable-prefix-caching.",
  llamacpp: "Start llama-server with --cache-reuse 256 and one slot (-np 1) so each turn continues the last.",
  ollama: "Set OLLAMA_NUM_PARALLEL=1 and a num_ctx that holds the whole prompt, so Ollama keeps the prefix.",
  lmstudio: "Keep one model loaded with one parallel slot, so LM Studio keeps the conversation's prefix.",
  mlx: "Give the MLX server a larger cache: --cache-mb in backends.mlx.serverArgs.",
};

const failed = (probes: ProbeOutcome[], id: string) => probes.some((p) => p.id === id && !p.pass);

export function verdictOf(input: VerdictInput): Verdict {
  if (input.probes.some((p) => p.critical && !p.pass)) return "not usable for tools";
  if (input.probes.some((p) => !p.pass) || input.tasks?.some((t) => !t.pass)) return "works with repairs";
  return "ready";
}

export function adviceFor(input: VerdictInput): string[] {
  const { mode, probes, repairs, speed } = input;
  const advice: string[] = [];
  const windowFix = windowAdvice(mode);
  const tooLong = probes.some((p) => !p.pass && /prompt is too long|context (length|window)|too many tokens/i.test(p.reason));
  if (tooLong || (input.contextWindow && input.contextWindow < MIN_USEFUL_WINDOW))
    advice.push(`Claude Code's prompt does not fit the ${input.contextWindow ? `${input.contextWindow}-token ` : ""}context window. ${windowFix}`);
  else if (failed(probes, "full-prompt") && !failed(probes, "tool-call"))
    advice.push(`It calls tools with a short prompt but not with Claude Code's full one: check the context window. ${windowFix}`);
  const toolCall = probes.find((p) => p.id === "tool-call" && !p.pass);
  // A call that arrived with a wrong name or arguments was parsed fine: the model is the problem.
  if ((toolCall && !toolCall.badCall && !toolCall.noAnswer) || failed(probes, "markup"))
    advice.push(`Tool calls do not arrive as tool calls. ${TOOL_PARSER[mode] ?? "Use the server's tool-call parser for this model family, or a model trained for tool use."}`);
  if (probes.some((p) => p.reasoningInAnswer)) advice.push(REASONING_PARSER[mode] ?? "Have the server return reasoning apart from the answer (reasoning_content, or <think> tags).");
  const answered = (id: string) => probes.some((p) => p.id === id && !p.pass && !p.noAnswer);
  if (probes.some((p) => p.badCall))
    advice.push("Its tool calls do not fit Claude Code's tools (a wrong name or arguments): try a larger quant of this model (Q6_K/Q8_0, or 8-bit MLX), or a model trained for tool use.");
  // A model that calls no tool at all misses the Edit too; the parser advice above covers that.
  else if (repairs.repaired || repairs.unrepairable || (answered("edit") && !failed(probes, "tool-call")))
    advice.push("Arguments needed repair or an edit missed its text: try a larger quant of this model (Q6_K/Q8_0, or 8-bit MLX).");
  if (answered("tool-result"))
    advice.push("It does not answer from a tool's result (it calls again or ignores it): Claude Code would loop. Try a larger quant, or a model trained for tool use.");
  if (answered("parallel") && !failed(probes, "tool-call")) advice.push("It calls one tool per turn: Claude Code still works, with more turns.");
  const lostTasks = (input.tasks ?? []).filter((t) => !t.pass);
  if (lostTasks.length) advice.push(`${lostTasks.length} of ${input.tasks!.length} real Claude Code tasks failed (${lostTasks.map((t) => t.id).join(", ")}): see each task's reason.`);
  const slow: string[] = [];
  if (speed.prefillTokensPerSecond !== null && speed.prefillTokensPerSecond < SLOW_PREFILL_TPS) slow.push(`cold prefill ${speed.prefillTokensPerSecond} tokens/s`);
  if (speed.decodeTokensPerSecond !== null && speed.decodeTokensPerSecond < SLOW_DECODE_TPS) slow.push(`decode ${speed.decodeTokensPerSecond} tokens/s`);
  if (slow.length) advice.push(`Slow for Claude Code (${slow.join(", ")}): a smaller model or a lower-bit quant.`);
  if (slow.length && !input.smallModel) advice.push("Set smallModel to a small, fast model: Claude Code's background requests (titles, summaries) then stop waiting on this one.");
  const { coldTtftMs: cold, followUpTtftMs: follow } = speed;
  if (cold !== null && follow !== null && cold >= MIN_COLD_TTFT_MS && follow >= cold * UNCACHED_RATIO)
    advice.push(`Follow-up turns take as long as the first (${(follow / 1000).toFixed(1)} s vs ${(cold / 1000).toFixed(1)} s to the first token): the server does not reuse its prompt cache. ${PROMPT_CACHE[mode] ?? "Turn on the server's prompt (prefix) cache."}`);
  return advice;
}
