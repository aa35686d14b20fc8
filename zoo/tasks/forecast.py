"""``forecast(history, steps)``: autoregressive rollout shared by both sine backends.

A backend model mixes in :class:`Forecaster` and implements ``run_numpy``, so the rollout,
windowing and normalisation exist once and give the same numbers in torch and TF.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from zoo.errors import ZooError


class Forecaster:
    """Mixin for a model with ``config.window``, ``config.norm_mean`` / ``norm_std``."""

    config: Any

    def run_numpy(self, x: np.ndarray) -> dict[str, np.ndarray]:  # pragma: no cover
        raise NotImplementedError

    def preprocess(self, history: Any) -> np.ndarray:
        """Raw values (T,) or (B, T) -> normalised float32 model input (B, T, 1).

        Example:
            >>> model.preprocess([0.0, 0.1, 0.2]).shape
            (1, 3, 1)
        """
        values = np.asarray(history, dtype=np.float32)
        if values.ndim == 1:
            values = values[None]
        if values.ndim != 2 or values.shape[1] == 0:
            raise ZooError(
                f"history must be a non-empty sequence (T,) or a batch (B, T); got shape "
                f"{values.shape}"
            )
        if not np.isfinite(values).all():
            raise ZooError("history contains NaN or infinite values")
        normed = (values - self.config.norm_mean) / self.config.norm_std
        return normed[..., None].astype(np.float32)

    def forecast(self, history: Any, steps: int) -> np.ndarray:
        """Predict ``steps`` values after ``history``, each fed back as input to the next.

        Only the last ``config.window`` values are used, as in training.

        Example:
            >>> model.forecast([0.0, 0.1, 0.2, 0.3, 0.4], steps=3).shape
            (3,)
        """
        if steps < 1:
            raise ZooError(f"steps must be >= 1, got {steps}")
        single = np.asarray(history).ndim == 1
        window = self.preprocess(history)[:, -self.config.window :, 0]
        predicted = []
        for _ in range(steps):
            nxt = self.run_numpy(window)["prediction"][:, 0]
            predicted.append(nxt)
            window = np.concatenate([window, nxt[:, None]], axis=1)[:, -self.config.window :]
        out = np.stack(predicted, axis=1) * self.config.norm_std + self.config.norm_mean
        return out[0] if single else out

    def predict_next(self, windows: Any) -> np.ndarray:
        """One-step-ahead prediction for each row of ``windows`` (B, T) in raw units."""
        normed = self.preprocess(windows)[..., 0]
        pred = self.run_numpy(normed)["prediction"][:, 0]
        return pred * self.config.norm_std + self.config.norm_mean
