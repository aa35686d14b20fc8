"""What ``zoo publish`` commits for a fine-tuning run: the best weights of both backends,
validation metrics measured in both, the settings, plots and the folder's class list.

The run was made by ``zoo.finetune`` from an image folder, not by a shipped recipe, so
its manifest entry carries an ``origin`` table (``library = "zoo.finetune"``, the settings
file and its sha256) instead of a recipe.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from zoo.hub.atomic import sha256_file


def _val_metrics(run_dir: Path, run: dict[str, Any], settings: dict[str, Any]):
    """Validation accuracy of each backend's model on the run's split, when the folder is
    still there; else the trained backend's recorded numbers only."""
    recorded = json.loads((run_dir / "metrics.json").read_text())

    def measure(models: dict[str, Any]) -> dict[str, dict[str, float]]:
        from zoo.data import images

        if not Path(run["data"]).is_dir():
            return {run["backend"]: recorded[run["backend"]]}
        split = images.scan_with_val(run["data"], settings["val_fraction"], settings["seed"])
        paths = [str(p) for p, _ in split.val]
        labels = [y for _, y in split.val]
        out = {}
        for backend, model in models.items():
            pred = model.predict_proba(paths, batch_size=64).argmax(axis=1)
            out[backend] = {"val_accuracy": float((pred == labels).mean())}
        return out

    return measure


def release_spec(run_dir: Path, run: dict[str, Any], repo: str, message: str | None,
                 tag: str | None, license: str) -> tuple[Any, Any]:
    """(best model, ``publishing.Release``) of a fine-tuning run directory."""
    from zoo.loading import directory_files, from_files
    from zoo.publishing import Release

    settings = json.loads((run_dir / "settings.json").read_text())
    model = from_files(directory_files(run_dir), run["backend"], str(run_dir))
    plots = sorted(p.relative_to(run_dir).as_posix() for p in (run_dir / "plots").glob("*.png"))
    folder = Path(run["data"]).name
    summary = json.loads((run_dir / "metrics.json").read_text())["images"]
    spec = Release(
        repo=repo, tag=tag or f"finetuned-{folder}",
        message=message or f"publish fine-tuning run {run_dir.name} ({run['backend']})",
        license=license,
        dataset=(f"image folder {folder!r}: {summary['train']} training / {summary['val']} "
                 f"validation images, classes {', '.join(run['classes'])}"),
        dataset_id=folder,
        description=(f"{run['model']} fine-tuned from {settings['weights'] or 'its default'} "
                     "weights on an image folder"),
        provenance={"recipe": "", "recipe_sha256": "", "origin": {
            "library": "zoo.finetune", "weights": settings["weights"] or "default",
            "url": "", "file": "settings.json",
            "sha256": sha256_file(run_dir / "settings.json"), "recipe": "settings.json"}},
        metrics=_val_metrics(run_dir, run, settings),
        files={"settings.json": run_dir / "settings.json",
               "metrics.csv": run_dir / "metrics.csv", **{p: run_dir / p for p in plots}},
    )
    return model, spec
