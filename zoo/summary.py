"""``model.summary()`` for both backends with the same layer names: the torch module paths.

A row per parameterised torch module / Keras layer, named by the torch module its weights
belong to (Keras variables are mapped back through the family's conversion rule table), plus
rows for parameter-free modules / layers under their own names. Parameters are learnable
tensors only: BatchNorm statistics (torch buffers, Keras non-trainable variables) are not
counted, as in ``zoo.weights.*.num_params``. ``summary_pt`` / ``summary_tf`` do the work; this
module imports neither framework (nor numpy: ``import zoo`` stays light).

Example:
    >>> print(zoo.summary("seq2seq", backend="tf"))   # doctest: +SKIP
    >>> zoo.summary("sine").total_params, zoo.summary("sine", "tf").total_params
    (531, 491)
"""

from __future__ import annotations

import dataclasses
import importlib
import sys
import types
from typing import Any

from zoo.backends import OTHER, backend_of, check_backend
from zoo.errors import ZooError

#: why a conversion op gives the two backends different parameter counts
OP_REASONS = {"sum_biases": "torch keeps bias_ih and bias_hh, Keras one summed bias"}
#: family -> each backend's image layout (families not listed use the same layout in both)
LAYOUTS = {f: {"torch": "NCHW", "tf": "NHWC"} for f in ("cnn", "resnet")}
#: seq2seq example: source and target ids per row
SEQ2SEQ_LENGTHS = (7, 5)


@dataclasses.dataclass
class Row:
    """One module / layer: ``output_shape`` is a tuple, a list of tuples (several outputs) or
    None (never called); ``calls`` counts the calls in the example forward pass."""

    name: str
    kind: str
    output_shape: Any = None
    params: int = 0
    calls: int = 0
    note: str = ""


@dataclasses.dataclass
class Summary:
    """Rows in call order, totals, and the example input / final output shapes."""

    model: str
    backend: str
    rows: list[Row]
    total_params: int
    trainable_params: int
    input_shape: Any = None
    output_shape: Any = None
    layout: str = ""

    @property
    def param_rows(self) -> dict[str, Row]:
        """Rows that hold parameters, by name."""
        return {r.name: r for r in self.rows if r.params}

    def row(self, name: str) -> Row:
        for r in self.rows:
            if r.name == name:
                return r
        raise KeyError(f"no row {name!r} in the {self.backend} summary of {self.model}")

    def __str__(self) -> str:
        head = ["Layer (type)", "Output shape", "Param #", "Calls", "Note"]
        body = [[f"{r.name} ({r.kind})", format_shape(r.output_shape), f"{r.params:,}",
                 str(r.calls), r.note] for r in self.rows]
        widths = [max(len(line[i]) for line in [head, *body]) for i in range(4)]

        def line(cells: list[str]) -> str:
            text = [cells[0].ljust(widths[0]), cells[1].ljust(widths[1]),
                    cells[2].rjust(widths[2]), cells[3].rjust(widths[3]), cells[4]]
            return "  ".join(text).rstrip()

        rule = "=" * max(len(line(cells)) for cells in [head, *body])
        layout = (f"{self.layout} ({self.backend} layout)" if self.layout
                  else "batch first (no layout difference between the backends)")
        return "\n".join([
            f'Model: "{self.model}" ({self.backend})  input {format_shape(self.input_shape)}'
            f"  ->  output {format_shape(self.output_shape)}",
            f"Layer names: torch module paths in both backends. Shapes: {layout}.",
            rule, line(head), rule, *(line(cells) for cells in body), rule,
            f"Total params: {self.total_params:,}",
            f"Trainable params: {self.trainable_params:,}",
            f"Non-trainable params: {self.total_params - self.trainable_params:,}",
        ])


def format_shape(shape: Any) -> str:
    if shape is None:
        return "-"
    if isinstance(shape, list):
        return ", ".join(format_shape(s) for s in shape)
    return "(" + ", ".join("?" if d is None else str(d) for d in shape) + ")"


def rule_module(rule: Any) -> str:
    """The torch module of a rule's tensors: ``layer2.0.bn1.weight`` -> ``layer2.0.bn1``."""
    modules = {key.rpartition(".")[0] for key in rule.torch_keys}
    if len(modules) != 1:
        raise ZooError(f"rule for {rule.keras!r} spans torch modules {sorted(modules)}")
    return modules.pop()


def counterparts(rules: list, source: str, shapes: dict[str, tuple[int, ...]]
                 ) -> dict[str, tuple[int, str]]:
    """Parameter key of ``source`` -> (parameters the other backend holds for it, op name).

    The rule's op runs on zero-stride zero arrays of this backend's shapes, so the count is
    exact for any op (a rule with two torch keys credits its first key). Rules whose keys are
    not in ``shapes`` (buffers, non-trainable variables) are skipped.
    """
    import numpy as np

    out: dict[str, tuple[int, str]] = {}
    for rule in rules:
        keys = rule.torch_keys if source == "torch" else (rule.keras,)
        if not all(k in shapes for k in keys):
            continue
        zeros = [np.broadcast_to(np.float32(0), shapes[k]) for k in keys]
        if source == "torch":
            size = np.size(rule.op.to_keras(*zeros))
        else:
            size = sum(np.size(a) for a in rule.op.to_torch(zeros[0]))
        out.update({k: (int(size) if i == 0 else 0, rule.op.name) for i, k in enumerate(keys)})
    return out


def difference_note(source: str, params: int, parts: list[tuple[int, str]]) -> str:
    """The note of a row whose parameter count differs in the other backend, else ''."""
    other = sum(n for n, _ in parts)
    if not parts or other == params:
        return ""
    reasons = sorted({OP_REASONS[op] for _, op in parts if op in OP_REASONS})
    return f"{OTHER[source]}: {other:,}" + (f" ({'; '.join(reasons)})" if reasons else "")


def example_input(config: Any, backend: str) -> tuple:
    """The family's default forward-pass arguments (numpy) in ``backend``'s layout, batch 1."""
    import numpy as np

    rng = np.random.default_rng(0)
    family = config.family
    if family in LAYOUTS:
        shape = (1, config.image_size, config.image_size, config.channels)
        x = rng.standard_normal(shape).astype(np.float32)
        return (np.ascontiguousarray(x.transpose(0, 3, 1, 2)) if backend == "torch" else x,)
    if family == "sine":
        return (rng.standard_normal((1, config.window, 1)).astype(np.float32),)
    if family == "seq2seq":
        from zoo.data.text import END, START

        (s, t), lo = SEQ2SEQ_LENGTHS, END + 1
        src = rng.integers(lo, config.src_vocab_size, (1, s))
        tgt = rng.integers(lo, config.tgt_vocab_size, (1, t))
        src[:, -1], tgt[:, 0] = END, START
        return (src.astype(np.int64), tgt.astype(np.int64))
    raise ZooError(f"no example input for model family {family!r}: pass input=...")


def model_name(model: Any) -> str:
    config = getattr(model, "config", None)
    return config.model_name if config is not None else type(model).__name__


def rules_of(model: Any) -> list:
    """The family's rule table, or [] for a model without a zoo config."""
    from zoo.factory import rules_for

    return rules_for(model.config) if hasattr(model, "config") else []


def layout_of(model: Any, backend: str) -> str:
    config = getattr(model, "config", None)
    return LAYOUTS.get(getattr(config, "family", ""), {}).get(backend, "")


def arguments(model: Any, backend: str, input: Any) -> tuple:
    """``input`` (one array or a tuple of arrays, in the backend's layout) or the example."""
    if input is None:
        if not hasattr(model, "config"):
            raise ZooError("a model without a zoo config needs input=...")
        return example_input(model.config, backend)
    return tuple(input) if isinstance(input, (tuple, list)) else (input,)


def summarize(model: Any, input: Any = None) -> Summary:
    """The summary of a native model (``input``: the forward pass's argument(s), default the
    family's example in the model's own layout)."""
    backend = backend_of(model)
    impl = importlib.import_module({"torch": "zoo.summary_pt", "tf": "zoo.summary_tf"}[backend])
    return impl.summarize(model, input)


def summary(name_or_model: Any, backend: str | None = None, input: Any = None,
            **config_overrides: Any) -> Summary:
    """Summary of a registered model (built untrained in ``backend``, default torch) or of a
    native model (its own backend; ``backend`` must then match).

    Example:
        >>> zoo.summary("resnet18", backend="tf", image_size=64).total_params
        11689512
    """
    if isinstance(name_or_model, str):
        from zoo.factory import create

        model = create(name_or_model, backend=backend or "torch", **config_overrides)
    else:
        model = name_or_model
        if config_overrides:
            raise ZooError("config overrides need a model name, not a built model")
        if backend is not None and check_backend(backend) != backend_of(model):
            raise ZooError(f"the model is a {backend_of(model)} model, not {backend}; "
                           "zoo.convert(model, to=...) first")
    return summarize(model, input)


class _CallableModule(types.ModuleType):
    """``zoo.summary(...)`` keeps working once this module replaces the package attribute."""

    def __call__(self, *args: Any, **kwargs: Any) -> Summary:
        return summary(*args, **kwargs)


# importing the submodule ``zoo.summary`` sets the attribute ``zoo.summary`` to the module,
# shadowing a lazy ``zoo.summary`` function in zoo/__init__.py after its first call
sys.modules[__name__].__class__ = _CallableModule
