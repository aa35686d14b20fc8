"""The rule engine: one table of rows drives both conversion directions, strictly.

Every source key must be used exactly once, every target key filled exactly once and every
converted shape must equal the target's; otherwise one ConversionError lists everything.

Example:
    >>> from zoo.conversion import ops
    >>> rules = [Rule("head.weight", "m/head/kernel", ops.transpose)]
    >>> import numpy as np
    >>> torch_to_keras(rules, {"head.weight": np.zeros((1, 4))})["m/head/kernel"].shape
    (4, 1)
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Mapping, Sequence

import numpy as np

from zoo.conversion.ops import Op
from zoo.errors import ConversionError


@dataclasses.dataclass(frozen=True)
class Rule:
    """One Keras variable and the torch tensor(s) it is made from."""

    torch: str | tuple[str, ...]
    keras: str
    op: Op

    @property
    def torch_keys(self) -> tuple[str, ...]:
        return (self.torch,) if isinstance(self.torch, str) else tuple(self.torch)

    def __post_init__(self) -> None:
        if len(self.torch_keys) != self.op.arity:
            raise ConversionError(
                f"rule for {self.keras!r}: op {self.op.name} takes {self.op.arity} torch "
                f"tensor(s), the rule names {len(self.torch_keys)}"
            )


def _check_table(rules: Sequence[Rule]) -> None:
    torch_dups = [k for k, n in Counter(k for r in rules for k in r.torch_keys).items() if n > 1]
    keras_dups = [k for k, n in Counter(r.keras for r in rules).items() if n > 1]
    if torch_dups or keras_dups:
        raise ConversionError(
            f"rule table names keys more than once: torch {torch_dups}, keras {keras_dups}"
        )


def _check_keys(kind: str, wanted: list[str], given: Mapping[str, np.ndarray]) -> list[str]:
    missing = [k for k in wanted if k not in given]
    unexpected = [k for k in given if k not in set(wanted)]
    problems = []
    if missing:
        problems.append(f"{kind} keys the rules need but the weights lack: {missing}")
    if unexpected:
        problems.append(f"{kind} keys in the weights that no rule uses: {unexpected}")
    return problems


def _check_shapes(
    out: dict[str, np.ndarray], expected: Mapping[str, tuple[int, ...]] | None, kind: str
) -> list[str]:
    if expected is None:
        return []
    problems = _check_keys(f"target {kind}", list(expected), out)
    for key, shape in expected.items():
        if key in out and tuple(out[key].shape) != tuple(shape):
            problems.append(
                f"{kind} {key!r}: converted shape {tuple(out[key].shape)} != model's {shape}"
            )
    return problems


def _raise(direction: str, problems: list[str]) -> None:
    if problems:
        raise ConversionError(f"{direction} conversion failed:\n  " + "\n  ".join(problems))


def torch_to_keras(
    rules: Sequence[Rule],
    state: Mapping[str, np.ndarray],
    expected: Mapping[str, tuple[int, ...]] | None = None,
) -> dict[str, np.ndarray]:
    """Torch state dict (numpy) -> Keras variables by path; ``expected`` = target shapes."""
    _check_table(rules)
    _raise("torch -> keras", _check_keys("torch", [k for r in rules for k in r.torch_keys], state))
    out = {
        r.keras: np.asarray(r.op.to_keras(*(state[k] for k in r.torch_keys)), order="C")
        for r in rules
    }
    _raise("torch -> keras", _check_shapes(out, expected, "keras"))
    return out


def keras_to_torch(
    rules: Sequence[Rule],
    weights: Mapping[str, np.ndarray],
    expected: Mapping[str, tuple[int, ...]] | None = None,
) -> dict[str, np.ndarray]:
    """Keras variables by path -> torch state dict (numpy); ``expected`` = target shapes."""
    _check_table(rules)
    _raise("keras -> torch", _check_keys("keras", [r.keras for r in rules], weights))
    out: dict[str, np.ndarray] = {}
    for r in rules:
        arrays = r.op.to_torch(weights[r.keras])
        out.update({k: np.asarray(a, order="C") for k, a in zip(r.torch_keys, arrays, strict=True)})
    _raise("keras -> torch", _check_shapes(out, expected, "torch"))
    return out
