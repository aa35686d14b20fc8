"""What the training engines need from the sine family: data, loss, evaluation, plots.

Evaluation and plots go through ``predict_next`` / ``forecast``, which both backends share,
so a torch run and a TF run are measured by the same code.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import numpy as np

from zoo.data.sine import noisy_sine, windows

#: [data] kind -> allowed keys and their types (checked by the recipe loader)
DATA_SCHEMA = {
    "noisy_sine": {"kind": str, "n": int, "noise": float, "freq": float, "window": int,
                   "train_fraction": float, "seed": int},
}
DATA_DEFAULTS = {"n": 1000, "noise": 0.05, "freq": 0.1, "window": 5, "train_fraction": 0.8,
                 "seed": 0}


@dataclasses.dataclass(frozen=True)
class SineData:
    series: np.ndarray
    window: int
    n_train: int  # windows whose target lies in the training part

    @property
    def all_windows(self) -> tuple[np.ndarray, np.ndarray]:
        return windows(self.series, self.window)


def make_data(section: dict[str, Any]) -> SineData:
    """The noisy series; the first ``train_fraction`` of it is for training."""
    d = {**DATA_DEFAULTS, **section}
    series = noisy_sine(d["n"], d["noise"], d["freq"], d["seed"])
    n_train = int(d["train_fraction"] * d["n"]) - d["window"]
    return SineData(series=series, window=d["window"], n_train=n_train)


def config_overrides(data: SineData) -> dict[str, Any]:
    """Window and normalisation measured on the training part, saved in the config."""
    train = data.series[: data.n_train + data.window]
    return {"window": data.window, "norm_mean": float(train.mean()),
            "norm_std": float(train.std())}


def training_arrays(data: SineData, config: Any) -> tuple[np.ndarray, np.ndarray]:
    """Normalised inputs (M, T, 1) and targets (M, 1) of the training windows."""
    x, y = data.all_windows
    x = (x[: data.n_train] - config.norm_mean) / config.norm_std
    y = (y[: data.n_train] - config.norm_mean) / config.norm_std
    return x[..., None].astype(np.float32), y[:, None].astype(np.float32)


def evaluate(model: Any, data: SineData) -> dict[str, float]:
    """One-step-ahead MSE against the noisy series: all of it, and the held-out tail."""
    x, y = data.all_windows
    err = (model.predict_next(x) - y) ** 2
    return {"full_series_mse": float(err.mean()), "test_mse": float(err[data.n_train :].mean())}


def plot(model: Any, data: SineData, out_dir: Path) -> list[Path]:
    """``forecast.png``: the noisy series, one-step predictions and a free-running forecast."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    x, _ = data.all_windows
    t = np.arange(len(data.series))
    start = data.n_train + data.window
    rollout = model.forecast(data.series[:start], steps=len(data.series) - start)
    fig, ax = plt.subplots(figsize=(10, 4))
    ax.plot(t, data.series, lw=0.8, color="0.6", label="noisy series")
    ax.plot(t[data.window :], model.predict_next(x), lw=1, label="one-step prediction")
    ax.plot(t[start:], rollout, lw=1.2, ls="--", label="free-running forecast")
    ax.axvline(start, color="k", lw=0.6)
    ax.set(xlabel="t", ylabel="value", title=f"{model.config.cell} forecaster")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.15), ncol=3, frameon=False)
    out = out_dir / "forecast.png"
    fig.savefig(out, dpi=100, bbox_inches="tight")
    plt.close(fig)
    return [out]


def dataset_card(section: dict[str, Any]) -> tuple[str, str]:
    """(description, dataset id) of the training data, for the manifest and the card."""
    d = {**DATA_DEFAULTS, **section}
    return (f"synthetic noisy sine, sin({d['freq']} t) + U(-{d['noise']}, {d['noise']}), "
            f"N={d['n']}, window {d['window']}, seed {d['seed']}", "synthetic-noisy-sine")
