"""Config of the basic CNN: input size and channels, classes, normalisation."""

from __future__ import annotations

import dataclasses
from typing import ClassVar

from zoo.config import ModelConfig
from zoo.errors import ConfigError


@dataclasses.dataclass(frozen=True)
class CNNConfig(ModelConfig):
    """conv32(same), conv32, pool, drop .25, conv64(same), conv64, pool, drop .25, flatten,
    dense 512, drop .5, dense ``num_classes`` (the seed's Basic_CNN: 28 -> 26 -> 13 -> 11 -> 5).

    Example:
        >>> CNNConfig(num_classes=3).flat_shape
        (64, 5, 5)
    """

    family: ClassVar[str] = "cnn"
    #: the head a new ``num_classes`` replaces, per backend (weights keys)
    head_keys: ClassVar[dict[str, tuple[str, ...]]] = {
        "torch": ("fc2.weight", "fc2.bias"), "tf": ("cnn/fc2/kernel", "cnn/fc2/bias")}

    num_classes: int = 10
    image_size: int = 28
    channels: int = 1
    mean: tuple[float, ...] = (0.2860,)  # Fashion-MNIST training set, pixels in [0, 1]
    std: tuple[float, ...] = (0.3530,)
    class_names: tuple[str, ...] = ()
    dropout: float = 0.25
    dense_dropout: float = 0.5

    def validate(self) -> None:
        if self.image_size < 10:
            raise ConfigError(f"CNNConfig.image_size must be >= 10, got {self.image_size}")
        if len(self.mean) != self.channels or len(self.std) != self.channels:
            raise ConfigError(f"CNNConfig.mean/std need one value per channel ({self.channels})")
        if self.class_names and len(self.class_names) != self.num_classes:
            raise ConfigError(f"CNNConfig has {len(self.class_names)} class_names for "
                              f"num_classes={self.num_classes}")
        if self.num_classes < 2:
            raise ConfigError(f"CNNConfig.num_classes must be >= 2, got {self.num_classes}")

    @property
    def flat_shape(self) -> tuple[int, int, int]:
        """(C, H, W) of the feature map the first dense layer reads."""
        size = (self.image_size - 2) // 2  # conv same, conv valid, pool 2
        size = (size - 2) // 2
        return (64, size, size)

    @property
    def labels(self) -> list[str]:
        return list(self.class_names) or [str(i) for i in range(self.num_classes)]


#: the small variant tests build
TINY = CNNConfig(num_classes=3, image_size=12)
