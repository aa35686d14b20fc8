"""The one strict check every load goes through: same keys, same shapes, same dtypes."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from zoo.errors import WeightsError


def check(
    spec: Mapping[str, tuple[tuple[int, ...], str]], tensors: Mapping[str, np.ndarray], source: str
) -> None:
    """Raise one WeightsError listing every missing, unexpected or mismatched key.

    ``spec`` maps each key the model has to its (shape, dtype).
    """
    missing = sorted(k for k in spec if k not in tensors)
    unexpected = sorted(k for k in tensors if k not in spec)
    wrong = [
        f"{k}: file has {tuple(tensors[k].shape)} {tensors[k].dtype}, model wants {shape} {dtype}"
        for k, (shape, dtype) in spec.items()
        if k in tensors
        and (tuple(tensors[k].shape) != tuple(shape) or str(tensors[k].dtype) != dtype)
    ]
    if missing or unexpected or wrong:
        lines = []
        if missing:
            lines.append(f"missing keys: {missing}")
        if unexpected:
            lines.append(f"unexpected keys: {unexpected}")
        if wrong:
            lines.append("mismatched: " + "; ".join(wrong))
            lines.append("(a different number of classes? create or load the model with "
                         "num_classes=N to fine-tune it with a new head)")
        raise WeightsError(
            f"weights from {source} do not fit the model:\n  "
            + "\n  ".join(lines)
            + "\n  Check that the config (model name, cell, sizes) matches the weights, or "
            "convert the weights with zoo.convert for the other backend."
        )
