"""The export formats as one table: format -> backend, exporter, reloader, files, extras.

An exporter is ``save(model, graphs, feeds, out) -> {graph: file}`` (``feeds``: per graph the
example inputs to trace with) and a reloader ``load(out, graphs, files) -> {graph: Runner}``;
both live in ``tf_exports`` / ``torch_exports`` / ``onnx_exports``, named here as strings, so
reading the table imports no framework.

Example:
    >>> FORMATS["onnx"].backend
    'torch'
"""

from __future__ import annotations

import dataclasses
import importlib
from typing import Any

from zoo.backends import require
from zoo.errors import BackendNotInstalledError, ZooError


@dataclasses.dataclass(frozen=True)
class Format:
    name: str
    backend: str
    exporter: str  # "module:function"
    reloader: str  # "module:function"
    files: str  # what the export directory holds
    #: (module, pip extra) imported before exporting, besides the backend's framework
    requires: tuple[tuple[str, str], ...] = ()

    def function(self, which: str) -> Any:
        module, _, name = getattr(self, which).partition(":")
        return getattr(importlib.import_module(module), name)


TF, TORCH, ONNX = "zoo.export.tf_exports", "zoo.export.torch_exports", "zoo.export.onnx_exports"
FORMATS: dict[str, Format] = {f.name: f for f in (
    Format("savedmodel", "tf", f"{TF}:save_savedmodel", f"{TF}:load_savedmodel",
           "saved_model/ (signatures: serving_default, or encoder + decoder_step)"),
    Format("keras", "tf", f"{TF}:save_keras", f"{TF}:load_keras",
           "model.keras, or encoder.keras + decoder_step.keras (functional graphs of built-in "
           "Keras layers: keras.models.load_model needs no zoo)"),
    Format("torchscript", "torch", f"{TORCH}:save_torchscript", f"{TORCH}:load_torchscript",
           "model.pt, or encoder.pt + decoder_step.pt (torch.jit.trace; torch.jit.load)"),
    Format("pt2", "torch", f"{TORCH}:save_pt2", f"{TORCH}:load_pt2",
           "model.pt2, or encoder.pt2 + decoder_step.pt2 (torch.export ExportedProgram; "
           "torch.export.load(...).module())"),
    Format("onnx", "torch", f"{ONNX}:save_onnx", f"{ONNX}:load_onnx",
           "model.onnx, or encoder.onnx + decoder_step.onnx (torch.onnx.export, checked by "
           "onnx.checker, run by onnxruntime)",
           requires=(("onnx", "onnx"), ("onnxscript", "onnx"), ("onnxruntime", "onnx"))),
)}


def get(name: str) -> Format:
    try:
        return FORMATS[name]
    except KeyError:
        raise ZooError(f"unknown export format {name!r}; use one of {', '.join(FORMATS)}") from None


def names(backend: str | None = None) -> list[str]:
    return [f.name for f in FORMATS.values() if backend in (None, f.backend)]


def require_format(fmt: Format) -> None:
    """Import the backend's framework and the format's packages, or raise naming the extra."""
    require(fmt.backend)
    for module, extra in fmt.requires:
        try:
            importlib.import_module(module)
        except ImportError as err:
            raise BackendNotInstalledError(
                f"the {fmt.name} export format needs {module}, which is not installed ({err}). "
                f"Install it with: pip install 'zoo[{extra}]'") from err
