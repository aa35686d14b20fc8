"""The CNN rule table and its parity inputs.

The only non-local rule is ``fc1``: torch flattens (C, H, W) and Keras (H, W, C), so its
kernel's input rows are permuted (notes/conversion.md section 2).
"""

from __future__ import annotations

import numpy as np

from zoo.conversion import ops
from zoo.conversion.engine import Rule
from zoo.models.cnn.config import CNNConfig

TOLERANCE = {"atol": 1e-5, "rtol": 0.0}
PARITY_INPUTS = "seed 0, normal(0, 1) NHWC images, batch 1 and 16"

CONVS = ("conv1", "conv2", "conv3", "conv4")


def rules(config: CNNConfig) -> list[Rule]:
    """One row per Keras variable."""
    table = []
    for name in CONVS:
        table += [Rule(f"{name}.weight", f"cnn/{name}/kernel", ops.conv2d),
                  Rule(f"{name}.bias", f"cnn/{name}/bias", ops.identity)]
    table += [
        Rule("fc1.weight", "cnn/fc1/kernel", ops.flatten_dense(*config.flat_shape)),
        Rule("fc1.bias", "cnn/fc1/bias", ops.identity),
        Rule("fc2.weight", "cnn/fc2/kernel", ops.transpose),
        Rule("fc2.bias", "cnn/fc2/bias", ops.identity),
    ]
    return table


def parity_inputs(config: CNNConfig, seed: int = 0) -> list[tuple[str, np.ndarray]]:
    """Random, non-constant normalised images (N, H, W, C)."""
    rng = np.random.default_rng(seed)
    shape = (config.image_size, config.image_size, config.channels)
    return [(f"batch{n}", rng.standard_normal((n, *shape)).astype(np.float32)) for n in (1, 16)]
