"""Random Claude-Code-like sessions: the output with the prefix cache must equal a cache-free run
(so no reuse bug can hide), while follow-up turns prefill only what is new."""

import queue
import random
import unittest

from anyclaude_mlx.cache_manager import PrefixCacheManager
from anyclaude_mlx.engine_fake import FakeEngine
from anyclaude_mlx.worker import Job, Worker

WORDS = "file test build error module function return value import config path line change commit".split()
TOOLS = [{"type": "function", "function": {"name": n, "parameters": {"type": "object", "properties": {"x": {"type": "string"}}}}} for n in ("Bash", "Read", "Edit")]


def words(rng, n):
    return " ".join(rng.choice(WORDS) for _ in range(n))


class CancelAfter(queue.Queue):
    """An event queue that cancels its job after k content events (a client that disconnects)."""

    def __init__(self, k):
        super().__init__()
        self.k = k
        self.job = None

    def put(self, item, block=True, timeout=None):
        super().put(item, block, timeout)
        if item[0] == "content":
            self.k -= 1
            if self.k <= 0 and self.job:
                self.job.cancel.set()


def make_session(seed):
    """A list of requests: (label, messages, tools, cancel_after)."""
    rng = random.Random(seed)
    main_system = {"role": "system", "content": "You are Claude Code. " + words(rng, 400)}
    agent_system = {"role": "system", "content": "You are a sub-agent. " + words(rng, 200)}
    main = [main_system, {"role": "user", "content": words(rng, 30)}]
    agent = None
    ops = []
    for _ in range(rng.randint(18, 28)):
        r = rng.random()
        if r < 0.12:
            ops.append(("title", [{"role": "system", "content": "Write a 5-word title."}, {"role": "user", "content": words(rng, 20)}], None, None))
        elif r < 0.27:
            agent = agent or [agent_system, {"role": "user", "content": words(rng, 25)}]
            ops.append(("agent", list(agent), TOOLS[:2], None))
            agent += [{"role": "assistant", "content": "", "tool_calls": [{"id": "a1", "type": "function", "function": {"name": "Read", "arguments": '{"x":"y"}'}}]}, {"role": "tool", "tool_call_id": "a1", "content": words(rng, 40)}]
        elif r < 0.31:
            main = [main_system, {"role": "user", "content": "Summary of the conversation so far: " + words(rng, 60)}]  # /compact
            ops.append(("compact", list(main), TOOLS, None))
        else:
            ops.append(("main", list(main), TOOLS, rng.randint(1, 3) if rng.random() < 0.1 else None))
            call = {"id": f"m{len(main)}", "type": "function", "function": {"name": "Bash", "arguments": '{"x":"ls"}'}}
            main += [{"role": "assistant", "content": words(rng, 5), "tool_calls": [call]}, {"role": "tool", "tool_call_id": call["id"], "content": words(rng, rng.randint(5, 80))}]
    return ops


def run_session(ops, cached, trimmable):
    engine = FakeEngine(trimmable=trimmable, max_words=6)
    mgr = PrefixCacheManager(engine.new_cache, max_entries=6 if cached else 0, budget_bytes=1 << 40, min_reuse=16)
    worker = Worker(engine, lambda e, i: mgr)
    assert worker.load_model()
    results = []
    for i, (label, messages, tools, cancel_after) in enumerate(ops):
        messages = [dict(m) for m in messages]
        events = CancelAfter(cancel_after) if cancel_after else queue.Queue()
        job = Job(messages=messages, tools=tools, max_tokens=8, events=events)
        if cancel_after:
            events.job = job
        before = engine.counters.tokens_prefilled
        try:
            worker.process(job)
        except Exception as e:  # Cancelled
            events.put(("cancelled", type(e).__name__))
        out = []
        usage = None
        while not events.empty():
            ev = events.get()
            if ev[0] in ("content", "reasoning", "tool_call", "cancelled"):
                out.append(ev)
            elif ev[0] == "done":
                out.append(("done", ev[1]))
                usage = ev[2]
        results.append({"out": out, "prefilled": engine.counters.tokens_prefilled - before, "usage": usage, "label": label})
        for e in mgr.entries():
            assert e.cache.offset == len(e.tokens)
        assert len(mgr.entries()) <= max(mgr.max_entries, 0)
    return results


class PropertyTests(unittest.TestCase):
    def check(self, trimmable):
        for seed in range(12):
            ops = make_session(seed)
            with_cache = run_session(ops, True, trimmable)
            without = run_session(ops, False, trimmable)
            for i, (a, b) in enumerate(zip(with_cache, without)):
                self.assertEqual(a["out"], b["out"], f"seed {seed} request {i} ({a['label']}): output differs with the cache")
            total_cached = sum(r["prefilled"] for r in with_cache)
            total_plain = sum(r["prefilled"] for r in without)
            self.assertLess(total_cached, total_plain * 0.5, f"seed {seed}: reuse saved too little ({total_cached} vs {total_plain})")

    def test_trimmable_cache_matches_cache_free_output(self):
        self.check(trimmable=True)

    def test_non_trimmable_cache_matches_cache_free_output(self):
        self.check(trimmable=False)

    def test_follow_up_turns_prefill_only_the_new_part(self):
        rng = random.Random(7)
        system = {"role": "system", "content": "You are Claude Code. " + words(rng, 400)}
        messages = [system, {"role": "user", "content": words(rng, 30)}]
        engine = FakeEngine(max_words=6)
        mgr = PrefixCacheManager(engine.new_cache, max_entries=6, min_reuse=16)
        worker = Worker(engine, lambda e, i: mgr)
        worker.load_model()
        prev_prompt = 0
        for turn in range(6):
            job = Job(messages=[dict(m) for m in messages], tools=TOOLS, max_tokens=8)
            before = engine.counters.tokens_prefilled
            worker.process(job)
            evs = []
            while not job.events.empty():
                evs.append(job.events.get())
            done = [e for e in evs if e[0] == "done"][0]
            text = "".join(e[1] for e in evs if e[0] == "content")
            usage = done[2]
            if turn:
                self.assertGreaterEqual(usage["cached_tokens"], prev_prompt, f"turn {turn} did not reuse the previous prompt")
                self.assertEqual(engine.counters.tokens_prefilled - before, usage["prompt_tokens"] - usage["cached_tokens"])
                self.assertLess(usage["prompt_tokens"] - usage["cached_tokens"], 0.1 * usage["prompt_tokens"])
            prev_prompt = usage["prompt_tokens"]
            messages += [
                {"role": "assistant", "content": text, "tool_calls": [{"id": f"c{turn}", "type": "function", "function": {"name": "Bash", "arguments": '{"x":"ls"}'}}]},
                {"role": "tool", "tool_call_id": f"c{turn}", "content": words(rng, 20)},
            ]
        # A title request and a sub-agent in between cost the main conversation nothing.
        for side in ([{"role": "system", "content": "Title."}, {"role": "user", "content": "x y z"}], [{"role": "system", "content": "Sub-agent."}, {"role": "user", "content": words(rng, 40)}]):
            worker.process(Job(messages=side, tools=None, max_tokens=4))
        job = Job(messages=[dict(m) for m in messages], tools=TOOLS, max_tokens=8)
        worker.process(job)
        evs = []
        while not job.events.empty():
            evs.append(job.events.get())
        usage = [e for e in evs if e[0] == "done"][0][2]
        self.assertGreaterEqual(usage["cached_tokens"], prev_prompt)


if __name__ == "__main__":
    unittest.main()
