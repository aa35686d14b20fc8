"""zoo import torchvision: a stock torchvision state dict (.pth or .safetensors) -> one hub commit
with both backends, parity, preprocessing, a card and a user manifest entry that loads offline.

The weights are random (stock ``torchvision.models.resnet18()`` with randomised BatchNorm):
nothing downloads, and the download path is tested with the network call replaced.
"""

from __future__ import annotations

import json
import tomllib
import urllib.error

import numpy as np
import pytest
import safetensors.torch
import tomli_w
import torch
import torchvision

import zoo
from zoo.cli import main
from zoo.errors import ConversionError, ManifestError, RecipeError, WeightsError, ZooError
from zoo.hub import manifest
from zoo.hub.atomic import sha256_file
from zoo.hub.local import LocalHub
from zoo.loading import open_hub
from zoo.models.resnet.pt import randomise_batchnorm
from zoo.paths import user_manifest_dir
from zoo.weights.files import read_safetensors

WEIGHTS = torchvision.models.ResNet18_Weights.IMAGENET1K_V1
REPO, TAG = "torchvision/resnet18", "imagenet1k-v1"
PUBLISHED = {"config.json", "model.safetensors", "tf_model.safetensors", "metrics.json",
             "parity.json", "preprocess.json", "README.md"}


@pytest.fixture(scope="module")
def stock18(tmp_path_factory):
    """A random stock torchvision resnet18 and its state dict as .pth and .safetensors."""
    torch.manual_seed(0)
    model = randomise_batchnorm(torchvision.models.resnet18()).eval()
    folder = tmp_path_factory.mktemp("torchvision")
    torch.save(model.state_dict(), folder / "resnet18.pth")
    safetensors.torch.save_file(model.state_dict(), str(folder / "resnet18.safetensors"))
    return model, folder


@pytest.fixture(scope="module")
def imported(stock18, tmp_path_factory):
    """One import of the .pth with every default, into a ZOO_HOME of its own: (home, pub).

    Tests that load through its manifest point ZOO_HOME at ``home`` (conftest gives each test
    a fresh one)."""
    home = tmp_path_factory.mktemp("zoo_home_imported")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("ZOO_HOME", str(home))
        pub = zoo.import_torchvision("resnet18", source=str(stock18[1] / "resnet18.pth"))
    return home, pub


def _stock_logits(model: torch.nn.Module, x_nhwc: np.ndarray) -> np.ndarray:
    with torch.no_grad():
        return model(torch.from_numpy(x_nhwc.transpose(0, 3, 1, 2).copy())).numpy()


def test_import_publishes_one_commit_with_both_backends_and_records(imported, stock18,
                                                                     monkeypatch):
    home, pub = imported
    monkeypatch.setenv("ZOO_HOME", str(home))
    hub = open_hub(None)
    assert [c["id"] for c in hub.list_commits(REPO)] == [pub.commit]
    assert set(hub.list_files(REPO, pub.commit)) == PUBLISHED

    def read(name: str) -> str:
        return hub.read_bytes(REPO, name, pub.commit).decode()

    config = json.loads(read("config.json"))
    assert config["class_names"] == WEIGHTS.meta["categories"]
    assert len(config["class_names"]) == 1000 and config["class_names"][0] == "tench"
    assert (config["num_classes"], config["image_size"]) == (1000, 224)
    assert json.loads(read("parity.json"))["passed"]
    assert json.loads(read("preprocess.json")) | {"steps": "", "source": ""} == {
        "resize_size": 256, "crop_size": 224, "interpolation": "bilinear", "antialias": True,
        "mean": [0.485, 0.456, 0.406], "std": [0.229, 0.224, 0.225], "steps": "", "source": ""}
    metrics = json.loads(read("metrics.json"))
    assert metrics["torch"] == {"acc@1": 69.758, "acc@5": 89.078}
    assert "reported by torchvision" in metrics["note"] and "tf" not in metrics

    sha = sha256_file(stock18[1] / "resnet18.pth")
    card = read("README.md")
    assert card.startswith("---\n") and "license: bsd-3-clause" in card
    assert "imagenet-1k" in card and sha in card and WEIGHTS.meta["recipe"] in card
    assert "not measured by zoo" in card and "--image" in card

    entry = manifest.find("resnet18", TAG)
    assert (entry.revision, entry.default, entry.recipe, entry.trained_with) == (
        pub.commit, True, "", "torch")
    assert entry.origin == {"library": "torchvision", "weights": str(WEIGHTS), "url": WEIGHTS.url,
                            "file": "resnet18.pth", "sha256": sha, "recipe": WEIGHTS.meta["recipe"]}
    assert set(entry.files) == PUBLISHED and entry.license == "BSD-3-Clause"
    assert pub.manifest_file == user_manifest_dir() / "resnet18.toml"


def test_loads_offline_by_tag_in_both_backends_like_stock_torchvision(imported, stock18,
                                                                      monkeypatch):
    monkeypatch.setenv("ZOO_HOME", str(imported[0]))
    x = np.random.default_rng(1).standard_normal((2, 224, 224, 3)).astype(np.float32)
    expected = _stock_logits(stock18[0], x)
    models = [zoo.load(f"resnet18:{TAG}", backend="torch"),
              zoo.load(f"resnet18:{TAG}", backend="tf"),
              zoo.load("resnet18", weights=TAG, backend="tf")]
    for model in models:
        np.testing.assert_allclose(model.run_numpy(x)["logits"], expected, atol=1e-4, rtol=0)
        assert model.class_names == WEIGHTS.meta["categories"]


def test_published_torch_file_loads_into_stock_torchvision_strictly(imported, stock18):
    home, pub = imported
    path = LocalHub(home / "hub").file_path(REPO, "model.safetensors", pub.commit)
    fresh = torchvision.models.resnet18()
    fresh.load_state_dict(safetensors.torch.load_file(str(path)), strict=True)
    x = np.random.default_rng(2).standard_normal((1, 224, 224, 3)).astype(np.float32)
    np.testing.assert_array_equal(_stock_logits(fresh.eval(), x), _stock_logits(stock18[0], x))


def test_cli_imports_safetensors_into_a_given_hub_repo_and_tag(imported, stock18, tmp_path,
                                                               capsys):
    source = stock18[1] / "resnet18.safetensors"
    hub = tmp_path / "hub"
    code = main(["import", "torchvision", "resnet18", "--weights", "imagenet1k-v1",
                 "--from", str(source), "--hub", str(hub), "--repo", "me/r18", "--tag", "mine"])
    assert code == 0
    assert "resnet18:mine" in capsys.readouterr().out
    (commit,) = [c["id"] for c in LocalHub(hub).list_commits("me/r18")]
    listing = LocalHub(hub).list_files("me/r18", commit)
    assert set(listing) == PUBLISHED
    # the same tensors from either file format publish the same weights and config (tensors
    # compared, not file hashes: safetensors writes its metadata keys in a random order)
    first_hub = LocalHub(imported[0] / "hub")
    assert listing["config.json"]["sha256"] == first_hub.list_files(
        REPO, imported[1].commit)["config.json"]["sha256"]
    for name in ("model.safetensors", "tf_model.safetensors"):
        ours = read_safetensors(LocalHub(hub).file_path("me/r18", name, commit))
        theirs = read_safetensors(first_hub.file_path(REPO, name, imported[1].commit))
        assert ours.keys() == theirs.keys(), name
        for key, value in ours.items():
            np.testing.assert_array_equal(value, theirs[key], err_msg=f"{name}: {key}")
    entry = manifest.find("resnet18", "mine")
    assert entry.hub == str(hub.resolve()) and entry.origin["sha256"] == sha256_file(source)
    assert zoo.load("resnet18:mine", backend="torch").config.num_classes == 1000


def test_a_resnet34_file_for_resnet18_says_what_it_looks_like(tmp_path):
    path = tmp_path / "resnet34.pth"
    torch.save(torchvision.models.resnet34().state_dict(), path)
    with pytest.raises(WeightsError, match="looks like resnet34") as err:
        zoo.import_torchvision("resnet18", source=path, hub=tmp_path / "hub")
    assert str(path) in str(err.value) and "unexpected keys" in str(err.value)
    assert not (tmp_path / "hub").exists() and not user_manifest_dir().exists()


def test_a_head_of_other_size_is_not_the_imagenet_weights(tmp_path):
    path = tmp_path / "resnet18-10.pth"
    torch.save(torchvision.models.resnet18(num_classes=10).state_dict(), path)
    with pytest.raises(WeightsError, match=r"10-class head.*1000 classes"):
        zoo.import_torchvision("resnet18", source=path, hub=tmp_path / "hub")


@pytest.mark.parametrize("name", ["resnet18.pth", "resnet18.safetensors"])
def test_truncated_file_is_an_error_naming_it(stock18, tmp_path, name):
    path = tmp_path / name
    path.write_bytes((stock18[1] / name).read_bytes()[:5000])
    with pytest.raises(WeightsError, match="corrupt or truncated") as err:
        zoo.import_torchvision("resnet18", source=path, hub=tmp_path / "hub")
    assert str(path) in str(err.value)


def test_a_file_that_is_not_a_state_dict_says_so(tmp_path):
    path = tmp_path / "checkpoint.pth"
    torch.save({"epoch": 3, "state_dict": {"w": torch.zeros(1)}}, path)
    with pytest.raises(WeightsError, match=r"\['epoch', 'state_dict'\], not a state dict"):
        zoo.import_torchvision("resnet18", source=path)


def test_offline_without_from_says_to_download_elsewhere(tmp_path, monkeypatch):
    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "torch"))  # an empty download cache

    def offline(url, *args, **kwargs):
        raise urllib.error.URLError("no network")

    monkeypatch.setattr(torch.hub, "download_url_to_file", offline)
    with pytest.raises(WeightsError, match="--from FILE") as err:
        zoo.import_torchvision("resnet18", hub=tmp_path / "hub")
    assert WEIGHTS.url in str(err.value) and "no network" in str(err.value)


def test_parity_failure_publishes_nothing(stock18, tmp_path, monkeypatch):
    from zoo.models.resnet import convert

    monkeypatch.setattr(convert, "TOLERANCE", {"atol": 0.0, "rtol": 0.0})
    with pytest.raises(ConversionError, match="refusing to publish .*resnet18.pth"):
        zoo.import_torchvision("resnet18", source=stock18[1] / "resnet18.pth",
                               hub=tmp_path / "hub")
    assert not (tmp_path / "hub").exists() and not user_manifest_dir().exists()


def test_reproduce_of_imported_weights_says_they_were_imported(imported, monkeypatch):
    monkeypatch.setenv("ZOO_HOME", str(imported[0]))
    with pytest.raises(RecipeError, match="imported from torchvision.*not trained by a zoo"):
        zoo.reproduce("resnet18", weights=TAG)


def test_manifest_origin_is_validated(imported):
    text = imported[1].entry_toml
    assert manifest.parse(text, "t.toml")[0].imported

    def broken(change) -> str:
        raw = tomllib.loads(text)
        change(raw["resnet18"][TAG])
        return tomli_w.dumps(raw)

    cases = {
        "recipe is empty": lambda e: e.pop("origin"),
        "have no zoo recipe": lambda e: e.update(recipe="training/x.toml"),
        r"origin.sha256 missing": lambda e: e["origin"].pop("sha256"),
        r"unknown key origin.licence": lambda e: e["origin"].update(licence="x"),
    }
    for message, change in cases.items():
        with pytest.raises(ManifestError, match=message):
            manifest.parse(broken(change), "t.toml")


def test_unknown_library_weights_and_model_are_explained(capsys):
    assert main(["import", "timm", "resnet18"]) == 2
    assert "supported libraries: torchvision" in capsys.readouterr().err
    with pytest.raises(ZooError, match=r"no ResNet18_Weights.IMAGENET1K_V2; available: "
                                       r"IMAGENET1K_V1"):
        zoo.import_torchvision("resnet18", weights="IMAGENET1K_V2")
    with pytest.raises(ZooError, match="no weights for zoo model 'cnn'.*resnet18"):
        zoo.import_torchvision("cnn")
