"""The Keras half of :class:`~zoo.tasks.classify.Classifier`: NHWC numpy in, logits out."""

from __future__ import annotations

import keras
import numpy as np

from zoo.tasks.classify import Classifier


class KerasClassifier(Classifier):
    """Mixed into a ``keras.Model`` whose ``call`` takes normalised NHWC images."""

    def _to_native(self, x: np.ndarray):
        return keras.ops.convert_to_tensor(x)

    def _logits(self, x: np.ndarray) -> np.ndarray:
        return keras.ops.convert_to_numpy(self(x, training=False))
