"""zoo.finetune / zoo finetune: phases, frozen BatchNorm, outputs, resume, predict on folders."""

from __future__ import annotations

import csv
import json

import numpy as np
import pytest
import torch  # noqa: F401  (torch and torchvision before TensorFlow)
import torchvision  # noqa: F401

import zoo
from zoo import weights
from zoo.cli import main
from zoo.data.images import write_image_folder

CLASSES = ["blue", "green", "red"]
FAST = {"image_size": 32, "batch_size": 8, "workers": 0, "head_epochs": 1, "progress": False}


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    """36 coloured-noise images, 12 per class, and an untrained resnet18 saved as a base."""
    root = tmp_path_factory.mktemp("ft")
    rng = np.random.default_rng(0)
    labels = np.arange(36) % 3
    images = rng.integers(0, 60, (36, 40, 40, 3)).astype(np.uint8)
    for i, label in enumerate(labels):
        images[i, :, :, 2 - label] += 150  # blue, green, red channel by sorted class order
    write_image_folder(root / "data", images, labels, CLASSES)
    base = zoo.create("resnet18", backend="torch", num_classes=10, image_size=32)
    from zoo.models.resnet.pt import randomise_batchnorm

    randomise_batchnorm(base)
    zoo.save(base, root / "base")
    return root


@pytest.mark.parametrize("backend", ["torch", "tf"])
def test_head_phase_keeps_backbone_and_bn_statistics(folder, tmp_path, backend):
    run = zoo.finetune("resnet18", folder / "data", backend=backend, out=tmp_path / "run",
                       weights=str(folder / "base"), **FAST)
    base = zoo.load(folder / "base", backend=backend)
    tuned = zoo.load(run, backend=backend)
    assert tuned.class_names == CLASSES and tuned.config.num_classes == 3
    before, after = weights.state(base), weights.state(tuned)
    head = set(type(base.config).head_keys[backend])
    moved = [k for k in before if k not in head and not np.array_equal(before[k], after[k])]
    assert moved == []  # running statistics and num_batches_tracked included
    assert not np.array_equal(before[sorted(head)[0]][..., :3], after[sorted(head)[0]])


@pytest.mark.parametrize("backend", ["torch", "tf"])
def test_unfreeze_phase_trains_only_the_named_stage(folder, tmp_path, backend):
    run = zoo.finetune("resnet18", folder / "data", backend=backend, out=tmp_path / "run",
                       weights=str(folder / "base"), unfreeze=["layer4"], unfreeze_epochs=1,
                       **FAST)
    files = {p.name for p in run.iterdir()} | {p.name for p in (run / "plots").iterdir()}
    assert {"metrics.csv", "metrics.json", "config.json", "README.md", "settings.json",
            weights.WEIGHT_FILES[backend], "curves.png", "confusion_matrix.png",
            "samples.png"} <= files
    rows = list(csv.DictReader((run / "metrics.csv").open()))
    assert [r["phase"] for r in rows] == ["head", "unfreeze"]
    summary = json.loads((run / "metrics.json").read_text())
    best = max(float(r["val_accuracy"]) for r in rows)
    assert summary[backend]["val_accuracy"] == pytest.approx(best)
    before = weights.state(zoo.load(folder / "base", backend=backend))
    after = weights.state(zoo.load(run, backend=backend))
    moved = {k.split("/")[0].split(".")[0] for k in before
             if before[k].shape == after[k].shape and not np.array_equal(before[k], after[k])}
    if summary["best_epoch"] == 2:
        assert moved <= {"layer4", "fc"} and "layer4" in moved


def test_resume_after_interruption(folder, tmp_path, monkeypatch):
    from zoo.finetuning import loop_pt

    calls = {"n": 0}
    original = loop_pt.Tuner.train_epoch

    def interrupted(self, *args):
        calls["n"] += 1
        if calls["n"] == 2:
            raise KeyboardInterrupt
        return original(self, *args)

    settings = {**FAST, "head_epochs": 2, "weights": str(folder / "base")}
    monkeypatch.setattr(loop_pt.Tuner, "train_epoch", interrupted)
    with pytest.raises(KeyboardInterrupt):
        zoo.finetune("resnet18", folder / "data", out=tmp_path / "run", **settings)
    monkeypatch.setattr(loop_pt.Tuner, "train_epoch", original)
    with pytest.raises(zoo.errors.ZooError, match="not empty"):
        zoo.finetune("resnet18", folder / "data", out=tmp_path / "run", **settings)
    run = zoo.finetune("resnet18", folder / "data", out=tmp_path / "run", resume=True, **settings)
    summary = json.loads((run / "metrics.json").read_text())
    assert summary["resumed_from_epoch"] == 1
    assert [r["epoch"] for r in csv.DictReader((run / "metrics.csv").open())] == ["1", "2"]
    # the resumed run continues the epoch order and optimizer state: same weights as a run
    # that was never interrupted
    whole = zoo.finetune("resnet18", folder / "data", out=tmp_path / "whole", **settings)
    resumed_w = weights.state(zoo.load(run))
    for key, value in weights.state(zoo.load(whole)).items():
        np.testing.assert_array_equal(resumed_w[key], value, err_msg=key)


def test_bad_settings_and_weights_are_clear_errors(folder, tmp_path):
    with pytest.raises(zoo.errors.RecipeError, match="head_epoch"):
        zoo.finetune("resnet18", folder / "data", out=tmp_path / "a", head_epoch=2)
    with pytest.raises(zoo.errors.ZooError, match="unfreeze"):
        zoo.finetune("resnet18", folder / "data", out=tmp_path / "b", unfreeze_epochs=1,
                     **FAST)
    with pytest.raises(zoo.errors.UnknownModelError, match="no weights 'nope'"):
        zoo.finetune("resnet18", folder / "data", out=tmp_path / "d", weights="resnet18:nope",
                     **FAST)
    with pytest.raises(zoo.errors.ZooError, match="are a resnet18, not resnet34"):
        zoo.finetune("resnet34", folder / "data", out=tmp_path / "c",
                     weights=str(folder / "base"), **FAST)


def test_cli_finetune_then_predict_folder(folder, tmp_path, capsys):
    run = tmp_path / "run"
    assert main(["finetune", "resnet18", str(folder / "data"), "--backend", "tf", "--weights",
                 "none", "--image-size", "32", "--batch-size", "8", "--workers", "0",
                 "--head-epochs", "1", "--out", str(run), "--quiet"]) == 0
    assert "publish it with" in capsys.readouterr().out
    out = tmp_path / "preds.csv"
    assert main(["predict", str(run), str(folder / "data" / "red"), "--backend", "torch",
                 "--top-k", "2", "--out", str(out)]) == 0
    rows = list(csv.DictReader(out.open()))
    assert len(rows) == 12 and set(rows[0]) == {"path", "label1", "probability1", "label2",
                                                 "probability2"}
    assert {r["label1"] for r in rows} <= set(CLASSES)


def test_publish_finetune_run_and_load_both_backends(folder, tmp_path):
    run = zoo.finetune("resnet18", folder / "data", backend="torch", out=tmp_path / "run",
                       weights=str(folder / "base"), **FAST)
    pub = zoo.publish(run, repo="me/colours", hub=tmp_path / "hub")
    assert {"model.safetensors", "tf_model.safetensors", "settings.json", "metrics.csv",
            "plots/confusion_matrix.png", "README.md"} <= set(pub.files)
    assert set(pub.entry["metrics"]) == {"torch", "tf"}
    # measured again in each backend on the same validation split: converted weights with
    # parity ~1e-6 make the same predictions
    assert pub.entry["metrics"]["torch"] == pub.entry["metrics"]["tf"]
    assert pub.entry["origin"]["library"] == "zoo.finetune"
    card = (tmp_path / "card.md")
    card.write_bytes(zoo.loading.open_hub(tmp_path / "hub").read_bytes("me/colours", "README.md"))
    assert "Fine-tuned with **torch** by `zoo.finetune`" in card.read_text()
    k = zoo.load("me/colours", backend="tf", hub=tmp_path / "hub")
    assert k.class_names == CLASSES


def _flatten(folder, dst):
    """The class-folder images as one flat folder (class_index.png) plus a labels CSV."""
    dst.mkdir()
    rows = ["id,label"]
    for cls in CLASSES:
        for i, path in enumerate(sorted((folder / "data" / cls).iterdir())):
            name = f"{cls}_{i:03d}{path.suffix}"  # sorts like the originals
            (dst / name).write_bytes(path.read_bytes())
            rows.append(f"{cls}_{i:03d},{cls}")  # ids without the extension
    (dst.parent / "labels.csv").write_text("\n".join(rows) + "\n")
    return dst


def test_flat_layouts_finetune_like_class_folders(folder, tmp_path):
    """labels="filename" and a labels CSV give the class folders' classes, split and weights."""
    flat = _flatten(folder, tmp_path / "flat")
    runs = {
        "folders": zoo.finetune("resnet18", folder / "data", out=tmp_path / "a",
                                weights=str(folder / "base"), **FAST),
        "filename": zoo.finetune("resnet18", flat, out=tmp_path / "b", labels="filename",
                                 weights=str(folder / "base"), **FAST),
        "csv": zoo.finetune("resnet18", flat, out=tmp_path / "c",
                            labels=str(tmp_path / "labels.csv"), weights=str(folder / "base"),
                            **FAST),
    }
    states = {k: weights.state(zoo.load(run, backend="torch")) for k, run in runs.items()}
    for name in ("filename", "csv"):
        assert zoo.load(runs[name], backend="torch").class_names == CLASSES
        assert all(np.array_equal(states["folders"][k], states[name][k])
                   for k in states["folders"]), name
