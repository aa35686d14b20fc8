"""Config of the ResNet family: depth, classes, input size and normalisation."""

from __future__ import annotations

import dataclasses
from typing import ClassVar

from zoo.config import ModelConfig
from zoo.errors import ConfigError

#: depth -> (block kind, blocks per stage), as torchvision's resnet18/34/50 builders
ARCHITECTURES: dict[int, tuple[str, tuple[int, int, int, int]]] = {
    18: ("basic", (2, 2, 2, 2)),
    34: ("basic", (3, 4, 6, 3)),
    50: ("bottleneck", (3, 4, 6, 3)),
}
#: output channels of a block's last conv = width * EXPANSION[block]
EXPANSION = {"basic": 1, "bottleneck": 4}
WIDTHS = (64, 128, 256, 512)
IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)


@dataclasses.dataclass(frozen=True)
class ResNetConfig(ModelConfig):
    """torchvision's ResNet (v1.5: stride on the 3x3 of a bottleneck) with ``num_classes``.

    ``image_size`` is the size images are resized to by ``preprocess``; the network itself
    takes any size >= 32.

    Example:
        >>> ResNetConfig(depth=50).feature_dim
        2048
    """

    family: ClassVar[str] = "resnet"
    choices: ClassVar[dict] = {"depth": tuple(ARCHITECTURES), "channels": (3,)}
    #: the head a new ``num_classes`` replaces, per backend (weights keys)
    head_keys: ClassVar[dict[str, tuple[str, ...]]] = {
        "torch": ("fc.weight", "fc.bias"), "tf": ("fc/kernel", "fc/bias")}
    #: the stages before the head, in forward order: what fine-tuning freezes (same names as
    #: torch modules and Keras layer prefixes)
    backbone: ClassVar[tuple[str, ...]] = ("conv1", "bn1", "layer1", "layer2", "layer3",
                                           "layer4")

    depth: int = 18
    num_classes: int = 1000
    image_size: int = 224
    channels: int = 3
    mean: tuple[float, ...] = IMAGENET_MEAN
    std: tuple[float, ...] = IMAGENET_STD
    class_names: tuple[str, ...] = ()
    #: < 1: resize the shorter side to image_size / crop_fraction, then centre-crop
    #: (torchvision's ImageNet eval: 0.875); 1: resize straight to image_size
    crop_fraction: float = 1.0

    def validate(self) -> None:
        if self.image_size < 32:
            raise ConfigError(f"ResNetConfig.image_size must be >= 32 (five stride-2 stages), "
                              f"got {self.image_size}")
        if len(self.mean) != self.channels or len(self.std) != self.channels:
            raise ConfigError(f"ResNetConfig.mean/std need one value per channel ({self.channels})")
        if not 0 < self.crop_fraction <= 1:
            raise ConfigError(f"ResNetConfig.crop_fraction must be in (0, 1], got "
                              f"{self.crop_fraction}")
        if self.num_classes < 1:
            raise ConfigError(f"ResNetConfig.num_classes must be >= 1, got {self.num_classes}")
        if self.class_names and len(self.class_names) != self.num_classes:
            raise ConfigError(f"ResNetConfig has {len(self.class_names)} class_names for "
                              f"num_classes={self.num_classes}")

    @property
    def model_name(self) -> str:
        return f"resnet{self.depth}"

    @property
    def block(self) -> str:
        return ARCHITECTURES[self.depth][0]

    @property
    def stages(self) -> tuple[int, int, int, int]:
        return ARCHITECTURES[self.depth][1]

    @property
    def feature_dim(self) -> int:
        return WIDTHS[-1] * EXPANSION[self.block]

    @property
    def labels(self) -> list[str]:
        return list(self.class_names) or [str(i) for i in range(self.num_classes)]


def block_names(config: ResNetConfig) -> list[tuple[str, int, int, bool]]:
    """(module name, width, stride, has downsample) of every residual block, in order.

    Example:
        >>> block_names(ResNetConfig())[2]
        ('layer2.0', 128, 2, True)
    """
    out, in_ch = [], 64
    expansion = EXPANSION[config.block]
    for stage, (width, count) in enumerate(zip(WIDTHS, config.stages, strict=True), start=1):
        for i in range(count):
            stride = 2 if stage > 1 and i == 0 else 1
            down = i == 0 and (stride != 1 or in_ch != width * expansion)
            out.append((f"layer{stage}.{i}", width, stride, down))
            in_ch = width * expansion
    return out


#: the small variant tests build
TINY = ResNetConfig(depth=18, num_classes=3, image_size=32)
