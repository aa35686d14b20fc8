"""Recipes are data: ``training/*.toml`` validated against one schema table.

Example:
    >>> r = load_recipe("sine")
    >>> r.model_name, r.train["steps"]
    ('sine', 2000)
"""

from __future__ import annotations

import dataclasses
import difflib
import hashlib
import tomllib
from pathlib import Path
from typing import Any

from zoo.errors import RecipeError
from zoo.paths import data_dir

#: section -> key -> type; ``None`` sections are validated by the model's config / family
SCHEMA: dict[str, dict[str, type] | None] = {
    "recipe": {"name": str, "model": str, "seed": int, "description": str},
    "model": None,
    "data": None,
    "optimizer": {"name": str, "lr": float, "schedule": str, "warmup_steps": int,
                  "weight_decay": float, "momentum": float},
    "train": {"steps": int, "batch_size": int, "checkpoint_every": int, "log_every": int,
              "loss": str, "label_smoothing": float, "workers": int, "device": str,
              "mixed_precision": str},
    "evaluate": {"metric": str, "target": float, "higher_is_better": bool},
    "ci": {"steps": int, "band": dict, "data": dict},
}
REQUIRED = {
    "recipe": ("name", "model", "seed"),
    "data": ("kind",),
    "optimizer": ("name", "lr"),
    "train": ("steps", "batch_size", "loss"),
    "evaluate": ("metric", "target"),
}
CHOICES = {
    ("optimizer", "name"): ("adam", "adamw", "sgd"),
    ("optimizer", "schedule"): ("constant", "cosine"),
    ("train", "loss"): ("mse", "cross_entropy", "sequence_cross_entropy"),
    ("train", "device"): ("auto", "cpu", "cuda"),
    ("train", "mixed_precision"): ("no", "bf16", "fp16"),
}
DEFAULTS = {
    "optimizer": {"schedule": "constant", "warmup_steps": 0, "weight_decay": 0.0, "momentum": 0.9},
    "train": {"checkpoint_every": 100, "log_every": 10, "label_smoothing": 0.0, "workers": 0,
              "device": "auto", "mixed_precision": "no"},
    "evaluate": {"higher_is_better": False},
}


def _hint(word: str, allowed: list[str]) -> str:
    close = difflib.get_close_matches(word, allowed, n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def check_section(where: str, values: dict[str, Any], types: dict[str, type]) -> list[str]:
    problems = []
    for key, value in values.items():
        if key not in types:
            problems.append(
                f"unknown key [{where}] {key}{_hint(key, list(types))}; allowed: {sorted(types)}"
            )
            continue
        want = types[key]
        ok = isinstance(value, want) and not (want is int and isinstance(value, bool))
        if want is float and isinstance(value, int) and not isinstance(value, bool):
            ok = True
        if not ok:
            problems.append(f"[{where}] {key} = {value!r} must be {want.__name__}")
    return problems


def validate(raw: dict[str, Any], source: str) -> None:
    """Raise one RecipeError listing every unknown, missing or mistyped key."""
    problems = [
        f"unknown section [{s}]{_hint(s, list(SCHEMA))}; allowed: {list(SCHEMA)}"
        for s in raw
        if s not in SCHEMA
    ]
    for section, types in SCHEMA.items():
        values = raw.get(section, {})
        if not isinstance(values, dict):
            problems.append(f"[{section}] must be a table")
            continue
        if types is not None:
            problems += check_section(section, values, types)
        problems += [
            f"missing key [{section}] {k}" for k in REQUIRED.get(section, ()) if k not in values
        ]
    for (section, key), allowed in CHOICES.items():
        value = raw.get(section, {}).get(key)
        if value is not None and value not in allowed:
            problems.append(f"[{section}] {key} = {value!r} is not one of {list(allowed)}")
    if problems:
        raise RecipeError(f"invalid recipe {source}:\n  " + "\n  ".join(problems))


@dataclasses.dataclass(frozen=True)
class Recipe:
    """A validated recipe, its source text and that text's sha256."""

    raw: dict[str, Any]
    text: str
    source: str

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.text.encode()).hexdigest()

    @property
    def name(self) -> str:
        return self.raw["recipe"]["name"]

    @property
    def model_name(self) -> str:
        return self.raw["recipe"]["model"]

    @property
    def seed(self) -> int:
        return self.raw["recipe"]["seed"]

    def section(self, name: str) -> dict[str, Any]:
        """A section with its defaults filled in."""
        return {**DEFAULTS.get(name, {}), **self.raw.get(name, {})}

    @property
    def train(self) -> dict[str, Any]:
        return self.section("train")

    @property
    def optimizer(self) -> dict[str, Any]:
        return self.section("optimizer")

    @property
    def evaluate(self) -> dict[str, Any]:
        return self.section("evaluate")


def recipes_for(model: str) -> list[str]:
    """Names of the shipped recipes that train ``model``."""
    shipped = data_dir("training")
    return [p.stem for p in sorted(shipped.glob(f"{model}-*.toml"))
            if tomllib.loads(p.read_text()).get("recipe", {}).get("model") == model]


def recipe_path(name_or_path: str | Path) -> Path:
    """A recipe file: an existing path, or the name of a shipped ``training/<name>.toml``."""
    path = Path(name_or_path)
    if path.suffix == ".toml" or path.is_file():
        if not path.is_file():
            raise RecipeError(f"recipe file {path} does not exist")
        return path
    shipped = data_dir("training")
    candidate = shipped / f"{name_or_path}.toml"
    if not candidate.is_file():
        # a model name: its one shipped recipe (``zoo train cnn`` -> cnn-fashion-mnist.toml)
        for_model = recipes_for(str(name_or_path))
        if len(for_model) == 1:
            return shipped / f"{for_model[0]}.toml"
        names = sorted(p.stem for p in shipped.glob("*.toml"))
        raise RecipeError(
            f"no recipe named {name_or_path!r}{_hint(str(name_or_path), names)}; "
            f"shipped recipes: {names}, or pass a path to a .toml file"
        )
    return candidate


def parse_recipe(text: str, source: str = "<string>") -> Recipe:
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise RecipeError(f"recipe {source} is not valid TOML: {err}") from err
    validate(raw, source)
    return Recipe(raw=raw, text=text, source=source)


def with_data(recipe: Recipe, overrides: dict[str, Any]) -> Recipe:
    """The recipe with [data] keys replaced (``--data mnist --data-dir DIR``): a new recipe
    text, so the run directory records exactly what was trained and its own sha256."""
    import tomli_w

    if not overrides:
        return recipe
    raw = {**recipe.raw, "data": {**recipe.raw["data"], **overrides}}
    note = f"# {recipe.source} with [data] overrides {overrides}\n"
    return parse_recipe(note + tomli_w.dumps(raw), f"{recipe.source} (data overridden)")


def load_recipe(name_or_path: str | Path) -> Recipe:
    """Read and validate a recipe by shipped name (``"sine"``) or path."""
    path = recipe_path(name_or_path)
    return parse_recipe(path.read_text(encoding="utf-8"), str(path))
