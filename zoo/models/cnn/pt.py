"""PyTorch basic CNN (NCHW)."""

from __future__ import annotations

import torch
from torch import nn

from zoo.models.cnn.config import CNNConfig
from zoo.tasks.classify_pt import TorchClassifier


class BasicCNN(nn.Module, TorchClassifier):
    """The seed's Basic_CNN; ``forward`` takes normalised NCHW images and returns logits."""

    def __init__(self, config: CNNConfig) -> None:
        super().__init__()
        self.config = config
        c, h, w = config.flat_shape
        self.conv1 = nn.Conv2d(config.channels, 32, 3, padding=1)
        self.conv2 = nn.Conv2d(32, 32, 3)
        self.conv3 = nn.Conv2d(32, 64, 3, padding=1)
        self.conv4 = nn.Conv2d(64, 64, 3)
        self.pool = nn.MaxPool2d(2)
        self.drop = nn.Dropout(config.dropout)
        self.fc1 = nn.Linear(c * h * w, 512)
        self.drop_fc = nn.Dropout(config.dense_dropout)
        self.fc2 = nn.Linear(512, config.num_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        relu = torch.relu
        x = self.drop(self.pool(relu(self.conv2(relu(self.conv1(x))))))
        x = self.drop(self.pool(relu(self.conv4(relu(self.conv3(x))))))
        x = self.drop_fc(relu(self.fc1(torch.flatten(x, 1))))
        return self.fc2(x)


def build(config: CNNConfig) -> BasicCNN:
    """A freshly initialised model in eval mode.

    Example:
        >>> build(CNNConfig()).fc1.in_features
        1600
    """
    return BasicCNN(config).eval()
