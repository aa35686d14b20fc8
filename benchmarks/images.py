"""Image-folder input pipelines: decoded images/s, measured side by side in one run, as ratios.

One folder of 2000 synthetic JPEGs (128x128, 10 classes, seed 0, photo-like gradients and
noise) is written to a temporary directory. Batch 64, output 112x112, 2 workers (torch worker
processes, TF ``num_parallel_calls``). Contenders that are compared run in the same fresh
interpreter: one untimed warm-up epoch each (worker start-up, tracing), then ROUNDS rounds
of one timed epoch each, taking turns (who goes first rotates), so that a load change on a
shared machine hits both alike; the torch pairs run twice, once in each start order.
images/s is the median epoch's; a ratio is the median of the per-round ratios.

- the zoo torch loader (``images_pt.make_loader``) vs ``torchvision.datasets.ImageFolder`` +
  ``DataLoader`` with the same ``transforms.v2`` pipeline, for evaluation (resize to 128, a
  no-op here, + centre crop 112) and training (RandomResizedCrop + flip);
- the zoo TF dataset (``images_tf.make_dataset``) vs ``keras.utils.image_dataset_from_directory``
  (decode + plain bilinear resize to 112x112, no crop, no normalisation: the stock Keras
  loader, AUTOTUNE parallelism, no augmentation) and vs the same followed by a
  ``(x / 255 - mean) / std`` map (the zoo output), for evaluation (plus the zoo dataset with
  ``workers=0``, i.e. AUTOTUNE) and training;
- ``images.scan`` of the folder with and without the per-image check, in this process.

Prints a table and writes ``benchmarks/results/images.json``.  ``python benchmarks/images.py``
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from zoo.data import images

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from cnn import run  # noqa: E402  (fresh-interpreter runner, last stdout line is JSON)

N_IMAGES, SOURCE_SIZE, CLASSES = 2000, 128, 10
SIZE, BATCH, WORKERS, ROUNDS = 112, 64, 2, 4
AUGMENT = {"flip": True, "random_resized_crop": True}

PRELUDE = """
import json, time
{preimport}
ROOT, SIZE, BATCH, WORKERS, ROUNDS = {root!r}, {size}, {batch}, {workers}, {rounds}
AUGMENT, REVERSED = {augment!r}, {reversed}

def compare(epochs):
    # epochs: name -> function that runs one epoch and returns the number of images
    names = list(epochs)[::-1] if REVERSED else list(epochs)
    warmup, times = {{}}, {{name: [] for name in epochs}}
    for name in names:  # starts workers, traces tf.functions, warms caches
        t = time.perf_counter()
        n = epochs[name]()
        warmup[name] = time.perf_counter() - t
    for r in range(ROUNDS):
        for name in names[r % len(names):] + names[:r % len(names)]:
            t = time.perf_counter()
            assert epochs[name]() == n
            times[name].append(time.perf_counter() - t)
    print(json.dumps({{name: {{"epoch_s": times[name], "warmup_s": warmup[name], "images": n}}
                       for name in epochs}}))
"""

TORCH = """
import torch, torchvision
from torch.utils.data import DataLoader
from torchvision.datasets import ImageFolder
from zoo.data import images, images_pt
train = {train}
zoo = images_pt.make_loader(images.scan(ROOT).samples, SIZE, images.IMAGENET_MEAN,
                            images.IMAGENET_STD, BATCH, train, AUGMENT, WORKERS, seed=0)
# the same v2 transforms, torchvision's own dataset and a stock DataLoader
transform = images_pt.transforms(SIZE, images.IMAGENET_MEAN, images.IMAGENET_STD, train,
                                 AUGMENT)
reference = DataLoader(ImageFolder(ROOT, transform=transform), batch_size=BATCH,
                       shuffle=train, num_workers=WORKERS, persistent_workers=True)
compare({{"zoo": lambda: sum(len(y) for x, y in zoo),
         "reference": lambda: sum(len(y) for x, y in reference)}})
"""

TF = """
import keras, tensorflow as tf
from zoo.data import images, images_tf
samples = images.scan(ROOT).samples
def zoo(train, workers):
    ds = images_tf.make_dataset(samples, SIZE, images.IMAGENET_MEAN, images.IMAGENET_STD, BATCH,
                                train, AUGMENT, workers, seed=0)
    return lambda: sum(int(y.shape[0]) for x, y in ds)
keras_ds = keras.utils.image_dataset_from_directory(ROOT, image_size=(SIZE, SIZE),
                                                    batch_size=BATCH, shuffle={train},
                                                    verbose=False)
mean, std = tf.constant(images.IMAGENET_MEAN), tf.constant(images.IMAGENET_STD)
normalised = keras_ds.map(lambda x, y: ((x / 255.0 - mean) / std, y)).prefetch(tf.data.AUTOTUNE)
epochs = {{"zoo": zoo({train}, WORKERS),
          "keras": lambda: sum(int(y.shape[0]) for x, y in keras_ds),
          "keras_normalised": lambda: sum(int(y.shape[0]) for x, y in normalised)}}
if not {train}:
    epochs["zoo_autotune"] = zoo(False, 0)
compare(epochs)
"""

#: group -> (code, preimport, {contender: label}). Torch groups run twice, the second time
#: starting the other loader's workers first: whichever starts second ran up to 20% faster.
GROUPS = {
    "torch_eval": (TORCH.format(train=False), "import torch, torchvision", {
        "zoo": "zoo torch loader, eval",
        "reference": "torchvision ImageFolder+DataLoader, eval"}),
    "torch_train": (TORCH.format(train=True), "import torch, torchvision", {
        "zoo": "zoo torch loader, train (RRC + flip)",
        "reference": "torchvision ImageFolder+DataLoader, train"}),
    "tf_eval": (TF.format(train=False), "import tensorflow", {
        "zoo": "zoo TF dataset, eval",
        "zoo_autotune": "zoo TF dataset, eval, workers=0 (AUTOTUNE)",
        "keras": "keras image_dataset_from_directory",
        "keras_normalised": "keras from_directory + normalise map"}),
    "tf_train": (TF.format(train=True), "import tensorflow", {
        "zoo": "zoo TF dataset, train (RRC + flip)",
        "keras": "keras from_directory, shuffled",
        "keras_normalised": "keras from_directory, shuffled + normalise"}),
}
#: (group, contender, baseline): paired ratios contender / baseline (> 1: contender faster)
RATIOS = [
    ("torch_eval", "zoo", "reference"), ("torch_train", "zoo", "reference"),
    ("tf_eval", "zoo", "keras"), ("tf_eval", "zoo", "keras_normalised"),
    ("tf_eval", "zoo_autotune", "keras_normalised"), ("tf_eval", "zoo_autotune", "zoo"),
    ("tf_train", "zoo", "keras"), ("tf_train", "zoo", "keras_normalised"),
]


def write_folder(root: Path) -> None:
    """N_IMAGES seeded photo-like JPEGs (gradients with random direction + noise), 10 classes."""
    rng = np.random.default_rng(0)
    yy, xx = np.mgrid[0:SOURCE_SIZE, 0:SOURCE_SIZE] / SOURCE_SIZE
    pictures = np.empty((N_IMAGES, SOURCE_SIZE, SOURCE_SIZE, 3), np.uint8)
    for i in range(N_IMAGES):
        a, b, c = rng.uniform(-1, 1, (3, 3, 1, 1))
        base = 127 + 100 * np.stack([a[k] * xx + b[k] * yy + c[k] * xx * yy for k in range(3)], -1)
        pictures[i] = np.clip(base + rng.normal(0, 12, base.shape), 0, 255)
    labels = np.arange(N_IMAGES) % CLASSES
    images.write_image_folder(root, pictures, labels, [f"class{k}" for k in range(CLASSES)],
                              fmt="jpg", quality=90)


def main() -> None:
    root = Path(tempfile.mkdtemp(prefix="zoo-images-bench-"))
    print(f"writing {N_IMAGES} JPEGs {SOURCE_SIZE}x{SOURCE_SIZE} to {root} ...", flush=True)
    write_folder(root)

    scans = {}
    for check in (True, False):
        t = time.perf_counter()
        index = images.scan(root, check=check)
        scans[f"check={check}"] = {"s": time.perf_counter() - t, "images": len(index.samples)}

    results: dict[str, dict] = {}
    for group, (code, preimport, contenders) in GROUPS.items():
        print(f"timing: {group} ({', '.join(contenders.values())}) ...", flush=True)
        got: dict[str, dict] = {}
        for reverse in (False, True) if group.startswith("torch") else (False,):
            prelude = PRELUDE.format(preimport=preimport, root=str(root), size=SIZE,
                                     batch=BATCH, workers=WORKERS, rounds=ROUNDS,
                                     augment=AUGMENT, reversed=reverse)
            result = run(prelude + code, timeout=400)
            if "failed" in result:
                got = result
                break
            for name, r in result.items():
                if name in got:  # both orders: one list of paired rounds
                    got[name]["epoch_s"] += r["epoch_s"]
                    got[name]["warmup_s"] = max(got[name]["warmup_s"], r["warmup_s"])
                else:
                    got[name] = r
        for name, label in contenders.items():
            r = got.get(name, {"failed": got.get("failed", "no result")})
            if "epoch_s" in r:
                r["images_per_s"] = r["images"] / statistics.median(r["epoch_s"])
                r["best_images_per_s"] = r["images"] / min(r["epoch_s"])
            results[f"{group}.{name}"] = {"label": label, **r}
    ratios = {}
    for group, a, b in RATIOS:
        ra, rb = results[f"{group}.{a}"], results[f"{group}.{b}"]
        key = f"{ra['label']} / {rb['label']}"
        # median of per-round ratios: both were timed in the same round, under the same load
        ratios[key] = (statistics.median(tb / ta for ta, tb in zip(ra["epoch_s"], rb["epoch_s"],
                                                                    strict=True))
                       if "epoch_s" in ra and "epoch_s" in rb else None)

    print(f"\n{N_IMAGES} JPEGs {SOURCE_SIZE}x{SOURCE_SIZE} -> {SIZE}x{SIZE}, batch {BATCH}, "
          f"{WORKERS} workers, {os.cpu_count()} CPUs (load average "
          f"{os.getloadavg()[1]:.1f}); median of {ROUNDS} epochs ({2 * ROUNDS} for torch, both "
          "start orders) after 1 warm-up")
    print(f"\n{'contender':<46} {'images/s':>9} {'best':>6} {'warm-up s':>9}")
    for r in results.values():
        if "failed" in r:
            print(f"{r['label']:<46} failed: {r['failed']}")
        else:
            print(f"{r['label']:<46} {r['images_per_s']:>9.0f} {r['best_images_per_s']:>6.0f} "
                  f"{r['warmup_s']:>9.1f}")
    print(f"\n{'ratio (paired per round; > 1: first is faster)':<92} {'value':>6}")
    for key, value in ratios.items():
        print(f"{key:<92} {'n/a' if value is None else f'{value:.2f}':>6}")
    print("\nimages.scan of the folder (this process): "
          + ", ".join(f"{k} {v['s']:.2f} s ({v['images'] / v['s']:.0f} images/s)"
                      for k, v in scans.items()))

    out = HERE / "results" / "images.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps({
        "cpus": os.cpu_count(), "load_average": os.getloadavg(), "images": N_IMAGES,
        "source_size": SOURCE_SIZE, "image_size": SIZE, "batch_size": BATCH, "workers": WORKERS,
        "rounds": ROUNDS, "augment_train": AUGMENT, "scan": scans, "contenders": results,
        "ratios": ratios,
    }, indent=2) + "\n")
    print(f"\nwritten {out}")
    shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
