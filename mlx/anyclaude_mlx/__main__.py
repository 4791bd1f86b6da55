"""`python -m anyclaude_mlx`: load, serve, shut down cleanly.

Exit codes: 0 clean shutdown, 2 bad arguments or model path missing, 3 load failure,
5 mlx/mlx_lm cannot be imported. One JSON line per state change goes to stdout
({"event": "listening", "port": P}, {"event": "loading", "progress": 0.4}, {"event": "ready"}, …)
so the supervisor does not have to poll.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import signal
import sys
import threading
from typing import Any

from .cache_manager import PrefixCacheManager, cache_budget
from .engine import ModelInfo
from .http_server import ServerState, make_server, serve_in_background
from .worker import Worker

EXIT_USAGE, EXIT_LOAD, EXIT_IMPORT = 2, 3, 5


def emit(event: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(event) + "\n")
    sys.stdout.flush()


def watch_stdin(on_eof) -> None:
    # os.read, not sys.stdin: a daemon thread blocked in a buffered read makes interpreter
    # shutdown abort ("could not acquire lock for <stdin>").
    while True:
        try:
            if not os.read(0, 65536):
                break
        except OSError:
            break
    on_eof()


def parse_args(argv: list[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="anyclaude_mlx", description=__doc__)
    p.add_argument("--engine", choices=["mlx", "fake"], default="mlx")
    p.add_argument("--model", help="local model directory (mlx engine)")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--max-entries", type=int, default=6, help="prefix-cache entries (0 disables reuse)")
    p.add_argument("--cache-mb", type=int, help="prefix-cache byte budget (default: 3/4 of the memory the weights leave, measured)")
    p.add_argument("--min-reuse", type=int, default=256, help="shortest prefix worth reusing, in tokens")
    p.add_argument("--family", help="force a tool-call parser family (hermes, qwen3_coder, mistral, harmony)")
    p.add_argument("--context-window", type=int, help="override the model's context window")
    p.add_argument("--trust-remote-code", action="store_true", help="let the tokenizer run code from the model repository (some need it)")
    p.add_argument("--watch-stdin", action="store_true", help="exit when stdin closes (parent died)")
    p.add_argument("--log-level", default="INFO")
    fake = p.add_argument_group("fake engine (tests)")
    fake.add_argument("--fake-script", help="JSON list of {when: regex, reply: text}")
    fake.add_argument("--fake-load-seconds", type=float, default=0.0)
    fake.add_argument("--fake-fail-load", help="fail loading with this message")
    fake.add_argument("--fake-hang-load", action="store_true")
    fake.add_argument("--fake-prefill-delay", type=float, default=0.0, help="seconds per prefilled token")
    fake.add_argument("--fake-token-delay", type=float, default=0.0)
    fake.add_argument("--fake-non-trimmable", action="store_true")
    fake.add_argument("--fake-family", default="hermes")
    fake.add_argument("--fake-memory-mb", type=int, help="memory left for one request's KV cache")
    return p.parse_args(argv)


def build_engine(args: argparse.Namespace):
    if args.engine == "fake":
        from .engine_fake import FakeEngine

        return FakeEngine.from_script_file(
            args.fake_script,
            load_seconds=args.fake_load_seconds,
            fail_load=args.fake_fail_load,
            hang_load=args.fake_hang_load,
            prefill_delay=args.fake_prefill_delay,
            token_delay=args.fake_token_delay,
            trimmable=not args.fake_non_trimmable,
            family=args.fake_family,
            memory_mb=args.fake_memory_mb,
            **({"context_window": args.context_window} if args.context_window else {}),
        )
    if not args.model:
        raise SystemExit(EXIT_USAGE)
    try:
        from .engine_mlx import MLXEngine
    except ImportError as e:
        emit({"event": "failed", "error": f"cannot import mlx/mlx_lm: {e}. Run `anyclaude setup mlx` (Apple Silicon only)."})
        sys.stderr.write(f"anyclaude_mlx: cannot import mlx/mlx_lm ({e}); run `anyclaude setup mlx` on Apple Silicon\n")
        raise SystemExit(EXIT_IMPORT)
    return MLXEngine(args.model, context_window=args.context_window, trust_remote_code=args.trust_remote_code)


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    logging.basicConfig(level=args.log_level.upper(), stream=sys.stderr, format="%(asctime)s %(levelname)s %(message)s")
    # A path must exist; anything else is a Hugging Face id that mlx_lm resolves from its cache.
    looks_like_path = bool(args.model) and args.model.startswith(("/", ".", "~"))
    if args.engine == "mlx" and (not args.model or (looks_like_path and not os.path.isdir(os.path.expanduser(args.model)))):
        message = f"model directory not found: {args.model}" if args.model else "--model is required for the mlx engine"
        emit({"event": "failed", "error": message})
        sys.stderr.write(f"anyclaude_mlx: {message}\n")
        return EXIT_USAGE
    engine = build_engine(args)

    state = ServerState()
    state.on_change = emit
    server = make_server(args.host, args.port, state)
    serve_in_background(server)
    emit({"event": "listening", "port": server.server_address[1]})

    shutdown = threading.Event()

    def request_shutdown(*_: Any) -> None:
        shutdown.set()

    signal.signal(signal.SIGTERM, request_shutdown)
    signal.signal(signal.SIGINT, request_shutdown)
    if args.watch_stdin:
        # macOS has no parent-death signal: a closed stdin pipe means the supervisor is gone.
        threading.Thread(target=watch_stdin, args=(request_shutdown,), name="stdin-watch", daemon=True).start()

    def progress(p: float) -> None:
        state.progress = round(p, 3)
        emit({"event": "loading", "progress": state.progress})

    def make_cache(engine: Any, info: ModelInfo) -> PrefixCacheManager:
        explicit = args.cache_mb << 20 if args.cache_mb is not None else None
        budget = cache_budget(info.max_kv_bytes, explicit)
        return PrefixCacheManager(engine.new_cache, max_entries=args.max_entries, budget_bytes=budget, min_reuse=args.min_reuse, memory_bytes=info.max_kv_bytes)

    worker = Worker(engine, make_cache, family=args.family, on_progress=progress)
    state.set("loading", progress=0.0)
    worker.start()
    while not worker.loaded.wait(0.1):
        if shutdown.is_set():
            server.shutdown()
            return 0
    if worker.load_error or worker.info is None:
        state.error = worker.load_error
        state.set("failed", error=state.error)
        sys.stderr.write(f"anyclaude_mlx: loading failed: {state.error}\n")
        server.shutdown()
        return EXIT_LOAD
    info = worker.info
    state.model, state.context_window, state.worker = info.id, info.context_window, worker
    state.progress = 1.0
    state.set("ready", model=info.id, context_window=info.context_window, family=worker.family)
    if info.max_kv_bytes == 0:
        sys.stderr.write(f"anyclaude_mlx: no memory is left for the KV cache ({info.memory_note}); every request will be refused\n")

    while not shutdown.wait(0.2):
        pass
    state.set("draining")
    worker.stop()  # cancels the running job between chunks/tokens; open streams end with an error event
    worker.join(timeout=5)
    state.wait_idle(timeout=5)
    server.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
