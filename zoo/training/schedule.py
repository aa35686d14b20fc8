"""Learning rate as a pure function of the step, so a resumed run follows the same curve."""

from __future__ import annotations

import math
from typing import Any


def lr_at(step: int, total: int, optimizer: dict[str, Any]) -> float:
    """Linear warm-up, then constant or cosine decay to zero.

    Example:
        >>> lr_at(50, 100, {"lr": 0.01, "schedule": "cosine", "warmup_steps": 0})
        0.005
    """
    base, warmup = optimizer["lr"], optimizer.get("warmup_steps", 0)
    if step < warmup:
        return base * (step + 1) / warmup
    if optimizer.get("schedule", "constant") == "constant":
        return base
    progress = (step - warmup) / max(1, total - warmup)
    return round(base * 0.5 * (1 + math.cos(math.pi * progress)), 12)
