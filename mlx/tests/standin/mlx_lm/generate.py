"""`mlx_lm.generate.generate_step` (tests only), with mlx-lm 0.32's keyword-only signature and order of
work: the prompt is prefilled in steps leaving one token, and each step computes the next token before
the current one is yielded, so every yielded token is already in the cache."""

from __future__ import annotations

from typing import Any, Callable, Generator, List, Optional, Tuple

import numpy as np

import mlx.core as mx

from .models import cache as cache_module

generation_stream = mx.new_thread_local_stream(mx.default_device())


def generate_step(
    prompt: Any,
    model: Any,
    *,
    max_tokens: int = 256,
    sampler: Optional[Callable[[Any], Any]] = None,
    logits_processors: Optional[List[Callable[[Any, Any], Any]]] = None,
    max_kv_size: Optional[int] = None,
    prompt_cache: Optional[Any] = None,
    prefill_step_size: int = 2048,
    kv_bits: Optional[int] = None,
    kv_group_size: int = 64,
    quantized_kv_start: int = 0,
    prompt_progress_callback: Optional[Callable[[int, int], None]] = None,
    input_embeddings: Optional[Any] = None,
) -> Generator[Tuple[int, Any], None, None]:
    if not isinstance(prompt, np.ndarray):
        # mlx-lm slices and indexes the prompt (`prompt[:n][None]`): a list fails there.
        raise TypeError(f"list indices must be integers or slices, not NoneType (prompt is {type(prompt).__name__}, not mx.array)")
    if input_embeddings is not None:
        raise ValueError("Model does not support input embeddings.")
    if len(prompt) == 0:
        raise ValueError("Either input_embeddings or prompt (or both) must be provided.")
    if kv_bits is not None:
        raise NotImplementedError("the stand-in does not quantize caches on the fly")
    if prompt_cache is None:
        prompt_cache = cache_module.make_prompt_cache(model, max_kv_size=max_kv_size)
    progress = prompt_progress_callback or (lambda *_: None)
    sampler = sampler or (lambda x: mx.argmax(x, axis=-1))
    seen: Optional[np.ndarray] = None

    def step(tokens: np.ndarray) -> Tuple[Any, Any]:
        nonlocal seen
        logits = model(tokens[None], cache=prompt_cache)[:, -1, :]
        if logits_processors:
            seen = tokens if seen is None else np.concatenate([seen, tokens])
            for p in logits_processors:
                logits = p(seen, logits)
        logprobs = logits - mx.logsumexp(logits, axis=-1, keepdims=True)
        return sampler(logprobs), logprobs[0]

    total, done = len(prompt), 0
    progress(done, total)
    while total - done > 1:
        n = min(prefill_step_size, total - done - 1)
        model(prompt[:n][None], cache=prompt_cache)
        mx.eval([c.state for c in prompt_cache])
        done += n
        progress(done, total)
        prompt = prompt[n:]
        mx.clear_cache()
    y, logprobs = step(prompt)
    n = 0
    while True:
        if n != max_tokens:
            next_y, next_logprobs = step(np.asarray(y).reshape(1))
        if n == 0:
            progress(total, total)
        if n == max_tokens:
            break
        yield int(np.asarray(y).reshape(-1)[0]), logprobs
        y, logprobs = next_y, next_logprobs
        n += 1
