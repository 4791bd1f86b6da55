"""The real engine on the mlx_lm library APIs (mlx-lm 0.32.x). The only module that imports mlx.

Everything here runs on the worker thread (MLX arrays belong to the stream of their thread).
Tested on Apple Silicon by tests/test_engine_mlx.py, which skips where mlx does not import.
"""

from __future__ import annotations

import copy
import hashlib
import json
import os
from typing import Any, Callable, Iterator, Optional

import mlx.core as mx
from mlx_lm import load as mlx_load
from mlx_lm.generate import generate_step, generation_stream
from mlx_lm.models.cache import can_trim_prompt_cache, make_prompt_cache
from mlx_lm.sample_utils import make_sampler

from .engine import Cancelled, GeneratedToken, ModelInfo, Sampling

PREFILL_STEP = 2048


class MLXCache:
    """A list of per-layer caches (KVCache, RotatingKVCache, ArraysCache, …)."""

    def __init__(self, layers: list[Any]):
        self.layers = layers

    @property
    def offset(self) -> int:
        first = self.layers[0]
        return int(getattr(first, "offset", 0) or 0)

    @property
    def nbytes(self) -> int:
        return int(sum(getattr(c, "nbytes", 0) for c in self.layers))

    def is_trimmable(self) -> bool:
        return bool(can_trim_prompt_cache(self.layers))

    def trim(self, n: int) -> int:
        # trim_prompt_cache reports layer 0 only; every layer must have trimmed the same amount.
        return min(int(c.trim(n)) for c in self.layers)

    def copy(self) -> "MLXCache":
        layers = copy.deepcopy(self.layers)
        mx.eval([c.state for c in layers])  # materialised: no lazy graph pointing at the original
        return MLXCache(layers)


def _normalise(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Qwen-family templates need tool-call arguments as a mapping, not a JSON string."""
    out = []
    for m in messages:
        m = dict(m)
        if isinstance(m.get("content"), list):
            m["content"] = "\n".join(p.get("text", "") for p in m["content"] if p.get("type") == "text")
        if m.get("tool_calls"):
            calls = []
            for c in m["tool_calls"]:
                fn = dict(c.get("function", {}))
                if isinstance(fn.get("arguments"), str):
                    try:
                        fn["arguments"] = json.loads(fn["arguments"] or "{}")
                    except ValueError:
                        pass
                calls.append({**c, "function": fn})
            m["tool_calls"] = calls
        out.append(m)
    return out


def _kv_headroom() -> Optional[int]:
    """What one request's KV cache may use: the recommended working set minus what is already
    allocated (the weights) minus 2 GiB. A Metal OOM is an uncatchable abort, so we refuse first."""
    try:
        info = mx.device_info() if hasattr(mx, "device_info") else mx.metal.device_info()
        limit = int(info.get("max_recommended_working_set_size", 0))
        active = int(mx.get_active_memory())
    except Exception:
        return None
    return max(0, limit - active - (2 << 30)) if limit else None


class MLXEngine:
    def __init__(self, model_path: str, context_window: Optional[int] = None):
        self.path = model_path
        self.context_window = context_window
        self.model: Any = None
        self.tokenizer: Any = None

    def load(self, progress: Callable[[float], None]) -> ModelInfo:
        # A local directory loads offline (the supervisor sets HF_HUB_OFFLINE); a Hugging Face id
        # is fetched once by mlx_lm into its cache.
        progress(0.05)
        self.model, self.tokenizer, config = mlx_load(self.path, return_config=True)
        progress(0.9)
        # Warm-up: one forward pass compiles the Metal kernels before the first real request.
        cache = make_prompt_cache(self.model)
        with mx.stream(generation_stream):
            self.model(mx.array([[self.tokenizer.encode("hi")[-1]]]), cache=cache)
            mx.eval([c.state for c in cache])
        progress(1.0)
        text_config = config.get("text_config", config)
        n_layers = text_config.get("num_hidden_layers", 0)
        kv_heads = text_config.get("num_key_value_heads", text_config.get("num_attention_heads", 0))
        head_dim = text_config.get("head_dim") or (text_config.get("hidden_size", 0) // max(1, text_config.get("num_attention_heads", 1)))
        probe = [{"role": "user", "content": "x"}]
        with_prompt = self.tokenizer.apply_chat_template(probe, add_generation_prompt=True, tokenize=True)
        without = self.tokenizer.apply_chat_template(probe, add_generation_prompt=False, tokenize=True)
        template = self.tokenizer.chat_template or ""
        bytes_per_token = 2 * n_layers * kv_heads * head_dim * 2
        stamp = os.path.getmtime(os.path.join(self.path, "config.json")) if os.path.exists(os.path.join(self.path, "config.json")) else 0
        return ModelInfo(
            id=os.path.basename(os.path.normpath(self.path)),
            context_window=self.context_window or int(text_config.get("max_position_embeddings", 32768)),
            bytes_per_token=bytes_per_token,
            generation_prompt_tokens=max(0, len(with_prompt) - len(without)),
            chat_template=template,
            identity=hashlib.sha256(f"{os.path.abspath(self.path)}:{stamp}:{template}".encode()).hexdigest()[:16],
            max_kv_bytes=_kv_headroom(),
        )

    def render(self, messages: list[dict[str, Any]], tools: Optional[list[dict[str, Any]]], template_kwargs: dict[str, Any]) -> list[int]:
        return list(
            self.tokenizer.apply_chat_template(_normalise(messages), tools=tools, add_generation_prompt=True, tokenize=True, **template_kwargs)
        )

    def new_cache(self) -> MLXCache:
        return MLXCache(make_prompt_cache(self.model))

    def prefill(self, cache: MLXCache, tokens: list[int], on_progress: Callable[[int], None], should_stop: Callable[[], bool]) -> None:
        with mx.stream(generation_stream):
            for start in range(0, len(tokens), PREFILL_STEP):
                if should_stop():
                    raise Cancelled()
                chunk = mx.array(tokens[start : start + PREFILL_STEP])[None]
                self.model(chunk, cache=cache.layers)
                mx.eval([c.state for c in cache.layers])
                mx.clear_cache()
                on_progress(start + chunk.shape[1])

    def generate(self, cache: MLXCache, last_tokens: list[int], sampling: Sampling, max_tokens: int, should_stop: Callable[[], bool]) -> Iterator[GeneratedToken]:
        if sampling.seed is not None:
            mx.random.seed(sampling.seed)
        sampler = make_sampler(temp=sampling.temperature, top_p=sampling.top_p if sampling.top_p < 1 else 0.0, top_k=sampling.top_k)
        detokenizer = self.tokenizer.detokenizer
        detokenizer.reset()
        for token, _ in generate_step(mx.array(last_tokens), self.model, max_tokens=max_tokens, sampler=sampler, prompt_cache=cache.layers):
            if should_stop():
                raise Cancelled()
            token = int(token)
            if self.is_eos(token):
                detokenizer.finalize()
                yield GeneratedToken(token, detokenizer.last_segment)
                return
            detokenizer.add_token(token)
            yield GeneratedToken(token, detokenizer.last_segment)
        # max_tokens reached: bytes of a multi-byte character may still be held.
        detokenizer.finalize()
        if detokenizer.last_segment:
            yield GeneratedToken(None, detokenizer.last_segment)

    def is_eos(self, token: int) -> bool:
        return token in self.tokenizer.eos_token_ids
