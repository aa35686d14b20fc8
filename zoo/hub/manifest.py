"""``weights_manifest/*.toml``: every published weight, pinned to a commit with sha256s.

One table per weight, ``[<model>.<tag>]``, validated against SCHEMA on load. Weights trained
elsewhere and imported (``zoo import torchvision``) have no zoo recipe: their entry has an
``origin`` table (ORIGIN_SCHEMA) and empty ``recipe``/``recipe_sha256``.

Example:
    >>> find("sine").revision
    '3f9c0e...'
"""

from __future__ import annotations

import dataclasses
import functools
import re
import tomllib
from pathlib import Path
from typing import Any

from zoo import registry
from zoo.errors import ManifestError, RecipeError, UnknownModelError
from zoo.hub.atomic import write_text_atomic
from zoo.paths import data_dir, user_manifest_dir

SHA256 = re.compile(r"^[0-9a-f]{64}$")
COMMIT = re.compile(r"^[0-9a-f]{40}$")
#: key -> type of one entry; every key is required except those in OPTIONAL
SCHEMA: dict[str, type] = {
    "default": bool, "repo": str, "revision": str, "hub": str, "license": str, "dataset": str,
    "recipe": str, "recipe_sha256": str, "trained_with": str, "files": dict, "metrics": dict,
    "params": dict, "parity": dict, "description": str, "origin": dict,
}
OPTIONAL = {"description", "origin"}
#: where imported weights came from: the library, its weights name, the file and its sha256
ORIGIN_SCHEMA: dict[str, type] = {
    "library": str, "weights": str, "url": str, "file": str, "sha256": str, "recipe": str,
}
PARITY_SCHEMA: dict[str, type] = {
    "max_abs_diff": float, "atol": float, "rtol": float, "inputs": str, "versions": dict,
    "direction": str,
}
BACKENDS = ("torch", "tf")


@dataclasses.dataclass(frozen=True)
class ManifestEntry:
    """One published weight: where it is, what it contains and how good it is."""

    model: str
    tag: str
    default: bool
    repo: str
    revision: str
    hub: str
    license: str
    dataset: str
    recipe: str
    recipe_sha256: str
    trained_with: str
    files: dict[str, str]
    metrics: dict[str, dict[str, float]]
    params: dict[str, int]
    parity: dict[str, Any]
    description: str = ""
    source: str = ""
    origin: dict[str, str] = dataclasses.field(default_factory=dict)

    @property
    def ref(self) -> str:
        return f"{self.model}:{self.tag}"

    @property
    def imported(self) -> bool:
        """Trained by another library and imported, so there is no zoo recipe to re-run."""
        return bool(self.origin)


def _problems(model: str, tag: str, raw: dict[str, Any]) -> list[str]:
    where = f"[{model}.{tag}]"
    out = [f"{where}: unknown key {k!r}; allowed: {sorted(SCHEMA)}" for k in raw if k not in SCHEMA]
    out += [f"{where}: missing key {k!r}" for k in SCHEMA if k not in raw and k not in OPTIONAL]
    out += [f"{where}: {k} must be {t.__name__}" for k, t in SCHEMA.items()
            if k in raw and not isinstance(raw[k], t)]
    if out:
        return out
    if not COMMIT.match(raw["revision"]):
        out.append(f"{where}: revision must be a full 40-hex commit id, not {raw['revision']!r}")
    out += _provenance_problems(where, raw)
    out += [f"{where}: files.{f} is not a sha256 hex digest"
            for f, s in raw["files"].items() if not (isinstance(s, str) and SHA256.match(s))]
    if "config.json" not in raw["files"]:
        out.append(f"{where}: files must include config.json")
    if raw["trained_with"] not in BACKENDS:
        out.append(f"{where}: trained_with must be one of {BACKENDS}")
    for section in ("metrics", "params"):
        out += [f"{where}: {section}.{b} is not a backend ({BACKENDS})"
                for b in raw[section] if b not in BACKENDS]
    out += [f"{where}: params.{b} must be an int" for b, n in raw["params"].items()
            if not isinstance(n, int)]
    parity = raw["parity"]
    out += [f"{where}: parity.{k} missing or not {t.__name__}" for k, t in PARITY_SCHEMA.items()
            if not isinstance(parity.get(k), t)]
    out += [f"{where}: unknown key parity.{k}" for k in parity if k not in PARITY_SCHEMA]
    return out


def _provenance_problems(where: str, raw: dict[str, Any]) -> list[str]:
    """A recipe and its sha256, or (imported weights) an origin table and no recipe."""
    if "origin" not in raw:
        only = "(only imported weights, with an origin table, have no recipe)"
        out = [f"{where}: recipe is empty {only}"] if not raw["recipe"] else []
        if not SHA256.match(raw["recipe_sha256"]):
            out.append(f"{where}: recipe_sha256 is not a sha256 hex digest {only}")
        return out
    origin = raw["origin"]
    out = [f"{where}: origin.{k} missing or not {t.__name__}" for k, t in ORIGIN_SCHEMA.items()
           if not isinstance(origin.get(k), t)]
    out += [f"{where}: unknown key origin.{k}; allowed: {sorted(ORIGIN_SCHEMA)}"
            for k in origin if k not in ORIGIN_SCHEMA]
    if isinstance(origin.get("sha256"), str) and not SHA256.match(origin["sha256"]):
        out.append(f"{where}: origin.sha256 is not a sha256 hex digest")
    if raw["recipe"] or raw["recipe_sha256"]:
        out.append(f"{where}: imported weights (origin) have no zoo recipe; set recipe = \"\" "
                   "and recipe_sha256 = \"\"")
    return out


def parse(text: str, source: str) -> list[ManifestEntry]:
    """Every entry of one manifest file; raises ManifestError listing every problem."""
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise ManifestError(f"{source} is not valid TOML: {err}") from err
    entries, problems = [], []
    for model, tags in raw.items():
        if model not in registry.MODELS:
            problems.append(f"[{model}]: not a registered model ({registry.list_names()})")
            continue
        for tag, body in tags.items():
            found = _problems(model, tag, body)
            problems += found
            if not found:
                entries.append(ManifestEntry(model=model, tag=tag, source=source, **body))
    if problems:
        raise ManifestError(f"invalid manifest {source}:\n  " + "\n  ".join(problems))
    return entries


def manifest_files() -> list[Path]:
    """The shipped manifests, then the user's (``$ZOO_HOME/weights_manifest``)."""
    files = sorted(data_dir("weights_manifest").glob("*.toml"))
    return files + sorted(user_manifest_dir().glob("*.toml"))


def load_all() -> dict[tuple[str, str], ManifestEntry]:
    """All entries of every shipped and user manifest file (parsed once per file state)."""
    files = manifest_files()
    return _load(tuple((str(p), p.stat().st_mtime_ns) for p in files))


@functools.lru_cache(maxsize=4)
def _load(files: tuple[tuple[str, int], ...]) -> dict[tuple[str, str], ManifestEntry]:
    out: dict[tuple[str, str], ManifestEntry] = {}
    for path in (Path(name) for name, _ in files):
        for e in parse(path.read_text(encoding="utf-8"), str(path)):
            if (e.model, e.tag) in out:
                raise ManifestError(f"{e.ref} is defined twice ({out[e.model, e.tag].source})")
            out[e.model, e.tag] = e
    for model in {m for m, _ in out}:
        defaults = [e.tag for e in out.values() if e.model == model and e.default]
        if len(defaults) != 1:
            raise ManifestError(f"model {model!r} needs exactly one default weight, has {defaults}")
    return out


def tags(model: str) -> list[str]:
    return sorted(t for m, t in load_all() if m == model)


def find(model: str, tag: str | None = None) -> ManifestEntry:
    """The entry of ``model`` (its default when ``tag`` is None); raises with what exists."""
    registry.entry(model)
    entries = load_all()
    if tag is None:
        for e in entries.values():
            if e.model == model and e.default:
                return e
        raise UnknownModelError(
            f"model {model!r} has no weights on this machine{_available(model)}.\n"
            f"{how_to_get(model)}")
    if (model, tag) not in entries:
        raise UnknownModelError(f"model {model!r} has no weights {tag!r}{_available(model)}.\n"
                                f"{how_to_get(model)}")
    return entries[model, tag]


#: family -> a command that imports published weights from another library
IMPORTERS = {"resnet": "zoo import torchvision {model} --weights IMAGENET1K_V1 "
                       "[--from FILE.pth]  (torchvision's ImageNet weights)"}


def _available(model: str) -> str:
    found = tags(model)
    return f" (tags that exist: {', '.join(found)})" if found else " (no tags exist yet)"


def how_to_get(model: str) -> str:
    """The commands that produce weights for ``model``: its recipes and importers."""
    from zoo.training.recipe import recipes_for

    lines = [f"  zoo reproduce {r} --backend torch   (train recipe training/{r}.toml, then "
             "publish to the local hub)" for r in recipes_for(model)]
    family = registry.entry(model).family
    if family in IMPORTERS:
        lines.append("  " + IMPORTERS[family].format(model=model))
    lines.append(f"  zoo.create({model!r}) gives an untrained model")
    return "Make some with:\n" + "\n".join(lines)


def _loaded_by_zoo(path: Path) -> bool:
    """Whether ``path`` is (or would be) one of the manifests ``load_all`` reads."""
    folders = {data_dir("weights_manifest").resolve(), user_manifest_dir().resolve()}
    return path.suffix == ".toml" and path.resolve().parent in folders


def _elsewhere(path: Path, model: str) -> list[ManifestEntry]:
    """Entries of ``model`` that zoo loads together with ``path`` but that live in other files."""
    if not _loaded_by_zoo(path):
        return []
    return [e for (m, _), e in load_all().items()
            if m == model and Path(e.source).resolve() != path.resolve()]


def check_new_entry(path: Path, model: str, tag: str) -> None:
    """Raise if writing ``[model.tag]`` into ``path`` would define it twice for zoo.

    Example:
        >>> check_new_entry(user_manifest_dir() / "resnet50.toml", "resnet50", "imagenet1k-v2")
    """
    for e in _elsewhere(path, model):
        if e.tag == tag:
            raise ManifestError(f"{e.ref} is already defined in {e.source}; choose another "
                                "weights tag (--tag) or remove that entry")


def write_entry(path: Path, model: str, tag: str, entry: dict[str, Any]) -> None:
    """Insert or replace ``[model.tag]`` in a manifest file, keeping the other entries.

    A second tag of a model never steals ``default`` from the first, whether that one is in
    this file or, for a file zoo loads, in the shipped or user manifests loaded with it.
    """
    import tomli_w

    check_new_entry(path, model, tag)
    data = tomllib.loads(path.read_text()) if path.is_file() else {}
    tags_of_model = data.setdefault(model, {})
    defaults = [body.get("default") for t, body in tags_of_model.items() if t != tag]
    defaults += [e.default for e in _elsewhere(path, model)]
    if any(defaults):
        entry = {**entry, "default": False}
    tags_of_model[tag] = entry
    path.parent.mkdir(parents=True, exist_ok=True)
    header = "# Generated by zoo (publish --manifest / import); every file pinned by sha256.\n"
    write_text_atomic(path, header + tomli_w.dumps(data))


def recipe_file(entry: ManifestEntry) -> Path:
    """The shipped recipe file an entry names (``training/<name>.toml``).

    Imported weights have none: asking for it (``zoo reproduce``) is an error saying so.
    """
    if entry.imported:
        o = entry.origin
        raise RecipeError(
            f"{entry.ref} was imported from {o['library']} ({o['weights']}, file {o['file']}), "
            f"not trained by a zoo recipe, so zoo cannot reproduce it. {o['library']} trained "
            f"it with: {o['recipe'] or 'an unrecorded recipe'}. Reproducible zoo weights are "
            f"the ones with a recipe (zoo info {entry.model}).")
    return data_dir("training") / Path(entry.recipe).name


def render(entry: dict[str, Any], model: str, tag: str) -> str:
    """TOML text of one entry, ready to paste into ``weights_manifest/<model>.toml``."""
    import tomli_w

    return tomli_w.dumps({model: {tag: entry}})
