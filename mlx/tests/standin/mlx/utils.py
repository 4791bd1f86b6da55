"""`mlx.utils` tree helpers (tests only)."""

from __future__ import annotations

from typing import Any, Callable


def tree_map(fn: Callable[[Any], Any], tree: Any) -> Any:
    if isinstance(tree, (list, tuple)):
        return type(tree)(tree_map(fn, t) for t in tree)
    if isinstance(tree, dict):
        return {k: tree_map(fn, v) for k, v in tree.items()}
    return fn(tree)


def tree_reduce(fn: Callable[[Any, Any], Any], tree: Any, initial: Any) -> Any:
    acc = initial
    if isinstance(tree, (list, tuple)):
        for t in tree:
            acc = tree_reduce(fn, t, acc)
        return acc
    if isinstance(tree, dict):
        for t in tree.values():
            acc = tree_reduce(fn, t, acc)
        return acc
    return fn(acc, tree)
