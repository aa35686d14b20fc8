"""Training curves as PNG (matplotlib, Agg backend: no display needed)."""

from __future__ import annotations

from pathlib import Path

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
