"""The ResNet rule table (one row per Keras variable) and its parity inputs.

Names match by construction: torch ``layer2.0.bn1.running_mean`` <-> Keras
``layer2.0.bn1/moving_mean``. ``num_batches_tracked`` (0-d int64) has a Keras twin in
``TorchBatchNorm``, so nothing is dropped and the round trip is bit-identical.
"""

from __future__ import annotations

import numpy as np

from zoo.conversion import ops
from zoo.conversion.engine import Rule
from zoo.models.resnet.config import ResNetConfig, block_names

TOLERANCE = {"atol": 1e-4, "rtol": 1e-4}
PARITY_INPUTS = "seed 0, normal(0, 1) NHWC images 224x224 and 97x131, batch 1 and 2"
#: torch BatchNorm2d tensor -> Keras BatchNormalization variable
BN_PARTS = {"weight": "gamma", "bias": "beta", "running_mean": "moving_mean",
            "running_var": "moving_variance", "num_batches_tracked": "num_batches_tracked"}


def _conv_bn(conv: str, bn: str) -> list[Rule]:
    return [Rule(f"{conv}.weight", f"{conv}/kernel", ops.conv2d)] + [
        Rule(f"{bn}.{t}", f"{bn}/{k}", ops.identity) for t, k in BN_PARTS.items()]


def rules(config: ResNetConfig) -> list[Rule]:
    """Stem, every block's convs and BNs, the downsample shortcut, the head."""
    table = _conv_bn("conv1", "bn1")
    convs = 2 if config.block == "basic" else 3
    for name, _, _, down in block_names(config):
        for i in range(1, convs + 1):
            table += _conv_bn(f"{name}.conv{i}", f"{name}.bn{i}")
        if down:
            table += _conv_bn(f"{name}.downsample.0", f"{name}.downsample.1")
    table += [Rule("fc.weight", "fc/kernel", ops.transpose),
              Rule("fc.bias", "fc/bias", ops.identity)]
    return table


def parity_inputs(config: ResNetConfig, seed: int = 0) -> list[tuple[str, np.ndarray]]:
    """224x224 and an odd 97x131 (131 -> 66 is even: catches asymmetric padding)."""
    rng = np.random.default_rng(seed)
    shapes = [(224, 224), (97, 131)]
    return [(f"{h}x{w} batch{n}", rng.standard_normal((n, h, w, 3)).astype(np.float32))
            for h, w in shapes for n in (1, 2)]
