"""The real engine on the mlx_lm library APIs (mlx-lm 0.32.x). The only module that imports mlx.

Everything here runs on the worker thread (MLX arrays belong to the stream of their thread).
Runs in the test suite on a numpy stand-in of mlx/mlx_lm (tests/standin) and, on Apple Silicon
with ANYCLAUDE_MLX_TEST_MODEL, on the real library (tests/test_engine_mlx.py).
"""

from __future__ import annotations

import copy
import hashlib
import json
import logging
import os
from typing import Any, Callable, Iterator, Optional

import mlx.core as mx
from mlx_lm import load as mlx_load
from mlx_lm.generate import generate_step, generation_stream
from mlx_lm.models import cache as cache_types
from mlx_lm.models.cache import make_prompt_cache
from mlx_lm.sample_utils import make_sampler

from .cache_manager import cache_cost
from .engine import Cancelled, GeneratedToken, ModelInfo, Sampling

log = logging.getLogger("anyclaude_mlx")
PREFILL_STEP = 2048
# Caches whose trim() drops exactly the last n tokens of every head, and CacheLists of only these
# (DeepSeek-V3.2's latent and indexer keys, LongCat-Flash's two attentions). Sliding windows
# (RotatingKVCache), recurrent state (ArraysCache), lists holding either and anything unknown are
# restored from checkpoints instead: trim is never called on them. Not ConcatenateKVCache: mlx-lm's trim()
# moves its offset but the next update concatenates onto the untrimmed keys. Not ChunkedKVCache
# (llama4): it says it can trim, but the model drops its rows before the last chunk on every call,
# so a trim back into the current chunk leaves that chunk's first rows missing.
TRIMMABLE_TYPES = tuple(t for t in (getattr(cache_types, n, None) for n in ("KVCache", "QuantizedKVCache")) if t is not None)
CACHE_LIST = getattr(cache_types, "CacheList", None)
# Caches that keep at most this attribute's number of rows (plus a prefill chunk), whatever the tokens.
BOUNDED_BY = tuple(
    (t, a) for t, a in ((getattr(cache_types, "RotatingKVCache", None), "max_size"), (getattr(cache_types, "ChunkedKVCache", None), "chunk_size")) if t is not None
)
# Kept free for activations and the OS: a Metal OOM is an uncatchable abort, so we refuse first.
MEMORY_RESERVE = 2 << 30
WARMUP_CHUNK, WARMUP_CHUNKS = 256, 3


def _nbytes(layer: Any) -> int:
    try:
        return int(layer.nbytes)
    except (NotImplementedError, AttributeError, TypeError):
        return 0


def _is_empty(layer: Any) -> bool:
    try:
        return bool(layer.empty())
    except NotImplementedError:  # _BaseCache's default
        return False


def trims_by_type(layer: Any) -> bool:
    """Whether trimming `layer` drops exactly the last n tokens (see TRIMMABLE_TYPES)."""
    if CACHE_LIST is not None and type(layer) is CACHE_LIST:
        return all(trims_by_type(c) for c in layer.caches)
    return type(layer) in TRIMMABLE_TYPES


def _leaves(layers: Any) -> list[Any]:
    """The caches that hold arrays: a CacheList's parts instead of the list."""
    out: list[Any] = []
    for c in layers:
        out += _leaves(c.caches) if CACHE_LIST is not None and type(c) is CACHE_LIST else [c]
    return out


def _row_bound(leaf: Any) -> Optional[int]:
    return next((int(getattr(leaf, a)) for t, a in BOUNDED_BY if type(leaf) is t), None)


def _states(layers: list[Any]) -> list[Any]:
    """The arrays to evaluate: mlx-lm's `state` getters fail on an empty layer (keys is None)."""
    return [c.state for c in layers if not _is_empty(c)]


class MLXCache:
    """A model's per-layer caches plus the number of tokens they hold, counted here (prefill,
    decode, trim): hybrid models have no layer with a meaningful `offset`."""

    def __init__(self, layers: list[Any], tokens: int = 0):
        self.layers = layers
        self.tokens = tokens
        self._trim_by_type = all(trims_by_type(c) for c in layers)

    @property
    def offset(self) -> int:
        return self.tokens

    @property
    def nbytes(self) -> int:
        return sum(_nbytes(c) for c in self.layers)

    def is_trimmable(self) -> bool:
        return self._trim_by_type and all(c.is_trimmable() for c in self.layers)

    def trim(self, n: int) -> int:
        n = max(0, min(n, self.tokens))
        if n == 0 or not self.is_trimmable():
            return 0
        trimmed = {int(c.trim(n)) for c in self.layers}
        if trimmed != {n}:
            raise RuntimeError(f"layers trimmed {sorted(trimmed)} tokens, expected {n}")
        self.tokens -= n
        return n

    def copy(self) -> "MLXCache":
        layers = copy.deepcopy(self.layers)
        mx.eval(_states(layers))  # materialised: no lazy graph pointing at the original
        return MLXCache(layers, self.tokens)


class _CountingModel:
    """The model as generate_step sees it: counts every token fed into the cache it targets."""

    def __init__(self, model: Any):
        self._model = model
        self.target: Optional[MLXCache] = None

    def __call__(self, inputs: Any, cache: Any = None, **kwargs: Any) -> Any:
        out = self._model(inputs, cache=cache, **kwargs)
        if self.target is not None and cache is self.target.layers:
            self.target.tokens += int(inputs.shape[1])
        return out

    def __getattr__(self, name: str) -> Any:
        return getattr(self._model, name)


def python_template_type(tokenizer: Any) -> Optional[str]:
    """The mlx_lm.chat_templates module mlx_lm renders this model with instead of a Jinja template
    (DeepSeek-V3.2), named by tokenizer_config.json's chat_template_type; None for Jinja."""
    init_kwargs = getattr(tokenizer, "init_kwargs", None)
    kind = init_kwargs.get("chat_template_type") if isinstance(init_kwargs, dict) else None
    return kind if isinstance(kind, str) and kind else None


def template_text(chat_template: Any) -> str:
    """The tokenizer's Jinja template as one string: transformers keeps a repository's named templates
    (tokenizer_config.json's list, e.g. "default" and "tool_use") as a dict."""
    if isinstance(chat_template, dict):
        return "\n".join(str(t) for _, t in sorted(chat_template.items()))
    return chat_template if isinstance(chat_template, str) else ""


def _normalise(messages: list[dict[str, Any]], arguments_as_mapping: bool = True) -> list[dict[str, Any]]:
    """Qwen-family Jinja templates need tool-call arguments as a mapping, not a JSON string;
    mlx_lm's Python templates json.loads them, so they keep the OpenAI string."""
    out = []
    for m in messages:
        m = dict(m)
        if isinstance(m.get("content"), list):
            m["content"] = "\n".join(p.get("text", "") for p in m["content"] if p.get("type") == "text")
        if m.get("tool_calls") and arguments_as_mapping:
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


def _device_info() -> dict[str, Any]:
    try:
        return dict(mx.device_info() if hasattr(mx, "device_info") else mx.metal.device_info())
    except Exception:  # no Metal device figures: memory is unknown, not zero
        return {}


def _active_memory() -> Optional[int]:
    try:
        get = getattr(mx, "get_active_memory", None) or mx.metal.get_active_memory
        return int(get())
    except Exception:
        return None


def kv_headroom(working_set: int, in_use: int, reserve: int = MEMORY_RESERVE) -> Optional[int]:
    """Bytes the KV caches may use; None when the device reports no working set (unknown), 0 when
    the weights leave nothing."""
    if working_set <= 0:
        return None
    return max(0, working_set - in_use - reserve)


class MLXEngine:
    def __init__(self, model_path: str, context_window: Optional[int] = None, trust_remote_code: bool = False):
        self.path = model_path
        self.context_window = context_window
        self.trust_remote_code = trust_remote_code
        self.model: Any = None
        self.tokenizer: Any = None
        self._counting: Optional[_CountingModel] = None
        self._python_template: Optional[str] = None

    def load(self, progress: Callable[[float], None]) -> ModelInfo:
        # A local directory loads offline (the supervisor sets HF_HUB_OFFLINE); a Hugging Face id
        # is fetched once by mlx_lm into its cache.
        progress(0.05)
        # Two gates in mlx_lm: the tokenizer's (transformers, via tokenizer_config) and the model's
        # own architecture file (config.json "model_file", via trust_remote_code).
        tokenizer_config = {"trust_remote_code": True} if self.trust_remote_code else None
        try:
            self.model, self.tokenizer, config = mlx_load(
                self.path, tokenizer_config=tokenizer_config, return_config=True, trust_remote_code=self.trust_remote_code
            )
        except ValueError as e:
            if self.trust_remote_code or "trust_remote_code" not in str(e):
                raise
            raise ValueError(
                f"{self.path} runs code from the model repository; if you trust it, add "
                '"serverArgs": ["--trust-remote-code"] to backends.mlx in your anyclaude config'
            ) from e
        self._counting = _CountingModel(self.model)
        self._python_template = python_template_type(self.tokenizer)
        info = _device_info()
        working_set = int(info.get("max_recommended_working_set_size", 0) or 0)
        if working_set:
            # As mlx_lm.server does: keep large weights from being paged out between requests.
            try:
                mx.set_wired_limit(working_set)
            except Exception as e:
                log.warning("could not set the wired limit to %d bytes: %s", working_set, e)
        progress(0.8)
        bytes_per_token, fixed = self._measure_cache()
        mx.clear_cache()
        progress(1.0)
        in_use = _active_memory()
        headroom = kv_headroom(working_set, in_use) if in_use is not None else None
        text_config = config.get("text_config", config)
        python_template = self._python_template
        template = template_text(self.tokenizer.chat_template) or (f"mlx_lm.chat_templates.{python_template}" if python_template else "")
        config_json = os.path.join(self.path, "config.json")
        stamp = os.path.getmtime(config_json) if os.path.exists(config_json) else 0
        gib = lambda b: f"{b / (1 << 30):.1f} GB"  # noqa: E731
        return ModelInfo(
            id=os.path.basename(os.path.normpath(self.path)),
            context_window=self.context_window or int(text_config.get("max_position_embeddings", 32768)),
            bytes_per_token=bytes_per_token,
            generation_prompt_tokens=self.generation_prompt_length({}),
            chat_template=template,
            identity=hashlib.sha256(f"{os.path.abspath(self.path)}:{stamp}:{template}".encode()).hexdigest()[:16],
            max_kv_bytes=headroom,
            kv_fixed_bytes=fixed,
            memory_note=f"the model uses {gib(in_use or 0)} of the {gib(working_set)} this Mac lets the GPU use, {gib(MEMORY_RESERVE)} kept free",
        )

    def _measure_cache(self) -> tuple[int, int]:
        """Warm-up prefill (it also compiles the kernels) that measures what the real cache costs:
        hybrid models cache one layer in four, sliding windows and chunks are bounded, MLA caches
        one latent."""
        cache = self.new_cache()
        leaves = _leaves(cache.layers)
        token = (self.tokenizer.encode("hi") or [0])[-1]
        sizes: list[list[int]] = [[] for _ in leaves]
        for _ in range(WARMUP_CHUNKS):
            self.prefill(cache, [token] * WARMUP_CHUNK, lambda d: None, lambda: False)
            for leaf, s in zip(leaves, sizes):
                s.append(_nbytes(leaf))
        spare = 2 * int(getattr(cache_types.KVCache, "step", 256))
        return cache_cost([(_row_bound(leaf), s) for leaf, s in zip(leaves, sizes)], WARMUP_CHUNK, PREFILL_STEP, spare)

    def render(self, messages: list[dict[str, Any]], tools: Optional[list[dict[str, Any]]], template_kwargs: dict[str, Any], add_generation_prompt: bool = True) -> list[int]:
        return list(
            self.tokenizer.apply_chat_template(_normalise(messages, self._python_template is None), tools=tools, add_generation_prompt=add_generation_prompt, tokenize=True, **template_kwargs)
        )

    def generation_prompt_length(self, template_kwargs: dict[str, Any]) -> int:
        probe = [{"role": "user", "content": "x"}]
        with_prompt = self.render(probe, None, template_kwargs)
        without = self.render(probe, None, template_kwargs, add_generation_prompt=False)
        same = 0
        while same < min(len(with_prompt), len(without)) and with_prompt[same] == without[same]:
            same += 1
        return len(with_prompt) - same

    def new_cache(self) -> MLXCache:
        return MLXCache(make_prompt_cache(self.model))

    def prefill(self, cache: MLXCache, tokens: list[int], on_progress: Callable[[int], None], should_stop: Callable[[], bool]) -> None:
        with mx.stream(generation_stream):
            for start in range(0, len(tokens), PREFILL_STEP):
                if should_stop():
                    raise Cancelled()
                chunk = tokens[start : start + PREFILL_STEP]
                self.model(mx.array(chunk)[None], cache=cache.layers)
                cache.tokens += len(chunk)
                mx.eval(_states(cache.layers))
                mx.clear_cache()
                on_progress(start + len(chunk))

    def generate(self, cache: MLXCache, last_tokens: list[int], sampling: Sampling, max_tokens: int, should_stop: Callable[[], bool]) -> Iterator[GeneratedToken]:
        assert self._counting is not None
        if sampling.seed is not None:
            mx.random.seed(sampling.seed)
        sampler = make_sampler(temp=sampling.temperature, top_p=sampling.top_p if sampling.top_p < 1 else 0.0, top_k=sampling.top_k)
        detokenizer = self.tokenizer.detokenizer
        detokenizer.reset()
        self._counting.target = cache
        # generate_step reads a negative max_tokens as "no limit".
        steps = generate_step(mx.array(last_tokens), self._counting, max_tokens=max(0, max_tokens), sampler=sampler, prompt_cache=cache.layers)
        try:
            while True:
                # Checked before asking for the next token: generate_step feeds each token before
                # yielding it, so the cache then holds exactly what was yielded.
                if should_stop():
                    raise Cancelled()
                try:
                    token, _ = next(steps)
                except StopIteration:
                    break
                token = int(token)
                if self.is_eos(token):
                    detokenizer.finalize()
                    yield GeneratedToken(token, detokenizer.last_segment)
                    return
                detokenizer.add_token(token)
                yield GeneratedToken(token, detokenizer.last_segment)
        finally:
            steps.close()
            self._counting.target = None
        # max_tokens reached: bytes of a multi-byte character may still be held.
        detokenizer.finalize()
        if detokenizer.last_segment:
            yield GeneratedToken(None, detokenizer.last_segment)

    def is_eos(self, token: int) -> bool:
        return token in self.tokenizer.eos_token_ids
