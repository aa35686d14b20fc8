"""``zoo.finetune``: a pretrained classifier + an ImageFolder-style directory -> a run directory.

The run directory holds ``run.json``, ``settings.json``, ``metrics.csv`` (one row per
epoch), ``checkpoints/`` (every epoch, for ``resume``), the best epoch's weights and
``config.json`` (so ``zoo.load(run_dir)`` and ``zoo publish`` work), ``metrics.json``,
``plots/`` (curves, confusion matrix, validation predictions) and a model card.
"""

from __future__ import annotations

import dataclasses
import importlib
import json
import logging
import math
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
from tqdm.auto import tqdm

from zoo.backends import check_backend
from zoo.errors import ZooError
from zoo.finetuning.settings import FinetuneSettings, load_settings
from zoo.hub.atomic import write_text_atomic
from zoo.training.run import LOOPS as TRAINING_LOOPS

log = logging.getLogger("zoo")
#: backend -> the module with its ``Tuner`` and ``make_batches``
LOOPS = {"torch": "zoo.finetuning.loop_pt", "tf": "zoo.finetuning.loop_tf"}
COLUMNS = ["epoch", "phase", "train_loss", "val_loss", "val_accuracy", "lr"]


@dataclasses.dataclass(frozen=True)
class Phase:
    name: str
    first_epoch: int
    epochs: int
    lr: float
    frozen: tuple[str, ...]


def phases(settings: FinetuneSettings, backbone: tuple[str, ...]) -> list[Phase]:
    """The head phase (whole backbone frozen), then the unfreeze phase if it has epochs."""
    out = [Phase("head", 0, settings.head_epochs, settings.head_lr, backbone)]
    if settings.unfreeze_epochs:
        unknown = [s for s in settings.unfreeze if s not in backbone]
        if unknown:
            raise ZooError(f"unfreeze = {unknown}: not stages of this model; choose from "
                           f"{list(backbone)}")
        frozen = tuple(m for m in backbone if m not in settings.unfreeze)
        out.append(Phase("unfreeze", settings.head_epochs, settings.unfreeze_epochs,
                         settings.unfreeze_lr, frozen))
    return out


def _starting_model(name: str, backend: str, settings: FinetuneSettings,
                    classes: list[str]) -> Any:
    """Pretrained backbone with a fresh head, or (weights = "none") a fresh model."""
    from zoo.factory import create
    from zoo.heads import with_new_head
    from zoo.loading import load

    overrides = {"image_size": settings.image_size, "crop_fraction": settings.crop_fraction}
    if settings.weights == "none":
        return create(name, backend=backend, num_classes=len(classes), class_names=classes,
                      **overrides)
    ref: str | Path = settings.weights
    if not settings.weights:
        ref = name
    elif not any(c in settings.weights for c in ":/") and not Path(settings.weights).is_dir():
        ref = f"{name}:{settings.weights}"
    base = load(ref, backend=backend)
    if base.config.model_name != name:
        raise ZooError(f"weights {settings.weights!r} are a {base.config.model_name}, not {name}")
    return with_new_head(base, len(classes), classes, **overrides)


def _lr_schedule(phase: Phase, epoch: int, steps_per_epoch: int):
    """Cosine decay from the phase's lr over its epochs, per step."""
    total = phase.epochs * steps_per_epoch

    def lr_at(i: int) -> float:
        done = (epoch - phase.first_epoch) * steps_per_epoch + i
        return phase.lr * 0.5 * (1 + math.cos(math.pi * min(done / total, 1.0)))

    return lr_at


def finetune(
    model: str,
    data_dir: str | Path,
    backend: str = "torch",
    recipe: str | Path | None = None,
    out: str | Path | None = None,
    resume: bool = False,
    progress: bool = True,
    labels: str | Path = "folders",
    label_options: dict[str, Any] | None = None,
    **settings: Any,
) -> Path:
    """Fine-tune ``model`` on an image dataset; returns the run directory.

    ``labels``: ``"folders"`` (one sub-folder per class, torchvision ImageFolder), or
    ``"filename"`` (the class in the file name, as Oxford-IIIT Pet: ``basset_hound_103.jpg``),
    or the path of a CSV of labels (Kaggle's ``id,label``). ``label_options`` passes
    ``pattern`` / ``id_column`` / ``label_column`` on. Flat layouts become a cached
    class-folder directory of hard links, so class order and split rules are the same.

    Example:
        >>> run = zoo.finetune("resnet18", "data/flowers", backend="tf", head_epochs=2)
        >>> zoo.load(run, backend="torch").classify("rose.jpg")
    """
    from zoo import weights
    from zoo.data import images
    from zoo.data.materialize import materialize
    from zoo.training import checkpoint

    backend = check_backend(backend)
    cfg = load_settings(recipe, settings)
    data_dir = materialize(data_dir, labels, **(label_options or {}))
    split = images.scan_with_val(data_dir, cfg.val_fraction, cfg.seed)
    print(split.summary(), file=sys.stderr)
    if not split.val:
        raise ZooError(f"{data_dir}: no validation images; set val_fraction > 0 or add val/")
    run_dir = Path(out) if out else Path("runs") / f"finetune-{model}-{backend}-" \
        f"{time.strftime('%Y%m%d-%H%M%S')}"
    _start(run_dir, model, backend, cfg, split, resume)

    loop = importlib.import_module(LOOPS[backend])
    # the new head's initialisation (and TF op determinism) come from the settings' seed
    importlib.import_module(TRAINING_LOOPS[backend]).seed_everything(cfg.seed)
    net = _starting_model(model, backend, cfg, split.classes)
    plan = phases(cfg, type(net.config).backbone)
    config = net.config
    make = loop.make_batches
    val_batches = make(split.val, config.image_size, config.mean, config.std, cfg.batch_size,
                       False, {"crop_fraction": cfg.crop_fraction}, cfg.workers, cfg.seed)
    steps_per_epoch = math.ceil(len(split.train) / cfg.batch_size)
    tuner = loop.Tuner(net, cfg)

    start, best = 0, {"val_accuracy": -1.0, "epoch": 0}
    ckpt = checkpoint.latest(run_dir) if resume else None
    if ckpt is not None:
        model_t, optim_t, state = checkpoint.load(ckpt)
        start, best = state["step"], state["best"]
        phase = next(p for p in plan if p.first_epoch <= start - 1 < p.first_epoch + p.epochs)
        tuner.start_phase(phase.frozen, phase.lr)
        tuner.load_state(model_t, optim_t, state["optimizer"])
        log.warning("resuming %s from epoch %d", run_dir, start)

    # the epoch order and augmentation continue where a resumed run stopped
    train_batches = make(split.train, config.image_size, config.mean, config.std, cfg.batch_size,
                         True, cfg.augment, cfg.workers, cfg.seed, first_epoch=start)
    rows = _read_rows(run_dir / "metrics.csv")[:start]
    bar = tqdm(total=(cfg.total_epochs - start) * len(split.train), unit="img",
               desc=f"finetune {model} ({backend})", disable=not progress, dynamic_ncols=True)
    started = time.perf_counter()
    try:
        for epoch in range(start, cfg.total_epochs):
            phase = next(p for p in plan if p.first_epoch <= epoch < p.first_epoch + p.epochs)
            if epoch == phase.first_epoch:
                tuner.start_phase(phase.frozen, phase.lr)
            lr_at = _lr_schedule(phase, epoch, steps_per_epoch)
            train_loss = tuner.train_epoch(train_batches, lr_at, bar.update)
            logits, labels = tuner.predict(val_batches)
            row = _row(epoch + 1, phase.name, train_loss, logits, labels, lr_at(0))
            rows.append(row)
            bar.set_postfix(val_acc=f"{row['val_accuracy']:.3f}", refresh=False)
            if row["val_accuracy"] > best["val_accuracy"]:
                best = {"val_accuracy": row["val_accuracy"], "epoch": epoch + 1}
                weights.save(tuner.model, run_dir / weights.WEIGHT_FILES[backend])
            _write_rows(run_dir / "metrics.csv", rows)
            model_t, optim_t, meta = tuner.state()
            checkpoint.save(run_dir, epoch + 1, model_t, optim_t,
                            {"optimizer": meta, "best": best})
    finally:
        bar.close()
    seconds = time.perf_counter() - started

    weights.load_into(tuner.model, run_dir / weights.WEIGHT_FILES[backend])  # the best epoch
    write_text_atomic(run_dir / "config.json", config.to_json())
    logits, labels = tuner.predict(val_batches)
    final = _row(best["epoch"], "best", float("nan"), logits, labels, 0.0)
    summary = {"backend": backend, backend: {"val_accuracy": final["val_accuracy"],
                                             "val_loss": final["val_loss"]},
               "best_epoch": best["epoch"], "train_seconds": round(seconds, 3),
               "resumed_from_epoch": start, "images": {"train": len(split.train),
                                                       "val": len(split.val),
                                                       "skipped": len(split.skipped)}}
    write_text_atomic(run_dir / "metrics.json", json.dumps(summary, indent=2))
    _plots(run_dir, rows, split, logits, labels, config)
    _card(run_dir, model, backend, cfg, split, summary)
    return run_dir


def _start(run_dir: Path, model: str, backend: str, cfg: FinetuneSettings, split: Any,
           resume: bool) -> None:
    settings_json = cfg.to_json()
    if resume:
        old = run_dir / "settings.json"
        if not old.is_file():
            raise ZooError(f"cannot resume: {run_dir} is not a fine-tuning run (no settings.json)")
        if json.loads(old.read_text()) != json.loads(settings_json):
            raise ZooError(f"cannot resume {run_dir}: it was started with other settings")
        return
    if run_dir.exists() and any(run_dir.iterdir()):
        raise ZooError(f"run directory {run_dir} is not empty; pass resume=True (--resume) to "
                       "continue it or choose another directory")
    run_dir.mkdir(parents=True, exist_ok=True)
    write_text_atomic(run_dir / "settings.json", settings_json)
    write_text_atomic(run_dir / "run.json", json.dumps({
        "kind": "finetune", "model": model, "backend": backend, "data": str(split.root),
        "classes": split.classes, "started": time.strftime("%Y-%m-%dT%H:%M:%S%z")}, indent=2))


def _row(epoch: int, phase: str, train_loss: float, logits: np.ndarray, labels: np.ndarray,
         lr: float) -> dict[str, Any]:
    from zoo.tasks.classify import softmax

    probs = softmax(logits.astype(np.float64))
    nll = -np.log(np.clip(probs[np.arange(len(labels)), labels], 1e-12, None)).mean()
    return {"epoch": epoch, "phase": phase, "train_loss": round(train_loss, 6),
            "val_loss": round(float(nll), 6),
            "val_accuracy": round(float((probs.argmax(1) == labels).mean()), 6), "lr": lr}


def _read_rows(path: Path) -> list[dict[str, Any]]:
    import csv

    if not path.is_file():
        return []
    with path.open(newline="") as f:
        types = {"epoch": int, "phase": str}
        return [{k: types.get(k, float)(v) for k, v in r.items()} for r in csv.DictReader(f)]


def _write_rows(path: Path, rows: list[dict[str, Any]]) -> None:
    lines = [",".join(COLUMNS)] + [",".join(str(r[c]) for c in COLUMNS) for r in rows]
    write_text_atomic(path, "\n".join(lines) + "\n")


def _plots(run_dir: Path, rows: list[dict[str, Any]], split: Any, logits: np.ndarray,
           labels: np.ndarray, config: Any) -> None:
    from zoo.data import images
    from zoo.tasks.classify import softmax
    from zoo.training.plots import confusion_matrix_png, epoch_curves_png, sample_grid_png

    plots = run_dir / "plots"
    plots.mkdir(exist_ok=True)
    epoch_curves_png(rows, plots / "curves.png", title=f"fine-tune {config.model_name}")
    pred = logits.argmax(1)
    confusion_matrix_png(labels, pred, split.classes, plots / "confusion_matrix.png")
    shown = split.val[:32]
    pictures = np.stack([np.asarray(images.load_rgb(p).resize((96, 96))) for p, _ in shown])
    probs = softmax(logits[: len(shown)].astype(np.float64))
    sample_grid_png(pictures, labels[: len(shown)], pred[: len(shown)], probs.max(1),
                    split.classes, plots / "samples.png")


def _card(run_dir: Path, model: str, backend: str, cfg: FinetuneSettings, split: Any,
          summary: dict[str, Any]) -> None:
    counts = "\n".join(f"| {c} | {n} |" for c, n in
                       zip(split.classes, np.bincount([y for _, y in split.train],
                                                      minlength=len(split.classes)),
                           strict=True))
    text = f"""---
library_name: zoo
tags: [image-classification, fine-tuned, pytorch, tensorflow, {model}]
---
# {model} fine-tuned on `{split.root.name}`

Started from `{cfg.weights or "default"}` weights; trained with the {backend} backend.
Best epoch {summary["best_epoch"]}: validation accuracy
**{summary[backend]["val_accuracy"]:.4f}** on {len(split.val)} images
({len(split.train)} training images, {len(split.skipped)} skipped as unreadable).

| class | training images |
|---|---|
{counts}

```python
import zoo
model = zoo.load("{run_dir}", backend="torch")   # or backend="tf" (converted on the fly)
model.classify("image.jpg", top_k=3)
```

Settings: `{json.dumps(cfg.to_dict())}`

![curves](plots/curves.png) ![confusion](plots/confusion_matrix.png)
![validation predictions](plots/samples.png)
"""
    write_text_atomic(run_dir / "README.md", text)
