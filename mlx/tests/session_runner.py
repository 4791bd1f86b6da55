"""Runs the Claude Code session of claude_code_session.py through a Worker (in this thread, so cancels
land at exact points) with the prefix cache on or off; shared by the stand-in and real-MLX tests."""

import queue
from typing import Any

from anyclaude_mlx.cache_manager import PrefixCacheManager, cache_budget, common_prefix
from anyclaude_mlx.engine import Cancelled
from anyclaude_mlx.worker import Job, Worker

from .claude_code_session import resolve, session

HEADER_SLACK = 10  # the assistant header a non-trimmable cache re-prefills (<= 9 tokens with thinking off)


class CancellingEvents(queue.Queue):
    """The request's event queue, which cancels the request at a chosen point (on the worker's own
    thread, so the point is exact): after the first prefill chunk, or the first generated text."""

    def __init__(self, cancel, mode):
        super().__init__()
        self.cancel, self.mode, self.contents, self.cancelled_at = cancel, mode, 0, None

    def put(self, item, block=True, timeout=None):
        super().put(item, block, timeout)
        if self.cancel.is_set() or not self.mode:
            return
        if self.mode == "prefill" and item[0] == "progress":
            self.cancelled_at = item[1]
            self.cancel.set()
        if self.mode == "generate" and item[0] == "content":
            self.contents += 1
            if self.contents == 1:
                self.cancel.set()


def run_session(engine: Any, cached: bool) -> tuple[list[dict[str, Any]], PrefixCacheManager]:
    worker = Worker(engine, lambda e, i: PrefixCacheManager(e.new_cache, max_entries=6 if cached else 0, budget_bytes=cache_budget(i.max_kv_bytes), memory_bytes=i.max_kv_bytes))
    assert worker.load_model(), worker.load_error
    replies, rows = {}, []
    steps = session(lambda step: replies[id(step)])
    for step in steps:
        job = Job(messages=resolve(step.messages), tools=step.tools, max_tokens=step.max_tokens, template_kwargs=step.template_kwargs)
        job.events = CancellingEvents(job.cancel, step.cancel)
        cancelled = False
        try:
            worker.process(job)
        except Cancelled:
            cancelled = True
        events = list(job.events.queue)
        errors = [e for e in events if e[0] == "error"]
        assert not errors, errors
        done = [e for e in events if e[0] == "done"]
        text = "".join(e[1] for e in events if e[0] == "content")
        replies[id(step)] = text
        prompt = engine.render(job.messages, job.tools, job.template_kwargs)
        rows.append({"step": step, "text": text, "cancelled": cancelled, "usage": done[0][2] if done else None, "cancelled_at": job.events.cancelled_at, "prompt": prompt})
        for entry in worker.cache.entries():
            assert entry.cache.offset == len(entry.tokens)
    return rows, worker.cache


def check_session(test: Any, shape: str, cached: list[dict[str, Any]], plain: list[dict[str, Any]], manager: PrefixCacheManager) -> None:
    """Same answers with and without the cache, every cancel really happened, and the cache was used."""
    for a, b in zip(cached, plain):
        label = a["step"].label
        test.assertEqual(a["cancelled"], b["cancelled"], label)
        test.assertEqual(a["cancelled"], bool(a["step"].cancel), f"{label}: the cancel did not happen")
        if not a["cancelled"]:
            test.assertEqual(a["text"], b["text"], f"{shape} {label}: output differs with the cache")
            test.assertEqual(b["usage"]["cached_tokens"], 0)
    test.assertGreater(manager.stats["hits"], 0)
    _check_reuse(test, shape, cached)


def _check_reuse(test: Any, shape: str, rows: list[dict[str, Any]]) -> None:
    """Follow-ups prefill only their new tokens (plus a re-rendered header); after a cancel while
    prefilling, the next turn starts where the cancelled one stopped."""
    previous = None
    prompt_total = prefilled_total = 0
    for row in rows:
        step = row["step"]
        if step.main and not row["cancelled"]:
            usage = row["usage"]
            prefilled = usage["prompt_tokens"] - usage["cached_tokens"]
            new = len(row["prompt"]) - common_prefix(row["prompt"], previous["prompt"])
            if previous["cancelled_at"] is not None:
                test.assertEqual(usage["cached_tokens"], previous["cancelled_at"], f"{shape} {step.label}")
            else:
                test.assertLessEqual(prefilled, new + HEADER_SLACK, f"{shape} {step.label}: prefilled {prefilled}, new tokens {new}")
            prompt_total += usage["prompt_tokens"]
            prefilled_total += prefilled
        if step.main or step.label == "turn 1":
            previous = row
    test.assertGreater(1 - prefilled_total / prompt_total, 0.9, f"{shape}: follow-ups served {prompt_total - prefilled_total} of {prompt_total} tokens from the cache")
