"""The real engine_mlx.py on the numpy stand-in, over a Claude Code session (title request, sub-agent,
cancels while prefilling and generating, a thinking-off turn): for every model shape a cached and a
cache-off server answer identically, and the cache is really used (follow-ups prefill only their new
tokens; after a cancel, only what the cancel lost)."""

import queue
import unittest

from anyclaude_mlx.cache_manager import PrefixCacheManager, cache_budget, common_prefix
from anyclaude_mlx.engine import Cancelled
from anyclaude_mlx.worker import Job, Worker

from .claude_code_session import resolve, session
from .standin_env import SHAPES, StandinModules, model_dir

ENV = StandinModules()
HEADER_SLACK = 10  # the assistant header a non-trimmable cache re-prefills (<= 9 tokens with thinking off)


def setUpModule():
    ENV.__enter__()


def tearDownModule():
    ENV.__exit__()


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


def run(shape, cached):
    engine = ENV.engine_mlx.MLXEngine(model_dir(shape))
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


class SessionOnStandinTests(unittest.TestCase):
    def test_cached_and_uncached_sessions_agree_and_the_cache_is_used(self):
        for shape in SHAPES:
            with self.subTest(shape=shape):
                cached, manager = run(shape, True)
                plain, _ = run(shape, False)
                for a, b in zip(cached, plain):
                    label = a["step"].label
                    self.assertEqual(a["cancelled"], b["cancelled"], label)
                    self.assertEqual(a["cancelled"], bool(a["step"].cancel), f"{label}: the cancel did not happen")
                    if not a["cancelled"]:
                        self.assertEqual(a["text"], b["text"], f"{label}: output differs with the cache")
                        self.assertEqual(b["usage"]["cached_tokens"], 0)
                self.assertGreater(manager.stats["hits"], 0)
                self.check_reuse(shape, cached)

    def check_reuse(self, shape, rows):
        previous = None
        prompt_total = prefilled_total = 0
        for row in rows:
            step = row["step"]
            if step.main and not row["cancelled"]:
                usage = row["usage"]
                prefilled = usage["prompt_tokens"] - usage["cached_tokens"]
                new = len(row["prompt"]) - common_prefix(row["prompt"], previous["prompt"])
                if previous["cancelled_at"] is not None:
                    # After a cancel while prefilling, the next turn picks up where it stopped.
                    self.assertEqual(usage["cached_tokens"], previous["cancelled_at"], f"{shape} {step.label}")
                else:
                    self.assertLessEqual(prefilled, new + HEADER_SLACK, f"{shape} {step.label}: prefilled {prefilled}, new tokens {new}")
                prompt_total += usage["prompt_tokens"]
                prefilled_total += prefilled
            if step.main or step.label == "turn 1":
                previous = row
        self.assertGreater(1 - prefilled_total / prompt_total, 0.9, f"{shape}: follow-ups served {prompt_total - prefilled_total} of {prompt_total} tokens from the cache")


if __name__ == "__main__":
    unittest.main()
