"""The tour ``make demo`` runs: load, forecast, convert, parity, train, save, publish, reload.

Everything happens offline on the bundled hub and a temporary local hub; it takes about a
minute on a 2-core CPU. ``python -m zoo.demo``.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path


def say(text: str) -> None:
    print(f"\n>>> {text}", flush=True)


def main(workdir: str | None = None) -> None:
    import torch  # noqa: F401  (torch and torchvision first: the only order that works with TF)
    import torchvision  # noqa: F401

    import zoo

    started = time.perf_counter()
    work = Path(workdir or tempfile.mkdtemp(prefix="zoo-demo-"))
    history = [0.0, 0.1, 0.2, 0.3, 0.4]

    say("zoo.list_models(with_tags=True)")
    print(zoo.list_models(with_tags=True))
    if zoo.list_models(with_tags=True).get("seq2seq"):
        translate_demo(zoo, work)
    say('zoo.info("sine")["weights"]: pinned commit, metrics per backend, parity')
    for tag, w in zoo.info("sine")["weights"].items():
        print(f"{tag}: repo {w['repo']}@{w['revision'][:12]} metrics {w['metrics']} "
              f"parity max abs diff {w['parity']['max_abs_diff']:.2e}")

    say('pt = zoo.load("sine", backend="torch"); tf = zoo.load("sine", backend="tf")')
    pt, tf = zoo.load("sine", backend="torch"), zoo.load("sine", backend="tf")
    print(type(pt).__mro__[1].__module__, "/", type(tf).__mro__[1].__module__)
    say(f"forecast({history}, steps=5) in both backends")
    print("torch:", pt.forecast(history, steps=5).round(5))
    print("tf:   ", tf.forecast(history, steps=5).round(5))

    say("zoo.parity(pt, tf): the published files against each other")
    print(zoo.parity(pt, tf))

    if zoo.list_models(with_tags=True).get("cnn"):
        classify_demo(zoo)

    say('zoo.create("sine", backend="torch", cell="gru") -> zoo.convert(model, to="tf")')
    gru = zoo.create("sine", backend="torch", cell="gru")
    report = zoo.parity(gru, zoo.convert(gru, to="tf"))
    print(f"untrained GRU converted: max abs diff {report.max_abs_diff:.2e} "
          f"({'PASS' if report.passed else 'FAIL'})")

    resnet_demo(zoo, work)

    say('zoo.train("sine", backend="tf", ci=True): the recipe\'s scaled-down CI run')
    run_dir = zoo.train("sine", backend="tf", ci=True, out=work / "run-tf")
    print("run directory:", sorted(p.name for p in run_dir.iterdir()))

    say("zoo.load(run_dir, backend='torch'): a TF run loads in torch, converted on the fly")
    print(zoo.load(run_dir, backend="torch").forecast(history, steps=3).round(5))

    say("zoo.publish(run_dir, repo='me/sine', hub=<temp hub>) -> zoo.load('me/sine', ...)")
    pub = zoo.publish(run_dir, repo="me/sine", hub=work / "hub")
    print(f"commit {pub.commit} with files {sorted(pub.files)}")
    again = zoo.load("me/sine", backend="tf", hub=work / "hub")
    print("reloaded from the hub:", again.forecast(history, steps=3).round(5))
    pages_demo(work / "hub")
    print(f"\ndemo finished in {time.perf_counter() - started:.0f} s; files in {work}")


def translate_demo(zoo, work: Path) -> None:
    """The headline call: the bundled dates model in TF and torch, greedy and beam search."""
    dates = ["23 november 2026", "sábado, 2 de enero de 2021", "le 1er mai 2001", "14.07.1989"]
    say('zoo.load("seq2seq", backend="tf").translate([...])  (and backend="torch", beam=4)')
    models = {b: zoo.load("seq2seq", backend=b) for b in ("tf", "torch")}
    print("tf:         ", models["tf"].translate(dates))
    print("torch:      ", models["torch"].translate(dates))
    print("torch beam 4:", models["torch"].translate(dates, beam=4))
    png = models["tf"].plot_attention([dates[1]], work / "attention.png")
    print(f"attention map of {dates[1]!r}: {png}")


def classify_demo(zoo) -> None:
    """The bundled Fashion-MNIST CNN on a few test images (or generated ones offline)."""
    import numpy as np

    from zoo.data import idx

    try:
        images, labels = idx.load_split(idx.dataset_dir("fashion-mnist"), "test")
        images, truth = images[:4], [idx.FASHION_MNIST_CLASSES[i] for i in labels[:4]]
    except idx.IdxError:
        images, truth = np.random.default_rng(0).integers(0, 255, (4, 28, 28), np.uint8), None
    say('cnn = zoo.load("cnn", backend=...); cnn.classify(images, top_k=2)')
    for backend in ("torch", "tf"):
        top = zoo.load("cnn", backend=backend).classify(images, top_k=2)
        print(f"{backend:>5}:", [[(label, round(p, 3)) for label, p in row] for row in top])
    if truth:
        print("truth:", truth)


def resnet_demo(zoo, work: Path) -> None:
    """ResNet-18 parity with randomised BatchNorm, then a tiny fine-tune on a made-up folder."""
    import numpy as np

    from zoo.data.images import write_image_folder
    from zoo.models.resnet.pt import randomise_batchnorm

    say('r = zoo.create("resnet18", backend="torch"); zoo.parity(r, zoo.convert(r, to="tf"))')
    r = randomise_batchnorm(zoo.create("resnet18", backend="torch"))
    print(zoo.parity(r, zoo.convert(r, to="tf")))

    say('zoo.finetune("resnet18", folder, backend="tf", weights="none", ...): 3 colours')
    rng = np.random.default_rng(0)
    pictures = rng.integers(0, 60, (30, 40, 40, 3)).astype(np.uint8)
    labels = np.arange(30) % 3
    pictures[np.arange(30), :, :, 2 - labels] += 150
    write_image_folder(work / "colours", pictures, labels, ["blue", "green", "red"])
    run = zoo.finetune("resnet18", work / "colours", backend="tf", out=work / "finetune",
                       weights="none", image_size=32, batch_size=8, workers=0,
                       head_epochs=1, unfreeze=["layer1", "layer2", "layer3", "layer4"],
                       unfreeze_epochs=2, unfreeze_lr=1e-3, progress=False)
    print("run directory:", sorted(p.name for p in run.iterdir()))
    tuned = zoo.load(run, backend="torch")
    print("torch, converted from the TF run:", tuned.classify(pictures[:3], top_k=1),
          "truth:", [["blue", "green", "red"][i] for i in labels[:3]])


def pages_demo(root: Path) -> None:
    """What the hub's web pages list for the repo just published, and how to open them."""
    from zoo.hub.local import LocalHub
    from zoo.hub.server.auth import Caller
    from zoo.hub.web.catalog import Catalog
    from zoo.hub.web.rendering import count, headline

    say("the hub's index page, as `zoo hub serve` shows it")
    for row in Catalog(LocalHub(root)).rows(Caller()):
        meta = row.meta
        print(f"{row.repo_id}: {meta.task}, {' + '.join(meta.frameworks)}, "
              f"{meta.headline[0]} {headline(meta.headline[1])}, {count(meta.params)} "
              "parameters")
    print(f"browse it: zoo hub serve --root {root}  (then open http://127.0.0.1:8080/)")


if __name__ == "__main__":
    main()

