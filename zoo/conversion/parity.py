"""The parity harness: run the same inputs through a torch and a Keras model and compare.

Example:
    >>> report = compare(torch_model, keras_model)
    >>> report.passed, report.max_abs_diff
    (True, 1.4e-08)
"""

from __future__ import annotations

import dataclasses
import importlib
import importlib.metadata
from typing import Any

import numpy as np

from zoo.backends import backend_of


@dataclasses.dataclass
class Case:
    """One input through both models: the worst difference of one output."""

    input: str
    output: str
    max_abs_diff: float
    max_rel_diff: float


@dataclasses.dataclass
class ParityReport:
    """Max abs / rel difference per output, the tolerance and the inputs used."""

    model: str
    direction: str
    atol: float
    rtol: float
    inputs: str
    cases: list[Case]
    passed: bool
    versions: dict[str, str]

    @property
    def max_abs_diff(self) -> float:
        return max(c.max_abs_diff for c in self.cases)

    @property
    def max_rel_diff(self) -> float:
        return max(c.max_rel_diff for c in self.cases)

    def to_dict(self) -> dict[str, Any]:
        """The ``parity.json`` / manifest record."""
        return {
            "model": self.model,
            "direction": self.direction,
            "max_abs_diff": self.max_abs_diff,
            "max_rel_diff": self.max_rel_diff,
            "atol": self.atol,
            "rtol": self.rtol,
            "passed": self.passed,
            "inputs": self.inputs,
            "versions": self.versions,
            "cases": [dataclasses.asdict(c) for c in self.cases],
        }

    def __str__(self) -> str:
        head = f"parity {self.model} ({self.direction}), atol {self.atol:g} rtol {self.rtol:g}"
        rows = [f"{'input':<20} {'output':<12} {'max abs diff':>13} {'max rel diff':>13}"]
        rows += [
            f"{c.input:<20} {c.output:<12} {c.max_abs_diff:>13.3e} {c.max_rel_diff:>13.3e}"
            for c in self.cases
        ]
        verdict = "PASS" if self.passed else "FAIL"
        return "\n".join(
            [head, *rows, f"{verdict}: max abs diff {self.max_abs_diff:.3e} ({self.inputs})"]
        )


def versions(dists: tuple[str, ...] = ("torch", "tensorflow-cpu", "keras")) -> dict[str, str]:
    """Installed versions of ``dists`` (``tensorflow-cpu`` reported as ``tensorflow``)."""
    out = {}
    for dist in dists:
        try:
            out[dist.replace("-cpu", "")] = importlib.metadata.version(dist)
        except importlib.metadata.PackageNotFoundError:
            pass
    return out


def convert_module(config: Any) -> Any:
    """``zoo.models.<family>.convert`` of a config: the rule table, parity inputs, TOLERANCE."""
    return importlib.import_module(f"zoo.models.{config.family}.convert")


def compare(a: Any, b: Any, atol: float | None = None, rtol: float | None = None) -> ParityReport:
    """Run the family's parity inputs through ``a`` and ``b`` (any backends) and compare."""
    family = convert_module(a.config)
    given = {"atol": atol, "rtol": rtol}
    tol = {**family.TOLERANCE, **{k: v for k, v in given.items() if v is not None}}
    cases, passed = [], True
    for name, x in family.parity_inputs(a.config):
        out_a, out_b = a.run_numpy(x), b.run_numpy(x)
        for key in out_a:
            ya, yb = np.asarray(out_a[key], np.float64), np.asarray(out_b[key], np.float64)
            # a NaN on either side is the worst possible difference, not a silent NaN max
            diff = np.nan_to_num(np.abs(ya - yb), nan=np.inf)
            rel = diff / np.maximum(np.abs(yb), 1e-12)
            passed &= bool(np.all(diff <= tol["atol"] + tol["rtol"] * np.abs(yb)))
            cases.append(Case(name, key, float(diff.max()), float(rel.max())))
    return ParityReport(
        model=a.config.model_name,
        direction=f"{backend_of(a)} -> {backend_of(b)}",
        atol=tol["atol"],
        rtol=tol["rtol"],
        inputs=family.PARITY_INPUTS,
        cases=cases,
        passed=passed,
        versions=versions(),
    )
