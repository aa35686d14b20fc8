"""What a model page shows about one commit, read from the files zoo publishes.

A published repo holds ``README.md`` (card with YAML front matter), ``config.json``,
``metrics.json`` ({backend: {metric: value}}), ``parity.json``, ``recipe.toml``, the two
weight files and ``plots/*.png``. Any of them may be missing (a repo uploaded by hand with
``hf upload``): every field then falls back to "unknown" instead of failing the page.

Example:
    >>> meta = read_metadata(hub, "zoo/cnn", hub.get_commit("zoo/cnn"))
    >>> meta.frameworks, meta.headline
    (('PyTorch', 'TensorFlow'), ('test_accuracy', {'tf': 0.9346, 'torch': 0.9346}))
"""

from __future__ import annotations

import json
import struct
import tomllib
from dataclasses import dataclass, field
from typing import Any

import yaml

from zoo.hub.local import LocalHub

#: weight file -> the framework it is for (the badges on the index and model page)
FRAMEWORK_FILES = {"model.safetensors": "PyTorch", "tf_model.safetensors": "TensorFlow"}
#: tensors of a torch state dict that are buffers, not parameters (BatchNorm statistics)
BUFFER_SUFFIXES = ("running_mean", "running_var", "num_batches_tracked")
PLOT_SUFFIXES = (".png", ".jpg", ".jpeg", ".gif", ".webp")
MAX_METADATA_BYTES = 1 << 20  # metadata files above this are not parsed (a hand upload)
SAFETENSORS_HEADER_MAX = 100 << 20
# libyaml's safe loader when PyYAML was built with it: 20x faster on 500 cards at start
SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass(frozen=True)
class Metadata:
    """The facts of one commit that the pages show; derived from immutable files, so it is
    cached per commit id."""

    commit: str
    time: str | None = None  # of the commit: the index's "updated"
    task: str | None = None
    frameworks: tuple[str, ...] = ()
    metrics: dict[str, dict[str, float]] = field(default_factory=dict)
    headline: tuple[str, dict[str, float]] | None = None
    params: int | None = None
    parity: dict[str, Any] | None = None
    recipe_name: str | None = None
    license: str | None = None
    datasets: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    dataset_name: str | None = None
    description: str = ""
    card_body: str = ""
    card_meta: dict[str, Any] = field(default_factory=dict)
    config: dict[str, Any] = field(default_factory=dict)
    plots: tuple[str, ...] = ()


def split_front_matter(text: str) -> tuple[dict[str, Any], str]:
    """(YAML front matter, Markdown body) of a card; ({}, text) without valid front matter.
    Example: ``split_front_matter("---\\nlicense: mit\\n---\\n# hi")  # ({'license': 'mit'}, ...)``
    """
    if not text.startswith("---"):
        return {}, text
    head, sep, body = text[3:].partition("\n---")
    if not sep:
        return {}, text
    try:
        meta = yaml.load(head, Loader=SAFE_LOADER)  # noqa: S506 (a safe loader)
    except yaml.YAMLError:
        return {}, text
    return (meta if isinstance(meta, dict) else {}), body.split("\n", 1)[1] if "\n" in body \
        else ""


def _text(hub: LocalHub, repo_id: str, commit: dict[str, Any], path: str) -> str | None:
    entry = commit["files"].get(path)
    if entry is None or entry["size"] > MAX_METADATA_BYTES:
        return None
    try:
        return hub.read_bytes(repo_id, path, revision=commit["id"]).decode("utf-8")
    except (UnicodeDecodeError, OSError):
        return None


def _json(hub: LocalHub, repo_id: str, commit: dict[str, Any], path: str) -> dict[str, Any]:
    text = _text(hub, repo_id, commit, path)
    try:
        value = json.loads(text) if text else {}
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def count_parameters(hub: LocalHub, repo_id: str, commit: dict[str, Any],
                     path: str = "model.safetensors") -> int | None:
    """Elements of every tensor in a safetensors file but the BatchNorm buffers, read from
    its header only (8-byte length + JSON), so a 100 MB file costs one small read."""
    if path not in commit["files"]:
        return None
    # Unverified on purpose: hashing a 100 MB file to show a count would make the index slow;
    # a damaged file shows a wrong count here and fails loudly on every real load.
    blob = hub.file_path(repo_id, path, revision=commit["id"], verify=False)
    try:
        with open(blob, "rb") as f:
            (size,) = struct.unpack("<Q", f.read(8))
            if size > SAFETENSORS_HEADER_MAX:
                return None
            header = json.loads(f.read(size))
    except (OSError, ValueError, struct.error):
        return None
    total = 0
    for name, spec in header.items():
        if name == "__metadata__" or name.endswith(BUFFER_SUFFIXES):
            continue
        count = 1
        for dim in spec.get("shape", []):
            count *= int(dim)
        total += count
    return total


def _numbers(metrics: dict[str, Any]) -> dict[str, dict[str, float]]:
    return {backend: {k: v for k, v in values.items() if isinstance(v, int | float)}
            for backend, values in metrics.items() if isinstance(values, dict)}


def _headline(metrics: dict[str, dict[str, float]],
              recipe: dict[str, Any]) -> tuple[str, dict[str, float]] | None:
    """The recipe's own evaluation metric (``[evaluate] metric``), else the first by name."""
    names = sorted({n for values in metrics.values() for n in values})
    wanted = (recipe.get("evaluate") or {}).get("metric")
    name = wanted if wanted in names else (names[0] if names else None)
    if name is None:
        return None
    return name, {b: v[name] for b, v in sorted(metrics.items()) if name in v}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _strings(value: Any) -> tuple[str, ...]:
    """A front-matter list of names (``datasets``, ``tags``) as strings; a lone string is a
    list of one, anything else none."""
    items = [value] if isinstance(value, str) else _list(value)
    return tuple(str(v) for v in items if isinstance(v, str | int | float))


def _first_result(card: dict[str, Any], section: str, key: str) -> str | None:
    """The first ``model-index[*].results[*][section][key]`` string of a card (a card edited
    by hand may have any shape: anything else is skipped)."""
    for entry in _list(card.get("model-index")):
        for result in _list(entry.get("results") if isinstance(entry, dict) else None):
            value = (result.get(section) if isinstance(result, dict) else None) or {}
            if isinstance(value, dict) and isinstance(value.get(key), str):
                return value[key]
    return None


def _task(card: dict[str, Any]) -> str | None:
    if isinstance(card.get("pipeline_tag"), str):
        return card["pipeline_tag"]
    return _first_result(card, "task", "type")


def _description(body: str) -> str:
    """The first paragraph of the card that is not a heading: the index's one-line summary."""
    for block in body.split("\n\n"):
        block = block.strip()
        if block and not block.startswith(("#", "!", "```", "|")):
            return " ".join(block.split())[:200]
    return ""


def read_metadata(hub: LocalHub, repo_id: str, commit: dict[str, Any]) -> Metadata:
    """The :class:`Metadata` of a commit (as returned by ``LocalHub.get_commit``)."""
    card_meta, body = split_front_matter(_text(hub, repo_id, commit, "README.md") or "")
    recipe_text = _text(hub, repo_id, commit, "recipe.toml")
    try:
        recipe = tomllib.loads(recipe_text) if recipe_text else {}
    except tomllib.TOMLDecodeError:
        recipe = {}
    metrics = _numbers(_json(hub, repo_id, commit, "metrics.json"))
    parity = _json(hub, repo_id, commit, "parity.json") or None
    files = commit["files"]
    return Metadata(
        commit=commit["id"],
        time=commit.get("time"),
        task=_task(card_meta),
        frameworks=tuple(fw for path, fw in FRAMEWORK_FILES.items() if path in files),
        metrics=metrics,
        headline=_headline(metrics, recipe),
        params=count_parameters(hub, repo_id, commit),
        parity=parity,
        recipe_name=(recipe.get("recipe") or {}).get("name") or (
            "recipe.toml" if recipe_text else None),
        license=card_meta.get("license") if isinstance(card_meta.get("license"), str) else None,
        datasets=_strings(card_meta.get("datasets")),
        tags=_strings(card_meta.get("tags")),
        dataset_name=_first_result(card_meta, "dataset", "name"),
        description=_description(body),
        card_body=body,
        card_meta=card_meta,
        config=_json(hub, repo_id, commit, "config.json"),
        plots=tuple(p for p in sorted(files) if p.startswith("plots/")
                    and p.lower().endswith(PLOT_SUFFIXES)),
    )
