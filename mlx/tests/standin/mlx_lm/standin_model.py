"""Stand-in models and tokenizer behind the stand-in `mlx_lm.load` (tests only).

A model is a list of layers described in its config.json. Each layer writes what it was fed into its cache
the way the real architecture does (KV rows tagged with their RoPE position, a latent row for MLA, a
recurrent state and a conv window for linear attention) and reads back only what the cache holds. The next
token is a function of every layer's reading at the last position, computed in exact integer arithmetic so
chunked and one-shot prefill agree and any stale, missing or shared entry changes the answer.
"""

from __future__ import annotations

import json
import os
import re
import time
import zlib
from typing import Any, Optional

import numpy as np

import mlx.core as mx
from .models.cache import ArraysCache, CacheList, ChunkedKVCache, ConcatenateKVCache, KVCache, QuantizedKVCache, RotatingKVCache

P = 65521  # prime; products of two residues stay exact in int64


# ---- tokenizer -----------------------------------------------------------------------------------

SPECIAL = ["<|endoftext|>", "<|im_start|>", "<|im_end|>", "<think>", "</think>", "<tool_call>", "</tool_call>", "<tool_response>", "</tool_response>"]
WORDS = " alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi omicron pi rho sigma tau upsilon phi chi psi omega".split(" ")[1:]
BASE_VOCAB = SPECIAL + ["\n", " ", "."] + [" " + w for w in WORDS]
PIECE = re.compile("|".join(re.escape(s) for s in SPECIAL) + r"|\n| ?\w+| ?[^\w\s]| +")
CHAT_TEMPLATE = "{# stand-in of Qwen3's template #}{{ '<tool_call>' }}{{ tool_call.name }}{% if enable_thinking is false %}<think>{% endif %}"


class StandinTokenizer:
    """Piece tokenizer with a fixed base vocabulary; other pieces hash above it (stable across processes)."""

    def __init__(self, config: dict[str, Any]):
        self.vocab = {p: i for i, p in enumerate(BASE_VOCAB)}
        self._seen = dict(self.vocab)  # every piece met so far, base vocabulary included
        self.pieces = dict(enumerate(BASE_VOCAB))
        # tokenizer_config.json's keys, as transformers keeps them. A model rendered by one of mlx_lm's
        # Python templates (DeepSeek-V3.2) names it there and ships no Jinja template.
        template_type = config.get("standin_chat_template_type")
        self.init_kwargs: dict[str, Any] = {"chat_template_type": template_type} if template_type else {}
        self.chat_template: Any = None if template_type else CHAT_TEMPLATE
        if config.get("standin_named_templates"):  # as transformers holds a list of named templates
            self.chat_template = {"default": CHAT_TEMPLATE, "tool_use": CHAT_TEMPLATE + "{# tools #}"}
        self.eos_token_id = self.vocab["<|im_end|>"]
        self.has_thinking = bool(config.get("standin_thinking", True))

    def encode(self, text: str, add_special_tokens: bool = True) -> list[int]:
        ids = []
        vocab = self._seen
        for p in PIECE.findall(text):
            i = vocab.get(p)
            if i is None:
                i = vocab[p] = 1000 + zlib.crc32(p.encode()) % (1 << 20)
                self.pieces.setdefault(i, p)
            ids.append(i)
        return ids

    def decode(self, ids: list[int]) -> str:
        return "".join(self.pieces.get(int(i), "\ufffd") for i in ids)

    def apply_chat_template(self, conversation: list[dict[str, Any]], tools: Optional[list[dict[str, Any]]] = None, add_generation_prompt: bool = False, tokenize: bool = True, return_dict: bool = True, **template_kwargs: Any) -> Any:
        if self.chat_template is None:
            raise ValueError("Cannot use chat template functions because tokenizer.chat_template is not set and no template argument was passed!")
        text = render_qwen3(conversation, tools, add_generation_prompt, template_kwargs.get("enable_thinking", True))
        if not tokenize:
            return text
        ids = self.encode(text)
        # transformers 5 returns a BatchEncoding unless asked not to (mlx_lm's wrapper asks).
        return {"input_ids": ids, "attention_mask": [1] * len(ids)} if return_dict else ids


def render_qwen3(messages: list[dict[str, Any]], tools: Optional[list[dict[str, Any]]], add_generation_prompt: bool, enable_thinking: Any) -> str:
    """Qwen3's chat template, as text: tools in the system turn, earlier reasoning dropped, tool results
    grouped into one user turn, and an empty think block after the header when thinking is off."""
    out = []
    rest = messages
    system = messages[0]["content"] if messages and messages[0].get("role") == "system" else None
    if system is not None:
        rest = messages[1:]
    if tools:
        head = f"{system}\n\n" if system else ""
        lines = "\n".join(json.dumps(t, ensure_ascii=False) for t in tools)
        out.append(f"<|im_start|>system\n{head}# Tools\n\n<tools>\n{lines}\n</tools>\n\nFor each function call, return a json object within <tool_call></tool_call> XML tags.<|im_end|>\n")
    elif system is not None:
        out.append(f"<|im_start|>system\n{system}<|im_end|>\n")
    for i, m in enumerate(rest):
        role, content = m.get("role"), m.get("content") or ""
        if not isinstance(content, str):
            raise TypeError("can only concatenate str (not \"list\") to str")
        if role == "assistant":
            body = content.split("</think>")[-1].lstrip("\n")
            for c in m.get("tool_calls") or []:
                fn = c.get("function", c)
                args = fn.get("arguments")
                args = args if isinstance(args, str) else json.dumps(args, ensure_ascii=False)
                body += f"\n<tool_call>\n{{\"name\": \"{fn.get('name')}\", \"arguments\": {args}}}\n</tool_call>"
            out.append(f"<|im_start|>assistant\n{body}<|im_end|>\n")
        elif role == "tool":
            first = i == 0 or rest[i - 1].get("role") != "tool"
            last = i == len(rest) - 1 or rest[i + 1].get("role") != "tool"
            out.append(("<|im_start|>user" if first else "") + f"\n<tool_response>\n{content}\n</tool_response>" + ("<|im_end|>\n" if last else ""))
        else:
            out.append(f"<|im_start|>{role}\n{content}<|im_end|>\n")
    if add_generation_prompt:
        out.append("<|im_start|>assistant\n" + ("<think>\n\n</think>\n\n" if enable_thinking is False else ""))
    return "".join(out)


class NaiveDetokenizer:
    def __init__(self, tokenizer: StandinTokenizer):
        self._tok = tokenizer
        self.reset()

    def reset(self) -> None:
        self.tokens: list[int] = []
        self._text = ""
        self._read = 0

    def add_token(self, token: int) -> None:
        self.tokens.append(token)
        self._text = self._tok.decode(self.tokens)

    def finalize(self) -> None:
        self._text = self._tok.decode(self.tokens)

    @property
    def text(self) -> str:
        return self._text

    @property
    def last_segment(self) -> str:
        seg = self._text[self._read :]
        self._read = len(self._text)
        return seg


class TokenizerWrapper:
    """Like mlx_lm's: `detokenizer` is a new streaming detokenizer per access; a Python chat template
    (`chat_template`) takes precedence over the tokenizer's; the rest forwards."""

    def __init__(self, tokenizer: StandinTokenizer, eos_token_ids: Optional[list[int]] = None, chat_template: Any = None):
        self._tokenizer = tokenizer
        self._chat_template = chat_template
        self.has_chat_template = tokenizer.chat_template is not None or chat_template is not None
        self.eos_token_ids = set(eos_token_ids) if eos_token_ids is not None else {tokenizer.eos_token_id}

    @property
    def detokenizer(self) -> NaiveDetokenizer:
        return NaiveDetokenizer(self._tokenizer)

    def apply_chat_template(self, *args: Any, tokenize: bool = True, **kwargs: Any) -> Any:
        kwargs.setdefault("enable_thinking", self._tokenizer.has_thinking)
        if self._chat_template is not None:
            out = self._chat_template(*args, **kwargs)
            return self._tokenizer.encode(out, add_special_tokens=False) if tokenize else out
        kwargs["return_dict"] = False
        return self._tokenizer.apply_chat_template(*args, tokenize=tokenize, **kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._tokenizer, name)


# ---- model ---------------------------------------------------------------------------------------


def _rows(tokens: np.ndarray, positions: np.ndarray, layer: int, width: int, salt: int) -> np.ndarray:
    """(1, 1, S, width) rows: channel 0 the position, the rest residues of (token, layer, channel)."""
    t = tokens.astype(np.int64)[:, None]
    ch = np.arange(1, width, dtype=np.int64)[None, :]
    rest = (t * (31 + ch) + layer * 7 + salt * 131 + ch * 17) % 251
    return np.concatenate([positions.astype(np.int64)[:, None], rest], axis=1).astype(np.float32)[None, None]


def _attend(keys: np.ndarray, values: np.ndarray, last_pos: int, window: Optional[int], keep: int = 0, chunk: Optional[int] = None) -> int:
    """What the last query reads: every row the cache returned that the causal (window, chunk) mask lets
    it see. Sums run in float64 over small integers, so they are exact whatever the chunking."""
    pos = keys[0, 0, :, 0].astype(np.int64)
    seen = pos <= last_pos
    if window is not None:
        seen &= (pos > last_pos - window) | (pos < keep)
    if chunk is not None:  # llama4: only keys of the query's own chunk (llama4.py chunk_mask)
        seen &= pos // chunk == last_pos // chunk
    if not seen.all():
        keys, values, pos = keys[:, :, seen], values[:, :, seen], pos[seen]
    k = keys[0, :, :, 1:].sum(dtype=np.float64)
    v = values[0].sum(axis=2).sum(axis=0).astype(np.float64) @ (pos % 97 + 1).astype(np.float64)  # float32 sums stay < 2**24
    return int((int(k) * 3 + int(v)) % P)


class Layer:
    def __init__(self, spec: dict[str, Any], index: int):
        self.kind, self.index = spec["kind"], index
        self.heads, self.dim, self.vdim = spec.get("heads", 2), spec.get("dim", 8), spec.get("vdim", spec.get("dim", 8))
        self.window = spec.get("window")
        self.chunk = spec.get("chunk")
        self.parts = [Layer(p, index) for p in spec.get("parts", [])]

    def make_cache(self) -> Any:
        if self.kind == "kv":
            return KVCache()
        if self.kind == "concat":
            return ConcatenateKVCache()
        if self.kind == "quantized":
            return QuantizedKVCache(group_size=self.dim, bits=8)
        if self.kind == "rotating":
            return RotatingKVCache(max_size=self.window)
        if self.kind == "chunked":
            return ChunkedKVCache(self.chunk)
        if self.kind == "linear":
            return ArraysCache(size=2)
        if self.kind == "list":
            return CacheList(*(p.make_cache() for p in self.parts))
        raise ValueError(f"unknown layer kind {self.kind}")

    def __call__(self, tokens: np.ndarray, cache: Any) -> int:
        if self.kind == "list":
            return sum(p(tokens, c) * (j + 1) for j, (p, c) in enumerate(zip(self.parts, cache.caches))) % P
        if self.kind == "linear":
            return self._linear(tokens, cache)
        if self.kind == "chunked":
            cache.maybe_trim_front()  # llama4's model does this for its chunked layers before each call
        start = cache.offset  # RoPE offset, as real attention layers read it
        pos = np.arange(start, start + len(tokens))
        k = np.repeat(_rows(tokens, pos, self.index, self.dim, 1), self.heads, axis=1)
        v = np.repeat(_rows(tokens, pos, self.index, self.vdim, 2), self.heads, axis=1)
        keys, values = cache.update_and_fetch(mx.array(k), mx.array(v))
        if isinstance(keys, tuple):  # quantized: read back what was stored
            keys = mx.dequantize(*keys, group_size=cache.group_size, bits=cache.bits)
            values = mx.dequantize(*values, group_size=cache.group_size, bits=cache.bits)
            keys, values = np.rint(keys), np.rint(values)
        keep = getattr(cache, "keep", 0)
        return _attend(keys, values, int(pos[-1]), self.window, keep, self.chunk)

    def reuse(self, tokens: np.ndarray, cache: Any) -> int:
        """afm7's KV-reuse layers: no cache of their own; the last query reads every row of the last
        cache's `state` (afm7.py: `keys, values = cache[-1].state`), stale rows included if it had any."""
        keys, values = cache.state
        return (_attend(keys, values, int(keys[0, 0, :, 0].max()), None) * 5 + self.index) % P

    def _linear(self, tokens: np.ndarray, cache: ArraysCache) -> int:
        conv = cache[0] if cache[0] is not None else mx.zeros((1, 3, 1), mx.float32)
        state = int(cache[1][0, 0]) if cache[1] is not None else 0
        feats = (tokens.astype(np.int64) * 13 + self.index * 5 + 1) % P
        for f in feats.tolist():  # a recurrence: order matters, chunking does not
            state = (state * 31 + f) % P
        window = np.concatenate([conv[0, :, 0].astype(np.int64), feats])[-3:]
        cache[0] = mx.array(window.astype(np.float32).reshape(1, 3, 1))
        cache[1] = mx.array(np.array([[state]], dtype=np.float32))
        return int((state + (window * np.array([1, 2, 3])).sum()) % P)


class Model:
    def __init__(self, config: dict[str, Any]):
        self.config = config
        specs = config["standin_layers"]
        self.layers = [Layer(s, i) for i, s in enumerate(specs) if s["kind"] != "kv_reuse"]
        self.reuse_layers = [Layer(s, i) for i, s in enumerate(specs) if s["kind"] == "kv_reuse"]
        self.vocab_size = len(BASE_VOCAB)
        # Benches only: seconds per multi-token call, so a client can cancel mid-prefill as it would on a Mac.
        self.prefill_seconds = float(os.environ.get("ANYCLAUDE_STANDIN_PREFILL_SECONDS", "0"))
        self.calls = 0
        self.tokens_seen = 0

    def make_cache(self) -> list[Any]:
        return [layer.make_cache() for layer in self.layers]

    def __call__(self, inputs: Any, cache: Optional[list[Any]] = None, input_embeddings: Any = None) -> np.ndarray:
        tokens = np.asarray(inputs)[0]
        if cache is None:
            cache = self.make_cache()
        if len(cache) != len(self.layers):
            raise ValueError(f"expected {len(self.layers)} caches, got {len(cache)}")
        self.calls += 1
        if self.prefill_seconds and len(tokens) > 1:
            time.sleep(self.prefill_seconds)
        self.tokens_seen += len(tokens)
        h = 0
        for i, (layer, c) in enumerate(zip(self.layers, cache)):
            h = (h * 131 + layer(tokens, c) * (i + 1)) % P
        for layer in self.reuse_layers:
            h = (h * 131 + layer.reuse(tokens, cache[-1])) % P
        logits = np.zeros((1, len(tokens), self.vocab_size), dtype=np.float32)
        logits[0, -1, self._next(h)] = 1.0
        return logits

    def _next(self, h: int) -> int:
        if h % 9 == 0:
            return BASE_VOCAB.index("<|im_end|>")
        if h % 13 == 0:
            return BASE_VOCAB.index("\n")
        return BASE_VOCAB.index(" " + WORDS[h % len(WORDS)])

    def parameters(self) -> dict[str, Any]:
        return {}


def weights_bytes(config: dict[str, Any]) -> int:
    return int(config.get("standin_weights_bytes", 1 << 30))
