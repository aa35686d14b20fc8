"""``zoo.list_models`` and ``zoo.info``: what exists, without importing a framework."""

from __future__ import annotations

import dataclasses
from typing import Any

from zoo import registry
from zoo.hub import manifest


def list_models(with_tags: bool = False) -> list[str] | dict[str, list[str]]:
    """Registered model names (sorted), or name -> published weight tags.

    Example:
        >>> list_models(with_tags=True)
        {'sine': ['noisy-sine']}
    """
    names = registry.list_names()
    return {n: manifest.tags(n) for n in names} if with_tags else names


def info(name: str) -> dict[str, Any]:
    """Task, default config and every published weight with its metrics, parity and recipe.

    Example:
        >>> info("sine")["weights"]["noisy-sine"]["metrics"]["tf"]
        {'full_series_mse': 0.0012}
    """
    e = registry.entry(name)
    weights = {}
    for tag in manifest.tags(name):
        m = dataclasses.asdict(manifest.find(name, tag))
        for key in ("model", "tag", "source"):
            m.pop(key)
        weights[tag] = m
    return {
        "name": name,
        "family": e.family,
        "task": e.task,
        "config": registry.default_config(name).to_dict(),
        "weights": weights,
    }
