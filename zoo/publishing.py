"""``zoo.publish``: a run directory -> one hub commit with both backends and their parity.

``release`` is the part every publish shares (convert, parity, card, commit, manifest entry):
``publish`` feeds it a training run, ``zoo.importers`` weights trained by another library.

Example:
    >>> pub = publish("runs/sine-torch-20261123", repo="me/sine")
    >>> zoo.load("me/sine", backend="tf")
"""

from __future__ import annotations

import dataclasses
import json
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from zoo import registry
from zoo.errors import ConversionError, ZooError
from zoo.hub import manifest
from zoo.hub.atomic import copy_file_atomic, sha256_file, write_bytes_atomic, write_text_atomic
from zoo.paths import BUNDLED_HUB


@dataclasses.dataclass
class Publication:
    """What a publish wrote: the commit, its files and the manifest entry that pins it."""

    repo: str
    commit: str
    hub: str
    files: dict[str, str]
    entry: dict[str, Any]
    entry_toml: str
    ref: str = ""  # "<model>:<tag>" of the entry
    manifest_file: Path | None = None  # where the entry was written, if it was

    def __str__(self) -> str:
        head = f"published {self.repo} at commit {self.commit} on {self.hub}\n"
        if self.manifest_file is not None:
            return head + (f"wrote the manifest entry to {self.manifest_file}; load it with "
                           f"zoo.load({self.ref!r})\n\n{self.entry_toml}")
        return head + f"pin it in weights_manifest/:\n\n{self.entry_toml}"


def _hub_label(hub: str | Path | None) -> str:
    """What a manifest entry records: bundled, local, a directory or an endpoint URL."""
    if hub is None or hub in ("local", "bundled"):
        return hub or "local"
    if str(hub).startswith(("hf://", "http://", "https://")):
        from zoo.loading import open_hub

        return open_hub(hub).endpoint  # hf:// -> $HF_ENDPOINT or https://huggingface.co
    return "bundled" if Path(hub).resolve() == BUNDLED_HUB else str(Path(hub).resolve())


@dataclasses.dataclass
class Release:
    """What one publish commits next to the weights, and where the weights came from.

    ``provenance`` goes into the manifest entry as is: ``recipe``/``recipe_sha256`` for a
    training run; for imported weights also an ``origin`` table (recipe fields empty).
    ``metrics(models)`` gives ``{backend: {metric: value}}`` once both backends exist.
    ``files`` are extra files (bytes, or a local path to copy): recipe, plots, preprocess.

    Example:
        >>> Release("me/sine", "noisy-sine", "v1", "MIT", "sine data", "synthetic",
        ...         {"recipe": "training/sine.toml", "recipe_sha256": sha}, lambda m: {})
    """

    repo: str
    tag: str
    message: str
    license: str
    dataset: str
    dataset_id: str
    provenance: dict[str, Any]
    metrics: Callable[[dict[str, Any]], dict[str, dict[str, float]]]
    description: str = ""
    metrics_note: str = ""
    files: dict[str, bytes | Path] = dataclasses.field(default_factory=dict)


def publish(run_dir: str | Path, repo: str, hub: str | Path | None = None,
            message: str | None = None, tag: str | None = None,
            license: str = "MIT", manifest_file: str | Path | None = None) -> Publication:
    """Convert the run's model to the other backend, check parity, commit everything.

    Refuses to publish when parity fails. ``manifest_file`` writes the entry into that
    manifest TOML (replacing an entry of the same tag).
    """
    from zoo.backends import require_both
    from zoo.loading import directory_files, from_files
    from zoo.training.recipe import parse_recipe
    from zoo.training.run import data_section, family_training

    run_dir = Path(run_dir)
    if not (run_dir / "run.json").is_file():
        raise ZooError(f"{run_dir} is not a run directory (no run.json); train with zoo.train")
    run = json.loads((run_dir / "run.json").read_text())
    if run.get("kind") == "finetune":
        from zoo.finetuning.publish import release_spec

        require_both()  # before the first model: torch and torchvision must precede TF
        model, spec = release_spec(run_dir, run, repo, message, tag, license)
        return release(model, spec, hub=hub, manifest_file=manifest_file, source=str(run_dir))
    trained = run["backend"]
    recipe = parse_recipe((run_dir / "recipe.toml").read_text(), str(run_dir / "recipe.toml"))
    if recipe.sha256 != run["recipe_sha256"]:
        raise ZooError(f"{run_dir}/recipe.toml changed after training; refusing to publish")
    require_both()  # before the first model: torch and torchvision must precede TF
    model = from_files(directory_files(run_dir), trained, str(run_dir))
    family = family_training(recipe)
    data = family.make_data(data_section(recipe, run.get("ci", False)))
    dataset_text, dataset_id = family.dataset_card(recipe.raw["data"])
    plots = sorted(p.relative_to(run_dir).as_posix() for p in (run_dir / "plots").glob("*.png"))
    spec = Release(
        repo=repo, tag=tag or recipe.raw["data"]["kind"].replace("_", "-"),
        message=message or f"publish {run_dir.name} ({trained})", license=license,
        dataset=dataset_text, dataset_id=dataset_id,
        description=recipe.raw["recipe"].get("description", ""),
        provenance={"recipe": f"training/{recipe.name}.toml", "recipe_sha256": recipe.sha256},
        metrics=lambda models: {b: family.evaluate(m, data) for b, m in models.items()},
        files={"recipe.toml": recipe.text.encode("utf-8"), **{p: run_dir / p for p in plots}},
    )
    return release(model, spec, hub=hub, manifest_file=manifest_file, source=str(run_dir))


def release(model: Any, spec: Release, hub: str | Path | None = None,
            manifest_file: str | Path | None = None, source: str = "the model") -> Publication:
    """Convert ``model`` to the other backend, check parity, and commit both backends' weights,
    config, metrics, parity, the card and ``spec.files`` to ``spec.repo`` in one commit.

    Refuses to publish when parity fails (``source`` names what in the error). With
    ``manifest_file``, writes the entry pinning the commit into that manifest TOML.

    Example:
        >>> release(zoo.load("run/"), Release(...), hub="hub/", source="run/").commit
        '3f9c0e...'
    """
    from zoo import weights
    from zoo.assets import save_assets
    from zoo.backends import OTHER, backend_of, require_both
    from zoo.factory import convert, parity
    from zoo.hub.cards import render
    from zoo.loading import open_hub

    name = model.config.model_name
    if manifest_file is not None:  # before any work: a clash found after the commit is too late
        manifest.check_new_entry(Path(manifest_file), name, spec.tag)
    require_both()
    trained = backend_of(model)
    models = {trained: model, OTHER[trained]: convert(model, OTHER[trained])}
    report = parity(models[trained], models[OTHER[trained]])
    if not report.passed:
        raise ConversionError(f"refusing to publish {source}: conversion parity failed\n{report}")
    metrics = spec.metrics(models)
    params = {b: weights.for_backend(b).num_params(m) for b, m in models.items()}
    label = _hub_label(hub)
    parity_record = {k: report.to_dict()[k] for k in manifest.PARITY_SCHEMA}
    metrics_file = {**metrics, "note": spec.metrics_note} if spec.metrics_note else metrics

    with tempfile.TemporaryDirectory(prefix="zoo-publish-") as tmp:
        stage = Path(tmp)
        for backend, m in models.items():
            weights.save(m, stage / weights.WEIGHT_FILES[backend])
        save_assets(model, stage)
        write_text_atomic(stage / "config.json", model.config.to_json())
        write_text_atomic(stage / "metrics.json",
                          json.dumps(metrics_file, indent=2, sort_keys=True))
        write_text_atomic(stage / "parity.json", json.dumps(report.to_dict(), indent=2))
        for path, content in spec.files.items():
            if isinstance(content, bytes):
                write_bytes_atomic(stage / path, content)
            else:
                copy_file_atomic(Path(content), stage / path)
        card = render({
            "repo": spec.repo, "model": name, "task": registry.entry(name).task,
            "description": spec.description, "trained_with": trained, **spec.provenance,
            "license": spec.license, "dataset": spec.dataset, "dataset_id": spec.dataset_id,
            "metrics": metrics, "metrics_note": spec.metrics_note, "params": params,
            "parity": parity_record, "plots": sorted(p for p in spec.files if p.endswith(".png")),
            "load_ref": spec.repo, "hub_arg": "" if label == "local" else f', hub="{label}"',
            "hub_cli": "" if label == "local" else f" --hub {label}",
        })
        write_text_atomic(stage / "README.md", card)
        files = {p.relative_to(stage).as_posix(): p for p in stage.rglob("*") if p.is_file()}
        commit = open_hub(hub).commit(spec.repo, files, spec.message)
        shas = {n: sha256_file(p) for n, p in sorted(files.items())}

    entry = {
        "default": True, "repo": spec.repo, "revision": commit, "hub": label,
        "license": spec.license, "dataset": spec.dataset, **spec.provenance,
        "trained_with": trained,
        "files": {n: s for n, s in shas.items() if not n.startswith("plots/")},
        "metrics": metrics, "params": params, "parity": parity_record,
    }
    text = manifest.render(entry, name, spec.tag)
    if manifest_file is not None:
        manifest.write_entry(Path(manifest_file), name, spec.tag, entry)
    return Publication(spec.repo, commit, label, shas, entry, text, f"{name}:{spec.tag}",
                       Path(manifest_file) if manifest_file is not None else None)
