"""PyTorch ResNet: torchvision's own implementation with the zoo's task methods.

The state_dict keys are torchvision's, so ``model.safetensors`` loads into a stock
``torchvision.models.resnet18()`` with ``strict=True``.
"""

from __future__ import annotations

from collections.abc import Iterable

from zoo.backends import check_torchvision_importable
from zoo.models.resnet.config import ResNetConfig

check_torchvision_importable("the PyTorch ResNet")  # a clear error, not a segfault

import torch  # noqa: E402
import torchvision  # noqa: E402
from torch import nn  # noqa: E402

from zoo.tasks.classify_pt import TorchClassifier  # noqa: E402  (imports torch)

BLOCKS = {"basic": torchvision.models.resnet.BasicBlock,
          "bottleneck": torchvision.models.resnet.Bottleneck}


class ResNet(torchvision.models.ResNet, TorchClassifier):
    """``torchvision.models.ResNet`` + ``config``, ``features`` and backbone freezing.

    Example:
        >>> m = build(ResNetConfig(num_classes=5))
        >>> m.features(torch.zeros(1, 3, 64, 64)).shape
        torch.Size([1, 512])
    """

    def __init__(self, config: ResNetConfig) -> None:
        super().__init__(BLOCKS[config.block], list(config.stages),
                         num_classes=config.num_classes)
        self.config = config
        self.frozen: tuple[str, ...] = ()

    def features(self, x: torch.Tensor) -> torch.Tensor:
        """The pooled embedding (N, feature_dim) of normalised NCHW images."""
        x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
        x = self.layer4(self.layer3(self.layer2(self.layer1(x))))
        return torch.flatten(self.avgpool(x), 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.fc(self.features(x))

    def freeze(self, modules: Iterable[str] = ResNetConfig.backbone) -> None:
        """Stop training ``modules``: no gradients and BatchNorm kept in inference mode.

        ``requires_grad_(False)`` alone does not freeze BN running statistics, and
        ``model.train()`` would flip frozen BN back to training: ``train`` below keeps them
        in eval mode (notes/conversion.md section 6).
        """
        self.frozen = tuple(modules)
        for name, param in self.named_parameters():
            param.requires_grad_(not self._is_frozen(name))
        self.train(self.training)

    def _is_frozen(self, name: str) -> bool:
        return any(name == m or name.startswith(m + ".") for m in self.frozen)

    def train(self, mode: bool = True) -> ResNet:
        super().train(mode)
        for name, module in self.named_modules():
            if name and self._is_frozen(name):
                module.eval()
        return self


def build(config: ResNetConfig) -> ResNet:
    """A freshly initialised model (torchvision's init) in eval mode.

    Example:
        >>> build(ResNetConfig(depth=50)).fc.in_features
        2048
    """
    return ResNet(config).eval()


def stock(config: ResNetConfig) -> nn.Module:
    """The plain ``torchvision.models.resnetXX`` this config corresponds to."""
    return getattr(torchvision.models, config.model_name)(num_classes=config.num_classes)


def randomise_batchnorm(model: nn.Module, seed: int = 0) -> nn.Module:
    """Give every BatchNorm random affine parameters and running statistics, in place.

    Fresh BN (mean 0, var 1, gamma 1, beta 0) hides conversion bugs in BN (wrong eps,
    swapped mean/var); parity checks of untrained models call this first. The ranges keep
    activations of a 50-layer network at the scale of a trained one.
    """
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for module in model.modules():
            if isinstance(module, nn.BatchNorm2d):
                n = module.num_features
                module.weight.copy_(torch.rand(n, generator=g) * 0.5 + 0.5)
                module.bias.copy_(torch.randn(n, generator=g) * 0.1)
                module.running_mean.copy_(torch.randn(n, generator=g) * 0.1)
                module.running_var.copy_(torch.rand(n, generator=g) * 0.5 + 0.5)
                module.num_batches_tracked.fill_(int(torch.randint(1, 1000, (), generator=g)))
    return model
