"""Files a model needs next to its weights (the seq2seq vocabularies), as config data.

A config class lists them in ``assets``: file name -> (model attribute, "module:Class" with
``to_json()`` and ``from_json(text, source)``). Saving, loading, converting and publishing
all go through these four functions, so a new kind of asset is one table row.

Example:
    >>> save_assets(model, Path("out"))   # writes out/vocab.src.json, out/vocab.tgt.json
    >>> load_assets(model2, {"vocab.src.json": ..., "vocab.tgt.json": ...}, source="out")
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from zoo.errors import WeightsError
from zoo.hub.atomic import write_text_atomic
from zoo.registry import load_object


def asset_names(config: Any) -> list[str]:
    """The asset file names of a config, in table order."""
    return list(type(config).assets)


def save_assets(model: Any, directory: Path) -> list[Path]:
    """Write every asset the model holds; a model without them (untrained) writes none."""
    written = []
    for name, (attribute, _) in type(model.config).assets.items():
        value = getattr(model, attribute, None)
        if value is not None:
            write_text_atomic(directory / name, value.to_json())
            written.append(directory / name)
    return written


def load_assets(model: Any, files: dict[str, Path], source: str) -> None:
    """Read every asset of the model's config from ``files``; a missing one is an error."""
    table = type(model.config).assets
    if not table:
        return
    missing = [name for name in table if name not in files]
    if missing:
        raise WeightsError(f"{source} has no {', '.join(missing)}; the model cannot "
                           "tokenize without it. Save models with zoo.save (it writes them) "
                           "or copy the files from the run directory")
    values = {attr: load_object(cls).from_json(files[name].read_text(encoding="utf-8"),
                                                source=str(files[name]))
              for name, (attr, cls) in table.items()}
    attach(model, values)


def attach(model: Any, values: dict[str, Any]) -> None:
    """Give the model its assets through its ``set_assets(**values)``, which every family
    with an ``assets`` table provides (it checks them against the config); no values, no
    call (families without assets have no such method)."""
    if values:
        model.set_assets(**values)


def copy_assets(source: Any, target: Any) -> None:
    """Give ``target`` (a converted model) the assets ``source`` holds."""
    values = {attr: getattr(source, attr, None)
              for attr, _ in type(source.config).assets.values()}
    if values and all(v is not None for v in values.values()):
        attach(target, values)
