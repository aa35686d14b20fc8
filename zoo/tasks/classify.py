"""Image classification task methods shared by every classifier family and both backends.

A backend model mixes in :class:`Classifier` and implements ``_logits(x_nhwc)`` (numpy in,
numpy out) and ``_to_native(x_nhwc)`` (its own tensor layout). Everything else, from
reading images to top-k labels, exists once.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from zoo.errors import ZooError
from zoo.tasks.image_input import to_batch


def softmax(logits: np.ndarray) -> np.ndarray:
    z = logits - logits.max(axis=-1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=-1, keepdims=True)


class Classifier:
    """Mixin for a model with ``config.image_size/channels/mean/std/labels``."""

    config: Any

    def _logits(self, x: np.ndarray) -> np.ndarray:  # pragma: no cover
        raise NotImplementedError

    def _to_native(self, x: np.ndarray) -> Any:  # pragma: no cover
        raise NotImplementedError

    @property
    def class_names(self) -> list[str]:
        return self.config.labels

    def normalise(self, images: Any) -> np.ndarray:
        """Any accepted images -> normalised float32 NHWC numpy (identical for both backends)."""
        cfg = self.config
        # families whose eval preprocessing centre-crops say so in their config
        batch = to_batch(images, cfg.image_size, cfg.channels, getattr(cfg, "crop_fraction", 1.0))
        return (batch - np.asarray(cfg.mean, np.float32)) / np.asarray(cfg.std, np.float32)

    def preprocess(self, images: Any) -> Any:
        """Images -> this backend's input tensor (torch NCHW, TF NHWC).

        Example:
            >>> model.preprocess("shoe.png").shape
            torch.Size([1, 1, 28, 28])
        """
        return self._to_native(self.normalise(images))

    def run_numpy(self, x: np.ndarray) -> dict[str, np.ndarray]:
        """Logits of normalised NHWC inputs (the parity harness's entry point)."""
        return {"logits": self._logits(np.asarray(x, np.float32))}

    def predict_proba(self, images: Any, batch_size: int = 256) -> np.ndarray:
        """Class probabilities (N, num_classes)."""
        x = self.normalise(images)
        logits = np.concatenate([self._logits(x[i : i + batch_size])
                                 for i in range(0, len(x), batch_size)])
        return softmax(logits.astype(np.float64)).astype(np.float32)

    def classify(self, images: Any, top_k: int = 1) -> list[list[tuple[str, float]]]:
        """The ``top_k`` (label, probability) pairs of each image, most likely first.

        Example:
            >>> model.classify("shoe.png", top_k=2)
            [[('Sneaker', 0.91), ('Sandal', 0.06)]]
        """
        if not 1 <= top_k <= self.config.num_classes:
            raise ZooError(f"top_k must be in 1..{self.config.num_classes}, got {top_k}")
        probs = self.predict_proba(images)
        order = np.argsort(-probs, axis=1, kind="stable")[:, :top_k]
        names = self.class_names
        return [[(names[j], float(p[j])) for j in row] for p, row in zip(probs, order,
                                                                          strict=True)]
