"""One worker thread owns the model: it renders, reuses the prefix cache, prefills, decodes and
parses, and reports events to the request that submitted the job."""

from __future__ import annotations

import hashlib
import json
import logging
import queue
import threading
from dataclasses import dataclass, field
from typing import Any, Callable, Optional

from .cache_manager import PrefixCacheManager, common_prefix
from .engine import Cancelled, Engine, ModelInfo, Sampling
from .parsers import Content, Reasoning, ToolCall, family_for_template, make_parser

log = logging.getLogger("anyclaude_mlx")

# Probe user messages that differ in their first character: the common prefix of the two renders
# then ends before any user text, at the true end of system+tools.
PROBES = ("A", "Z")
# Tokens of generation reserved up front next to the prompt when sharing memory with stored entries.
GENERATION_RESERVE = 4096


@dataclass
class Job:
    messages: list[dict[str, Any]]
    tools: Optional[list[dict[str, Any]]]
    max_tokens: int
    sampling: Sampling = field(default_factory=Sampling)
    template_kwargs: dict[str, Any] = field(default_factory=dict)
    stop: list[str] = field(default_factory=list)
    events: "queue.Queue[tuple]" = field(default_factory=queue.Queue)
    cancel: threading.Event = field(default_factory=threading.Event)


class StopMatcher:
    """Holds back content that could be the start of a stop string."""

    def __init__(self, stops: list[str]):
        self.stops = [s for s in stops if s]
        self.buf = ""
        self.matched: Optional[str] = None

    def feed(self, text: str) -> str:
        if not self.stops:
            return text
        self.buf += text
        for s in self.stops:
            i = self.buf.find(s)
            if i >= 0:
                self.matched = s
                out, self.buf = self.buf[:i], ""
                return out
        keep = max((n for s in self.stops for n in range(min(len(s) - 1, len(self.buf)), 0, -1) if self.buf.endswith(s[:n])), default=0)
        out, self.buf = self.buf[: len(self.buf) - keep], self.buf[len(self.buf) - keep :]
        return out

    def flush(self) -> str:
        out, self.buf = self.buf, ""
        return out


class Worker(threading.Thread):
    """Loads the model and then serves jobs, all on this one thread: MLX arrays belong to the
    stream of the thread that made them."""

    def __init__(
        self,
        engine: Engine,
        make_cache: Callable[[Engine, ModelInfo], PrefixCacheManager],
        family: Optional[str] = None,
        on_progress: Callable[[float], None] = lambda p: None,
    ):
        super().__init__(name="mlx-worker", daemon=True)
        self.engine = engine
        self._make_cache = make_cache
        self._family_override = family
        self._on_progress = on_progress
        self.info: Optional[ModelInfo] = None
        self.cache: Optional[PrefixCacheManager] = None
        self.family = ""
        self.load_error: Optional[str] = None
        self.loaded = threading.Event()
        self.jobs: "queue.Queue[Optional[Job]]" = queue.Queue()
        self.stopping = threading.Event()
        self._boundaries: dict[str, int] = {}
        self._header_lengths: dict[str, int] = {}

    def submit(self, job: Job) -> None:
        self.jobs.put(job)

    def stop(self) -> None:
        self.stopping.set()
        self.jobs.put(None)

    def load_model(self) -> bool:
        try:
            self.info = self.engine.load(self._on_progress)
            self.cache = self._make_cache(self.engine, self.info)
            self.family = family_for_template(self.info.chat_template, self._family_override)
            return True
        except Exception as e:
            self.load_error = f"{type(e).__name__}: {e}"
            return False
        finally:
            self.loaded.set()

    def run(self) -> None:
        if not self.load_model():
            return
        while True:
            job = self.jobs.get()
            if job is None:
                return
            if job.cancel.is_set() or self.stopping.is_set():
                job.events.put(("cancelled",))
                continue
            try:
                self.process(job)
            except Cancelled:
                job.events.put(("cancelled",))
            except Exception as e:  # a failed request must not kill the worker
                log.exception("request failed")
                job.events.put(("error", 500, f"generation failed: {e}"))

    # ---- one request --------------------------------------------------------------------------

    def system_boundary(self, job: Job) -> int:
        """Tokens that do not depend on the conversation: render system+tools with two probe
        user messages and take the common prefix (cached per system+tools+options)."""
        system = [m for m in job.messages[:1] if m.get("role") == "system"]
        key = hashlib.sha256(json.dumps([system, job.tools, job.template_kwargs], sort_keys=True).encode()).hexdigest()
        if key not in self._boundaries:
            a, b = (self.engine.render(system + [{"role": "user", "content": p}], job.tools, job.template_kwargs) for p in PROBES)
            self._boundaries[key] = common_prefix(a, b)
        return self._boundaries[key]

    def generation_prompt_length(self, template_kwargs: dict[str, Any]) -> int:
        """The assistant header's length under these template options (enable_thinking: false
        makes Qwen templates add an empty think block), measured once per option set."""
        key = json.dumps(template_kwargs, sort_keys=True)
        if key not in self._header_lengths:
            self._header_lengths[key] = self.engine.generation_prompt_length(template_kwargs)
        return self._header_lengths[key]

    def memory_refusal(self, info: ModelInfo, n: int) -> Optional[str]:
        if info.max_kv_bytes is None or not info.bytes_per_token:
            return None  # unknown: no check
        if info.max_kv_bytes == 0:
            return f"no memory is left for the KV cache: {info.memory_note}. Use a smaller or more quantized model, or close other apps"
        fits = max(0, info.max_kv_bytes - info.kv_fixed_bytes) // info.bytes_per_token
        if n + 1 > fits:
            need = info.kv_fixed_bytes + n * info.bytes_per_token
            return f"prompt is too long: {n} tokens > {fits} maximum (the KV cache would need {need >> 20} MB; {info.max_kv_bytes >> 20} MB are free)"
        return None

    def process(self, job: Job) -> None:
        info, cache_manager = self.info, self.cache
        assert info is not None and cache_manager is not None
        prompt = self.engine.render(job.messages, job.tools, job.template_kwargs)
        n = len(prompt)
        if n + 1 > info.context_window:
            job.events.put(("error", 400, f"prompt is too long: {n} tokens > {info.context_window} maximum"))
            return
        max_tokens = max(1, min(job.max_tokens, info.context_window - n))
        refusal = self.memory_refusal(info, n)
        if refusal:
            # Refused instead of crashing the process: a Metal OOM aborts.
            job.events.put(("error", 400, refusal))
            return
        should_stop = lambda: job.cancel.is_set() or self.stopping.is_set()  # noqa: E731
        boundary = self.system_boundary(job)
        header = self.generation_prompt_length(job.template_kwargs)
        acquired = cache_manager.acquire(prompt, info.identity)
        cache = acquired.cache
        if info.max_kv_bytes and info.bytes_per_token:
            fits = (info.max_kv_bytes - info.kv_fixed_bytes) // info.bytes_per_token
            max_tokens = min(max_tokens, fits - n)
            # Stored entries and this request's cache share the headroom (reserved after taking
            # the entry this request continues, so making room never evicts it).
            cache_manager.reserve(info.kv_fixed_bytes + (n + min(max_tokens, GENERATION_RESERVE)) * info.bytes_per_token)
        job.events.put(("start", n))
        generated: list[int] = []
        try:
            self._prefill(job, prompt, cache, acquired.reused, boundary, header, should_stop)
            finish = self._generate(job, prompt, cache, max_tokens, generated, should_stop)
        except Cancelled:
            self._keep_cancelled(prompt, generated, cache)
            raise
        finally:
            cache_manager.reserve(0)
        key = prompt + generated
        if cache.offset > len(key) and cache.is_trimmable():
            cache.trim(cache.offset - len(key))  # an engine that fed one token ahead
        if cache.offset == len(key):
            cache_manager.store(key, cache, "turn", info.identity)
        else:
            log.warning("cache holds %d tokens, expected %d: turn not kept for reuse", cache.offset, len(key))
        log.info("reused=%d prefilled=%d match=%s generated=%d", acquired.reused, n - acquired.reused, acquired.kind, len(generated))
        job.events.put(("done", finish, {"prompt_tokens": n, "cached_tokens": acquired.reused, "completion_tokens": len(generated)}))

    def _prefill(self, job: Job, prompt: list[int], cache: Any, pos: int, boundary: int, header: int, should_stop: Callable[[], bool]) -> None:
        """Prefill all but the last prompt token, storing checkpoints on the way: the end of
        system+tools, and for caches that cannot trim, where the next turn starts (before the
        assistant header of this request's options)."""
        info, cache_manager = self.info, self.cache
        assert info is not None and cache_manager is not None
        n = len(prompt)

        def prefill_to(end: int) -> None:
            nonlocal pos
            if end > pos:
                start = pos
                self.engine.prefill(cache, prompt[pos:end], lambda d: job.events.put(("progress", start + d, n)), should_stop)
                pos = end

        if cache_manager.enabled and pos < boundary < n - 1 and not cache_manager.has(prompt[:boundary], info.identity, "checkpoint"):
            prefill_to(boundary)
            cache_manager.store(prompt[:boundary], cache.copy(), "checkpoint", info.identity)
        if cache_manager.enabled and not cache.is_trimmable():
            end = n - header
            if pos < end < n - 1 and not cache_manager.has(prompt[:end], info.identity, "checkpoint"):
                prefill_to(end)
                cache_manager.store(prompt[:end], cache.copy(), "checkpoint", info.identity)
        prefill_to(n - 1)

    def _generate(self, job: Job, prompt: list[int], cache: Any, max_tokens: int, generated: list[int], should_stop: Callable[[], bool]) -> str:
        n = len(prompt)
        parser = make_parser(self.family, job.tools)
        stopper = StopMatcher(job.stop)
        calls = 0
        finish = "length"

        def emit(events: list) -> None:
            nonlocal calls
            for e in events:
                if isinstance(e, Content):
                    job.events.put(("content", e.text))
                elif isinstance(e, Reasoning):
                    job.events.put(("reasoning", e.text))
                elif isinstance(e, ToolCall):
                    job.events.put(("tool_call", calls, e.name, e.arguments))
                    calls += 1

        for tok in self.engine.generate(cache, prompt[n - 1 :], job.sampling, max_tokens, should_stop):
            if tok.token is not None:
                generated.append(tok.token)
            text = stopper.feed(tok.text)
            if text:
                emit(parser.feed(text))
            if tok.token is not None and self.engine.is_eos(tok.token):
                finish = "stop"
                break
            if stopper.matched:
                finish = "stop"
                break
        emit(parser.feed(stopper.flush()) + parser.finish())
        if calls and finish == "stop":
            finish = "tool_calls"
        return finish

    def _keep_cancelled(self, prompt: list[int], generated: list[int], cache: Any) -> None:
        """Claude Code aborts often: keep what the cancelled request really processed, so the next
        request prefills only what the cancel lost."""
        info, cache_manager = self.info, self.cache
        assert info is not None and cache_manager is not None
        held = prompt + generated
        if not cache_manager.enabled or cache.offset == 0 or cache.offset > len(held):
            return
        if cache.is_trimmable():
            cache_manager.store(held[: cache.offset], cache, "turn", info.identity)
        elif cache.offset <= len(prompt):
            # Cut short in the prompt: a valid prefix of the next request's prompt. (Cut short while
            # generating, the checkpoint before the assistant header is already stored.)
            cache_manager.store(held[: cache.offset], cache, "prefix", info.identity)
