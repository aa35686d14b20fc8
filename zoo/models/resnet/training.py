"""ResNet pretraining on an IDX dataset (Fashion-MNIST): the CNN family's data path with
grey images replicated to RGB and resized to the config's ``image_size``, through the same
``to_batch`` the model's ``preprocess`` uses, so training and inference see the same pixels."""

from __future__ import annotations

from typing import Any

import numpy as np

from zoo.models.cnn.training import (  # noqa: F401  (the family's training interface)
    DATA_SCHEMA,
    ImageData,
    augment,
    dataset_card,
    evaluate,
    make_data,
    plot,
)
from zoo.tasks.image_input import to_batch


def config_overrides(data: ImageData) -> dict[str, Any]:
    """Classes and per-channel normalisation measured on the training split (grey -> RGB)."""
    pixels = data.x_train.astype(np.float64) / 255.0
    mean, std = round(float(pixels.mean()), 4), round(float(pixels.std()), 4)
    return {"num_classes": len(data.classes), "class_names": list(data.classes),
            "mean": [mean] * 3, "std": [std] * 3}


def training_arrays(data: ImageData, config: Any) -> tuple[np.ndarray, np.ndarray]:
    """Normalised NHWC float32 RGB images at ``config.image_size`` and int64 labels."""
    chunks = [to_batch(data.x_train[i : i + 4096], config.image_size, 3)
              for i in range(0, len(data.x_train), 4096)]
    x = np.concatenate(chunks)
    x -= np.asarray(config.mean, np.float32)
    x /= np.asarray(config.std, np.float32)
    return x, data.y_train.astype(np.int64)
