"""``zoo.train`` and ``zoo.reproduce``: run a recipe into a run directory and judge it.

A run directory holds ``run.json``, ``recipe.toml``, ``metrics.csv``, ``metrics.json``,
``checkpoints/``, ``tensorboard/``, ``plots/*.png`` and the final ``config.json`` +
weights, so ``zoo.load(run_dir)`` and ``zoo.publish(run_dir)`` work on it directly.
"""

from __future__ import annotations

import dataclasses
import functools
import importlib
import json
import time
from contextlib import nullcontext
from pathlib import Path
from typing import Any

from zoo import registry
from zoo.backends import check_backend
from zoo.errors import ConfigError, RecipeError, ZooError
from zoo.hub.atomic import write_text_atomic
from zoo.training.cluster import check_global_batch, detect
from zoo.training.recipe import Recipe, check_section, load_recipe, with_data

#: backend -> the module with its ``Trainer`` and ``seed_everything``
LOOPS = {"torch": "zoo.training.loop_pt", "tf": "zoo.training.loop_tf"}
#: backend -> its multi-process glue (setup, agree, barrier, scope, teardown)
DISTRIBUTED = {"torch": "zoo.training.dist_pt", "tf": "zoo.training.dist_tf"}


def family_training(recipe: Recipe) -> Any:
    """The ``zoo.models.<family>.training`` module a recipe's model belongs to."""
    try:
        e = registry.entry(recipe.model_name)
    except ZooError as err:
        raise RecipeError(f"recipe {recipe.source}: [recipe] model: {err}") from None
    return importlib.import_module(e.module("training"))


def check_family_sections(recipe: Recipe, family: Any) -> None:
    """[data] against the family's data schema, [model] against its config class."""
    data = data_section(recipe, ci=True)
    kinds = family.DATA_SCHEMA
    if data["kind"] not in kinds:
        raise RecipeError(f"recipe {recipe.source}: [data] kind = {data['kind']!r} is not one "
                          f"of {list(kinds)}")
    problems = check_section("data", data, kinds[data["kind"]])
    if problems:
        raise RecipeError(f"invalid recipe {recipe.source}:\n  " + "\n  ".join(problems))
    try:
        registry.default_config(recipe.model_name).replace(**recipe.raw.get("model", {}))
    except ConfigError as err:
        raise RecipeError(f"recipe {recipe.source}: [model] {err}") from None


def data_section(recipe: Recipe, ci: bool) -> dict[str, Any]:
    """[data], with the [ci] data overrides (a slice of the dataset) for a CI run."""
    extra = recipe.raw.get("ci", {}).get("data", {}) if ci else {}
    return {**recipe.raw["data"], **extra}


def judge(recipe: Recipe, metrics: dict[str, float], ci: bool) -> dict[str, Any]:
    """Did the run reach the recipe's target (or, for a CI run, land in its band)?"""
    name = recipe.evaluate["metric"]
    value = metrics[name]
    if ci:
        low, high = recipe.raw["ci"]["band"][name]
        return {"metric": name, "value": value, "band": [low, high],
                "passed": low <= value <= high}
    target = recipe.evaluate["target"]
    better = recipe.evaluate["higher_is_better"]
    return {"metric": name, "value": value, "target": target,
            "passed": value >= target if better else value <= target}


def _default_dir(recipe: Recipe, backend: str) -> Path:
    return Path("runs") / f"{recipe.name}-{backend}-{time.strftime('%Y%m%d-%H%M%S')}"


def _start_run(run_dir: Path, recipe: Recipe, backend: str, steps: int, resume: bool,
               ci: bool, world: int | None = None) -> None:
    info_path = run_dir / "run.json"
    if resume:
        if not info_path.is_file():
            raise ZooError(f"cannot resume: {run_dir} is not a run directory (no run.json)")
        info = json.loads(info_path.read_text())
        mine = {"recipe_sha256": recipe.sha256, "backend": backend, "steps": steps}
        clash = {k: (info.get(k), v) for k, v in mine.items() if info.get(k) != v}
        if clash:
            raise ZooError(f"cannot resume {run_dir}: it was started with different settings "
                           f"(run.json vs now): {clash}")
        return
    if run_dir.exists() and any(run_dir.iterdir()):
        raise ZooError(f"run directory {run_dir} is not empty; pass resume=True (--resume) to "
                       "continue it or choose another directory")
    run_dir.mkdir(parents=True, exist_ok=True)
    write_text_atomic(run_dir / "recipe.toml", recipe.text)
    write_text_atomic(run_dir / "run.json", json.dumps({
        "model": recipe.model_name, "recipe": recipe.name, "recipe_sha256": recipe.sha256,
        "backend": backend, "steps": steps, "seed": recipe.seed, "ci": ci,
        "started": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        **({"processes": world} if world else {}),
    }, indent=2))


def train(
    recipe: str | Path | Recipe,
    backend: str = "torch",
    out: str | Path | None = None,
    resume: bool = False,
    steps: int | None = None,
    ci: bool = False,
    progress: bool = True,
    data: dict[str, Any] | None = None,
) -> Path:
    """Run a recipe (shipped name, path or Recipe) with one backend; returns the run directory.

    Under ``torchrun`` (torch) or with ``TF_CONFIG`` (TF) every process runs this: each
    trains on its share of every global batch, rank 0 alone writes the run directory.

    Example:
        >>> run_dir = zoo.train("sine", backend="tf", ci=True)
        >>> zoo.load(run_dir, backend="tf").forecast([0.1, 0.2, 0.3, 0.4, 0.5], 3)
    """
    from zoo import weights
    from zoo.assets import attach, save_assets
    from zoo.factory import build
    from zoo.training import engine
    from zoo.training.plots import plot_curves

    backend = check_backend(backend)
    recipe = recipe if isinstance(recipe, Recipe) else load_recipe(recipe)
    recipe = with_data(recipe, data or {})
    family = family_training(recipe)
    check_family_sections(recipe, family)
    total = steps or (recipe.raw["ci"]["steps"] if ci else recipe.train["steps"])
    cluster = detect(backend)
    glue = importlib.import_module(DISTRIBUTED[backend]) if cluster.distributed else None
    if glue is not None:
        check_global_batch(recipe.train["batch_size"], cluster)
        glue.setup(cluster)  # before any other framework op (MultiWorkerMirroredStrategy)
        out = glue.agree(out, lambda: str(_default_dir(recipe, backend)))
    run_dir = Path(out) if out else _default_dir(recipe, backend)
    if cluster.chief:
        _start_run(run_dir, recipe, backend, total, resume, ci,
                   world=cluster.world if cluster.distributed else None)
    if glue is not None:
        glue.barrier()  # the others start once the chief has checked and set up the run

    data = family.make_data(data_section(recipe, ci))
    overrides = {**recipe.raw.get("model", {}), **family.config_overrides(data)}
    config = registry.default_config(recipe.model_name).replace(**overrides)
    loop = importlib.import_module(LOOPS[backend])
    loop.seed_everything(recipe.seed)
    with loop.precision_scope(recipe.train), glue.scope() if glue is not None else nullcontext():
        model = build(config, backend)  # the same initial weights on every rank (seeded)
    attach(model, getattr(family, "assets", lambda data: {})(data))  # vocabularies
    x, y = family.training_arrays(data, config)
    augment = getattr(family, "augment", None)
    batches = engine.batch_source(x, y, recipe, functools.partial(augment, data) if augment
                                  else None)
    trainer = loop.Trainer(model, recipe, run_dir, cluster)
    started = time.perf_counter()
    resumed_from = engine.fit(trainer, batches, recipe, run_dir, total, resume, progress)
    seconds = time.perf_counter() - started
    model = trainer.finish()
    if glue is not None:
        glue.barrier()
        glue.teardown()
    if not cluster.chief:
        return run_dir

    metrics = family.evaluate(model, data)
    verdict = judge(recipe, metrics, ci)
    write_text_atomic(run_dir / "metrics.json", json.dumps({
        "backend": backend, backend: metrics, "verdict": verdict, "ci": ci,
        "train_seconds": round(seconds, 3), "resumed_from_step": resumed_from,
        "processes": cluster.world,
    }, indent=2))
    (run_dir / "plots").mkdir(exist_ok=True)
    family.plot(model, data, run_dir / "plots")
    plot_curves(run_dir / "metrics.csv", run_dir / "plots" / "loss.png", title=recipe.name)
    weights.save(model, run_dir / weights.WEIGHT_FILES[backend])
    save_assets(model, run_dir)
    write_text_atomic(run_dir / "config.json", config.to_json())
    return run_dir


@dataclasses.dataclass
class Reproduction:
    """A re-run of a published weight's recipe next to the numbers recorded for it."""

    model: str
    weights: str
    backend: str
    run_dir: Path
    metric: str
    recorded: float | None
    measured: float
    verdict: dict[str, Any]

    @property
    def passed(self) -> bool:
        return bool(self.verdict["passed"])

    def __str__(self) -> str:
        rec = "n/a" if self.recorded is None else f"{self.recorded:.6g}"
        return (f"reproduce {self.model}:{self.weights} ({self.backend}): {self.metric} "
                f"measured {self.measured:.6g}, recorded {rec}; "
                f"{'PASS' if self.passed else 'FAIL'} {self.verdict} -> {self.run_dir}")


def reproduce(
    name: str,
    backend: str = "torch",
    weights: str | None = None,
    ci: bool = False,
    out: str | Path | None = None,
    progress: bool = True,
) -> Reproduction:
    """Re-run the recipe that produced the published weights; compare with the record.

    ``name`` is a model with published weights (its recipe is the one pinned in the
    manifest, whose sha256 must match the shipped file), or the name of a shipped recipe
    whose weights are not on this machine yet (``resnet18-fashion-mnist``: too large for
    the bundled hub): that run is trained, judged against the recipe's target and, when it
    reaches it, published to the local hub with a user manifest entry, so
    ``zoo.load("resnet18:fashion-mnist")`` works afterwards.
    """
    from zoo.hub import manifest
    from zoo.training.recipe import recipe_path

    backend = check_backend(backend)
    if name not in registry.MODELS:
        return _reproduce_recipe(name, backend, ci, out, progress)
    entry = manifest.find(name, weights)
    recipe = load_recipe(recipe_path(manifest.recipe_file(entry)))
    if recipe.sha256 != entry.recipe_sha256:
        raise RecipeError(
            f"recipe {recipe.source} has sha256 {recipe.sha256[:12]}..., but {entry.ref} was "
            f"trained with {entry.recipe_sha256[:12]}...; the file changed since publication"
        )
    run_dir = train(recipe, backend=backend, out=out, ci=ci, progress=progress)
    measured = json.loads((run_dir / "metrics.json").read_text())
    metric = recipe.evaluate["metric"]
    recorded = entry.metrics.get(backend, {}).get(metric)
    return Reproduction(name, entry.tag, backend, run_dir, metric, recorded,
                        measured[backend][metric], measured["verdict"])


def recipe_tag(recipe: Recipe) -> str:
    """The weights tag a recipe publishes: its name without the model prefix."""
    prefix = f"{recipe.model_name}-"
    return recipe.name[len(prefix):] if recipe.name.startswith(prefix) else recipe.name


def _reproduce_recipe(name: str, backend: str, ci: bool, out: str | Path | None,
                      progress: bool) -> Reproduction:
    """Train a shipped recipe; publish it to the local hub if it reaches its target."""
    from zoo.hub.manifest import load_all
    from zoo.paths import user_manifest_dir
    from zoo.publishing import publish

    recipe = load_recipe(name)
    tag = recipe_tag(recipe)
    existing = load_all().get((recipe.model_name, tag))
    recorded = None
    if existing is not None:
        recorded = existing.metrics.get(backend, {}).get(recipe.evaluate["metric"])
    run_dir = train(recipe, backend=backend, out=out, ci=ci, progress=progress)
    measured = json.loads((run_dir / "metrics.json").read_text())
    metric = recipe.evaluate["metric"]
    result = Reproduction(recipe.model_name, tag, backend, run_dir, metric, recorded,
                          measured[backend][metric], measured["verdict"])
    if result.passed and not ci and existing is None:
        print(publish(run_dir, repo=f"zoo/{recipe.model_name}", tag=tag,
                      manifest_file=user_manifest_dir() / f"{recipe.model_name}.toml"))
    return result
