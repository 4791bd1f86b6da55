"""OpenAI-compatible HTTP on the standard library: chat completions (SSE and JSON), models,
liveness /health, readiness /ready and /v1/cache stats. Request threads never touch the model;
they hand jobs to the worker and relay its events."""

from __future__ import annotations

import json
import logging
import queue
import secrets
import string
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable, Optional

from .engine import Sampling
from .worker import Job, Worker

log = logging.getLogger("anyclaude_mlx")
ALNUM = string.ascii_letters + string.digits
KEEPALIVE_SECONDS = 1.0


class ServerState:
    """What /health and /ready report; written by the main thread, read by request threads."""

    def __init__(self) -> None:
        self.state = "starting"  # starting | loading | warming | ready | draining | failed
        self.progress = 0.0
        self.error: Optional[str] = None
        self.model: Optional[str] = None
        self.context_window: Optional[int] = None
        self.worker: Optional[Worker] = None
        self.on_change: Callable[[dict], None] = lambda event: None
        # Requests still writing: shutdown waits for them so an open stream gets its last event
        # before the process exits (handler threads are daemons and would die mid-write).
        self._open = 0
        self._idle = threading.Condition()

    def request_started(self) -> None:
        with self._idle:
            self._open += 1

    def request_finished(self) -> None:
        with self._idle:
            self._open -= 1
            self._idle.notify_all()

    def wait_idle(self, timeout: float) -> bool:
        with self._idle:
            return self._idle.wait_for(lambda: self._open == 0, timeout)

    def set(self, state: str, **extra: Any) -> None:
        self.state = state
        self.on_change({"event": state, **extra})


def call_id() -> str:
    # 9 alphanumerics: valid for every chat template, Mistral's included.
    return "".join(secrets.choice(ALNUM) for _ in range(9))


class BadRequest(Exception):
    pass


def parse_job(body: dict) -> Job:
    messages = body.get("messages")
    if not isinstance(messages, list) or not messages or not all(isinstance(m, dict) for m in messages):
        raise BadRequest("messages must be a non-empty array of objects")
    max_tokens = body.get("max_completion_tokens", body.get("max_tokens", 4096))
    if not isinstance(max_tokens, int) or max_tokens < 1:
        raise BadRequest("max_tokens must be a positive integer")
    tools = body.get("tools")
    if tools is not None and not isinstance(tools, list):
        raise BadRequest("tools must be an array")
    stop = body.get("stop") or []
    stop = [stop] if isinstance(stop, str) else stop
    kwargs = body.get("chat_template_kwargs") or {}
    seed = body.get("seed")
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed < 1 << 64):
        raise BadRequest("seed must be a non-negative integer")  # mx.random.seed takes a uint64
    sampling = Sampling(
        temperature=float(body.get("temperature") or 0.0),
        top_p=float(body.get("top_p") or 1.0),
        top_k=int(body.get("top_k") or 0),
        seed=seed,
    )
    return Job(messages=messages, tools=tools or None, max_tokens=max_tokens, sampling=sampling, template_kwargs=kwargs, stop=list(stop))


class Handler(BaseHTTPRequestHandler):
    server_version = "anyclaude-mlx"
    protocol_version = "HTTP/1.1"
    state: ServerState  # set on the subclass by make_server

    def log_message(self, fmt: str, *args: Any) -> None:
        log.debug("%s - %s", self.address_string(), fmt % args)

    # ---- plumbing ---------------------------------------------------------------------------

    def _json(self, status: int, body: Any) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _error(self, status: int, message: str, kind: str = "invalid_request_error") -> None:
        self._json(status, {"error": {"message": message, "type": kind, "code": status}})

    # ---- routes -----------------------------------------------------------------------------

    def do_GET(self) -> None:  # noqa: N802
        s = self.state
        path = self.path.split("?")[0]
        if path == "/health":
            self._json(200, {"state": s.state, "model": s.model, "progress": s.progress, "error": s.error})
        elif path == "/ready":
            self._json(200 if s.state == "ready" else 503, {"ready": s.state == "ready", "state": s.state, "progress": s.progress, "error": s.error})
        elif path == "/v1/models":
            data = [{"id": s.model, "object": "model", "owned_by": "anyclaude", "context_window": s.context_window, "max_model_len": s.context_window}] if s.model else []
            self._json(200, {"object": "list", "data": data})
        elif path == "/v1/cache":
            self._json(200, s.worker.cache.describe() if s.worker else {})
        else:
            self._error(404, f"no route for GET {path}", "not_found_error")

    def do_POST(self) -> None:  # noqa: N802
        path = self.path.split("?")[0]
        if path not in ("/v1/chat/completions", "/chat/completions"):
            self._error(404, f"no route for POST {path}", "not_found_error")
            return
        if self.state.state != "ready" or not self.state.worker:
            self._error(503, f"model not ready ({self.state.state})", "service_unavailable")
            return
        try:
            length = int(self.headers.get("content-length") or 0)
            body = json.loads(self.rfile.read(length) or b"null")
            if not isinstance(body, dict):
                raise BadRequest("body must be a JSON object")
            job = parse_job(body)
        except (ValueError, BadRequest) as e:
            self._error(400, f"bad request: {e}")
            return
        self.state.worker.submit(job)
        self.state.request_started()
        try:
            first = self._next_event(job, timeout=None)
            if first[0] == "error":
                self._error(first[1], first[2])
                return
            if first[0] == "cancelled":
                self._error(503, "server is shutting down", "service_unavailable")
                return
            if body.get("stream"):
                self._stream(job, bool((body.get("stream_options") or {}).get("include_usage")))
            else:
                self._complete(job)
        except (BrokenPipeError, ConnectionResetError):
            job.cancel.set()  # the client went away: stop prefilling or decoding
            log.info("client disconnected; request cancelled")
        finally:
            self.state.request_finished()

    def _next_event(self, job: Job, timeout: Optional[float]) -> tuple:
        return job.events.get(timeout=timeout)

    def _chunk(self, delta: dict, finish: Optional[str] = None, **extra: Any) -> bytes:
        chunk = {"id": self._id, "object": "chat.completion.chunk", "created": self._created, "model": self.state.model, "choices": [{"index": 0, "delta": delta, "finish_reason": finish}], **extra}
        return b"data: " + json.dumps(chunk).encode() + b"\n\n"

    def _write(self, data: bytes) -> None:
        self.wfile.write(data)
        self.wfile.flush()

    def _stream(self, job: Job, include_usage: bool) -> None:
        self._id = f"chatcmpl-{secrets.token_hex(8)}"
        self._created = int(time.time())
        self.send_response(200)
        self.send_header("content-type", "text/event-stream")
        self.send_header("cache-control", "no-cache")
        self.send_header("connection", "close")
        self.end_headers()
        self.close_connection = True
        self._write(self._chunk({"role": "assistant", "content": ""}))
        done, total = 0, 0
        last_write = time.monotonic()
        while True:
            try:
                ev = self._next_event(job, timeout=KEEPALIVE_SECONDS)
            except queue.Empty:
                ev = ("idle",)
            kind = ev[0]
            if kind == "progress":
                done, total = ev[1], ev[2]
            if kind in ("idle", "progress"):
                # Prefill can take a while: keep the connection alive, and notice a client that left
                # (a write fails) even when chunks finish faster than the keep-alive interval.
                if time.monotonic() - last_write >= KEEPALIVE_SECONDS:
                    self._write(f": keepalive {done}/{total}\n\n".encode())
                    last_write = time.monotonic()
                continue
            last_write = time.monotonic()
            if kind == "content":
                self._write(self._chunk({"content": ev[1]}))
            elif kind == "reasoning":
                self._write(self._chunk({"reasoning": ev[1]}))
            elif kind == "tool_call":
                call = {"index": ev[1], "id": call_id(), "type": "function", "function": {"name": ev[2], "arguments": json.dumps(ev[3], separators=(",", ":"))}}
                self._write(self._chunk({"tool_calls": [call]}))
            elif kind == "done":
                usage = self._usage(ev[2])
                self._write(self._chunk({}, ev[1]))
                if include_usage:
                    self._write(b"data: " + json.dumps({"id": self._id, "object": "chat.completion.chunk", "created": self._created, "model": self.state.model, "choices": [], "usage": usage}).encode() + b"\n\n")
                self._write(b"data: [DONE]\n\n")
                return
            elif kind in ("error", "cancelled"):
                message = ev[2] if kind == "error" else "request cancelled: server is shutting down"
                self._write(b"data: " + json.dumps({"error": {"message": message, "type": "server_error", "code": ev[1] if kind == "error" else 503}}).encode() + b"\n\n")
                return

    def _complete(self, job: Job) -> None:
        content, reasoning, calls = [], [], []
        while True:
            ev = self._next_event(job, timeout=None)
            kind = ev[0]
            if kind == "content":
                content.append(ev[1])
            elif kind == "reasoning":
                reasoning.append(ev[1])
            elif kind == "tool_call":
                calls.append({"id": call_id(), "type": "function", "function": {"name": ev[2], "arguments": json.dumps(ev[3], separators=(",", ":"))}})
            elif kind == "error":
                self._error(ev[1], ev[2], "server_error")
                return
            elif kind == "cancelled":
                self._error(503, "request cancelled: server is shutting down", "service_unavailable")
                return
            elif kind == "done":
                message: dict[str, Any] = {"role": "assistant", "content": "".join(content) or None}
                if reasoning:
                    message["reasoning"] = "".join(reasoning)
                if calls:
                    message["tool_calls"] = calls
                self._json(200, {"id": f"chatcmpl-{secrets.token_hex(8)}", "object": "chat.completion", "created": int(time.time()), "model": self.state.model, "choices": [{"index": 0, "message": message, "finish_reason": ev[1]}], "usage": self._usage(ev[2])})
                return

    @staticmethod
    def _usage(u: dict) -> dict:
        return {
            "prompt_tokens": u["prompt_tokens"],
            "completion_tokens": u["completion_tokens"],
            "total_tokens": u["prompt_tokens"] + u["completion_tokens"],
            "prompt_tokens_details": {"cached_tokens": u["cached_tokens"]},
        }


def make_server(host: str, port: int, state: ServerState) -> ThreadingHTTPServer:
    handler = type("BoundHandler", (Handler,), {"state": state})
    server = ThreadingHTTPServer((host, port), handler)
    server.daemon_threads = True
    return server


def serve_in_background(server: ThreadingHTTPServer) -> threading.Thread:
    t = threading.Thread(target=server.serve_forever, name="http", daemon=True)
    t.start()
    return t
