"""Training engines: CI-sized runs in both backends, run directory contents, determinism,
and a real SIGKILL followed by --resume that ends exactly where an unbroken run ends."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from conftest import ROOT

import zoo
from zoo.training.sampler import batch_indices
from zoo.weights.files import read_safetensors


def test_sampler_is_a_pure_function_of_seed_and_step():
    first = [batch_indices(0, s, 7, 20) for s in range(6)]
    again = [batch_indices(0, s, 7, 20) for s in range(6)]
    assert all(np.array_equal(a, b) for a, b in zip(first, again, strict=True))
    # consecutive steps walk through a permutation: the first epoch covers every index
    assert sorted(np.concatenate(first)[:20].tolist()) == list(range(20))


@pytest.mark.slow
@pytest.mark.parametrize("backend", ["torch", "tf"])
def test_ci_run_lands_in_band_and_writes_everything(tmp_path, backend):
    run = zoo.train("sine", backend=backend, ci=True, out=tmp_path / "run", progress=False)
    metrics = json.loads((run / "metrics.json").read_text())
    assert metrics["verdict"]["passed"], metrics
    assert metrics[backend]["full_series_mse"] < 0.004
    for name in ("run.json", "recipe.toml", "metrics.csv", "config.json", "plots/loss.png",
                 "plots/forecast.png", "checkpoints/latest"):
        assert (run / name).is_file(), name
    assert any((run / "tensorboard").iterdir())
    assert (run / "plots" / "forecast.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    rows = (run / "metrics.csv").read_text().splitlines()
    assert rows[0] == "step,loss,lr" and len(rows) == 1 + 300 // 50
    model = zoo.load(run, backend=backend)
    assert model.forecast([0.1, 0.2, 0.3, 0.4, 0.5], 3).shape == (3,)


@pytest.mark.slow
def test_same_seed_same_weights(tmp_path):
    runs = [zoo.train("sine", backend="torch", steps=60, out=tmp_path / f"r{i}", progress=False)
            for i in range(2)]
    a, b = (read_safetensors(r / "model.safetensors") for r in runs)
    assert all(np.array_equal(a[k], b[k]) for k in a)


def test_refuses_to_overwrite_a_run_or_resume_with_other_settings(tmp_path):
    run = zoo.train("sine", backend="torch", steps=20, out=tmp_path / "run", progress=False)
    with pytest.raises(zoo.errors.ZooError, match="not empty.*resume"):
        zoo.train("sine", backend="torch", steps=20, out=run, progress=False)
    with pytest.raises(zoo.errors.ZooError, match="different settings"):
        zoo.train("sine", backend="torch", steps=40, out=run, resume=True, progress=False)


def _train_cmd(backend: str, out: Path, steps: int, resume: bool = False) -> list[str]:
    cmd = [sys.executable, "-m", "zoo", "train", "sine", "--backend", backend, "--out", str(out),
           "--steps", str(steps), "--quiet"]
    return cmd + (["--resume"] if resume else [])


@pytest.mark.slow
@pytest.mark.parametrize("backend", ["torch", "tf"])
def test_resume_after_sigkill_matches_an_uninterrupted_run(tmp_path, backend):
    steps = 3000  # checkpoints every 500 steps (recipe), so the kill lands mid-run
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
    killed = tmp_path / "killed"
    proc = subprocess.Popen(_train_cmd(backend, killed, steps), cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    latest = killed / "checkpoints" / "latest"
    deadline = time.time() + 240
    while not latest.exists() and proc.poll() is None and time.time() < deadline:
        time.sleep(0.02)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert proc.returncode == -signal.SIGKILL, "the run ended before it could be killed"
    assert not (killed / "model.safetensors").exists()
    stopped_at = json.loads((killed / "checkpoints" / latest.read_text() / "state.json")
                            .read_text())["step"]
    assert 0 < stopped_at < steps

    # exit code 1 means "finished but missed the full recipe's target": fine for 3000 steps
    resumed_run = subprocess.run(_train_cmd(backend, killed, steps, resume=True), cwd=ROOT,
                                 env=env, capture_output=True, text=True)
    assert resumed_run.returncode in (0, 1), resumed_run.stderr[-2000:]
    whole = tmp_path / "whole"
    whole_run = subprocess.run(_train_cmd(backend, whole, steps), cwd=ROOT, env=env,
                               capture_output=True, text=True)
    assert whole_run.returncode == resumed_run.returncode, whole_run.stderr[-2000:]

    name = "model.safetensors" if backend == "torch" else "tf_model.safetensors"
    a, b = read_safetensors(killed / name), read_safetensors(whole / name)
    assert set(a) == set(b)
    for key in a:
        assert np.array_equal(a[key], b[key]), f"{key} differs after resume"
    resumed = json.loads((killed / "metrics.json").read_text())
    assert resumed["resumed_from_step"] == stopped_at
    csv_a = (killed / "metrics.csv").read_text().splitlines()
    csv_b = (whole / "metrics.csv").read_text().splitlines()
    assert [r.split(",")[0] for r in csv_a] == [r.split(",")[0] for r in csv_b]
