"""Starts the real server (`python -m anyclaude_mlx`) as a child process for HTTP and lifecycle tests."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request

MLX_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


class ServerProcess:
    def __init__(self, *args: str, watch_stdin: bool = False, env: dict[str, str] | None = None):
        cmd = [sys.executable, "-m", "anyclaude_mlx", "--port", "0", *args]
        if watch_stdin:
            cmd.append("--watch-stdin")
        self.proc = subprocess.Popen(cmd, cwd=MLX_DIR, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env={**os.environ, **(env or {})})
        self.events: list[dict] = []
        self.stderr: list[str] = []
        self.port: int | None = None
        self._got_port = threading.Event()
        threading.Thread(target=self._read_stdout, daemon=True).start()
        threading.Thread(target=lambda: [self.stderr.append(line) for line in self.proc.stderr], daemon=True).start()

    def _read_stdout(self) -> None:
        for line in self.proc.stdout:
            ev = json.loads(line)
            self.events.append(ev)
            if ev.get("event") == "listening":
                self.port = ev["port"]
                self._got_port.set()
        self._got_port.set()

    def wait_event(self, name: str, timeout: float = 10) -> dict:
        end = time.time() + timeout
        while time.time() < end:
            for ev in self.events:
                if ev.get("event") == name:
                    return ev
            if self.proc.poll() is not None and not any(e.get("event") == name for e in self.events):
                time.sleep(0.1)
                break
            time.sleep(0.02)
        raise AssertionError(f"no {name} event; got {self.events}; stderr {''.join(self.stderr)}")

    @property
    def url(self) -> str:
        self._got_port.wait(10)
        return f"http://127.0.0.1:{self.port}"

    def get(self, path: str) -> tuple[int, dict]:
        try:
            with urllib.request.urlopen(self.url + path, timeout=5) as r:
                return r.status, json.loads(r.read())
        except urllib.error.HTTPError as e:
            with e:
                return e.code, json.loads(e.read())

    def post(self, body: object, path: str = "/v1/chat/completions", raw: bytes | None = None):
        data = raw if raw is not None else json.dumps(body).encode()
        req = urllib.request.Request(self.url + path, data=data, headers={"content-type": "application/json"})
        try:
            r = urllib.request.urlopen(req, timeout=30)
            return r.status, r
        except urllib.error.HTTPError as e:
            return e.code, e

    def stop(self) -> int:
        if self.proc.poll() is None:
            self.proc.terminate()
        try:
            code = self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            code = self.proc.wait()
        for pipe in (self.proc.stdin, self.proc.stdout, self.proc.stderr):
            if pipe and not pipe.closed:
                try:
                    pipe.close()
                except OSError:
                    pass
        return code


def sse_events(response) -> tuple[list[dict], list[str]]:
    """Data payloads and comment lines of an OpenAI SSE stream."""
    data, comments = [], []
    with response:
        for raw in response:
            line = raw.decode().rstrip("\n")
            if line.startswith(":"):
                comments.append(line)
            elif line.startswith("data: ") and line != "data: [DONE]":
                data.append(json.loads(line[6:]))
    return data, comments


def read_json(response) -> dict:
    with response:
        return json.loads(response.read())
