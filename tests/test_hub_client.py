"""zoo's client side against a real `zoo hub serve` on 127.0.0.1, through the stock
huggingface_hub client: publish a run (one commit, both backends, card), load it back by
repo, hf:// ref and manifest entry, pinned commits, a tampered cache re-fetched (and an
error offline), on-the-fly conversion of a torch-only repo, pull / push / verify."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time

import numpy as np
import pytest
from conftest import ROOT, run_python

import zoo
from zoo.errors import HubError

pytestmark = pytest.mark.hub
WRITE, READ = "tok-write-0123456789", "tok-read-0123456789"
HISTORY = [0.0, 0.1, 0.2, 0.3, 0.4]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """A `zoo hub serve` subprocess with a write and a read token; HF_TOKEN = the write one."""
    root = tmp_path_factory.mktemp("served")
    tokens = root.parent / "tokens.txt"
    tokens.write_text(f"{WRITE} alice write\n{READ} bob read\n")
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "zoo", "hub", "serve", "--root", str(root),
                             "--host", "127.0.0.1", "--port", str(port), "--tokens", str(tokens)],
                            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    for _ in range(200):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.1).close()
            break
        except OSError:
            if proc.poll() is not None:
                raise RuntimeError(proc.stderr.read().decode()[-2000:]) from None
            time.sleep(0.1)
    saved = {k: os.environ.get(k) for k in ("HF_TOKEN", "HF_HUB_DISABLE_TELEMETRY", "HF_HOME")}
    os.environ.update(HF_TOKEN=WRITE, HF_HUB_DISABLE_TELEMETRY="1",
                      HF_HOME=str(tmp_path_factory.mktemp("hf_home")))
    yield url
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value
    proc.terminate()
    proc.wait(timeout=30)


@pytest.fixture(scope="module")
def published(server, tmp_path_factory):
    run = zoo.train("sine", backend="torch", steps=30, out=tmp_path_factory.mktemp("r") / "run",
                    progress=False)
    return run, zoo.publish(run, repo="team/sine", hub=server, tag="team")


def test_publish_is_one_commit_with_both_backends_and_a_card(server, published):
    from huggingface_hub import HfApi, ModelCard, hf_hub_download

    _, pub = published
    api = HfApi(endpoint=server, token=READ)
    files = set(api.list_repo_files("team/sine"))
    assert {"config.json", "model.safetensors", "tf_model.safetensors", "parity.json",
            "metrics.json", "recipe.toml", "README.md"} <= files
    assert api.list_repo_commits("team/sine")[0].commit_id == pub.commit
    card = ModelCard.load(hf_hub_download("team/sine", "README.md", revision=pub.commit,
                                          endpoint=server, token=READ))
    assert card.data.library_name == "zoo"
    assert {"pytorch", "tensorflow"} <= set(card.data.tags)
    assert pub.entry["hub"] == server and pub.entry["revision"] == pub.commit


def test_load_by_repo_hf_ref_and_pinned_commit(server, published):
    run, pub = published
    expected = zoo.load(run, backend="torch").forecast(HISTORY, steps=3)
    for backend in ("torch", "tf"):
        model = zoo.load("team/sine", backend=backend, hub=server)
        np.testing.assert_allclose(model.forecast(HISTORY, steps=3), expected, atol=1e-5)
    os.environ["HF_ENDPOINT"] = server
    try:
        pinned = zoo.load(f"hf://team/sine@{pub.commit}", backend="tf")
    finally:
        del os.environ["HF_ENDPOINT"]
    np.testing.assert_allclose(pinned.forecast(HISTORY, steps=3), expected, atol=1e-5)
    with pytest.raises(HubError, match="revision not found|RevisionNotFound"):
        zoo.load("team/sine@no-such-branch", backend="torch", hub=server)


def test_tampered_cache_is_fetched_again_and_is_an_error_offline(server, published, caplog):
    from zoo.hub.hf import HFHub
    from zoo.hub.transfer import pull

    _, pub = published
    pull(f"team/sine@{pub.commit}", hub=server)  # every file in the cache
    hub = HFHub(server)
    path = hub.file_paths("team/sine", ["model.safetensors"], pub.commit)["model.safetensors"]
    good = path.read_bytes()
    path.resolve().write_bytes(good[:-8] + b"tampered")
    offline = run_python(
        "import torch, zoo\n"
        f"zoo.load('team/sine@{pub.commit}', backend='torch', hub={server!r})",
        env={"HF_HUB_OFFLINE": "1"})
    assert offline.returncode != 0 and "corrupt or tampered" in offline.stderr
    with caplog.at_level("WARNING", logger="zoo"):
        model = zoo.load(f"team/sine@{pub.commit}", backend="torch", hub=server)
    assert "corrupt" in caplog.text
    assert path.read_bytes() == good and model.forecast(HISTORY, steps=1).shape == (1,)
    # and offline, from the (now good) cache, by commit and by branch
    ok = run_python(
        "import torch, zoo\n"
        f"m = zoo.load('team/sine', backend='torch', hub={server!r})\n"
        "print(m.config.cell)", env={"HF_HUB_OFFLINE": "1"})
    assert ok.returncode == 0, ok.stderr[-2000:]
    assert ok.stdout.strip() == "lstm"


def test_a_torch_only_repo_loads_in_tf_converted(server, published, caplog):
    from zoo.hub.hf import HFHub

    run, _ = published
    HFHub(server).commit("team/torch-only", {"config.json": run / "config.json",
                                             "model.safetensors": run / "model.safetensors"},
                         "torch weights only")
    with caplog.at_level("WARNING", logger="zoo"):
        model = zoo.load("team/torch-only", backend="tf", hub=server)
    assert "converting" in caplog.text
    expected = zoo.load(run, backend="torch").forecast(HISTORY, steps=2)
    np.testing.assert_allclose(model.forecast(HISTORY, steps=2), expected, atol=1e-5)


def test_writes_need_a_write_token(server, published):
    from zoo.hub.hf import HFHub

    with pytest.raises(HubError):
        HFHub(server, token=READ).commit("team/nope", {"a.txt": b"x"}, "read token")
    with pytest.raises(HubError):
        HFHub(server, token="wrong-token-000000").commit("team/nope", {"a.txt": b"x"}, "bad")


def test_push_bundled_model_then_pull_and_translate(server, tmp_path):
    from zoo.hub.transfer import pull, push

    commit = push("zoo/seq2seq", source="bundled", target=server, to_repo="team/seq2seq")
    pulled = pull(f"team/seq2seq@{commit}", hub=server)
    assert pulled.commit == commit and "vocab.src.json" in pulled.files
    model = zoo.load("team/seq2seq", backend="tf", hub=server)
    assert model.translate(["23 november 2026"]) == ["2026-11-23"]


def test_manifest_entry_on_a_served_hub_loads_and_verifies(server, published, tmp_path):
    from zoo.hub import manifest
    from zoo.hub.transfer import verify
    from zoo.paths import user_manifest_dir

    _, pub = published
    manifest.write_entry(user_manifest_dir() / "sine.toml", "sine", "team", pub.entry)
    model = zoo.load("sine:team", backend="tf")
    assert model.config.cell == "lstm"
    results = {r.ref: r for r in verify(["sine"])}
    assert results["sine:team"].passed, results["sine:team"].detail
    assert results["sine:noisy-sine"].passed
    out = subprocess.run([sys.executable, "-m", "zoo", "verify", "sine"], cwd=ROOT, text=True,
                         capture_output=True, timeout=300,
                         env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"})
    assert out.returncode == 0, out.stderr[-2000:]
    assert "sine:team" in out.stdout and "PASS" in out.stdout
    assert json.loads(json.dumps(pub.entry))["files"]["model.safetensors"]
