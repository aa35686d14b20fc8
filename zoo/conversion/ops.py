"""Layer-level weight ops on numpy arrays, each with its exact inverse.

``to_keras(*torch_arrays) -> keras_array`` and ``to_torch(keras_array) -> torch_arrays``.
The facts behind each op are in ``shared/notes/conversion.md`` (sections 1, 7, 8).

Example:
    >>> import numpy as np
    >>> transpose.to_keras(np.zeros((3, 5))).shape
    (5, 3)
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import numpy as np


@dataclasses.dataclass(frozen=True)
class Op:
    """A conversion between ``arity`` torch tensors and one Keras variable."""

    name: str
    to_keras: Callable[..., np.ndarray]
    to_torch: Callable[[np.ndarray], tuple[np.ndarray, ...]]
    arity: int = 1

    def __repr__(self) -> str:
        return f"Op({self.name})"


def gru_gate_reorder(a: np.ndarray) -> np.ndarray:
    """Swap the first two gate blocks along axis 0: torch (r, z, n) <-> Keras (z, r, h).

    The permutation is its own inverse, so both directions use it.
    """
    r, z, n = np.split(a, 3, axis=0)
    return np.concatenate([z, r, n], axis=0)


identity = Op("identity", lambda a: a, lambda a: (a,))
#: Linear.weight (out, in) <-> Dense.kernel (in, out); also RNN/LSTM W_ih, W_hh
transpose = Op("transpose", lambda w: w.T, lambda k: (k.T,))
#: Conv2d.weight OIHW <-> Conv2D.kernel HWIO
conv2d = Op("conv2d", lambda w: w.transpose(2, 3, 1, 0), lambda k: (k.transpose(3, 2, 0, 1),))
#: torch keeps b_ih and b_hh, Keras SimpleRNN/LSTM one bias; going back, b_hh is zero
sum_biases = Op(
    "sum_biases", lambda b_ih, b_hh: b_ih + b_hh, lambda b: (b, np.zeros_like(b)), arity=2
)
#: GRU kernels: gate reorder then transpose
gru_kernel = Op(
    "gru_kernel", lambda w: gru_gate_reorder(w).T, lambda k: (gru_gate_reorder(k.T),)
)
#: GRU biases with reset_after=True: Keras (2, 3U) = [reordered b_ih, reordered b_hh]
gru_biases = Op(
    "gru_biases",
    lambda b_ih, b_hh: np.stack([gru_gate_reorder(b_ih), gru_gate_reorder(b_hh)]),
    lambda b: (gru_gate_reorder(b[0]), gru_gate_reorder(b[1])),
    arity=2,
)


def flatten_dense(c: int, h: int, w: int) -> Op:
    """The first Dense after a Flatten: torch reads (C, H, W), Keras (H, W, C) features.

    ``W (out, C*H*W) -> W.reshape(out, C, H, W).transpose(2, 3, 1, 0).reshape(H*W*C, out)``;
    a plain transpose gives plausible but wrong outputs (notes/conversion.md section 2).
    """

    def to_keras(weight: np.ndarray) -> np.ndarray:
        out = weight.shape[0]
        return weight.reshape(out, c, h, w).transpose(2, 3, 1, 0).reshape(h * w * c, out)

    def to_torch(kernel: np.ndarray) -> tuple[np.ndarray]:
        out = kernel.shape[1]
        return (kernel.reshape(h, w, c, out).transpose(3, 2, 0, 1).reshape(out, c * h * w),)

    return Op(f"flatten_dense({c},{h},{w})", to_keras, to_torch)
