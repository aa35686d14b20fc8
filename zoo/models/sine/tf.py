"""Keras sine forecaster: SimpleRNN / LSTM / GRU + Dense head, explicitly named layers."""

from __future__ import annotations

import keras
import numpy as np

from zoo.models.sine.config import SineConfig
from zoo.tasks.forecast import Forecaster

RNN_CLASSES = {"rnn": keras.layers.SimpleRNN, "lstm": keras.layers.LSTM, "gru": keras.layers.GRU}


class SineForecaster(keras.Model, Forecaster):
    """Reads normalised windows (B, T, 1) and predicts the next normalised value (B, 1).

    Variable paths are ``sine/rnn/<cell>_cell/...`` and ``sine/head/...``; the GRU uses
    ``reset_after=True`` (the Keras 3 default), the only form equal to torch's GRU.
    """

    def __init__(self, config: SineConfig, **kwargs) -> None:
        super().__init__(name="sine", **kwargs)
        self.config = config
        self.rnn = RNN_CLASSES[config.cell](config.units, name="rnn")
        self.head = keras.layers.Dense(1, name="head")

    def call(self, x, training=None):
        return self.head(self.rnn(x, training=training))

    def run_numpy(self, x: np.ndarray) -> dict[str, np.ndarray]:
        """Inference-mode forward pass on normalised windows (B, T) -> {"prediction": (B, 1)}."""
        pred = self(np.asarray(x, np.float32)[..., None], training=False)
        return {"prediction": keras.ops.convert_to_numpy(pred)}


def build(config: SineConfig) -> SineForecaster:
    """A model with its variables created (built on a (1, window, 1) input).

    Example:
        >>> [v.path for v in build(SineConfig()).weights][0]
        'sine/rnn/lstm_cell/kernel'
    """
    model = SineForecaster(config)
    model(np.zeros((1, config.window, 1), np.float32))
    return model
