"""Atomic training checkpoints: model and optimizer tensors as safetensors, the rest as JSON.

A checkpoint is written to a hidden temp directory and renamed into place, then the
``latest`` pointer is replaced atomically: a SIGKILL at any moment leaves the previous
checkpoint intact and pointed to.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

from zoo.errors import ZooError
from zoo.hub.atomic import write_text_atomic
from zoo.weights.files import read_safetensors, write_safetensors

KEEP = 2


def save(
    run_dir: Path,
    step: int,
    model: dict[str, np.ndarray],
    optimizer: dict[str, np.ndarray],
    state: dict[str, Any],
) -> Path:
    """Write checkpoint ``step`` and point ``latest`` at it; keeps the newest ``KEEP``."""
    root = run_dir / "checkpoints"
    root.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(dir=root, prefix=".tmp-"))
    write_safetensors(model, tmp / "model.safetensors")
    write_safetensors(optimizer, tmp / "optimizer.safetensors")
    (tmp / "state.json").write_text(json.dumps({**state, "step": step}, indent=2))
    final = root / f"step-{step:08d}"
    if final.exists():
        shutil.rmtree(final)
    tmp.rename(final)
    write_text_atomic(root / "latest", final.name)
    for old in sorted(root.glob("step-*"))[:-KEEP]:
        shutil.rmtree(old, ignore_errors=True)
    return final


def latest(run_dir: Path) -> Path | None:
    """The checkpoint ``latest`` points to, or None when the run has none."""
    pointer = run_dir / "checkpoints" / "latest"
    if not pointer.is_file():
        return None
    path = pointer.parent / pointer.read_text().strip()
    if not path.is_dir():
        raise ZooError(f"{pointer} points to {path}, which does not exist; delete the pointer")
    return path


def load(path: Path) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray], dict[str, Any]]:
    """(model tensors, optimizer tensors, state) of one checkpoint directory."""
    state = json.loads((path / "state.json").read_text())
    return (
        read_safetensors(path / "model.safetensors"),
        read_safetensors(path / "optimizer.safetensors"),
        state,
    )
