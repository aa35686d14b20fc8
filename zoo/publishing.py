"""``zoo.publish``: a run directory -> one hub commit with both backends and their parity.

Example:
    >>> pub = publish("runs/sine-torch-20261123", repo="me/sine")
    >>> zoo.load("me/sine", backend="tf")
"""

from __future__ import annotations

import dataclasses
import json
import shutil
import tempfile
from pathlib import Path
from typing import Any

from zoo import registry
from zoo.errors import ConversionError, ZooError
from zoo.hub import manifest
from zoo.hub.atomic import sha256_file, write_text_atomic
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

    def __str__(self) -> str:
        return (f"published {self.repo} at commit {self.commit} on {self.hub}\n"
                f"pin it in weights_manifest/:\n\n{self.entry_toml}")


def _hub_label(hub: str | Path | None) -> str:
    if hub is None or hub in ("local", "bundled"):
        return hub or "local"
    return "bundled" if Path(hub).resolve() == BUNDLED_HUB else str(Path(hub).resolve())


def publish(run_dir: str | Path, repo: str, hub: str | Path | None = None,
            message: str | None = None, tag: str | None = None,
            license: str = "MIT", manifest_file: str | Path | None = None) -> Publication:
    """Convert the run's model to the other backend, check parity, commit everything.

    Refuses to publish when parity fails. ``manifest_file`` writes the entry into that
    manifest TOML (replacing an entry of the same tag).
    """
    from zoo import weights
    from zoo.backends import OTHER, require_both
    from zoo.factory import convert, parity
    from zoo.hub.cards import render
    from zoo.loading import directory_files, from_files, open_hub
    from zoo.training.recipe import parse_recipe
    from zoo.training.run import data_section, family_training

    run_dir = Path(run_dir)
    if not (run_dir / "run.json").is_file():
        raise ZooError(f"{run_dir} is not a run directory (no run.json); train with zoo.train")
    run = json.loads((run_dir / "run.json").read_text())
    trained = run["backend"]
    recipe = parse_recipe((run_dir / "recipe.toml").read_text(), str(run_dir / "recipe.toml"))
    if recipe.sha256 != run["recipe_sha256"]:
        raise ZooError(f"{run_dir}/recipe.toml changed after training; refusing to publish")
    require_both()  # before the first model: torch and torchvision must precede TF
    models = {trained: from_files(directory_files(run_dir), trained, str(run_dir))}
    models[OTHER[trained]] = convert(models[trained], OTHER[trained])
    report = parity(models[trained], models[OTHER[trained]])
    if not report.passed:
        raise ConversionError(f"refusing to publish {run_dir}: conversion parity failed\n{report}")

    family = family_training(recipe)
    data = family.make_data(data_section(recipe, run.get("ci", False)))
    metrics = {b: family.evaluate(m, data) for b, m in models.items()}
    params = {b: weights.for_backend(b).num_params(m) for b, m in models.items()}
    tag = tag or recipe.raw["data"]["kind"].replace("_", "-")
    name = models[trained].config.model_name
    dataset_text, dataset_id = family.dataset_card(recipe.raw["data"])
    label = _hub_label(hub)
    plots = sorted(p.relative_to(run_dir).as_posix() for p in (run_dir / "plots").glob("*.png"))
    parity_record = {k: report.to_dict()[k] for k in manifest.PARITY_SCHEMA}

    with tempfile.TemporaryDirectory(prefix="zoo-publish-") as tmp:
        stage = Path(tmp)
        for backend, model in models.items():
            weights.save(model, stage / weights.WEIGHT_FILES[backend])
        write_text_atomic(stage / "config.json", models[trained].config.to_json())
        write_text_atomic(stage / "metrics.json", json.dumps(metrics, indent=2, sort_keys=True))
        write_text_atomic(stage / "parity.json", json.dumps(report.to_dict(), indent=2))
        write_text_atomic(stage / "recipe.toml", recipe.text)
        for p in plots:
            (stage / p).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(run_dir / p, stage / p)
        card = render({
            "repo": repo, "model": name, "task": registry.entry(name).task,
            "description": recipe.raw["recipe"].get("description", ""),
            "trained_with": trained, "recipe": f"training/{recipe.name}.toml",
            "recipe_sha256": recipe.sha256, "license": license, "dataset": dataset_text,
            "dataset_id": dataset_id, "metrics": metrics, "params": params,
            "parity": parity_record, "plots": plots,
            "load_ref": repo, "hub_arg": "" if label == "local" else f', hub="{label}"',
            "hub_cli": "" if label == "local" else f" --hub {label}",
        })
        write_text_atomic(stage / "README.md", card)
        files = {p.relative_to(stage).as_posix(): p for p in stage.rglob("*") if p.is_file()}
        store = open_hub(hub)
        commit = store.commit(repo, files, message or f"publish {run_dir.name} ({trained})")
        shas = {n: sha256_file(p) for n, p in sorted(files.items())}

    entry = {
        "default": True, "repo": repo, "revision": commit, "hub": label, "license": license,
        "dataset": dataset_text, "recipe": f"training/{recipe.name}.toml",
        "recipe_sha256": recipe.sha256, "trained_with": trained,
        "files": {n: s for n, s in shas.items() if not n.startswith("plots/")},
        "metrics": metrics, "params": params, "parity": parity_record,
    }
    text = manifest.render(entry, name, tag)
    if manifest_file is not None:
        manifest.write_entry(Path(manifest_file), name, tag, entry)
    return Publication(repo, commit, label, shas, entry, text)
