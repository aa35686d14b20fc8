"""Batches as a pure function of (seed, step): a fresh permutation per epoch.

No sampler state has to be checkpointed: a resumed run draws exactly the batches an
uninterrupted run would have drawn, and both backends see the same batches.
"""

from __future__ import annotations

import functools

import numpy as np


@functools.lru_cache(maxsize=4)
def _permutation(seed: int, epoch: int, n: int) -> np.ndarray:
    perm = np.random.default_rng([seed, epoch]).permutation(n)
    perm.setflags(write=False)  # cached and handed out as slices: nobody may change it
    return perm


def batch_indices(seed: int, step: int, batch_size: int, n: int) -> np.ndarray:
    """Indices of the examples in batch ``step``.

    Example:
        >>> batch_indices(0, 0, 4, 10).shape
        (4,)
    """
    start = step * batch_size
    epoch, offset = divmod(start, n)
    if offset + batch_size <= n:  # the common case: the batch lies within one epoch
        return _permutation(seed, epoch, n)[offset : offset + batch_size]
    positions = np.arange(start, start + batch_size)
    epochs, offsets = np.divmod(positions, n)
    out = np.empty(batch_size, dtype=np.int64)
    for epoch in np.unique(epochs):
        sel = epochs == epoch
        out[sel] = _permutation(seed, int(epoch), n)[offsets[sel]]
    return out
