"""Keras weights as numpy keyed by ``variable.path`` (same names as weights/pt.py)."""

from __future__ import annotations

import keras
import numpy as np

from zoo.errors import WeightsError
from zoo.weights import strict


def variables(model: keras.Model) -> dict[str, keras.Variable]:
    """path -> variable; duplicate paths are an error (they would overwrite each other)."""
    out = {v.path: v for v in model.weights}
    if len(out) != len(model.weights):
        paths = [v.path for v in model.weights]
        dups = sorted({p for p in paths if paths.count(p) > 1})
        raise WeightsError(f"model {model.name!r} has duplicate variable paths {dups}")
    return out


def state(model: keras.Model) -> dict[str, np.ndarray]:
    return {p: keras.ops.convert_to_numpy(v) for p, v in variables(model).items()}


def spec(model: keras.Model) -> dict[str, tuple[tuple[int, ...], str]]:
    return {p: (tuple(v.shape), str(v.dtype)) for p, v in variables(model).items()}


def assign(model: keras.Model, tensors: dict[str, np.ndarray], source: str) -> None:
    """Check strictly, then assign every variable by path."""
    strict.check(spec(model), tensors, source)
    for path, var in variables(model).items():
        var.assign(tensors[path])


def num_params(model: keras.Model) -> int:
    """Trainable weights (moving statistics excluded); equal to torch's for the same layers."""
    return int(sum(np.prod(v.shape) for v in model.trainable_weights))
