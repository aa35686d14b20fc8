"""A LocalHub that looks like one zoo publishes to, for the page tests (not a test module).

``build(root)`` fills ``root`` with:

* ``team/vision``: image classification, PyTorch + TensorFlow, two commits; the older one is
  tagged ``v1`` (and branch ``dev`` points at it) and has other metrics, parity and weights,
  and the newer one adds a plot that only the gallery shows;
* ``team/translator`` (translation, TensorFlow weights only) and ``team/forecaster``
  (time-series forecasting, PyTorch weights only), for the filters;
* ``team/secret``: private;
* ``mallory/evil``: a card and a commit message full of script, handlers and
  ``javascript:`` links;
* ``bulk/model-000`` ...: metadata-only repos, enough for the index to have two pages.

Every value a test asserts on is returned in :class:`PagesHub`, computed from the bytes
committed here, so a test never repeats a literal of this module.

Example:
    >>> hub = build(tmp_path / "hub")
    >>> hub.v1.metrics["torch"]["accuracy"]
    0.6875
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from safetensors.numpy import save

from zoo.hub.cards import render
from zoo.hub.local import LocalHub
from zoo.hub.web.catalog import PAGE_SIZE

BUNDLED = Path(__file__).resolve().parents[1] / "zoo" / "_bundled_hub"
#: repos beyond the named ones, so the public index has more than one page
BULK = PAGE_SIZE + 5
#: what the evil card and commit message try to run; each sets ``window.__xss``
CARD_PAYLOADS = (
    "<script>window.__xss = 1</script>",
    '<img src=x onerror="window.__xss = 2">',
    "[link](javascript:window.__xss=3)",
    '<a href="javascript:window.__xss=8">raw link</a>',
    '<svg onload="window.__xss = 9"></svg>',
)
EVIL_TITLE = ('Evil <script>window.__xss=4</script> run '
              '<b onmouseover="window.__xss=5">hover me</b>')
EVIL_MESSAGE = (EVIL_TITLE + '\n\nDetails <img src=x onerror="window.__xss=6"> '
                '<script>window.__xss=7</script>')


@dataclass(frozen=True)
class Revision:
    """One commit of ``team/vision`` as its pages should show it."""

    commit: str
    message: str
    metrics: dict[str, dict[str, float]]
    max_abs_diff: float
    files: dict[str, tuple[int, str]]  # path -> (size in bytes, sha256)

    @property
    def title(self) -> str:
        return self.message.partition("\n")[0]


@dataclass(frozen=True)
class PagesHub:
    """The repos of :func:`build` and the facts the tests check."""

    root: Path
    model: str  # two commits; ``tag`` and ``branch`` name the older one
    tag: str
    branch: str
    head: Revision
    v1: Revision
    private: str
    evil: str
    evil_commit: str
    evil_message: str
    tf_only: str
    torch_only: str
    public: tuple[str, ...]  # every repo an anonymous visitor's index lists
    tasks: dict[str, str]  # repo -> task, every repo (public or not)
    frameworks: dict[str, tuple[str, ...]]  # repo -> "PyTorch" / "TensorFlow" weight files


def _bundled(path: str, repo: str = "zoo/cnn") -> bytes:
    return LocalHub(BUNDLED, read_only=True).read_bytes(repo, path)


def _weights(seed: int, **shapes: tuple[int, ...]) -> bytes:
    rng = np.random.default_rng(seed)
    return save({name: rng.standard_normal(shape).astype(np.float32)
                 for name, shape in shapes.items()})


def _json(value: Any) -> bytes:
    return (json.dumps(value, indent=2, sort_keys=True) + "\n").encode()


def _parity(max_abs_diff: float, direction: str = "torch -> tf") -> dict[str, Any]:
    return {"model": "mlp", "direction": direction, "max_abs_diff": max_abs_diff,
            "max_rel_diff": max_abs_diff * 10, "atol": 1e-05, "rtol": 0.0,
            "passed": max_abs_diff < 1e-05, "inputs": "seed 0, normal(0, 1) inputs, batch 4",
            "versions": {"torch": "2.14.1", "tensorflow": "2.21.0", "keras": "3.15.1"}}


def _recipe(name: str, metric: str, description: str) -> bytes:
    return (f'[recipe]\nname = "{name}"\nmodel = "mlp"\nseed = 0\n'
            f'description = "{description}"\n\n[train]\nsteps = 100\nbatch_size = 32\n\n'
            f'[evaluate]\nmetric = "{metric}"\nhigher_is_better = true\n').encode()


def _card(repo: str, task: str, description: str, metrics: dict[str, dict[str, float]],
          parity: dict[str, Any], params: int, plots: list[str],
          dataset: tuple[str, str] = ("toy-shapes", "Toy shapes (800 train / 200 test)")) -> bytes:
    """The README.md zoo publishes: ``zoo.hub.cards.render`` of the repo's facts."""
    recipe = f"training/{repo.split('/')[1]}.toml"
    return render({
        "repo": repo, "task": task, "model": "mlp", "license": "MIT",
        "dataset_id": dataset[0], "dataset": dataset[1], "description": description,
        "metrics": metrics, "parity": parity, "params": {"torch": params, "tf": params},
        "plots": plots, "trained_with": "torch", "recipe": recipe,
        "recipe_sha256": hashlib.sha256(recipe.encode()).hexdigest(),
        "load_ref": repo, "hub_arg": "", "hub_cli": "",
    }).encode()


def _listing(files: dict[str, bytes], before: dict[str, tuple[int, str]] | None = None
             ) -> dict[str, tuple[int, str]]:
    out = dict(before or {})
    out.update({p: (len(b), hashlib.sha256(b).hexdigest()) for p, b in files.items()})
    return out


def _vision_files(repo: str, metrics: dict[str, dict[str, float]], max_abs_diff: float,
                  seed: int, plots: dict[str, str]) -> dict[str, bytes]:
    """Every file of a zoo-published repo; ``plots``: repo path -> zoo/cnn plot to copy.
    The card shows plots/loss.png; other plots are left to the page's gallery."""
    parity = _parity(max_abs_diff)
    return {
        "README.md": _card(repo, "image-classification",
                           "A tiny MLP on toy shapes, 8x8 grey, 3 classes.", metrics, parity,
                           4 * 64 * 3 + 3, plots=["plots/loss.png"]),
        "config.json": _json({"model": "mlp", "inputs": 64, "num_classes": 3,
                              "class_names": ["circle", "square", "triangle"]}),
        "metrics.json": _json(metrics),
        "parity.json": _json(parity),
        "recipe.toml": _recipe("vision-toy-shapes", "accuracy", "A tiny MLP on toy shapes"),
        "model.safetensors": _weights(seed, **{"fc.weight": (3, 64 * 4), "fc.bias": (3,),
                                               "bn.running_mean": (64,)}),
        "tf_model.safetensors": _weights(seed + 1, **{"fc/kernel": (64 * 4, 3),
                                                      "fc/bias": (3,)}),
        **{path: _bundled(source) for path, source in plots.items()},
    }


def build(root: Path) -> PagesHub:
    """Create the hub under ``root`` (a new or empty directory) and describe it."""
    hub = LocalHub(root)
    tasks: dict[str, str] = {}
    frameworks: dict[str, tuple[str, ...]] = {}

    # team/vision: v1, then a better second run that also adds an accuracy plot
    model = "team/vision"
    v1_metrics = {"torch": {"accuracy": 0.6875, "loss": 0.8125},
                  "tf": {"accuracy": 0.6872, "loss": 0.8131}}
    v1_diff, head_diff = 3.125e-06, 7.25e-07
    v1_files = _vision_files(model, v1_metrics, v1_diff, seed=1,
                             plots={"plots/loss.png": "plots/loss.png"})
    v1_message = "First training run of vision-toy-shapes\n\n100 steps, batch 32"
    v1_id = hub.commit(model, v1_files, v1_message)
    hub.create_tag(model, "v1")
    hub.create_branch(model, "dev", revision="v1")
    head_metrics = {"torch": {"accuracy": 0.8125, "loss": 0.4375},
                    "tf": {"accuracy": 0.8121, "loss": 0.4382}}
    head_files = _vision_files(model, head_metrics, head_diff, seed=2,
                               plots={"plots/loss.png": "plots/loss.png",
                                      "plots/accuracy.png": "plots/samples.png"})
    head_message = "Second run: longer schedule, better accuracy\n\ncosine decay, 400 steps"
    head_id = hub.commit(model, head_files, head_message)
    tasks[model], frameworks[model] = "image-classification", ("PyTorch", "TensorFlow")

    # one framework each, other tasks
    tf_only, torch_only = "team/translator", "team/forecaster"
    for repo, task, weights, fw, metric in (
            (tf_only, "translation", "tf_model.safetensors", "TensorFlow", "exact_match"),
            (torch_only, "time-series-forecasting", "model.safetensors", "PyTorch", "mse")):
        metrics = {"torch": {metric: 0.25}, "tf": {metric: 0.25}}
        parity = _parity(1e-06)
        hub.commit(repo, {
            "README.md": _card(repo, task, f"A small {task} model for the page tests.",
                               metrics, parity, 12, plots=[]),
            "metrics.json": _json(metrics), "parity.json": _json(parity),
            "recipe.toml": _recipe(repo.split("/")[1], metric, task),
            weights: _weights(3, w=(3, 4)),
        }, f"{task} model")
        tasks[repo], frameworks[repo] = task, (fw,)

    # private
    private = "team/secret"
    hub.create_repo(private, private=True)
    metrics = {"torch": {"accuracy": 0.5}, "tf": {"accuracy": 0.5}}
    hub.commit(private, {
        "README.md": _card(private, "image-classification", "Not for everyone.", metrics,
                           _parity(1e-06), 12, plots=["plots/loss.png"]),
        "metrics.json": _json(metrics), "model.safetensors": _weights(4, w=(3, 4)),
        "tf_model.safetensors": _weights(4, w=(4, 3)), "plots/loss.png": _bundled("plots/loss.png"),
    }, "private work")
    tasks[private], frameworks[private] = "image-classification", ("PyTorch", "TensorFlow")

    # the card and the commit message try to run script in every way the pages must stop
    evil = "mallory/evil"
    metrics = {"torch": {"accuracy": 0.5}}
    evil_commit = hub.commit(evil, {
        "README.md": _card(evil, "image-classification",
                           "Evil card " + " ".join(CARD_PAYLOADS), metrics, _parity(1e-06), 12,
                           plots=[]),
        "metrics.json": _json(metrics),
    }, EVIL_MESSAGE)
    tasks[evil], frameworks[evil] = "image-classification", ()

    bulk = [f"bulk/model-{i:03d}" for i in range(BULK)]
    for i, repo in enumerate(bulk):
        metrics = {"torch": {"accuracy": round(0.5 + i / 1000, 3)}}
        hub.commit(repo, {
            "README.md": (f"---\nlicense: mit\ndatasets:\n- toy-shapes\nmodel-index:\n"
                          f"- name: {repo}\n  results:\n  - task:\n"
                          f"      type: image-classification\n    dataset:\n"
                          f"      name: Toy shapes\n      type: toy-shapes\n    metrics: []\n"
                          f"---\n\n# {repo}\n\nBulk classifier number {i}.\n").encode(),
            "metrics.json": _json(metrics),
        }, f"bulk model {i}")
        tasks[repo], frameworks[repo] = "image-classification", ()

    return PagesHub(
        root=Path(root), model=model, tag="v1", branch="dev",
        head=Revision(head_id, head_message, head_metrics, head_diff,
                      _listing(head_files, _listing(v1_files))),
        v1=Revision(v1_id, v1_message, v1_metrics, v1_diff, _listing(v1_files)),
        private=private, evil=evil, evil_commit=evil_commit, evil_message=EVIL_MESSAGE,
        tf_only=tf_only, torch_only=torch_only,
        public=tuple(r for r in hub.list_repos() if r != private),
        tasks=tasks, frameworks=frameworks)
