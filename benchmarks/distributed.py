"""Multi-process training throughput on this machine: 1 vs 2 processes, both backends.

The basic CNN on a synthetic MNIST-format set (2048 images, written once), global batch
128, 60 steps, no dropout: ``zoo train`` in one process, ``torchrun --nproc-per-node 2``
(torch) and ``zoo train --workers 2`` (TF). Throughput is read from the run's TensorBoard
log: samples between the loss logged at step 10 and the last one, over the wall time
between them. The first 10 steps are left out: they hold tracing and, with several
processes, the wait for the slowest one to start (seen to add 0-4 s). Runs one after the
other, each alone on the machine.

Prints samples/s and the 2-process / 1-process scaling ratio per backend; writes
``benchmarks/results/distributed.json``.  ``python benchmarks/distributed.py [--quick]``
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from zoo.data.idx import write_idx  # noqa: E402
from zoo.training.workers import train_command  # noqa: E402

RECIPE = """
[recipe]
name = "cnn-dist-bench"
model = "cnn"
seed = 0
[model]
dropout = 0.0
dense_dropout = 0.0
[data]
kind = "mnist"
root = "{root}"
[optimizer]
name = "adamw"
lr = 0.002
[train]
steps = {steps}
batch_size = 128
loss = "cross_entropy"
checkpoint_every = 1000
log_every = 10
[evaluate]
metric = "test_accuracy"
target = 0.0
higher_is_better = true
[ci]
steps = 2
band = {{ test_accuracy = [0.0, 1.0] }}
"""


def write_data(root: Path) -> None:
    rng = np.random.default_rng(0)
    root.mkdir(parents=True)
    for split, n in (("train", 2048), ("t10k", 256)):
        labels = rng.integers(0, 10, n).astype(np.uint8)
        images = rng.integers(0, 255, (n, 28, 28)).astype(np.uint8)
        write_idx(root / f"{split}-images-idx3-ubyte", images)
        write_idx(root / f"{split}-labels-idx1-ubyte", labels)


def steady_rate(logdir: Path, after: int = 10) -> float:
    """Samples/s between the loss logged at step ``after`` and the last logged loss."""
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    events = EventAccumulator(str(logdir))
    events.Reload()
    tags = events.Tags()
    points = (events.Scalars("train/loss") if "train/loss" in tags["scalars"]
              else events.Tensors("train/loss"))
    times = {p.step: p.wall_time for p in points}
    last = max(times)
    return (last - after) * 128 / (times[last] - times[after])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="20 steps instead of 60")
    args = parser.parse_args()
    steps = 20 if args.quick else 60
    work = Path(tempfile.mkdtemp(prefix="zoo-dist-bench-"))
    write_data(work / "mnist")
    recipe = work / "recipe.toml"
    recipe.write_text(RECIPE.format(root=work / "mnist", steps=steps))
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
    rates: dict[str, dict[int, float]] = {}
    # torchrun gives each process one OpenMP thread and `zoo train --workers` splits the
    # cores between TF workers; "tf-all-threads" is each TF worker using every core
    contenders = {"torch": {}, "tf": {}, "tf-all-threads": {
        "TF_NUM_INTRAOP_THREADS": str(os.cpu_count() or 1)}}
    for name, extra in contenders.items():
        backend = name.split("-")[0]
        for processes in (1, 2):
            if processes == 1 and extra:
                continue
            out = work / f"{name}-{processes}"
            done = subprocess.run(train_command(recipe, backend, out, processes), cwd=HERE.parent,
                                  env={**env, **extra}, capture_output=True, text=True)
            if done.returncode != 0:
                raise RuntimeError(done.stderr[-3000:])
            rates.setdefault(name, {})[processes] = steady_rate(out / "tensorboard")
            print(f"{name:>10} x{processes}: {rates[name][processes]:8.1f} samples/s")
    ratios = {f"{b} 2 processes / 1": r[2] / rates[b.split("-")[0]][1] for b, r in rates.items()}
    print(f"\n{'ratio':<32} {'value':>8}")
    for key, value in ratios.items():
        print(f"{key:<32} {value:>8.2f}")
    name = f"distributed{'-quick' if args.quick else ''}.json"
    (HERE / "results" / name).write_text(json.dumps(
        {"steps": steps, "global_batch": 128, "samples_per_s": rates, "ratios": ratios},
        indent=2) + "\n")
    print(f"\nwritten {HERE / 'results' / name}")


if __name__ == "__main__":
    main()
