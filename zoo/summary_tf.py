"""Keras side of :mod:`zoo.summary` (same function names as ``summary_pt``).

Every layer appears, nested ones included (a GRU's cell, the layers of a subclassed model,
which Keras' own ``model.summary()`` hides). A layer is named by the torch module its
variables convert to (the family's rule table: Keras path -> torch keys -> module), so both
backends share names; the outermost layer mapping to one module holds its parameters and its
sublayers appear as ``module/sublayer`` with 0. Parameter-free layers keep their Keras names.
Output shapes: each layer's ``call`` is wrapped for one ``training=False`` pass (the last
call's shape and the call count are kept; a GRUCell stepped in a loop counts every step).

Keras 3 internals used: ``layer._layers`` (direct sublayers) and ``layer._trainable_variables``
(variables created trainable: they stay parameters when the layer is frozen, like torch
parameters with ``requires_grad=False``).

Example:
    >>> print(summarize(zoo.create("seq2seq", backend="tf")))   # doctest: +SKIP
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

import keras

from zoo.summary import (
    Row,
    Summary,
    arguments,
    counterparts,
    difference_note,
    layout_of,
    model_name,
    rule_module,
    rules_of,
)


def shape_of(x: Any) -> Any:
    """One tuple for a single tensor, a list of tuples for several, None for none."""
    shapes = [tuple(t.shape) for t in keras.tree.flatten(x) if hasattr(t, "shape")]
    return shapes[0] if len(shapes) == 1 else (shapes or None)


def walk(layer: keras.layers.Layer, prefix: str = "", seen: set | None = None
         ) -> Iterator[tuple[keras.layers.Layer, str]]:
    """(layer, path below the model) of every nested layer, depth first, parents first."""
    seen = set() if seen is None else seen
    for child in layer._layers:
        if isinstance(child, keras.layers.InputLayer) or id(child) in seen:
            continue
        seen.add(id(child))
        path = f"{prefix}/{child.name}" if prefix else child.name
        yield child, path
        yield from walk(child, path, seen)


def parameters(layer: keras.layers.Layer, recursive: bool = True) -> list:
    """Learnable variables (frozen ones included) of the layer and, if ``recursive``, of its
    sublayers, each once."""
    layers = layer._flatten_layers(include_self=True) if recursive else [layer]
    found = {id(v): v for lay in layers for v in lay._trainable_variables}
    return list(found.values())


def name_rows(model: keras.Model, module_of: dict[str, str]
              ) -> list[tuple[str, keras.layers.Layer, list, str]]:
    """(row name, layer, the parameters it is credited with, note) of every layer."""
    out, claims = [], {}  # claims: Keras path -> the torch module it stands for
    own = parameters(model, recursive=False)
    if own:  # a subclassed model's own variables
        modules = {module_of.get(v.path, model.name) for v in own}
        out.append((modules.pop() if len(modules) == 1 else model.name, model, own, ""))
    for layer, path in walk(model):
        owner = next((p for p in claims if path.startswith(p + "/")), None)
        modules = {module_of.get(v.path, path) for v in layer.weights}
        if owner is not None:  # inside a layer that stands for one torch module
            note = f"weights counted in {claims[owner]}" if layer.weights else ""
            out.append((claims[owner] + path[len(owner):], layer, [], note))
        elif len(modules) == 1:
            claims[path] = modules.pop()
            out.append((claims[path], layer, parameters(layer), ""))
        else:  # parameter-free, or a container spanning several torch modules
            out.append((path, layer, parameters(layer, recursive=False), ""))
    return out


def _wrap(layer: keras.layers.Layer, name: str, records: dict[str, list]) -> Any:
    """Replace ``layer.call`` by a recording wrapper; returns what to restore."""
    saved = layer.__dict__.get("call")
    original = layer.call

    def call(*args: Any, **kwargs: Any) -> Any:
        record = records.setdefault(name, [len(records), 0, None])
        output = original(*args, **kwargs)
        record[1] += 1
        record[2] = shape_of(output)
        return output

    layer.call = call
    return saved


def run(model: keras.Model, args: tuple, targets: list) -> tuple[Any, dict[str, list]]:
    """One ``training=False`` pass; row name -> [first call index, calls, last shape]."""
    records: dict[str, list] = {}
    nested = [(name, layer) for name, layer, _, _ in targets if layer is not model]
    saved = [(layer, _wrap(layer, name, records)) for name, layer in nested]
    try:
        output = model(args[0] if len(args) == 1 else tuple(args), training=False)
    finally:
        for layer, call in saved:
            if call is None:
                del layer.call
            else:
                layer.call = call
    return output, records


def summarize(model: keras.Model, input: Any = None) -> Any:
    """Rows (call order), learnable parameter totals (moving statistics excluded), NHWC."""
    args = arguments(model, "tf", input)
    rules = rules_of(model)
    module_of = {r.keras: rule_module(r) for r in rules}
    all_params = parameters(model)
    other = counterparts(rules, "tf", {v.path: tuple(v.shape) for v in all_params})
    targets = name_rows(model, module_of)
    output, records = run(model, args, targets)
    rows = []
    for name, layer, params, note in targets:
        n = sum(math.prod(v.shape) for v in params)
        _, calls, shape = records.get(name, (None, 0, None))
        note = note or difference_note("tf", n, [other[v.path] for v in params if v.path in other])
        rows.append(Row(name, type(layer).__name__, shape, int(n), calls, note))
    position = {name: i for i, (name, *_) in enumerate(targets)}
    rows.sort(key=lambda r: (records.get(r.name, [math.inf])[0], position[r.name]))
    trainable = {id(v) for v in model.trainable_weights}
    return Summary(
        model=model_name(model), backend="tf", rows=rows,
        total_params=int(sum(math.prod(v.shape) for v in all_params)),
        trainable_params=int(sum(math.prod(v.shape) for v in all_params if id(v) in trainable)),
        input_shape=shape_of(list(args)), output_shape=shape_of(output),
        layout=layout_of(model, "tf"))
