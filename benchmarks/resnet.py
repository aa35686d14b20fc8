"""ResNet speed on this machine: fine-tune throughput of both backends and conversion time.

- Fine-tune images/s of resnet18 in each backend's ``zoo.finetuning`` Tuner on synthetic
  batches (no decoding: ``benchmarks/images.py`` measures the pipelines), for the head phase
  (backbone frozen) and with every stage trained, at 224x224 (batch 16) and at the
  Fashion-MNIST recipe's 32x32 (batch 128). Each backend runs in its own fresh interpreter,
  warm-up steps excluded.
- ``zoo.convert`` time of resnet50 torch -> tf and tf -> torch (after one warm-up
  conversion, so imports and the first Keras build are excluded).

``python benchmarks/resnet.py [--quick]`` prints a table, writes ``results/resnet.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ENV = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}

THROUGHPUT = """
import json, sys, time
import torch, torchvision
import numpy as np
import zoo
from zoo.finetuning.settings import FinetuneSettings
backend, size, batch, phase, warmup, steps = sys.argv[1], *map(int, sys.argv[2:4]), sys.argv[4], \\
    *map(int, sys.argv[5:7])
loop = __import__(f"zoo.finetuning.loop_{'pt' if backend == 'torch' else 'tf'}",
                  fromlist=["Tuner"])
model = zoo.create("resnet18", backend=backend, num_classes=10, image_size=size)
tuner = loop.Tuner(model, FinetuneSettings())
frozen = ("conv1", "bn1", "layer1", "layer2", "layer3", "layer4") if phase == "head" else ()
tuner.start_phase(frozen, 1e-3)
rng = np.random.default_rng(0)
x = rng.standard_normal((batch, size, size, 3), dtype=np.float32)
y = rng.integers(0, 10, batch)
if backend == "torch":
    batches = [(torch.from_numpy(x.transpose(0, 3, 1, 2).copy()), torch.from_numpy(y))]
else:
    import tensorflow as tf
    batches = [(tf.constant(x), tf.constant(y))]
for _ in range(warmup):
    tuner.train_epoch(batches, lambda i: 1e-3, lambda n: None)
t0 = time.perf_counter()
for _ in range(steps):
    tuner.train_epoch(batches, lambda i: 1e-3, lambda n: None)
print(json.dumps({"images_per_s": steps * batch / (time.perf_counter() - t0)}))
"""

CONVERSION = """
import json, time
import torch, torchvision
import zoo
m = zoo.create("resnet50", backend="torch")
k = zoo.convert(m, to="tf"); zoo.convert(k, to="torch")   # warm-up: imports, first build
out = {}
for label, fn in (("torch->tf", lambda: zoo.convert(m, to="tf")),
                  ("tf->torch", lambda: zoo.convert(k, to="torch"))):
    times = []
    for _ in range(3):
        t0 = time.perf_counter(); fn(); times.append(time.perf_counter() - t0)
    out[label] = min(times)
print(json.dumps(out))
"""


def run(code: str, *args: object) -> dict:
    done = subprocess.run([sys.executable, "-c", code, *map(str, args)], env=ENV,
                          capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--quick", action="store_true", help="fewer timed steps")
    args = p.parse_args()
    cases = [(224, 16), (32, 128)]
    warmup, steps = (1, 2) if args.quick else (2, 5)
    rows = []
    for size, batch in cases:
        for phase in ("head", "all"):
            row = {"size": size, "batch": batch, "phase": phase}
            for backend in ("torch", "tf"):
                row[backend] = run(THROUGHPUT, backend, size, batch, phase, warmup,
                                   steps)["images_per_s"]
            row["tf/torch"] = row["tf"] / row["torch"]
            rows.append(row)
            print(row, flush=True)
    conversion = run(CONVERSION)
    print(f"\n{'size':>5} {'batch':>6} {'phase':<6} {'torch img/s':>12} {'tf img/s':>9} "
          f"{'tf/torch':>9}")
    for r in rows:
        print(f"{r['size']:>5} {r['batch']:>6} {r['phase']:<6} {r['torch']:>12.1f} "
              f"{r['tf']:>9.1f} {r['tf/torch']:>9.2f}")
    print(f"\nresnet50 conversion: torch->tf {conversion['torch->tf']:.2f} s, "
          f"tf->torch {conversion['tf->torch']:.2f} s")
    name = "resnet-quick.json" if args.quick else "resnet.json"
    (HERE / "results" / name).write_text(json.dumps(
        {"finetune": rows, "conversion_seconds": conversion}, indent=2) + "\n")


if __name__ == "__main__":
    main()
