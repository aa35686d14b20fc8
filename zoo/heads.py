"""Replace a classifier's head: keep every backbone tensor, start a fresh final layer.

Example:
    >>> m = with_new_head(zoo.load("cnn"), num_classes=3, class_names=["a", "b", "c"])
    >>> m.config.num_classes
    3
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from zoo.backends import backend_of
from zoo.errors import ConfigError

log = logging.getLogger("zoo")


def head_keys(config: Any, backend: str) -> tuple[str, ...]:
    """The weights keys of the final layer; families without one raise."""
    keys = getattr(type(config), "head_keys", None)
    if not keys:
        raise ConfigError(f"model {config.model_name!r} has no classifier head to replace "
                          "(num_classes= applies to image classifiers)")
    return keys[backend]


def with_new_head(model: Any, num_classes: int, class_names: Sequence[str] = (),
                  **config_overrides: Any) -> Any:
    """A copy of ``model`` whose head is freshly initialised for ``num_classes`` classes.

    Every other tensor (including BatchNorm statistics) is copied and checked strictly;
    ``config_overrides`` may change fields that do not shape weights (``image_size``).
    """
    from zoo import weights
    from zoo.factory import build

    backend = backend_of(model)
    keys = head_keys(model.config, backend)
    config = model.config.replace(num_classes=num_classes, class_names=list(class_names),
                                  **config_overrides)
    fresh = build(config, backend)
    tensors = weights.state(model)
    new = weights.state(fresh)
    tensors.update({k: new[k] for k in keys})
    weights.assign(fresh, tensors, source=f"{model.config.model_name} backbone")
    log.warning("%s: new %d-class head (%s freshly initialised); the backbone keeps its "
                "weights", model.config.model_name, num_classes, ", ".join(keys))
    return fresh
