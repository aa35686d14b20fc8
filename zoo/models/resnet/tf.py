"""Keras ResNet: torchvision's architecture from Keras layers, named like the torch modules.

Variable paths are ``conv1/kernel``, ``layer2.0.bn1/gamma``, ``layer2.0.downsample.0/kernel``,
``fc/kernel``... (a functional model: paths are the layer names). Every conv with k > 1 is an
explicit ``ZeroPadding2D(k // 2)`` + ``"valid"`` conv, because Keras ``"same"`` pads
asymmetrically at stride 2 (notes/conversion.md section 3); the stem max-pool pads with zeros,
exact because it follows a ReLU (section 4).
"""

from __future__ import annotations

from collections.abc import Iterable

import keras
import numpy as np

from zoo.models.resnet.config import EXPANSION, WIDTHS, ResNetConfig, block_names
from zoo.tasks.classify_tf import KerasClassifier

L = keras.layers


class TorchBatchNorm(L.BatchNormalization):
    """BatchNorm with torch's numbers (eps 1e-5, momentum 0.1 = Keras 0.9) and its
    ``num_batches_tracked`` counter, so torch -> tf -> torch round trips bit-identically.

    A non-trainable BN layer (a frozen backbone) runs in inference mode and does not count.
    """

    def __init__(self, epsilon: float = 1e-5, momentum: float = 0.9, **kwargs) -> None:
        # keyword defaults rather than fixed values, so from_config (which passes both) works
        super().__init__(epsilon=epsilon, momentum=momentum, **kwargs)

    def build(self, input_shape) -> None:
        super().build(input_shape)
        self.num_batches_tracked = self.add_weight(
            shape=(), dtype="int64", initializer="zeros", trainable=False,
            name="num_batches_tracked")

    def call(self, inputs, training=None, mask=None):
        if training and self.trainable:
            self.num_batches_tracked.assign_add(1)
        return super().call(inputs, training=training, mask=mask)


def _conv(x, filters: int, kernel: int, stride: int, name: str):
    if kernel > 1:
        x = L.ZeroPadding2D(kernel // 2, name=f"{name}_pad")(x)
    # torchvision's init: kaiming normal (fan_out, relu). A new initializer per layer: one
    # shared unseeded instance gives every same-shaped kernel the *same* values in Keras 3
    init = keras.initializers.VarianceScaling(2.0, "fan_out", "untruncated_normal")
    return L.Conv2D(filters, kernel, stride, padding="valid", use_bias=False,
                    kernel_initializer=init, name=name)(x)


def _block(x, kind: str, name: str, width: int, stride: int, downsample: bool):
    """torchvision BasicBlock (stride on conv1) or Bottleneck (stride on the 3x3 conv2)."""
    shortcut = x
    if kind == "basic":
        convs = [(width, 3, stride), (width, 3, 1)]
    else:
        convs = [(width, 1, 1), (width, 3, stride), (width * EXPANSION[kind], 1, 1)]
    for i, (filters, kernel, s) in enumerate(convs, start=1):
        x = _conv(x, filters, kernel, s, f"{name}.conv{i}")
        x = TorchBatchNorm(name=f"{name}.bn{i}")(x)
        if i < len(convs):
            x = L.ReLU(name=f"{name}.relu{i}")(x)
    if downsample:
        shortcut = _conv(shortcut, width * EXPANSION[kind], 1, stride, f"{name}.downsample.0")
        shortcut = TorchBatchNorm(name=f"{name}.downsample.1")(shortcut)
    return L.ReLU(name=f"{name}.relu")(L.Add(name=f"{name}.add")([x, shortcut]))


class ResNet(keras.Model, KerasClassifier):
    """Functional Keras ResNet; ``call`` takes normalised NHWC images of any size >= 32.

    Example:
        >>> m = build(ResNetConfig(num_classes=5))
        >>> m.features(np.zeros((1, 64, 64, 3), np.float32)).shape
        TensorShape([1, 512])
    """

    def __init__(self, config: ResNetConfig, **kwargs) -> None:
        inputs = keras.Input((None, None, config.channels), name="images")
        x = _conv(inputs, WIDTHS[0], 7, 2, "conv1")
        x = L.ReLU(name="relu")(TorchBatchNorm(name="bn1")(x))
        x = L.MaxPooling2D(3, 2, name="maxpool")(L.ZeroPadding2D(1, name="maxpool_pad")(x))
        for name, width, stride, down in block_names(config):
            x = _block(x, config.block, name, width, stride, down)
        pooled = L.GlobalAveragePooling2D(name="avgpool")(x)
        bound = 1.0 / np.sqrt(config.feature_dim)
        logits = L.Dense(config.num_classes, name="fc",
                         kernel_initializer=keras.initializers.RandomUniform(-bound, bound),
                         bias_initializer=keras.initializers.RandomUniform(-bound, bound))(pooled)
        super().__init__(inputs=inputs, outputs=logits, name=config.model_name, **kwargs)
        self.config = config
        # a closure, not an attribute: a tracked sub-model would list every weight twice
        feature_model = keras.Model(inputs, pooled, name=f"{config.model_name}_features")
        self._features = lambda x, training=False: feature_model(x, training=training)

    def features(self, x, training: bool = False):
        """The pooled embedding (N, feature_dim) of normalised NHWC images."""
        return self._features(x, training=training)

    def freeze(self, modules: Iterable[str] = ResNetConfig.backbone) -> None:
        """Stop training ``modules``: ``trainable=False``, which in Keras 3 also runs their
        BatchNorm in inference mode (moving statistics stay put, even inside ``fit``)."""
        prefixes = tuple(modules)
        for layer in self.layers:
            layer.trainable = not any(
                layer.name == p or layer.name.startswith((p + ".", p + "_")) for p in prefixes)


def build(config: ResNetConfig) -> ResNet:
    """A model with its variables created.

    Example:
        >>> [v.path for v in build(ResNetConfig()).weights][:2]
        ['conv1/kernel', 'bn1/gamma']
    """
    return ResNet(config)
