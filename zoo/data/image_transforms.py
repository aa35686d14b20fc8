"""Augmentation and normalisation settings both image pipelines share (``images_pt`` and
``images_tf``): the keys a recipe may set, their defaults, and their validation.

Example:
    >>> check_augment({"flip": True})["crop_fraction"]
    0.875
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from zoo.errors import DatasetError, RecipeError

IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)

#: augmentation keys both pipelines honour -> type (the shape of a recipe's augment table)
AUGMENT_KEYS: dict[str, type] = {
    "flip": bool,                 # random horizontal flip (training only)
    "random_resized_crop": bool,  # RandomResizedCrop(size, scale, ratio) (training only)
    "scale": list,                # [min, max] area fraction of the random crop
    "ratio": list,                # [min, max] aspect ratio (w / h) of the random crop
    "crop_fraction": float,       # eval (and training without the random crop): resize the
                                  # shorter side to int(size / crop_fraction), centre-crop size
}
AUGMENT_DEFAULTS: dict[str, Any] = {
    "flip": False,
    "random_resized_crop": False,
    "scale": (0.08, 1.0),
    "ratio": (3 / 4, 4 / 3),
    "crop_fraction": 0.875,  # torchvision's eval preprocessing: 224 / 256
}


def check_augment(augment: Mapping[str, Any] | None) -> dict[str, Any]:
    """``augment`` validated against ``AUGMENT_KEYS``, with ``AUGMENT_DEFAULTS`` filled in.

    Example:
        >>> check_augment({"flip": True})["crop_fraction"]
        0.875
    """
    augment = dict(augment or {})
    problems = []
    for key, value in augment.items():
        want = AUGMENT_KEYS.get(key)
        if want is None:
            problems.append(f"unknown key {key!r}; allowed: {sorted(AUGMENT_KEYS)}")
        elif want is bool and not isinstance(value, bool):
            problems.append(f"{key} = {value!r} must be true or false")
        elif want is float and (isinstance(value, bool) or not isinstance(value, int | float)
                                or not 0 < value <= 1):
            problems.append(f"{key} = {value!r} must be a number in (0, 1]")
        elif want is list and not _is_range(value, upper=1.0 if key == "scale" else None):
            problems.append(f"{key} = {value!r} must be [min, max] with 0 < min <= max"
                            + (" <= 1" if key == "scale" else ""))
    if problems:
        raise RecipeError("invalid augment settings:\n  " + "\n  ".join(problems))
    out = {**AUGMENT_DEFAULTS, **augment}
    out["scale"], out["ratio"] = tuple(map(float, out["scale"])), tuple(map(float, out["ratio"]))
    return out


def check_normalize(mean: Sequence[float], std: Sequence[float]) -> tuple[tuple, tuple]:
    """(mean, std) as 3-tuples of floats, std > 0 (one value is used for all channels).

    Example:
        >>> check_normalize([0.5], [0.25])
        ((0.5, 0.5, 0.5), (0.25, 0.25, 0.25))
    """
    mean_t, std_t = (tuple(float(v) for v in np.ravel(x)) for x in (mean, std))
    mean_t, std_t = (x * 3 if len(x) == 1 else x for x in (mean_t, std_t))
    if len(mean_t) != 3 or len(std_t) != 3 or min(std_t) <= 0:
        raise DatasetError(f"mean={list(mean)} and std={list(std)} must be one or three values "
                           "(R, G, B) with std > 0, e.g. images.IMAGENET_MEAN / IMAGENET_STD")
    return mean_t, std_t


def eval_resize(image_size: int, crop_fraction: float) -> int:
    """Shorter side to resize to before the centre crop (torchvision: 224 -> 256).

    Example:
        >>> eval_resize(224, 0.875)
        256
    """
    return int(image_size / crop_fraction)


def _is_range(value: Any, upper: float | None) -> bool:
    if not isinstance(value, list | tuple) or len(value) != 2:
        return False
    if not all(isinstance(v, int | float) and not isinstance(v, bool) for v in value):
        return False
    lo, hi = value
    return 0 < lo <= hi and (upper is None or hi <= upper)
