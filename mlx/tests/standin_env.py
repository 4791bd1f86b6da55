"""Puts the numpy stand-in of mlx/mlx_lm (tests/standin) in place of the real packages for one test
module, and takes it away again, so a Mac with real mlx runs both kinds of tests in one process."""

from __future__ import annotations

import importlib
import os
import sys
from types import ModuleType
from typing import Optional

STANDIN = os.path.join(os.path.dirname(os.path.abspath(__file__)), "standin")
MODELS = os.path.join(STANDIN, "models")
SHAPES = ("llama", "gpt_oss", "qwen3_next", "deepseek_v32", "mla", "falcon_h1", "llama4", "gemma3")
_SWAPPED = ("mlx", "mlx_lm", "anyclaude_mlx.engine_mlx")


def _swapped(name: str) -> bool:
    return any(name == p or name.startswith(p + ".") for p in _SWAPPED)


def model_dir(shape: str) -> str:
    return os.path.join(MODELS, shape)


def is_standin(core: ModuleType) -> bool:
    return os.path.abspath(getattr(core, "__file__", "") or "").startswith(STANDIN)


class StandinModules:
    def __init__(self) -> None:
        self._saved: dict[str, ModuleType] = {}
        self.engine_mlx: Optional[ModuleType] = None
        self.core: Optional[ModuleType] = None

    def __enter__(self) -> "StandinModules":
        self._saved = {k: sys.modules.pop(k) for k in list(sys.modules) if _swapped(k)}
        sys.path.insert(0, STANDIN)
        self.core = importlib.import_module("mlx.core")
        assert is_standin(self.core), self.core
        self.engine_mlx = importlib.import_module("anyclaude_mlx.engine_mlx")
        return self

    def __exit__(self, *exc: object) -> None:
        for k in [k for k in sys.modules if _swapped(k)]:
            del sys.modules[k]
        sys.path.remove(STANDIN)
        sys.modules.update(self._saved)
