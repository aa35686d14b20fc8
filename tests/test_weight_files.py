"""Saving the same weights gives the same bytes, so content addressing and pins are stable."""

from __future__ import annotations

import hashlib
import subprocess
import sys

SAVE = """
import sys
import torch
import zoo
torch.manual_seed(0)
zoo.save(zoo.create("sine", backend="torch"), sys.argv[1])
"""


def test_same_weights_same_sha256_across_processes(tmp_path):
    digests = set()
    for i in range(4):  # separate processes: safetensors' metadata map order is per process
        out = tmp_path / f"run{i}"
        subprocess.run([sys.executable, "-c", SAVE, str(out)], check=True)
        digests.add(hashlib.sha256((out / "model.safetensors").read_bytes()).hexdigest())
    assert len(digests) == 1
