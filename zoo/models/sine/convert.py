"""The sine rule table (both directions derive from it) and its parity inputs."""

from __future__ import annotations

import numpy as np

from zoo.conversion import ops
from zoo.conversion.engine import Rule
from zoo.models.sine.config import SineConfig

#: cell -> (Keras cell layer name, op for W_ih / W_hh, op for the biases)
CELLS = {
    "rnn": ("simple_rnn_cell", ops.transpose, ops.sum_biases),
    "lstm": ("lstm_cell", ops.transpose, ops.sum_biases),  # same gate order (i, f, g, o)
    "gru": ("gru_cell", ops.gru_kernel, ops.gru_biases),  # (r, z, n) <-> (z, r, h)
}

#: float32 parity tolerance (notes/conversion.md 12: correct conversions give <= 1.5e-8)
TOLERANCE = {"atol": 1e-5, "rtol": 0.0}
PARITY_INPUTS = "seed 0, normal(0, 1) windows, batch 1/8, lengths 1/5/37/200"


def rules(config: SineConfig) -> list[Rule]:
    """One row per Keras variable, for the config's cell type."""
    cell, kernel, bias = CELLS[config.cell]
    return [
        Rule("rnn.weight_ih_l0", f"sine/rnn/{cell}/kernel", kernel),
        Rule("rnn.weight_hh_l0", f"sine/rnn/{cell}/recurrent_kernel", kernel),
        Rule(("rnn.bias_ih_l0", "rnn.bias_hh_l0"), f"sine/rnn/{cell}/bias", bias),
        Rule("head.weight", "sine/head/kernel", ops.transpose),
        Rule("head.bias", "sine/head/bias", ops.identity),
    ]


def parity_inputs(config: SineConfig, seed: int = 0) -> list[tuple[str, np.ndarray]]:
    """Named normalised inputs (B, T) that every parity check runs through both models."""
    rng = np.random.default_rng(seed)
    return [
        (f"batch{b}_len{t}", rng.standard_normal((b, t)).astype(np.float32))
        for b in (1, 8)
        for t in (1, 5, 37, 200)
    ]
