"""Whatever a user calls an image -> one float32 NHWC batch, the same for both backends.

Accepted: file paths, PIL images, numpy arrays (HW, HWC, NHW, NHWC; uint8 in 0..255 or float
in 0..1), torch tensors (CHW, NCHW) and TensorFlow tensors (HWC, NHWC), alone or in a list.
Sizes are resized and channel counts converted where that is unambiguous (RGB -> grey,
grey -> RGB, RGBA -> RGB); anything else is an error saying what was expected.

Example:
    >>> to_batch(["shoe.png", np.zeros((28, 28), np.uint8)], size=28, channels=1).shape
    (2, 28, 28, 1)
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np

from zoo.errors import ZooError


class ImageInputError(ZooError, ValueError):
    """An image that cannot be read or turned into the model's input."""


def _from_path(path: Path) -> np.ndarray:
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(path) as img:
            img.load()
            return _from_pil(img)
    except FileNotFoundError:
        raise ImageInputError(f"image file {path} does not exist") from None
    except (UnidentifiedImageError, OSError) as err:
        raise ImageInputError(f"{path} is not a readable image ({err})") from None


def _from_pil(img: Any) -> np.ndarray:
    if img.mode not in ("L", "RGB", "RGBA"):
        img = img.convert("RGBA" if "A" in img.getbands() else "RGB")
    return np.asarray(img)


def _native_to_numpy(x: Any) -> tuple[np.ndarray, str] | None:
    """(array, layout) for a torch or TF tensor, None for anything else."""
    root = type(x).__module__.split(".")[0]
    if root == "torch":
        arr = x.detach().cpu().numpy()
        if arr.ndim == 3:
            return arr.transpose(1, 2, 0), "HWC"  # torch images are CHW
        if arr.ndim == 4:
            return arr.transpose(0, 2, 3, 1), "NHWC"
        return arr, "HW"
    if root in ("tensorflow", "keras"):
        return np.asarray(x), "auto"
    return None


def _one_or_batch(x: Any) -> list[np.ndarray]:
    """Split any accepted input into a list of HWC / HW arrays."""
    if isinstance(x, (str, os.PathLike)):
        return [_from_path(Path(x))]
    if type(x).__module__.startswith("PIL."):
        return [_from_pil(x)]
    native = _native_to_numpy(x)
    arr = native[0] if native else x
    if isinstance(arr, list | tuple):
        return [img for item in arr for img in _one_or_batch(item)]
    if not isinstance(arr, np.ndarray):
        raise ImageInputError(
            f"cannot read an image from {type(x).__name__}; give file paths, PIL images, "
            "numpy arrays or torch/TF tensors"
        )
    if arr.ndim == 2:
        return [arr]
    if arr.ndim == 3:
        # HWC when the last axis looks like channels, else a batch of grey images (NHW)
        return [arr] if arr.shape[-1] in (1, 3, 4) else list(arr)
    if arr.ndim == 4:
        return list(arr)
    raise ImageInputError(f"an image array must be HW, HWC, NHW or NHWC; got shape {arr.shape}")


def _channels(img: np.ndarray, channels: int) -> np.ndarray:
    img = img[..., None] if img.ndim == 2 else img
    have = img.shape[-1]
    if have == 4:
        img, have = img[..., :3], 3  # drop alpha
    if have == channels:
        return img
    if have == 3 and channels == 1:  # ITU-R 601 luma, as PIL's convert("L")
        return (img @ np.array([0.299, 0.587, 0.114], np.float32))[..., None]
    if have == 1 and channels == 3:
        return np.repeat(img, 3, axis=-1)
    raise ImageInputError(f"image has {have} channels; the model takes {channels}")


def _resize_to(img: np.ndarray, height: int, width: int) -> np.ndarray:
    if img.shape[0] == height and img.shape[1] == width:
        return img
    from PIL import Image

    resized = [np.asarray(Image.fromarray(img[..., c]).resize((width, height), Image.BILINEAR))
               for c in range(img.shape[-1])]
    return np.stack(resized, axis=-1)


def _resize(img: np.ndarray, size: int, crop_fraction: float = 1.0) -> np.ndarray:
    """Square ``size``; with ``crop_fraction`` < 1 as torchvision's eval transforms: shorter
    side to ``int(size / crop_fraction)`` (aspect kept), then the central ``size`` crop."""
    if crop_fraction >= 1.0:
        return _resize_to(img, size, size)
    h, w = img.shape[:2]
    short = int(size / crop_fraction)
    # torchvision Resize(int): the longer side is int(short * long / shorter)
    height, width = (short, int(short * w / h)) if h <= w else (int(short * h / w), short)
    img = _resize_to(img, height, width)
    top, left = int(round((height - size) / 2.0)), int(round((width - size) / 2.0))
    return img[top : top + size, left : left + size]


def to_batch(images: Any, size: int, channels: int, crop_fraction: float = 1.0) -> np.ndarray:
    """Float32 (N, size, size, channels) in [0, 1]; ``crop_fraction`` as in ``_resize``."""
    out = []
    for img in _one_or_batch(images):
        if img.size == 0:
            raise ImageInputError("empty image")
        if img.dtype == np.uint8:
            img = img.astype(np.float32) / 255.0
        elif np.issubdtype(img.dtype, np.floating):
            img = img.astype(np.float32)
            if img.max(initial=0.0) > 1.0 + 1e-3 or img.min(initial=0.0) < -1e-3:
                raise ImageInputError(
                    f"float images must hold values in [0, 1]; got [{img.min():.3g}, "
                    f"{img.max():.3g}] (give uint8 0..255 or divide by 255)"
                )
        else:
            raise ImageInputError(f"unsupported image dtype {img.dtype}; use uint8 or float")
        out.append(_resize(_channels(img, channels), size, crop_fraction))
    if not out:
        raise ImageInputError("no images given")
    return np.stack(out).astype(np.float32)
