"""Model weights as ``{name: numpy array}``: per-backend access, strict loading, safetensors.

``pt.py`` and ``tf.py`` expose the same functions (``state``, ``spec``, ``assign``) for
their framework; this module dispatches on the model's backend without importing either.

Example:
    >>> save(model, "out/model.safetensors"); load_into(model, "out/model.safetensors")
"""

from __future__ import annotations

import importlib
from pathlib import Path
from types import ModuleType
from typing import Any

from zoo.backends import backend_of
from zoo.weights.files import read_safetensors, write_safetensors

#: the file each backend's weights live in, in a hub repo or a saved directory
WEIGHT_FILES = {"torch": "model.safetensors", "tf": "tf_model.safetensors"}


def for_backend(backend: str) -> ModuleType:
    """``zoo.weights.pt`` or ``zoo.weights.tf``."""
    return importlib.import_module({"torch": "zoo.weights.pt", "tf": "zoo.weights.tf"}[backend])


def state(model: Any) -> dict[str, Any]:
    """All weights of a native model as numpy arrays, keyed by state_dict key / variable path."""
    return for_backend(backend_of(model)).state(model)


def assign(model: Any, tensors: dict[str, Any], source: str) -> None:
    """Strictly load ``tensors`` into ``model``: any missing, unexpected or misshaped key raises."""
    for_backend(backend_of(model)).assign(model, tensors, source)


def save(model: Any, path: str | Path) -> str:
    """Write the model's weights as safetensors atomically; returns the file's sha256."""
    backend = backend_of(model)
    # one metadata key only: safetensors writes a metadata dict in a random order, so two keys
    # gave the same weights different bytes (and sha256s); config.json names the model
    meta = {"format": {"torch": "pt", "tf": "tf"}[backend]}
    return write_safetensors(state(model), Path(path), meta)


def load_into(model: Any, path: str | Path) -> None:
    """Strictly load a safetensors file into ``model``."""
    assign(model, read_safetensors(Path(path)), source=str(path))
