"""Manifest entries follow the schema and match the bundled files; loading checks sha256,
is strict, and gives the same model in both backends."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest

import zoo
from zoo.errors import HubError, ManifestError, UnknownModelError, WeightsError
from zoo.hub import manifest
from zoo.hub.atomic import sha256_file
from zoo.hub.cards import PREDICT_ARGS
from zoo.hub.local import LocalHub
from zoo.hub.web.metadata import read_metadata
from zoo.loading import open_hub
from zoo.paths import BUNDLED_HUB
from zoo.training.recipe import load_recipe
from zoo.training.run import judge

ENTRIES = list(manifest.load_all().values())


def test_every_model_with_weights_has_exactly_one_default():
    assert {e.model for e in ENTRIES} == {"sine", "cnn", "seq2seq"}
    assert manifest.find("sine").tag == "noisy-sine"
    assert manifest.find("cnn").tag == "fashion-mnist"


@pytest.mark.parametrize("entry", ENTRIES, ids=lambda e: e.ref)
def test_entry_files_match_the_hub_commit(entry):
    hub = open_hub(entry.hub)
    assert hub.resolve(entry.repo, entry.revision) == entry.revision
    listing = hub.list_files(entry.repo, entry.revision)
    for name, sha in entry.files.items():
        assert listing[name]["sha256"] == sha, name
        assert sha256_file(hub.file_path(entry.repo, name, entry.revision)) == sha
    for required in ("config.json", "model.safetensors", "tf_model.safetensors", "parity.json",
                     "metrics.json", "recipe.toml", "README.md"):
        assert required in entry.files, required


@pytest.mark.parametrize("entry", ENTRIES, ids=lambda e: e.ref)
def test_entry_card_shows_its_tasks_cli_and_is_the_branch_head(entry):
    hub = open_hub(entry.hub)
    # the hub's pages show main: it must be the pinned commit, not an older or newer one
    assert hub.resolve(entry.repo, "main") == entry.revision
    meta = read_metadata(hub, entry.repo, hub.get_commit(entry.repo, entry.revision))
    command, args = PREDICT_ARGS[meta.task]
    assert f"zoo {command} {entry.repo} --backend tf --hub bundled {args}" in meta.card_body


@pytest.mark.parametrize("entry", ENTRIES, ids=lambda e: e.ref)
def test_entry_recipe_is_the_shipped_recipe(entry):
    recipe = load_recipe(manifest.recipe_file(entry))
    assert recipe.sha256 == entry.recipe_sha256 == entry.files["recipe.toml"]


@pytest.mark.parametrize("entry", ENTRIES, ids=lambda e: e.ref)
def test_entry_params_metrics_and_parity_are_recomputed(entry):
    """The numbers in the manifest are what the published files give today."""
    from zoo.training.run import family_training
    from zoo.weights import for_backend

    models = {b: zoo.load(entry.ref, backend=b) for b in ("torch", "tf")}
    for backend, model in models.items():
        assert for_backend(backend).num_params(model) == entry.params[backend]
    recipe = load_recipe(manifest.recipe_file(entry))
    family = family_training(recipe)
    data = family.make_data(recipe.raw["data"])
    for backend, model in models.items():
        measured = family.evaluate(model, data)
        for name, value in entry.metrics[backend].items():
            assert measured[name] == pytest.approx(value, rel=1e-5), (backend, name)
        assert judge(recipe, measured, ci=False)["passed"], (backend, measured)
    report = zoo.parity(models["torch"], models["tf"])
    assert report.passed and report.max_abs_diff <= entry.parity["atol"]
    assert report.max_abs_diff == pytest.approx(entry.parity["max_abs_diff"], rel=0.5, abs=1e-7)


def test_manifest_schema_errors_are_listed():
    good = (manifest.data_dir("weights_manifest") / "sine.toml").read_text()
    with pytest.raises(ManifestError, match="unknown key 'licence'"):
        manifest.parse(good.replace('license = "MIT"', 'licence = "MIT"'), "t.toml")
    with pytest.raises(ManifestError, match="full 40-hex commit id"):
        manifest.parse(good.replace(manifest.find("sine").revision, "main"), "t.toml")
    with pytest.raises(ManifestError, match="not a registered model"):
        manifest.parse(good.replace("[sine.", "[sinus."), "t.toml")


def test_unknown_names_suggest_close_matches():
    with pytest.raises(UnknownModelError, match=r"unknown model 'sin'.*Did you mean 'sine'"):
        zoo.load("sin")
    with pytest.raises(UnknownModelError, match=r"no weights 'noisy'.*noisy-sine"):
        zoo.load("sine", weights="noisy")
    with pytest.raises(UnknownModelError, match="Did you mean 'sine'"):
        zoo.create("sinee")


def test_config_overrides_are_validated():
    with pytest.raises(zoo.errors.ConfigError, match=r"unknown SineConfig keys \['unit'\]"):
        zoo.create("sine", unit=3)
    with pytest.raises(zoo.errors.ConfigError, match="'lstm'"):
        zoo.create("sine", cell="lstn")
    with pytest.raises(zoo.errors.ConfigError, match="must be int"):
        zoo.create("sine", units="ten")


@pytest.fixture
def tampered_hub(tmp_path):
    """A copy of the bundled hub, for tests that damage it."""
    root = tmp_path / "hub"
    shutil.copytree(BUNDLED_HUB, root)
    return root


def test_corrupt_blob_is_an_error_naming_the_file(tampered_hub):
    entry = manifest.find("sine")
    blob = LocalHub(tampered_hub).file_path(entry.repo, "model.safetensors", entry.revision)
    blob.write_bytes(blob.read_bytes()[:-4] + b"\0\0\0\0")
    with pytest.raises(WeightsError, match=r"model\.safetensors.*expected"):
        zoo.load("sine", backend="torch", hub=tampered_hub)
    zoo.load("sine", backend="tf", hub=tampered_hub)  # the TF file is intact


def test_pinned_sha_mismatch_is_an_error(tampered_hub, monkeypatch):
    entry = manifest.find("sine")
    files = {**entry.files, "config.json": "0" * 64}
    monkeypatch.setattr(manifest, "find", lambda *a, **k: manifest.ManifestEntry(
        **{**entry.__dict__, "files": files}))
    with pytest.raises(WeightsError, match=r"config\.json.*manifest pins 0000"):
        zoo.load("sine", backend="torch", hub=tampered_hub)


def test_bundled_hub_is_read_only():
    with pytest.raises(HubError, match="read-only"):
        open_hub("bundled").commit("zoo/sine", {"x": b"1"}, "nope")


def test_strict_load_lists_missing_unexpected_and_mismatched(tmp_path):
    from zoo.weights.files import read_safetensors, write_safetensors

    saved = zoo.save(zoo.create("sine", backend="torch"), tmp_path / "m")
    tensors = read_safetensors(saved / "model.safetensors")
    tensors.pop("head.bias")
    tensors["extra.weight"] = np.zeros(3, np.float32)
    tensors["head.weight"] = np.zeros((2, 10), np.float32)
    write_safetensors(tensors, saved / "model.safetensors")
    with pytest.raises(WeightsError) as err:
        zoo.load(saved, backend="torch")
    msg = str(err.value)
    assert "missing keys: ['head.bias']" in msg and "unexpected keys: ['extra.weight']" in msg
    assert "head.weight: file has (2, 10)" in msg


def test_truncated_weights_file_is_named(tmp_path):
    saved = zoo.save(zoo.create("sine", backend="tf"), tmp_path / "m")
    path = saved / "tf_model.safetensors"
    path.write_bytes(path.read_bytes()[:40])
    with pytest.raises(WeightsError, match=r"tf_model\.safetensors.*corrupt or truncated"):
        zoo.load(saved, backend="tf")


def test_save_and_load_directory_both_ways(tmp_path):
    pt = zoo.load("sine", backend="torch")
    saved = zoo.save(pt, tmp_path / "out")
    assert json.loads((saved / "config.json").read_text())["model"] == "sine"
    assert sorted(p.name for p in saved.iterdir()) == ["config.json", "model.safetensors"]
    tf_model = zoo.load(saved, backend="tf")  # converted on the fly from model.safetensors
    history = [0.3, 0.1, -0.2, -0.4, -0.5]
    np.testing.assert_allclose(pt.forecast(history, 5), tf_model.forecast(history, 5), atol=1e-5)
    np.testing.assert_array_equal(zoo.load(saved, backend="torch").forecast(history, 5),
                                  pt.forecast(history, 5))


def test_load_empty_directory_explains(tmp_path):
    with pytest.raises(WeightsError, match="config.json"):
        zoo.load(tmp_path, backend="torch")
