"""Where the torch engine computes and in which precision: ``[train] device`` and
``[train] mixed_precision`` of a recipe.

Example:
    >>> pick_device("auto")              # cuda:LOCAL_RANK when a GPU is visible, else cpu
    >>> autocast(torch.device("cpu"), "bf16")   # a torch.autocast context
"""

from __future__ import annotations

import contextlib
import os
from typing import Any

import torch

from zoo.errors import RecipeError

#: [train] mixed_precision -> autocast dtype (None: full float32)
AUTOCAST_DTYPES = {"no": None, "bf16": torch.bfloat16, "fp16": torch.float16}


def pick_device(name: str) -> torch.device:
    """``auto``: this rank's GPU when CUDA is available, else the CPU; ``cuda`` without a
    GPU is an error rather than a silent CPU run."""
    if name == "cpu" or (name == "auto" and not torch.cuda.is_available()):
        return torch.device("cpu")
    if not torch.cuda.is_available():
        raise RecipeError("[train] device = 'cuda' but torch sees no CUDA GPU here; use "
                          "device = 'auto' (GPU when present) or 'cpu'")
    return torch.device("cuda", int(os.environ.get("LOCAL_RANK", "0")))


def check_precision(device: torch.device, mode: str) -> None:
    if mode == "fp16" and device.type != "cuda":
        raise RecipeError("[train] mixed_precision = 'fp16' needs a GPU (float16 autocast "
                          "with loss scaling); on a CPU use 'bf16'")


def autocast(device: torch.device, mode: str) -> Any:
    """The forward pass's autocast context (a no-op for ``mode = "no"``)."""
    dtype = AUTOCAST_DTYPES[mode]
    if dtype is None:
        return contextlib.nullcontext()
    return torch.autocast(device.type, dtype=dtype)


def to_device(value: Any, device: torch.device) -> Any:
    """A batch (array, tensor or tuple of them) as tensors on ``device``."""
    if isinstance(value, (tuple, list)):
        return tuple(to_device(v, device) for v in value)
    return torch.as_tensor(value).to(device, non_blocking=True)
