"""Stand-in for `mlx_lm` (tests only): `load` with mlx-lm 0.32's signature; see ../README.md."""

from __future__ import annotations

import importlib
import json
import os
from typing import Any, Dict, Optional

__version__ = "0.32.0-standin"


def load(
    path_or_hf_repo: str,
    tokenizer_config: Optional[Dict[str, Any]] = None,
    model_config: Optional[Dict[str, Any]] = None,
    adapter_path: Optional[str] = None,
    lazy: bool = False,
    return_config: bool = False,
    revision: Optional[str] = None,
    trust_remote_code: bool = False,
):
    import mlx.core as mx

    from .standin_model import Model, StandinTokenizer, TokenizerWrapper, weights_bytes

    config_path = os.path.join(path_or_hf_repo, "config.json")
    if not os.path.isfile(config_path):
        raise FileNotFoundError(f"Config file not found at {config_path}")
    with open(config_path, encoding="utf-8") as f:
        config = json.load(f)
    config.update(model_config or {})
    if config.get("standin_tokenizer_needs_remote_code") and not (tokenizer_config or {}).get("trust_remote_code"):
        # What transformers says for a tokenizer class that lives in the model repository.
        raise ValueError("The repository contains custom code which must be executed to correctly load the model. Please pass the argument `trust_remote_code=True` to allow custom code to be run.")
    if config.get("model_file") is not None and not trust_remote_code:
        # mlx_lm.utils.load_model's gate for an architecture file shipped with the weights.
        raise ValueError(
            f"The model at {path_or_hf_repo} requires importing and running a custom module ({config['model_file']!r}) "
            "to build its architecture. This is disabled by default. Pass trust_remote_code=True if you trust this model."
        )
    model = Model(config)
    mx._state["weights_bytes"] = weights_bytes(config)
    eos = config.get("eos_token_id")
    inner = StandinTokenizer(config)
    chat_template = None
    if template_type := inner.init_kwargs.get("chat_template_type"):
        chat_template = importlib.import_module(f"mlx_lm.chat_templates.{template_type}").apply_chat_template
    tokenizer = TokenizerWrapper(inner, eos_token_ids=[eos] if isinstance(eos, int) else eos, chat_template=chat_template)
    return (model, tokenizer, config) if return_config else (model, tokenizer)
