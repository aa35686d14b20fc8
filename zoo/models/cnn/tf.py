"""Keras basic CNN (NHWC), layers named like the torch modules."""

from __future__ import annotations

import keras
import numpy as np

from zoo.models.cnn.config import CNNConfig
from zoo.tasks.classify_tf import KerasClassifier

L = keras.layers


class BasicCNN(keras.Model, KerasClassifier):
    """The seed's Basic_CNN; ``call`` takes normalised NHWC images and returns logits.

    Variable paths are ``cnn/conv1/kernel`` ... ``cnn/fc2/bias``. ``padding="same"`` with
    stride 1 and a 3x3 kernel pads 1 on every side, exactly torch's ``padding=1``.
    """

    def __init__(self, config: CNNConfig, **kwargs) -> None:
        super().__init__(name="cnn", **kwargs)
        self.config = config
        self.conv1 = L.Conv2D(32, 3, padding="same", activation="relu", name="conv1")
        self.conv2 = L.Conv2D(32, 3, activation="relu", name="conv2")
        self.conv3 = L.Conv2D(64, 3, padding="same", activation="relu", name="conv3")
        self.conv4 = L.Conv2D(64, 3, activation="relu", name="conv4")
        self.pool1 = L.MaxPooling2D(2, name="pool1")
        self.pool2 = L.MaxPooling2D(2, name="pool2")
        self.drop1 = L.Dropout(config.dropout, name="drop1")
        self.drop2 = L.Dropout(config.dropout, name="drop2")
        self.flatten = L.Flatten(name="flatten")  # H, W, C order: the converter permutes fc1
        self.fc1 = L.Dense(512, activation="relu", name="fc1")
        self.drop_fc = L.Dropout(config.dense_dropout, name="drop_fc")
        self.fc2 = L.Dense(config.num_classes, name="fc2")

    def call(self, x, training=None):
        x = self.drop1(self.pool1(self.conv2(self.conv1(x))), training=training)
        x = self.drop2(self.pool2(self.conv4(self.conv3(x))), training=training)
        x = self.drop_fc(self.fc1(self.flatten(x)), training=training)
        return self.fc2(x)


def build(config: CNNConfig) -> BasicCNN:
    """A model with its variables created.

    Example:
        >>> [v.path for v in build(CNNConfig()).weights][0]
        'cnn/conv1/kernel'
    """
    model = BasicCNN(config)
    size = config.image_size
    model(np.zeros((1, size, size, config.channels), np.float32))
    return model
