"""Reload-and-compare: run an export's reloaded graphs on the family's parity inputs and
compare with the live model, under the family's parity tolerance.

Example:
    >>> examples = signatures.examples(model, "torch")
    >>> report = compare(runners, examples, model, "onnx", "torch", out="out/sine-onnx")
    >>> report.passed, report.max_abs_diff
    (True, 2.4e-07)
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from zoo.conversion.parity import convert_module, versions
from zoo.errors import ZooError
from zoo.export import signatures
from zoo.hub.atomic import write_text_atomic

#: graph inputs (by name) -> outputs (by name), numpy in and out
Runner = Callable[[dict[str, np.ndarray]], dict[str, np.ndarray]]
#: distributions whose versions an export records, when installed
VERSIONED = ("zoo", "torch", "torchvision", "tensorflow-cpu", "tensorflow", "keras", "onnx",
             "onnxruntime", "onnxscript", "numpy")


class ExportError(ZooError):
    """A format that does not apply to a family, or an exporter that failed."""


class ExportCheckError(ExportError):
    """The reloaded export does not reproduce the live model; ``report`` says where."""

    def __init__(self, message: str, report: ExportReport) -> None:
        super().__init__(message)
        self.report = report


@dataclasses.dataclass
class Case:
    """The worst difference of one output of one graph over one named parity input."""

    graph: str
    input: str
    output: str
    max_abs_diff: float
    passed: bool


@dataclasses.dataclass
class ExportReport:
    """What ``export.json`` records under ``check``, plus where the export is."""

    model: str
    format: str
    backend: str
    out: str
    atol: float
    rtol: float
    inputs: str
    cases: list[Case]
    passed: bool
    versions: dict[str, str]
    error: str | None = None

    @property
    def max_abs_diff(self) -> float:
        return max((c.max_abs_diff for c in self.cases), default=float("inf"))

    def to_dict(self) -> dict[str, Any]:
        return {"passed": self.passed, "max_abs_diff": self.max_abs_diff, "atol": self.atol,
                "rtol": self.rtol, "inputs": self.inputs, "error": self.error,
                "cases": [dataclasses.asdict(c) for c in self.cases]}

    def __str__(self) -> str:
        head = (f"export check {self.model} -> {self.format} ({self.backend}), "
                f"atol {self.atol:g} rtol {self.rtol:g}")
        rows = [f"{'graph':<13} {'input':<28} {'output':<11} {'max abs diff':>12}  ok"]
        rows += [f"{c.graph:<13} {c.input:<28} {c.output:<11} {c.max_abs_diff:>12.3e}  "
                 f"{'yes' if c.passed else 'NO'}" for c in self.cases]
        if self.error:
            rows.append(f"error: {self.error}")
        verdict = "PASS" if self.passed else "FAIL"
        versions = ", ".join(f"{k} {v}" for k, v in self.versions.items())
        return "\n".join([head, *rows, f"{verdict}: max abs diff {self.max_abs_diff:.3e} "
                                       f"({self.inputs}) in {self.out}", f"versions: {versions}"])


def tolerance(config: Any) -> dict[str, float]:
    """The family's parity tolerance (``zoo.models.<family>.convert.TOLERANCE``)."""
    return dict(convert_module(config).TOLERANCE)


def _diff(got: Any, want: np.ndarray, tol: dict[str, float]) -> tuple[float, bool]:
    """Worst |got - want| and whether all elements are within atol + rtol * |want|; a
    missing output, another shape or a NaN is the worst difference."""
    if got is None or np.shape(got) != np.shape(want):
        return float("inf"), False
    a, b = np.asarray(got, np.float64), np.asarray(want, np.float64)
    diff = np.nan_to_num(np.abs(a - b), nan=np.inf)
    passed = bool(np.all(diff <= tol["atol"] + tol["rtol"] * np.abs(b)))
    return (float(diff.max()) if diff.size else 0.0), passed


def compare(runners: dict[str, Runner] | None, examples: list[signatures.Example], model: Any,
            fmt: str, backend: str, out: Path | str, error: str | None = None) -> ExportReport:
    """Run every example through its reloaded graph; cases of the same (graph, input,
    output) keep the worst difference. ``runners=None`` (reloading failed) fails."""
    config = model.config
    tol = tolerance(config)
    worst: dict[tuple[str, str, str], Case] = {}
    for ex in examples if runners is not None else ():
        try:
            got = runners[ex.graph](ex.feeds)
        except Exception as err:  # noqa: BLE001  (a graph that does not run fails the check)
            error = error or f"graph {ex.graph!r} failed on {ex.case!r}: {err}"
            got = {}
        for key, want in ex.expected.items():
            diff, ok = _diff(got.get(key), want, tol)
            case = worst.setdefault((ex.graph, ex.case, key), Case(ex.graph, ex.case, key, 0.0,
                                                                    True))
            case.max_abs_diff, case.passed = max(case.max_abs_diff, diff), case.passed and ok
    cases = list(worst.values())
    passed = error is None and bool(cases) and all(c.passed for c in cases)
    return ExportReport(model=config.model_name, format=fmt, backend=backend, out=str(out),
                        atol=tol["atol"], rtol=tol["rtol"],
                        inputs=convert_module(config).PARITY_INPUTS, cases=cases,
                        passed=passed, versions=versions(VERSIONED), error=error)


def read_metadata(out: Path) -> dict[str, Any]:
    path = Path(out) / "export.json"
    if not path.is_file():
        raise ExportError(f"{out} has no export.json; it was not written by zoo export")
    return json.loads(path.read_text(encoding="utf-8"))


def write_metadata(out: Path, metadata: dict[str, Any]) -> Path:
    path = Path(out) / "export.json"
    write_text_atomic(path, json.dumps(metadata, indent=2, sort_keys=True, default=str) + "\n")
    return path
