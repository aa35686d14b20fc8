"""Model configs: frozen, JSON-able dataclasses whose overrides are validated.

Every family's ``config.py`` defines one subclass of :class:`ModelConfig`.

Example:
    >>> from zoo.models.sine.config import SineConfig
    >>> SineConfig().replace(cell="gru").cell
    'gru'
"""

from __future__ import annotations

import dataclasses
import difflib
import functools
import json
import typing
from typing import Any, ClassVar, Self

from zoo.errors import ConfigError


def _close(word: str, choices: typing.Iterable[str]) -> str:
    matches = difflib.get_close_matches(word, list(choices), n=3)
    return f" Did you mean {', '.join(repr(m) for m in matches)}?" if matches else ""


@functools.cache
def _type_hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)  # slow (evaluates annotations): once per class


@dataclasses.dataclass(frozen=True)
class ModelConfig:
    """Base of every family config: field validation, overrides and JSON round trip."""

    family: ClassVar[str] = ""
    #: field name -> allowed values, checked on construction (data, not branches)
    choices: ClassVar[dict[str, tuple[Any, ...]]] = {}
    #: files saved next to the weights (vocabularies): name -> (model attribute, "mod:Class")
    assets: ClassVar[dict[str, tuple[str, str]]] = {}

    def __post_init__(self) -> None:
        hints = _type_hints(type(self))
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            expected = hints[f.name]
            origin = typing.get_origin(expected) or expected
            if origin is tuple and isinstance(value, list):  # JSON has no tuples
                value = tuple(value)
                object.__setattr__(self, f.name, value)
            if origin is tuple and not isinstance(value, tuple):
                raise ConfigError(f"{type(self).__name__}.{f.name} must be a list, got {value!r}")
            if origin is float and isinstance(value, int) and not isinstance(value, bool):
                object.__setattr__(self, f.name, float(value))
                value = float(value)
            if origin in (int, float, str, bool) and (
                not isinstance(value, origin) or (origin is int and isinstance(value, bool))
            ):
                raise ConfigError(
                    f"{type(self).__name__}.{f.name} must be {origin.__name__}, "
                    f"got {value!r} ({type(value).__name__})"
                )
            allowed = self.choices.get(f.name)
            if allowed is not None and value not in allowed:
                raise ConfigError(
                    f"{type(self).__name__}.{f.name}={value!r} is not one of {list(allowed)}."
                    + (_close(value, map(str, allowed)) if isinstance(value, str) else "")
                )
        self.validate()

    def validate(self) -> None:
        """Family-specific checks beyond types and choices; raise ConfigError."""

    @property
    def model_name(self) -> str:
        """The registry name of the model this config builds."""
        return self.family

    @classmethod
    def field_names(cls) -> list[str]:
        return [f.name for f in dataclasses.fields(cls)]

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Self:
        """Build from a dict, rejecting unknown keys with the allowed ones and close matches."""
        known = cls.field_names()
        unknown = [k for k in data if k not in known]
        if unknown:
            hints = "".join(_close(k, known) for k in unknown)
            raise ConfigError(
                f"unknown {cls.__name__} keys {unknown}; allowed keys are {known}.{hints}"
            )
        return cls(**data)

    def replace(self, **overrides: Any) -> Self:
        """A copy with validated overrides: ``cfg.replace(units=32)``."""
        return self.from_dict({**self.to_dict(), **overrides})

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    def to_json(self) -> str:
        return json.dumps({"model": self.model_name, **self.to_dict()}, indent=2, sort_keys=True)
