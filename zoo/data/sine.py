"""The noisy sine series of the seed notes and its sliding windows.

Example:
    >>> series = noisy_sine(n=1000, noise=0.05, freq=0.1, seed=0)
    >>> x, y = windows(series, 5)
    >>> x.shape, y.shape
    ((995, 5), (995,))
"""

from __future__ import annotations

import numpy as np


def noisy_sine(n: int, noise: float, freq: float, seed: int) -> np.ndarray:
    """``sin(freq * t) + U(-noise, noise)`` for t = 0..n-1, float32.

    Uniform noise of half-width 0.05 has variance 0.05**2 / 3 = 0.00083: the MSE floor.
    """
    rng = np.random.default_rng(seed)
    t = np.arange(n, dtype=np.float64)
    return (np.sin(freq * t) + rng.uniform(-noise, noise, n)).astype(np.float32)


def windows(series: np.ndarray, window: int) -> tuple[np.ndarray, np.ndarray]:
    """Every run of ``window`` values (M, window) and the value after it (M,)."""
    if len(series) <= window:
        raise ValueError(f"series of length {len(series)} is too short for window {window}")
    idx = np.arange(window)[None, :] + np.arange(len(series) - window)[:, None]
    return series[idx], series[window:]
