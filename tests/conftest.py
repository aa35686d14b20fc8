"""Shared fixtures. torch and torchvision are imported before TensorFlow in this process:
torchvision imported after TensorFlow segfaults on this stack (notes/conversion.md 0)."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
# before collection too: parametrized tests list manifest entries, and the user's own
# (published or imported into $ZOO_HOME) must not leak into the suite
os.environ["ZOO_HOME"] = tempfile.mkdtemp(prefix="zoo-test-home-")
# the Hugging Face cache too: hub tests must not read or fill the user's
os.environ["HF_HOME"] = tempfile.mkdtemp(prefix="zoo-test-hf-home-")
os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")

import torch  # noqa: E402,F401
import torchvision  # noqa: E402,F401

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True)
def zoo_home(tmp_path_factory, monkeypatch):
    """Each test gets its own $ZOO_HOME so nothing touches the user's cache."""
    monkeypatch.setenv("ZOO_HOME", str(tmp_path_factory.mktemp("zoo_home")))


def run_python(code: str, cwd: Path | None = None, env: dict | None = None,
               timeout: float = 300) -> subprocess.CompletedProcess:
    """Run ``code`` in a fresh interpreter (for import isolation and CLI checks)."""
    full_env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2", **(env or {})}
    return subprocess.run([sys.executable, "-c", code], cwd=cwd or ROOT, env=full_env,
                          capture_output=True, text=True, timeout=timeout)
