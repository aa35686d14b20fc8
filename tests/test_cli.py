"""The `zoo` command: list, info, predict, parity, convert, and clear errors with exit 2."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from conftest import ROOT


def zoo_cli(*args: str, cwd=ROOT) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "zoo", *args], cwd=cwd, capture_output=True,
                          text=True, timeout=300, env={**__import__("os").environ,
                                                       "TF_CPP_MIN_LOG_LEVEL": "3"})


def test_list_and_info():
    out = zoo_cli("list")
    assert out.returncode == 0 and "sine" in out.stdout and "noisy-sine" in out.stdout
    info = json.loads(zoo_cli("info", "sine").stdout)
    assert info["weights"]["noisy-sine"]["params"] == {"torch": 531, "tf": 491}


@pytest.mark.slow
def test_predict_is_the_same_in_both_backends():
    outs = [zoo_cli("predict", "sine", "--backend", b, "--history", "0.1,0.2,0.3,0.4,0.5",
                    "--steps", "3") for b in ("torch", "tf")]
    values = [[float(v) for v in o.stdout.split()] for o in outs]
    assert all(o.returncode == 0 for o in outs), outs[1].stderr[-1000:]
    assert len(values[0]) == 3
    assert all(abs(a - b) < 1e-5 for a, b in zip(*values, strict=True))


@pytest.mark.slow
def test_parity_command_prints_report():
    out = zoo_cli("parity", "sine")
    assert out.returncode == 0, out.stderr[-1000:]
    assert "PASS" in out.stdout and "batch8_len200" in out.stdout
    gru = zoo_cli("parity", "sine", "--untrained", "--set", "cell=gru", "--set", "units=7")
    assert gru.returncode == 0 and "PASS" in gru.stdout


@pytest.mark.slow
def test_convert_run_dir(tmp_path):
    import zoo

    run = zoo.train("sine", backend="torch", steps=20, out=tmp_path / "run", progress=False)
    out = zoo_cli("convert", str(run), "--to", "tf")
    assert out.returncode == 0, out.stderr[-1000:]
    assert (run / "tf_model.safetensors").is_file() and "PASS" in out.stdout


def test_errors_are_clear_and_exit_2():
    out = zoo_cli("info", "sien")
    assert out.returncode == 2 and "Did you mean 'sine'" in out.stderr
    out = zoo_cli("train", "sine", "--backend", "torch", "--out", "/dev/null/x", "--steps", "1")
    assert out.returncode != 0
