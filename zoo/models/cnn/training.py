"""What the training engines need from the CNN family: IDX data, augmentation, evaluation,
plots. Augmentation is numpy seeded by (seed, step), so both backends see the same batches."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import numpy as np

from zoo.data import idx

_IDX_KEYS = {"kind": str, "root": str, "train_limit": int, "test_limit": int,
             "flip": bool, "shift": int}
#: [data] kind -> allowed keys (checked by the recipe loader)
DATA_SCHEMA = {"fashion_mnist": _IDX_KEYS, "mnist": _IDX_KEYS}
DATA_DEFAULTS = {"root": "", "train_limit": 0, "test_limit": 0, "flip": False, "shift": 0}
CLASSES = {"fashion_mnist": idx.FASHION_MNIST_CLASSES, "mnist": idx.MNIST_CLASSES}


@dataclasses.dataclass(frozen=True)
class ImageData:
    x_train: np.ndarray  # (N, H, W) uint8
    y_train: np.ndarray  # (N,) int64
    x_test: np.ndarray
    y_test: np.ndarray
    classes: list[str]
    flip: bool
    shift: int


def make_data(section: dict[str, Any]) -> ImageData:
    """Train and test splits of the IDX dataset; ``*_limit`` > 0 keeps the first N."""
    d = {**DATA_DEFAULTS, **section}
    name = d["kind"].replace("_", "-")
    root = idx.dataset_dir(name, d["root"] or None)
    x_train, y_train = idx.load_split(root, "train")
    x_test, y_test = idx.load_split(root, "test")
    if d["train_limit"]:
        x_train, y_train = x_train[: d["train_limit"]], y_train[: d["train_limit"]]
    if d["test_limit"]:
        x_test, y_test = x_test[: d["test_limit"]], y_test[: d["test_limit"]]
    return ImageData(x_train, y_train, x_test, y_test, CLASSES[d["kind"]], d["flip"], d["shift"])


def config_overrides(data: ImageData) -> dict[str, Any]:
    """Classes and normalisation measured on the training split."""
    pixels = data.x_train.astype(np.float64) / 255.0
    return {"num_classes": len(data.classes), "class_names": list(data.classes),
            "image_size": int(data.x_train.shape[1]), "channels": 1,
            "mean": [round(float(pixels.mean()), 4)], "std": [round(float(pixels.std()), 4)]}


def training_arrays(data: ImageData, config: Any) -> tuple[np.ndarray, np.ndarray]:
    """Normalised NHWC float32 images and int64 labels of the training split."""
    x = (data.x_train[..., None].astype(np.float32) / 255.0 - config.mean[0]) / config.std[0]
    return x, data.y_train.astype(np.int64)


def augment(data: ImageData, x: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Random horizontal flips and shifts of up to ``shift`` pixels (zero padding)."""
    out = x.copy()
    if data.flip:
        flip = rng.random(len(x)) < 0.5
        out[flip] = out[flip, :, ::-1]
    if data.shift:
        s = data.shift
        padded = np.pad(out, ((0, 0), (s, s), (s, s), (0, 0)), constant_values=out.min())
        dy, dx = rng.integers(0, 2 * s + 1, (2, len(x)))
        h, w = x.shape[1:3]
        out = np.stack([padded[i, dy[i] : dy[i] + h, dx[i] : dx[i] + w] for i in range(len(x))])
    return out


def evaluate(model: Any, data: ImageData) -> dict[str, float]:
    """Accuracy on the test split (through ``predict_proba``, shared by both backends)."""
    probs = model.predict_proba(data.x_test)
    pred = probs.argmax(axis=1)
    nll = -np.log(np.clip(probs[np.arange(len(pred)), data.y_test], 1e-12, None)).mean()
    return {"test_accuracy": float((pred == data.y_test).mean()), "test_loss": float(nll)}


def plot(model: Any, data: ImageData, out_dir: Path) -> list[Path]:
    """``confusion_matrix.png`` and ``samples.png`` (test images with predictions)."""
    from zoo.training.plots import confusion_matrix_png, sample_grid_png

    probs = model.predict_proba(data.x_test)
    pred = probs.argmax(axis=1)
    return [
        confusion_matrix_png(data.y_test, pred, data.classes, out_dir / "confusion_matrix.png"),
        sample_grid_png(data.x_test[:32], data.y_test[:32], pred[:32], probs[:32].max(axis=1),
                        data.classes, out_dir / "samples.png"),
    ]


def dataset_card(section: dict[str, Any]) -> tuple[str, str]:
    d = {**DATA_DEFAULTS, **section}
    name = {"fashion_mnist": "Fashion-MNIST", "mnist": "MNIST"}[d["kind"]]
    limit = f", first {d['train_limit']} training images" if d["train_limit"] else ""
    return (f"{name} (60000 train / 10000 test, 28x28 grey){limit}; augmentation: "
            f"flip={d['flip']}, shift={d['shift']}px", d["kind"].replace("_", "-"))
