"""Config of the sine forecaster: cell type, size, window and normalisation."""

from __future__ import annotations

import dataclasses
from typing import ClassVar

from zoo.config import ModelConfig
from zoo.errors import ConfigError


@dataclasses.dataclass(frozen=True)
class SineConfig(ModelConfig):
    """An RNN of ``units`` cells reading ``window`` past values and predicting the next one.

    Inputs are normalised as ``(x - norm_mean) / norm_std`` before the RNN and the
    prediction is mapped back, so the weights and their normalisation travel together.

    Example:
        >>> SineConfig(cell="gru", units=16).units
        16
    """

    family: ClassVar[str] = "sine"
    choices: ClassVar[dict] = {"cell": ("rnn", "lstm", "gru")}

    cell: str = "lstm"
    units: int = 10
    window: int = 5
    norm_mean: float = 0.0
    norm_std: float = 1.0

    def validate(self) -> None:
        for name in ("units", "window"):
            if getattr(self, name) < 1:
                raise ConfigError(f"SineConfig.{name} must be >= 1, got {getattr(self, name)}")
        if self.norm_std <= 0:
            raise ConfigError(f"SineConfig.norm_std must be > 0, got {self.norm_std}")


#: the small variant tests build
TINY = SineConfig(units=4)
