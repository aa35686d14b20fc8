"""Model name -> where its parts live, as import strings. Nothing here imports a framework.

Example:
    >>> from zoo.registry import entry
    >>> entry("sine").family
    'sine'
"""

from __future__ import annotations

import dataclasses
import difflib
import importlib
from typing import Any

from zoo.errors import UnknownModelError


@dataclasses.dataclass(frozen=True)
class ModelEntry:
    """Where one model's config, builders and conversion rules live."""

    name: str
    family: str
    task: str
    config: str  # "module:attribute" of the config class
    overrides: tuple[tuple[str, Any], ...] = ()  # config defaults that define this name

    def module(self, part: str) -> str:
        """Import path of one part of the family: config, pt, tf, convert, task."""
        return f"zoo.models.{self.family}.{part}"


MODELS: dict[str, ModelEntry] = {
    e.name: e
    for e in (
        ModelEntry("sine", "sine", "time-series-forecasting", "zoo.models.sine.config:SineConfig"),
        ModelEntry("cnn", "cnn", "image-classification", "zoo.models.cnn.config:CNNConfig"),
        *(ModelEntry(f"resnet{d}", "resnet", "image-classification",
                     "zoo.models.resnet.config:ResNetConfig", (("depth", d),))
          for d in (18, 34, 50)),
        ModelEntry("seq2seq", "seq2seq", "translation",
                   "zoo.models.seq2seq.config:Seq2SeqConfig"),
    )
}

BACKENDS = ("torch", "tf")
#: backend -> module of the family folder holding its ``build(config)``
BACKEND_MODULES = {"torch": "pt", "tf": "tf"}


def list_names() -> list[str]:
    return sorted(MODELS)


def entry(name: str) -> ModelEntry:
    """The registry entry of ``name``; unknown names raise with the close matches."""
    try:
        return MODELS[name]
    except KeyError:
        close = difflib.get_close_matches(name, MODELS, n=3, cutoff=0.5)
        hint = f" Did you mean {', '.join(map(repr, close))}?" if close else ""
        raise UnknownModelError(
            f"unknown model {name!r}.{hint} Known models: {', '.join(list_names())}."
        ) from None


def load_object(path: str) -> Any:
    """Import ``"package.module:attribute"``."""
    module, _, attribute = path.partition(":")
    return getattr(importlib.import_module(module), attribute)


def config_class(name: str) -> type:
    return load_object(entry(name).config)


def default_config(name: str) -> Any:
    e = entry(name)
    return config_class(name)(**dict(e.overrides))
