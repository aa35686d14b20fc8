"""Build native models and move them between backends: create, convert, parity.

Example:
    >>> m = create("sine", backend="torch", cell="gru")
    >>> k = convert(m, to="tf")
    >>> parity(m, k).passed
    True
"""

from __future__ import annotations

import importlib
from typing import Any

from zoo import registry
from zoo.backends import backend_of, check_backend, require, require_both
from zoo.errors import ConfigError, ZooError


def build(config: Any, backend: str) -> Any:
    """The family's ``build(config)`` for ``backend``; imports only that framework."""
    backend = check_backend(backend)
    require(backend)
    e = registry.entry(config.model_name)
    module = importlib.import_module(e.module(registry.BACKEND_MODULES[backend]))
    return module.build(config)


def make_config(name: str, config: Any = None, **overrides: Any) -> Any:
    """The registry default config of ``name`` (or ``config``) with validated overrides."""
    base = config if config is not None else registry.default_config(name)
    if not isinstance(base, registry.config_class(name)):
        raise ConfigError(f"config {base!r} is not a config of model {name!r}")
    return base.replace(**overrides) if overrides else base


def create(name: str, backend: str = "torch", config: Any = None, **overrides: Any) -> Any:
    """An untrained native model: ``torch.nn.Module`` or ``keras.Model``.

    Example:
        >>> create("sine", backend="tf", cell="gru").config.cell
        'gru'
    """
    registry.entry(name)
    return build(make_config(name, config, **overrides), backend)


def rules_for(config: Any) -> list:
    """The family's conversion rule table for this config."""
    e = registry.entry(config.model_name)
    return importlib.import_module(e.module("convert")).rules(config)


def convert_state(config: Any, tensors: dict, source: str, target_model: Any) -> dict:
    """Convert ``tensors`` of backend ``source`` to fit ``target_model`` (strictly)."""
    from zoo.conversion import engine
    from zoo.weights import for_backend

    spec = for_backend(backend_of(target_model)).spec(target_model)
    expected = {key: shape for key, (shape, _) in spec.items()}
    direction = engine.torch_to_keras if source == "torch" else engine.keras_to_torch
    return direction(rules_for(config), tensors, expected)


def convert(model: Any, to: str) -> Any:
    """The same model in the other backend, with converted weights, strictly loaded.

    Example:
        >>> convert(zoo.load("sine", backend="torch"), to="tf").name
        'sine'
    """
    from zoo import weights
    from zoo.assets import copy_assets

    to = check_backend(to)
    source = backend_of(model)
    if source == to:
        raise ZooError(f"the model is already a {to} model; convert(model, to=...) switches "
                       "backend")
    require_both()
    target = build(model.config, to)
    tensors = convert_state(model.config, weights.state(model), source, target)
    weights.assign(target, tensors, source=f"{source} model converted to {to}")
    copy_assets(model, target)
    return target


def parity(a: Any, b: Any, atol: float | None = None, rtol: float | None = None) -> Any:
    """Compare two models of different backends on the family's parity inputs.

    Returns a :class:`zoo.conversion.parity.ParityReport` (``passed``, ``max_abs_diff``...).
    """
    from zoo.conversion.parity import compare

    if a.config != b.config:
        raise ZooError(f"parity needs models of the same config; got {a.config} and {b.config}")
    return compare(a, b, atol=atol, rtol=rtol)
