"""reproduce: re-runs the recipe pinned by the manifest and judges the result."""

from __future__ import annotations

from pathlib import Path

import pytest

import zoo
import zoo.paths
from zoo.errors import RecipeError
from zoo.hub import manifest


@pytest.mark.slow
def test_reproduce_ci_run_compares_with_the_record(tmp_path):
    result = zoo.reproduce("sine", backend="tf", ci=True, out=tmp_path / "run", progress=False)
    assert result.passed, str(result)
    assert result.recorded == manifest.find("sine").metrics["tf"]["full_series_mse"]
    assert result.metric == "full_series_mse" and 0 < result.measured < 0.004
    assert "PASS" in str(result)


def test_reproduce_refuses_a_recipe_that_changed(monkeypatch):
    entry = manifest.find("sine")
    changed = manifest.ManifestEntry(**{**entry.__dict__, "recipe_sha256": "0" * 64})
    monkeypatch.setattr(manifest, "find", lambda *a, **k: changed)
    with pytest.raises(RecipeError, match="changed since publication"):
        zoo.reproduce("sine", backend="torch", ci=True)


def _tiny_sine_recipe(tmp_path, target: float):
    text = (Path(zoo.paths.data_dir("training")) / "sine.toml").read_text()
    text = text.replace('name = "sine"', 'name = "sine-tiny"').replace("steps = 12000",
                                                                       "steps = 60")
    text = text.replace("target = 0.0015", f"target = {target}")
    path = tmp_path / "sine-tiny.toml"
    path.write_text(text)
    return path


def test_reproducing_a_recipe_without_weights_publishes_them_locally(tmp_path):
    with pytest.raises(zoo.errors.UnknownModelError):
        zoo.load("sine:tiny")
    result = zoo.reproduce(str(_tiny_sine_recipe(tmp_path, 1.0)), backend="torch",
                           out=tmp_path / "run", progress=False)
    assert result.passed and result.weights == "tiny" and result.recorded is None
    torch_model = zoo.load("sine:tiny", backend="torch")
    tf_model = zoo.load("sine:tiny", backend="tf")
    assert zoo.parity(torch_model, tf_model).passed
    assert zoo.list_models(with_tags=True)["sine"] == ["noisy-sine", "tiny"]


def test_reproducing_a_recipe_that_misses_its_target_publishes_nothing(tmp_path):
    result = zoo.reproduce(str(_tiny_sine_recipe(tmp_path, 1e-9)), backend="torch",
                           out=tmp_path / "run", progress=False)
    assert not result.passed
    with pytest.raises(zoo.errors.UnknownModelError, match="no weights 'tiny'"):
        zoo.load("sine:tiny")
