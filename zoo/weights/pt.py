"""PyTorch weights as numpy: state, spec and strict assign (same names as weights/tf.py)."""

from __future__ import annotations

import numpy as np
import torch

from zoo.weights import strict


def state(model: torch.nn.Module) -> dict[str, np.ndarray]:
    """``state_dict`` as numpy copies (detached, CPU)."""
    return {k: v.detach().cpu().numpy().copy() for k, v in model.state_dict().items()}


def spec(model: torch.nn.Module) -> dict[str, tuple[tuple[int, ...], str]]:
    """key -> (shape, numpy dtype name) of every state_dict entry."""
    # str(torch.float32) is "torch.float32": the numpy name without the prefix
    return {k: (tuple(v.shape), str(v.dtype)[6:]) for k, v in model.state_dict().items()}


def assign(model: torch.nn.Module, tensors: dict[str, np.ndarray], source: str) -> None:
    """Check strictly, then ``load_state_dict(strict=True)``."""
    strict.check(spec(model), tensors, source)
    model.load_state_dict(
        {k: torch.from_numpy(v if v.flags.writeable else v.copy()) for k, v in tensors.items()},
        strict=True,
    )


def num_params(model: torch.nn.Module) -> int:
    """Learnable parameters (buffers such as BatchNorm statistics excluded)."""
    return sum(p.numel() for p in model.parameters())
