"""safetensors files: atomic writes of contiguous arrays, reads with errors that name the file."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import numpy as np

from zoo.errors import WeightsError
from zoo.hub.atomic import sha256_file


def write_safetensors(
    tensors: dict[str, np.ndarray], path: Path, metadata: dict[str, str] | None = None
) -> str:
    """Save atomically (temp file + rename); returns the sha256 of the written file.

    Arrays are made C-contiguous first: safetensors 0.8 writes non-contiguous numpy arrays
    scrambled (notes/conversion.md section 10). ``np.asarray(order="C")`` and not
    ``np.ascontiguousarray``, which turns 0-d arrays (optimizer step counters,
    ``num_batches_tracked``) into shape (1,).
    """
    from safetensors.numpy import save_file

    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    try:
        save_file({k: np.asarray(v, order="C") for k, v in tensors.items()}, tmp, metadata)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return sha256_file(path)


def read_safetensors(path: Path) -> dict[str, np.ndarray]:
    """Read every tensor; a missing or unreadable file raises WeightsError naming it."""
    from safetensors import SafetensorError
    from safetensors.numpy import load_file

    if not path.is_file():
        raise WeightsError(f"weights file {path} does not exist")
    try:
        return load_file(str(path))
    except (SafetensorError, OSError, ValueError) as err:
        raise WeightsError(
            f"weights file {path} is not a readable safetensors file ({err}); it is corrupt or "
            "truncated: delete it and download, convert or publish it again"
        ) from err
