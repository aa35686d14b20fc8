"""ONNX exports: ``torch.onnx.export`` (the torch.export-based exporter, which needs
onnxscript), checked by ``onnx.checker`` and reloaded in onnxruntime.

Example:
    >>> files = save_onnx(model, graphs, feeds, Path("out"))   # {"model": "model.onnx"}
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort
import torch
from torch import nn

from zoo.export.check import Runner
from zoo.export.signatures import Graph
from zoo.export.torch_exports import dynamic_shapes_of, export_each_graph, rnn_while_loops


def _onnx(module: nn.Module, graph: Graph, args: tuple, path: Path) -> None:
    with rnn_while_loops(module):  # the exporter's own use of them has the stale cache
        program = torch.onnx.export(
            module, args, dynamo=True, verbose=False, input_names=[s.name for s in graph.inputs],
            output_names=[s.name for s in graph.outputs],
            dynamic_shapes=dynamic_shapes_of(graph, str))  # str: a named dynamic axis
    program.save(str(path))
    _name_output_axes(path, graph)


def _name_output_axes(path: Path, graph: Graph) -> None:
    """Give the outputs the declared axis names and drop the intermediate shape notes: the
    exporter can leave the example's size on a dynamic axis there (the GRU's sequence
    length), and onnxruntime then warns on every other size. The computation is dynamic."""
    proto = onnx.load(str(path))
    del proto.graph.value_info[:]
    specs = {s.name: s for s in graph.outputs}
    for value in proto.graph.output:
        dims = value.type.tensor_type.shape.dim
        for dim, want in zip(dims, specs[value.name].shape, strict=True):
            if isinstance(want, str):
                dim.dim_param = want  # the oneof: clears dim_value
    onnx.save(proto, str(path))


def save_onnx(model, graphs, feeds, out: Path) -> dict[str, str]:
    files = export_each_graph(model, graphs, feeds, out, ".onnx", _onnx)
    for name in files.values():
        onnx.checker.check_model(str(out / name), full_check=True)
    return files


def load_onnx(out: Path, graphs: dict[str, Graph], files: dict[str, str]) -> dict[str, Runner]:
    runners = {}
    for name, graph in graphs.items():
        path = str(out / files[name])
        onnx.checker.check_model(path, full_check=True)
        session = ort.InferenceSession(path, providers=["CPUExecutionProvider"])
        outputs = [s.name for s in graph.outputs]

        def run(feeds, session=session, graph=graph, outputs=outputs):
            values = session.run(outputs, {s.name: np.ascontiguousarray(feeds[s.name])
                                           for s in graph.inputs})
            return dict(zip(outputs, values, strict=True))
        runners[name] = run
    return runners
