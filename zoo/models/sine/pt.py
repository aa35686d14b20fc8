"""PyTorch sine forecaster: nn.RNN / nn.LSTM / nn.GRU (batch_first) + Linear head."""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from zoo.models.sine.config import SineConfig
from zoo.tasks.forecast import Forecaster

RNN_CLASSES = {"rnn": nn.RNN, "lstm": nn.LSTM, "gru": nn.GRU}


class SineForecaster(nn.Module, Forecaster):
    """Reads normalised windows (B, T, 1) and predicts the next normalised value (B, 1)."""

    def __init__(self, config: SineConfig) -> None:
        super().__init__()
        self.config = config
        self.rnn = RNN_CLASSES[config.cell](1, config.units, batch_first=True)
        self.head = nn.Linear(config.units, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out, _ = self.rnn(x)
        return self.head(out[:, -1])

    def run_numpy(self, x: np.ndarray) -> dict[str, np.ndarray]:
        """Eval-mode forward pass on normalised windows (B, T) -> {"prediction": (B, 1)}."""
        was_training = self.training
        self.eval()
        try:
            with torch.no_grad():
                pred = self(torch.from_numpy(np.asarray(x, np.float32)[..., None]))
        finally:
            self.train(was_training)
        return {"prediction": pred.numpy()}


def build(config: SineConfig) -> SineForecaster:
    """A freshly initialised model in eval mode.

    Example:
        >>> build(SineConfig(cell="gru")).rnn.mode
        'GRU'
    """
    return SineForecaster(config).eval()
