"""``zoo.load`` and ``zoo.save``: references -> pinned, checked files -> a native model.

References: ``"sine"`` (manifest default), ``"sine:noisy-sine"`` (a tag), ``"me/sine"`` (a
repo on a LocalHub, ``hub=`` or the default one), or a local directory holding
``config.json`` and a weights file (a saved model or a run directory).

Example:
    >>> m = load("sine", backend="tf")
    >>> save(m, "out/"); load("out/", backend="torch")  # converted on the fly
"""

from __future__ import annotations

import functools
import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from zoo import registry
from zoo.backends import OTHER, backend_of, check_backend
from zoo.errors import WeightsError, ZooError
from zoo.hub.atomic import sha256_file, write_text_atomic
from zoo.paths import BUNDLED_HUB

log = logging.getLogger("zoo")


@functools.cache
def _bundled_hub() -> Any:
    """One read-only hub object per process, so its verified commits are parsed once."""
    from zoo.hub.local import LocalHub

    return LocalHub(BUNDLED_HUB, read_only=True)


def open_hub(hub: str | Path | None, token: str | None = None) -> Any:
    """``"bundled"``, ``None``/``"local"`` (``$ZOO_HOME/hub``), a LocalHub directory,
    ``"hf://"`` (``$HF_ENDPOINT`` or huggingface.co) or an endpoint URL (``zoo hub serve``)."""
    from zoo.hub.local import LocalHub, default_root

    if hub == "bundled":
        return _bundled_hub()
    if hub is None or hub == "local":
        return LocalHub(default_root())
    text = str(hub)
    if text.startswith(("hf://", "http://", "https://")):
        from zoo.hub.hf import HFHub

        return HFHub(None if text.startswith("hf://") else text, token=token)
    return LocalHub(Path(text).expanduser())


def read_config(path: Path) -> Any:
    """The config object saved in a ``config.json``."""
    if not path.is_file():
        raise WeightsError(f"{path} does not exist: a saved model needs config.json next to "
                           "its weights (write both with zoo.save)")
    data = json.loads(path.read_text(encoding="utf-8"))
    if "model" not in data:
        raise WeightsError(f"{path} has no 'model' key; it was not written by zoo.save")
    name = data.pop("model")
    return registry.config_class(name).from_dict(data)


def from_files(files: dict[str, Path], backend: str, source: str) -> Any:
    """Build from ``config.json`` and load this backend's weights, else convert the other's."""
    from zoo import weights
    from zoo.assets import load_assets
    from zoo.factory import build, convert_state
    from zoo.weights.files import read_safetensors

    config = read_config(files.get("config.json", Path(source) / "config.json"))
    model = build(config, backend)
    own, other = weights.WEIGHT_FILES[backend], weights.WEIGHT_FILES[OTHER[backend]]
    if own in files:
        weights.load_into(model, files[own])
    elif other in files:
        log.warning("%s has no %s; converting %s to %s on the fly", source, own, other, backend)
        tensors = convert_state(config, read_safetensors(files[other]), OTHER[backend], model)
        weights.assign(model, tensors, source=f"{files[other]} (converted)")
    else:
        raise WeightsError(f"{source} has neither {own} nor {other}; there is nothing to load")
    load_assets(model, files, source)
    return model


def directory_files(path: Path) -> dict[str, Path]:
    """config.json, the weight files and the assets present in a saved-model or run directory."""
    from zoo.assets import asset_names
    from zoo.weights import WEIGHT_FILES

    names = ["config.json", *WEIGHT_FILES.values()]
    if (path / "config.json").is_file():
        names += asset_names(read_config(path / "config.json"))
    return {n: path / n for n in names if (path / n).is_file()}


def pinned_sha256(entry: dict[str, Any], path: Path) -> str:
    """The sha256 to compare with a manifest pin: the commit listing's (LocalHub, LFS files:
    ``file_paths`` has checked the file against it), else the downloaded file's own."""
    return entry.get("sha256") or sha256_file(path)


def _hub_files(hub: Any, repo: str, revision: str, backend: str,
               pinned: dict[str, str] | None, ref: str) -> dict[str, Path]:
    """Paths of the files a load reads, checked against the commit and, when a manifest
    pins them, against the pinned sha256 (after download: Hub listings only give sha256 for
    LFS files)."""
    from zoo.assets import asset_names
    from zoo.weights import WEIGHT_FILES

    listing = hub.list_files(repo, revision)
    wanted = ["config.json", WEIGHT_FILES[backend]]
    if WEIGHT_FILES[backend] not in listing:
        wanted.append(WEIGHT_FILES[OTHER[backend]])
    paths: dict[str, Path] = {}
    if "config.json" in listing:  # its assets (vocabularies) are named by the config class
        paths = hub.file_paths(repo, ["config.json"], revision, verify=True)
        wanted += asset_names(read_config(paths["config.json"]))
    wanted = [name for name in wanted if name in listing]
    missing_pins = [name for name in wanted if pinned is not None and name not in pinned]
    if missing_pins:
        raise WeightsError(f"{ref}: the manifest pins no sha256 for {missing_pins}")
    # config.json was fetched and checked above: the rest once each
    paths.update(hub.file_paths(repo, [n for n in wanted if n not in paths], revision,
                                verify=True))
    for name, path in paths.items() if pinned is not None else ():
        if (actual := pinned_sha256(listing[name], path)) != pinned[name]:
            raise WeightsError(
                f"{ref}: {name} at commit {revision} has sha256 {actual}, but the manifest "
                f"pins {pinned[name]}; the hub repo was rewritten or the manifest is stale: "
                "re-publish or update weights_manifest"
            )
    return paths


def load(ref: str | Path, backend: str = "torch", weights: str | None = None,
         revision: str | None = None, hub: str | Path | None = None,
         num_classes: int | None = None) -> Any:
    """A trained native model; every file read is checked against its sha256.

    ``num_classes=N`` (image classifiers) keeps the trained backbone and gives a fresh
    N-class head, with a logged warning; the same N as the weights changes nothing.

    Example:
        >>> load("resnet18:fashion-mnist", backend="tf", num_classes=5).config.num_classes
        5
    """
    model = _load(ref, check_backend(backend), weights, revision, hub)
    if num_classes is not None and num_classes != model.config.num_classes:
        from zoo.heads import with_new_head

        return with_new_head(model, num_classes)
    return model


def _load(ref: str | Path, backend: str, weights: str | None, revision: str | None,
          hub: str | Path | None) -> Any:
    path = Path(ref).expanduser()
    if path.is_dir():
        return from_files(directory_files(path), backend, source=str(path))
    target = resolve_ref(str(ref), hub, revision, weights)
    files = _hub_files(target.store, target.repo, target.commit, backend, target.pinned,
                       target.ref)
    return from_files(files, backend, source=target.source)


@dataclass(frozen=True)
class HubTarget:
    """One commit of a hub repo that a ref names, with the manifest's sha256 pins when the
    ref is a manifest entry at its own pinned commit (None otherwise)."""

    store: Any
    repo: str
    commit: str
    pinned: dict[str, str] | None
    ref: str  # how errors name it
    source: str  # how the loaded model names where it came from


def resolve_ref(text: str, hub: str | Path | None = None, revision: str | None = None,
                weights: str | None = None) -> HubTarget:
    """The hub commit of a manifest name (``seq2seq:dates``), ``repo[@rev]`` or
    ``hf://org/name[@rev]`` (the Hub at ``$HF_ENDPOINT``, or ``hub=``).
    Example: ``resolve_ref("zoo/sine@main").commit  # '1f0c...' (40 hex)``"""
    if text.startswith("hf://"):
        text, hub = text.removeprefix("hf://"), hub if hub is not None else "hf://"
    if "/" in text:
        repo, _, rev = text.partition("@")
        store = open_hub(hub)
        return HubTarget(store, repo, store.resolve(repo, revision or rev or "main"), None,
                         text, text)
    from zoo.hub import manifest

    name, _, tag = text.partition(":")
    if tag and weights and tag != weights:
        raise ZooError(f"{text!r} names weights {tag!r} but weights={weights!r} was also given")
    entry = manifest.find(name, tag or weights)
    store = open_hub(hub if hub is not None else entry.hub)
    commit = store.resolve(entry.repo, revision or entry.revision)
    return HubTarget(store, entry.repo, commit,
                     entry.files if commit == entry.revision else None, entry.ref,
                     f"{entry.ref}@{commit[:12]}")


def save(model: Any, directory: str | Path) -> Path:
    """Write ``config.json`` and this backend's weights file (atomically) into ``directory``.

    Example:
        >>> save(zoo.create("sine"), "out/sine")
        PosixPath('out/sine')
    """
    from zoo import weights

    out = Path(directory)
    out.mkdir(parents=True, exist_ok=True)
    from zoo.assets import save_assets

    weights.save(model, out / weights.WEIGHT_FILES[backend_of(model)])
    save_assets(model, out)
    write_text_atomic(out / "config.json", model.config.to_json())
    return out
