"""publish: a run directory -> one LocalHub commit with both backends, parity and a card;
loadable in either backend; the printed manifest entry is valid."""

from __future__ import annotations

import json

import numpy as np
import pytest

import zoo
from zoo.hub import manifest
from zoo.hub.local import LocalHub


@pytest.fixture(scope="module")
def tf_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("runs") / "tf"
    return zoo.train("sine", backend="tf", steps=100, out=out, progress=False)


@pytest.mark.hub
def test_publish_tf_run_and_load_both_backends(tf_run, tmp_path):
    hub = tmp_path / "hub"
    pub = zoo.publish(tf_run, repo="me/sine", hub=hub)
    files = LocalHub(hub).list_files("me/sine", pub.commit)
    assert {"config.json", "model.safetensors", "tf_model.safetensors", "metrics.json",
            "parity.json", "recipe.toml", "README.md", "plots/loss.png",
            "plots/forecast.png"} <= set(files)
    parity = json.loads(LocalHub(hub).read_bytes("me/sine", "parity.json", pub.commit))
    assert parity["passed"] and parity["direction"] == "tf -> torch"
    card = LocalHub(hub).read_bytes("me/sine", "README.md", pub.commit).decode()
    assert card.startswith("---\n") and "library_name: zoo" in card and "model-index" in card
    assert "tensorflow" in card and "pytorch" in card

    trained = zoo.load(tf_run, backend="tf")
    for backend in ("torch", "tf"):
        model = zoo.load("me/sine", backend=backend, hub=hub)
        np.testing.assert_allclose(model.forecast([0.1, 0.2, 0.3, 0.4, 0.5], 4),
                                   trained.forecast([0.1, 0.2, 0.3, 0.4, 0.5], 4), atol=1e-5)
    pinned = zoo.load(f"me/sine@{pub.commit}", backend="tf", hub=hub)
    assert pinned.config == trained.config

    entry = manifest.parse(pub.entry_toml, "printed entry")[0]
    assert entry.revision == pub.commit and entry.trained_with == "tf"
    assert entry.params == {"torch": 531, "tf": 491}
    assert entry.metrics["tf"] == json.loads((tf_run / "metrics.json").read_text())["tf"]


@pytest.mark.hub
def test_second_publish_is_a_child_commit_and_old_revision_still_loads(tf_run, tmp_path):
    hub = tmp_path / "hub"
    first = zoo.publish(tf_run, repo="me/sine", hub=hub)
    second = zoo.publish(tf_run, repo="me/sine", hub=hub, message="again")
    commits = LocalHub(hub).list_commits("me/sine")
    assert [c["id"] for c in commits] == [second.commit, first.commit]
    zoo.load("me/sine", backend="torch", hub=hub, revision=first.commit)


@pytest.mark.hub
def test_publish_writes_manifest_entry(tf_run, tmp_path):
    from zoo.publishing import publish

    target = tmp_path / "sine.toml"
    publish(tf_run, repo="me/sine", hub=tmp_path / "hub", tag="demo", manifest_file=target)
    (entry,) = manifest.parse(target.read_text(), str(target))
    assert (entry.model, entry.tag, entry.default) == ("sine", "demo", True)


def test_publish_refuses_a_directory_that_is_not_a_run(tmp_path):
    with pytest.raises(zoo.errors.ZooError, match="not a run directory"):
        zoo.publish(tmp_path, repo="me/x", hub=tmp_path / "hub")
