"""Training curves as PNG (matplotlib, Agg backend: no display needed)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from zoo.training.logs import read_metrics


def plot_curves(metrics_csv: Path, out: Path, title: str = "") -> Path:
    """Loss (log scale) and learning rate against the step."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    cols = read_metrics(metrics_csv)
    fig, (ax_loss, ax_lr) = plt.subplots(1, 2, figsize=(10, 3.5))
    ax_loss.plot(cols.get("step", []), cols.get("loss", []))
    ax_loss.set(xlabel="step", ylabel="training loss", yscale="log", title=f"{title} loss")
    ax_lr.plot(cols.get("step", []), cols.get("lr", []), color="tab:orange")
    ax_lr.set(xlabel="step", ylabel="learning rate", title="schedule")
    fig.tight_layout()
    fig.savefig(out, dpi=100)
    plt.close(fig)
    return out


def confusion_matrix_png(truth, pred, classes: list[str], out: Path) -> Path:
    """Row-normalised confusion matrix with counts, as a heat map."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    k = len(classes)
    counts = np.zeros((k, k), np.int64)
    np.add.at(counts, (np.asarray(truth), np.asarray(pred)), 1)
    rates = counts / np.maximum(counts.sum(axis=1, keepdims=True), 1)
    fig, ax = plt.subplots(figsize=(1 + 0.7 * k, 1 + 0.6 * k))
    ax.imshow(rates, cmap="Blues", vmin=0, vmax=1)
    for i in range(k):
        for j in range(k):
            ax.text(j, i, counts[i, j], ha="center", va="center", fontsize=7,
                    color="white" if rates[i, j] > 0.5 else "black")
    ax.set_xticks(range(k), classes, rotation=45, ha="right")
    ax.set_yticks(range(k), classes)
    accuracy = np.trace(counts) / max(counts.sum(), 1)
    ax.set(xlabel="predicted", ylabel="true", title=f"accuracy {accuracy:.4f}")
    fig.tight_layout()
    fig.savefig(out, dpi=100)
    plt.close(fig)
    return out


def sample_grid_png(images, truth, pred, confidence, classes: list[str], out: Path) -> Path:
    """A grid of images titled with prediction and confidence (red when wrong)."""
    import math

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    cols = 8
    rows = math.ceil(len(images) / cols)
    fig, axes = plt.subplots(rows, cols, figsize=(cols * 1.5, rows * 1.7))
    for ax in axes.flat:
        ax.axis("off")
    for i, (img, t, p, c) in enumerate(zip(images, truth, pred, confidence, strict=True)):
        ax = axes.flat[i]
        ax.imshow(img, cmap="gray")
        title = f"{classes[p]} {c:.2f}" + ("" if p == t else f"\n(true: {classes[t]})")
        ax.set_title(title, fontsize=7, color="black" if p == t else "red")
    fig.tight_layout()
    fig.savefig(out, dpi=100)
    plt.close(fig)
    return out


def epoch_curves_png(rows: list[dict], out: Path, title: str = "") -> Path:
    """Training/validation loss and validation accuracy per epoch; a line where a new
    phase (e.g. unfreezing) starts."""
    import itertools

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    epochs = [r["epoch"] for r in rows]
    fig, (ax_loss, ax_acc) = plt.subplots(1, 2, figsize=(10, 3.5))
    ax_loss.plot(epochs, [r["train_loss"] for r in rows], "o-", label="train")
    ax_loss.plot(epochs, [r["val_loss"] for r in rows], "o-", label="validation")
    ax_loss.set(xlabel="epoch", ylabel="loss", title=f"{title} loss")
    ax_loss.legend()
    ax_acc.plot(epochs, [r["val_accuracy"] for r in rows], "o-", color="tab:green")
    ax_acc.set(xlabel="epoch", ylabel="validation accuracy", title="accuracy")
    for before, after in itertools.pairwise(rows):
        if before["phase"] != after["phase"]:
            for ax in (ax_loss, ax_acc):
                ax.axvline(before["epoch"] + 0.5, color="grey", linestyle="--")
    fig.tight_layout()
    fig.savefig(out, dpi=100)
    plt.close(fig)
    return out


def attention_png(maps: list[Any], out: Path, titles: list[str] | None = None) -> Path:
    """Attention heat maps (output tokens down, source tokens across), as in the seed notes.

    ``maps`` are :class:`zoo.tasks.translate.AttentionMap` objects, one panel each.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    shown = {" ": "␣"}  # a space token would be an invisible tick label
    fig, axes = plt.subplots(1, len(maps), figsize=(5 * len(maps), 4.5), squeeze=False)
    for i, (ax, amap) in enumerate(zip(axes[0], maps, strict=True)):
        ax.imshow(amap.weights, cmap="viridis", vmin=0, vmax=1, aspect="auto")
        ax.set_xticks(range(len(amap.source_tokens)),
                      [shown.get(t, t) for t in amap.source_tokens], rotation=90, fontsize=8)
        ax.set_yticks(range(len(amap.output_tokens)),
                      [shown.get(t, t) for t in amap.output_tokens], fontsize=8)
        ax.set(xlabel="source", ylabel="output")
        if titles:
            ax.set_title(titles[i], fontsize=9)
    fig.tight_layout()
    fig.savefig(out, dpi=100)
    plt.close(fig)
    return out
