"""Does the pretrained start help? Fine-tuning from pretrained weights vs from scratch.

A small folder of real images: ``--per-class`` Fashion-MNIST *test* images per class (images
the pretraining never saw), written as PNG into class folders, split 75/25 (seeded,
stratified). Both starts get the same budget (epochs, batch, image size, augmentation):

- pretrained: ``--weights`` (default ``resnet18:fashion-mnist``), new head; head phase with
  the backbone frozen, then ``layer4`` unfrozen at a lower learning rate;
- scratch: the same architecture from random init, head phase then *every* stage unfrozen
  at the head's learning rate (freezing a random backbone would be a straw man).

Caveat, stated in the results: the pretraining data is the same domain and label set, so
this measures the best case of transfer, not transfer to an unrelated task.

``python benchmarks/transfer.py [--backend torch|tf|both] [--per-class 30]`` prints a table and
writes ``benchmarks/results/transfer.json``.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

import torch  # noqa: F401  (torch and torchvision before TensorFlow)
import torchvision  # noqa: F401

import zoo
from zoo.data import idx
from zoo.data.images import write_image_folder

HERE = Path(__file__).resolve().parent
STAGES = ["conv1", "bn1", "layer1", "layer2", "layer3", "layer4"]


def make_folder(root: Path, per_class: int) -> Path:
    """``per_class`` test images of each Fashion-MNIST class as PNG class folders."""
    x, y = idx.load_split(idx.dataset_dir("fashion-mnist"), "test")
    keep = [i for c in range(10) for i in (y == c).nonzero()[0][:per_class]]
    names = [n.replace("/", "-") for n in idx.FASHION_MNIST_CLASSES]
    write_image_folder(root, x[keep], y[keep], names)
    return root


def run(data: Path, backend: str, start: str, weights: str, out: Path, epochs: tuple[int, int],
        size: int) -> dict:
    common = {"image_size": size, "batch_size": 32, "workers": 0, "val_fraction": 0.25,
              "head_epochs": epochs[0], "unfreeze_epochs": epochs[1], "progress": False,
              "flip": True, "random_resized_crop": False}
    if start == "pretrained":
        settings = {**common, "weights": weights, "unfreeze": ["layer4"], "unfreeze_lr": 1e-4}
    else:
        settings = {**common, "weights": "none", "unfreeze": STAGES, "unfreeze_lr": 1e-3}
    t0 = time.perf_counter()
    run_dir = zoo.finetune("resnet18", data, backend=backend, out=out, **settings)
    seconds = time.perf_counter() - t0
    summary = json.loads((run_dir / "metrics.json").read_text())
    return {"backend": backend, "start": start, "val_accuracy": summary[backend]["val_accuracy"],
            "best_epoch": summary["best_epoch"], "seconds": round(seconds, 1),
            "images": summary["images"]}


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--backend", default="both", choices=["torch", "tf", "both"])
    p.add_argument("--per-class", type=int, default=30)
    p.add_argument("--weights", default="resnet18:fashion-mnist")
    p.add_argument("--head-epochs", type=int, default=3)
    p.add_argument("--unfreeze-epochs", type=int, default=3)
    p.add_argument("--image-size", type=int, default=32)
    args = p.parse_args()
    backends = ["torch", "tf"] if args.backend == "both" else [args.backend]
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        data = make_folder(Path(tmp) / "data", args.per_class)
        for backend in backends:
            for start in ("pretrained", "scratch"):
                rows.append(run(data, backend, start, args.weights, Path(tmp) / f"{backend}-"
                                f"{start}", (args.head_epochs, args.unfreeze_epochs),
                                args.image_size))
                print(rows[-1], flush=True)
    print(f"\n{'backend':<8} {'start':<11} {'val acc':>8} {'best ep':>8} {'seconds':>8}")
    for r in rows:
        print(f"{r['backend']:<8} {r['start']:<11} {r['val_accuracy']:>8.4f} "
              f"{r['best_epoch']:>8} {r['seconds']:>8.1f}")
    result = {"per_class": args.per_class, "weights": args.weights,
              "epochs": [args.head_epochs, args.unfreeze_epochs],
              "image_size": args.image_size, "rows": rows,
              "caveat": "pretrained on Fashion-MNIST train; folder from Fashion-MNIST test"}
    out = HERE / "results" / "transfer.json"
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(f"-> {out}")


if __name__ == "__main__":
    main()
