"""reproduce: re-runs the recipe pinned by the manifest and judges the result."""

from __future__ import annotations

import pytest

import zoo
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
