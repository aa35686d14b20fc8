"""PyTorch side of :mod:`zoo.summary` (same function names as ``summary_tf``).

One row per leaf module (and per module holding parameters of its own), named by its module
path: the canonical layer name in both backends. Containers (``layer1``, ``bahdanau``...) get
no row; their leaves do. Output shapes come from forward hooks on one eval-mode pass.

Example:
    >>> print(summarize(zoo.create("resnet18")))   # doctest: +SKIP
"""

from __future__ import annotations

import math
from typing import Any

import torch
from torch import nn
from torch.nn.utils.rnn import PackedSequence

from zoo.summary import (
    Row,
    Summary,
    arguments,
    counterparts,
    difference_note,
    layout_of,
    model_name,
    rules_of,
)

ROOT = "(root)"


def flat_shapes(x: Any) -> list[tuple[int, ...]]:
    """Shapes of every tensor in an output (tuples, lists and dicts walked in order)."""
    if isinstance(x, PackedSequence):  # the padded (B, T, H) batch it stands for
        return [(int(x.batch_sizes[0]), len(x.batch_sizes), *x.data.shape[1:])]
    if isinstance(x, torch.Tensor):
        return [tuple(x.shape)]
    if isinstance(x, dict):
        x = list(x.values())
    if isinstance(x, (tuple, list)):
        return [s for item in x for s in flat_shapes(item)]
    return []


def shape_of(x: Any) -> Any:
    """One tuple for a single tensor, a list of tuples for several, None for none."""
    shapes = flat_shapes(x)
    return shapes[0] if len(shapes) == 1 else (shapes or None)


def row_modules(model: nn.Module) -> list[tuple[str, nn.Module, list[str]]]:
    """(name, module, its own parameter keys) of every module that gets a row."""
    out = []
    for name, module in model.named_modules():
        own = [f"{name}.{k}" if name else k for k, _ in module.named_parameters(recurse=False)]
        is_container = next(module.children(), None) is not None
        if own or (name and not is_container):
            out.append((name or ROOT, module, own))
    return out


def _recorder(name: str, records: dict[str, list]) -> Any:
    def hook(module: nn.Module, args: Any, output: Any) -> None:
        record = records.setdefault(name, [len(records), 0, None])
        record[1] += 1
        record[2] = shape_of(output)

    return hook


def run(model: nn.Module, args: tuple, targets: list[tuple[str, nn.Module, list[str]]]
        ) -> tuple[Any, dict[str, list]]:
    """One eval-mode, no-grad forward pass; name -> [first call index, calls, last shape]."""
    records: dict[str, list] = {}
    handles = [module.register_forward_hook(_recorder(name, records))
               for name, module, _ in targets]
    device = next((p.device for p in model.parameters()), torch.device("cpu"))
    was_training = model.training
    model.eval()  # no dropout, no BatchNorm statistics update
    try:
        with torch.no_grad():
            output = model(*(a.to(device) for a in args))
    finally:
        for handle in handles:
            handle.remove()
        model.train(was_training)
    return output, records


def summarize(model: nn.Module, input: Any = None) -> Any:
    """Rows (call order), learnable parameter totals (buffers excluded), shapes in NCHW."""
    args = tuple(torch.as_tensor(a) for a in arguments(model, "torch", input))
    params = dict(model.named_parameters())
    other = counterparts(rules_of(model), "torch", {k: tuple(p.shape) for k, p in params.items()})
    targets = row_modules(model)
    output, records = run(model, args, targets)
    rows = []
    for name, module, own in targets:
        n = sum(params[k].numel() for k in own if k in params)  # shared weights: first owner
        _, calls, shape = records.get(name, (None, 0, None))
        note = difference_note("torch", n, [other[k] for k in own if k in other])
        rows.append(Row(name, type(module).__name__, shape, n, calls, note))
    position = {name: i for i, (name, _, _) in enumerate(targets)}
    rows.sort(key=lambda r: (records.get(r.name, [math.inf])[0], position[r.name]))
    return Summary(
        model=model_name(model), backend="torch", rows=rows,
        total_params=sum(p.numel() for p in params.values()),
        trainable_params=sum(p.numel() for p in params.values() if p.requires_grad),
        input_shape=shape_of(args), output_shape=shape_of(output),
        layout=layout_of(model, "torch"))
