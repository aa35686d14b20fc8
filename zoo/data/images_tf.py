"""TensorFlow pipeline over image-folder samples: a ``tf.data.Dataset`` of NHWC float32 batches.

The same preprocessing as ``images_pt``: the same ``augment`` keys and training order, and
evaluation pixels within one grey level of torchvision's (PIL resizes in fixed point).
JPEG is decoded by ``tf.io.decode_jpeg`` with the accurate integer DCT (bit-identical to
PIL), PNG and WebP by ``tf.io.decode_image``, and the formats TensorFlow cannot decode
(TIFF, PPM/PGM) or decodes differently (BMP: palette BMPs come out as the palette indices)
by ``images.load_rgb`` through ``tf.numpy_function``. The decoder is chosen per file by its
extension; a folder of one format gets only that decoder in its graph.

Example:
    >>> split = images.scan_with_val("pets/", 0.2, seed=0)
    >>> ds = make_dataset(split.train, 224, images.IMAGENET_MEAN, images.IMAGENET_STD, 32,
    ...                   train=True, augment={"flip": True, "random_resized_crop": True},
    ...                   workers=2, seed=0)
    >>> x, y = next(iter(ds))
    >>> x.shape, x.dtype, y.dtype
    (TensorShape([32, 224, 224, 3]), tf.float32, tf.int64)
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import tensorflow as tf

from zoo.data import image_transforms, images
from zoo.errors import DatasetError

JPEG, NATIVE, PIL = 0, 1, 2  # decoder per file
_DECODER = {".jpg": JPEG, ".jpeg": JPEG, ".png": NATIVE, ".webp": NATIVE}
_CANDIDATES = 10  # torchvision's RandomResizedCrop tries 10 random boxes, then falls back


def decoder_for(path: str | Path) -> int:
    """``JPEG``, ``NATIVE`` (``tf.io.decode_image``) or ``PIL`` for ``path``, by its extension.

    Example:
        >>> decoder_for("a.JPG") == JPEG, decoder_for("a.tif") == PIL
        (True, True)
    """
    return _DECODER.get(os.path.splitext(str(path))[1].lower(), PIL)


class _EpochOrder:
    """Generator factory for ``from_generator``: each call yields the next epoch's order."""

    def __init__(self, n: int, seed: int, epoch: int = 0) -> None:
        self.n, self.seed, self.epoch = n, seed, epoch

    def __call__(self) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        order, seeds = images.epoch_order(self.n, self.seed, self.epoch)
        self.epoch += 1
        yield order, seeds


def make_dataset(samples: Sequence[tuple[Path, int]], image_size: int, mean: Sequence[float],
                 std: Sequence[float], batch_size: int, train: bool,
                 augment: Mapping[str, Any] | None, workers: int, seed: int, *,
                 drop_last: bool = False, first_epoch: int = 0) -> tf.data.Dataset:
    """A ``tf.data.Dataset`` of (N, size, size, 3) float32 images and (N,) int64 labels.

    ``train``: each pass is the next epoch of ``images.epoch_order`` (the torch loader's
    order) with the ``augment`` transforms; else the samples in order, resized and
    centre-cropped. ``workers`` parallel decodes (0: ``tf.data.AUTOTUNE``). ``first_epoch``:
    the epoch the first pass is (a resumed run continues the order where it stopped).

    Example:
        >>> ds = make_dataset(val, 224, images.IMAGENET_MEAN, images.IMAGENET_STD, 64,
        ...                   train=False, augment=None, workers=0, seed=0)
        >>> next(iter(ds))[0].shape
        TensorShape([64, 224, 224, 3])
    """
    if not samples:
        raise DatasetError("no samples to load; scan a non-empty image folder first")
    aug = image_transforms.check_augment(augment)
    mean_t, std_t = image_transforms.check_normalize(mean, std)
    kinds = np.array([decoder_for(p) for p, _ in samples], dtype=np.int32)
    columns = (tf.constant([str(p) for p, _ in samples]),
               tf.constant([int(label) for _, label in samples], dtype=tf.int64),
               tf.constant(kinds))
    decode = _decoder(sorted(set(kinds.tolist())))
    resize_to = image_transforms.eval_resize(image_size, aug["crop_fraction"])

    def load(path: tf.Tensor, label: tf.Tensor, kind: tf.Tensor,
             image_seed: tf.Tensor | None = None) -> tuple[tf.Tensor, tf.Tensor]:
        img = decode(path, kind)
        if train:
            crop_seed, flip_seed = tf.unstack(tf.random.experimental.stateless_split(image_seed, 2))
        if train and aug["random_resized_crop"]:
            img = random_resized_crop(img, image_size, aug["scale"], aug["ratio"], crop_seed)
        else:
            img = resize_center_crop(img, image_size, resize_to)
        if train and aug["flip"]:
            img = tf.image.stateless_random_flip_left_right(img, flip_seed)
        return tf.ensure_shape(img, [image_size, image_size, 3]), label

    if train:
        # The order (and each image's augmentation seed) comes from numpy, one call per
        # epoch, so that it is the torch loader's order; tf.data.shuffle could not match it.
        n = len(samples)
        ds = tf.data.Dataset.from_generator(
            _EpochOrder(n, seed, first_epoch),
            output_signature=(tf.TensorSpec([n], tf.int64), tf.TensorSpec([n, 2], tf.int64)),
        ).unbatch().apply(tf.data.experimental.assert_cardinality(n))
        ds = ds.map(lambda i, s: (*(tf.gather(c, i) for c in columns), s))
    else:
        ds = tf.data.Dataset.from_tensor_slices(columns)
    ds = ds.map(load, num_parallel_calls=workers or tf.data.AUTOTUNE)

    # Images stay uint8 until batched (as PIL's do in torchvision), then one op per batch
    # scales and normalises them.
    scale = tf.constant([1 / (255.0 * s) for s in std_t])
    shift = tf.constant([m / s for m, s in zip(mean_t, std_t, strict=True)])

    def normalize(x: tf.Tensor, y: tf.Tensor) -> tuple[tf.Tensor, tf.Tensor]:
        return tf.cast(x, tf.float32) * scale - shift, y

    ds = ds.batch(batch_size, drop_remainder=drop_last).map(normalize)
    return ds.prefetch(tf.data.AUTOTUNE)


def resize_center_crop(img: tf.Tensor, size: int, resize_to: int) -> tf.Tensor:
    """Shorter side to ``resize_to`` (bilinear, antialiased), then the central size x size.

    Sizes and offsets are computed as torchvision's ``Resize(int)`` + ``CenterCrop`` do; the
    result is uint8, rounded as PIL rounds its resize.

    Example:
        >>> resize_center_crop(tf.zeros([300, 400, 3], tf.uint8), 224, 256).shape
        TensorShape([224, 224, 3])
    """
    shape = tf.shape(img)
    h, w = shape[0], shape[1]
    new_long = (resize_to * tf.maximum(h, w)) // tf.minimum(h, w)
    new_h = tf.where(w <= h, new_long, resize_to)
    new_w = tf.where(w <= h, resize_to, new_long)
    img = _resize(img, new_h, new_w)
    top = tf.cast(tf.round(tf.cast(new_h - size, tf.float32) / 2.0), tf.int32)  # half to even,
    left = tf.cast(tf.round(tf.cast(new_w - size, tf.float32) / 2.0), tf.int32)  # as Python's
    return img[top:top + size, left:left + size]


def random_resized_crop(img: tf.Tensor, size: int, scale: tuple[float, float],
                        ratio: tuple[float, float], seed: tf.Tensor) -> tf.Tensor:
    """torchvision's ``RandomResizedCrop`` with stateless draws from ``seed`` (shape [2]), uint8.

    Up to 10 boxes of random area (``scale`` of the image) and aspect ratio (log-uniform in
    ``ratio``) are drawn and the first that fits is used, else the central crop clamped to
    ``ratio``; the box is resized to size x size (bilinear, antialiased).

    Example:
        >>> random_resized_crop(tf.zeros([300, 400, 3]), 224, (0.08, 1.0), (0.75, 1.33),
        ...                     tf.constant([1, 2])).shape
        TensorShape([224, 224, 3])
    """
    shape = tf.shape(img)
    h, w = shape[0], shape[1]
    hf, wf = tf.cast(h, tf.float32), tf.cast(w, tf.float32)
    # one draw for everything (tf.data pays a fixed cost per op and image): 10 areas,
    # 10 log aspect ratios, 2 positions
    u = tf.random.stateless_uniform([2 * _CANDIDATES + 2], seed)
    area = hf * wf * (scale[0] + (scale[1] - scale[0]) * u[:_CANDIDATES])
    log_lo, log_hi = math.log(ratio[0]), math.log(ratio[1])
    aspect = tf.exp(log_lo + (log_hi - log_lo) * u[_CANDIDATES:2 * _CANDIDATES])
    cand_w = tf.cast(tf.round(tf.sqrt(area * aspect)), tf.int32)
    cand_h = tf.cast(tf.round(tf.sqrt(area / aspect)), tf.int32)
    fits = (cand_w > 0) & (cand_w <= w) & (cand_h > 0) & (cand_h <= h)
    first = tf.argmax(tf.cast(fits, tf.int32), output_type=tf.int32)
    found = tf.reduce_any(fits)

    # fallback: the whole image, narrowed to the nearest allowed aspect ratio
    in_ratio = wf / hf
    round_i = lambda x: tf.cast(tf.round(x), tf.int32)  # noqa: E731
    fall_w = tf.where(in_ratio > ratio[1], round_i(hf * ratio[1]), w)
    fall_h = tf.where(in_ratio < ratio[0], round_i(wf / ratio[0]), h)

    crop_h = tf.where(found, cand_h[first], fall_h)
    crop_w = tf.where(found, cand_w[first], fall_w)
    top = tf.where(found, tf.cast(u[-2] * tf.cast(h - crop_h + 1, tf.float32), tf.int32),
                   (h - crop_h) // 2)
    left = tf.where(found, tf.cast(u[-1] * tf.cast(w - crop_w + 1, tf.float32), tf.int32),
                    (w - crop_w) // 2)
    return _resize(img[top:top + crop_h, left:left + crop_w], size, size)


def _resize(img: tf.Tensor, h: tf.Tensor | int, w: tf.Tensor | int) -> tf.Tensor:
    """uint8 image resized like PIL's bilinear (antialiased, rounded); as is if already h x w."""
    shape = tf.shape(img)
    size = tf.stack([h, w])

    def resize() -> tf.Tensor:
        # Antialiasing (the ScaleAndTranslate kernel, what matches PIL when shrinking) costs
        # about 4x plain bilinear; when enlarging both give the same pixels (to 3e-5).
        out = tf.cond((shape[0] <= h) & (shape[1] <= w),
                      lambda: tf.image.resize(img, size, method="bilinear"),
                      lambda: tf.image.resize(img, size, method="bilinear", antialias=True))
        return tf.cast(tf.round(tf.clip_by_value(out, 0.0, 255.0)), tf.uint8)

    # torchvision returns an image of the right size untouched; so does this
    return tf.cond((shape[0] == h) & (shape[1] == w), lambda: img, resize)


def _decoder(kinds: list[int]) -> Any:
    """decode(path, kind) -> uint8 (H, W, 3), with only the decoders ``kinds`` need."""

    def jpeg(path: tf.Tensor) -> tf.Tensor:
        # INTEGER_ACCURATE is libjpeg's ISLOW, what PIL uses: the same pixels, bit for bit
        return tf.io.decode_jpeg(tf.io.read_file(path), channels=3, dct_method="INTEGER_ACCURATE")

    def native(path: tf.Tensor) -> tf.Tensor:
        # channels=0 then to RGB: decode_image(channels=3) fails on WebP with alpha
        img = tf.io.decode_image(tf.io.read_file(path), channels=0, expand_animations=False)
        return tf.cond(tf.shape(img)[-1] < 3, lambda: tf.tile(img[..., :1], [1, 1, 3]),
                       lambda: img[..., :3])

    def pil(path: tf.Tensor) -> tf.Tensor:
        return tf.numpy_function(_pil_decode, [path], tf.uint8, stateful=False)

    branches = {JPEG: jpeg, NATIVE: native, PIL: pil}

    def decode(path: tf.Tensor, kind: tf.Tensor) -> tf.Tensor:
        if len(kinds) == 1:
            img = branches[kinds[0]](path)
        else:
            img = tf.switch_case(kind, {k: (lambda f=branches[k]: tf.ensure_shape(
                f(path), [None, None, 3])) for k in kinds})
        return tf.ensure_shape(img, [None, None, 3])

    return decode


def _pil_decode(path: bytes) -> np.ndarray:
    return np.asarray(images.load_rgb(os.fsdecode(path)))
