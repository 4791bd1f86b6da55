"""`mlx_lm.sample_utils.make_sampler` (tests only): argmax at temperature 0, else top-k/top-p categorical."""

from __future__ import annotations

from typing import Callable, List

import numpy as np

import mlx.core as mx


def make_sampler(
    temp: float = 0.0,
    top_p: float = 0.0,
    min_p: float = 0.0,
    min_tokens_to_keep: int = 1,
    top_k: int = 0,
    xtc_probability: float = 0.0,
    xtc_threshold: float = 0.1,
    xtc_special_tokens: List[int] = [],
) -> Callable[[np.ndarray], np.ndarray]:
    if temp == 0:
        return lambda logprobs: mx.argmax(logprobs, axis=-1)

    def sample(logprobs: np.ndarray) -> np.ndarray:
        x = np.array(logprobs, dtype=np.float64)
        if top_k > 0:
            cut = np.sort(x, axis=-1)[..., -top_k][..., None]
            x = np.where(x < cut, -np.inf, x)
        return mx.random.categorical(x / temp)

    return sample
