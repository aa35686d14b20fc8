"""PyTorch exports: TorchScript (``torch.jit.trace``) and ``torch.export`` (.pt2), each with
its reloader, and the graph modules and helpers ``onnx_exports`` shares.

Every graph is an ``nn.Module`` taking the graph's inputs positionally and returning its
outputs as a tuple (``GRAPHS``). The seq2seq encoder is rewritten without
``pack_padded_sequence`` (which no exporter takes): sources are right-padded and the GRU is
causal, so running it over the pads changes no real position; pad positions of the memory
are zeroed and the final state is read at each row's last real token, as packing gives.
"""

from __future__ import annotations

import contextlib
import logging
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn

from zoo.data.text import PAD
from zoo.export.check import ExportError, Runner
from zoo.export.signatures import Graph


class Forward(nn.Module):
    """A one-graph family: the model's own ``forward``."""

    def __init__(self, model: nn.Module) -> None:
        super().__init__()
        self.model = model

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor]:
        return (self.model(x),)


class Seq2SeqEncoder(nn.Module):
    """``model.encode`` without packing: (memory, keys, mask, state)."""

    def __init__(self, model: nn.Module) -> None:
        super().__init__()
        self.model = model

    def forward(self, src: torch.Tensor) -> tuple[torch.Tensor, ...]:
        m = self.model
        mask = src != PAD
        lengths = mask.sum(dim=1).clamp(min=1)  # as encode: an all-pad row reads one step
        positions = torch.arange(src.shape[1], device=src.device)[None]
        out, _ = m.encoder(m.enc_emb(src))
        memory = out * (positions < lengths[:, None]).to(out.dtype)[..., None]
        last = (positions == (lengths - 1)[:, None]).to(out.dtype)[..., None]
        state = (out * last).sum(dim=1)  # one non-zero term: exact
        return memory, m.bahdanau.key(memory), mask, state


class Seq2SeqStep(nn.Module):
    """``model.step`` + log-softmax: (log_probs, new_state, attention)."""

    def __init__(self, model: nn.Module) -> None:
        super().__init__()
        self.model = model

    def forward(self, prev, state, memory, keys, mask) -> tuple[torch.Tensor, ...]:
        logits, new_state, attention = self.model.step(prev, state, memory, keys, mask)
        return torch.log_softmax(logits, dim=-1), new_state, attention


#: family -> graph -> the module class exported for it
GRAPHS: dict[str, dict[str, type[nn.Module]]] = {
    "cnn": {"model": Forward},
    "resnet": {"model": Forward},
    "sine": {"model": Forward},
    "seq2seq": {"encoder": Seq2SeqEncoder, "decoder_step": Seq2SeqStep},
}


def _tensors(graph: Graph, feeds: dict[str, np.ndarray]) -> tuple[torch.Tensor, ...]:
    return tuple(torch.from_numpy(np.ascontiguousarray(feeds[s.name])) for s in graph.inputs)


#: loggers that report what the check verifies anyway (exporter steps, serde symbols)
QUIET_LOGGERS = ("torch.onnx", "torch._export.serde.serialize", "torch.export")


@contextlib.contextmanager
def _quiet() -> Iterator[None]:
    """Exporters warn a lot (tracer, deprecations, dynamic-shape renames): the check says
    whether the graph is right."""
    loggers = [logging.getLogger(name) for name in QUIET_LOGGERS]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.ERROR)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        for logger, level in zip(loggers, levels, strict=True):
            logger.setLevel(level)


def export_each_graph(model: nn.Module, graphs: dict[str, Graph], feeds: dict[str, dict],
                      out: Path, suffix: str, save_one: Any) -> dict[str, str]:
    """Export every graph in eval mode (the model's mode is restored) as ``graph + suffix``."""
    was_training = model.training
    model.eval()
    files = {}
    try:
        for name, graph in graphs.items():
            module = GRAPHS[model.config.family][name](model).eval()
            files[name] = f"{name}{suffix}"
            with _quiet(), torch.no_grad():
                save_one(module, graph, _tensors(graph, feeds[name]), out / files[name])
    except ExportError:
        raise
    except Exception as err:
        raise ExportError(f"exporting {model.config.model_name} graph {name!r} as "
                          f"{suffix} failed: {type(err).__name__}: {err}") from err
    finally:
        model.train(was_training)
    return files


def _runner(call: Any, graph: Graph) -> Runner:
    def run(feeds: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        with torch.no_grad():
            outputs = call(*_tensors(graph, feeds))
        outputs = (outputs,) if isinstance(outputs, torch.Tensor) else outputs
        return {s.name: o.numpy() for s, o in zip(graph.outputs, outputs, strict=True)}
    return run


# ---- TorchScript ----

def _trace(module: nn.Module, graph: Graph, args: tuple, path: Path) -> None:
    # the reload-and-compare check replaces trace's own check, on more inputs
    torch.jit.trace(module, args, check_trace=False).save(str(path))


def save_torchscript(model, graphs, feeds, out: Path) -> dict[str, str]:
    return export_each_graph(model, graphs, feeds, out, ".pt", _trace)


def load_torchscript(out: Path, graphs: dict[str, Graph], files: dict[str, str]
                     ) -> dict[str, Runner]:
    with _quiet():  # torch.jit.load is deprecated in favour of torch.export (format pt2)
        return {name: _runner(torch.jit.load(str(out / files[name])).eval(), g)
                for name, g in graphs.items()}


# ---- torch.export ----

@contextlib.contextmanager
def rnn_while_loops(module: nn.Module) -> Iterator[None]:
    """torch.export unrolls nn.LSTM / nn.GRU over the example's time axis and fixes its
    length (pytorch/pytorch#115092); torch 2.14's while_loop decompositions (the ones its ONNX
    exporter uses) keep it dynamic. nn.RNN has none.

    torch's context managers swap the ops' Python kernels without clearing their dispatch
    caches, so a second export in the same process could run the cached unrolling kernel:
    the caches are cleared on the way in and out.
    """
    rnns = [m for m in module.modules() if isinstance(m, nn.RNNBase)]
    if not rnns:
        yield
        return
    if any(isinstance(m, nn.RNN) for m in rnns):
        raise ExportError("torch.export fixes the time axis of nn.RNN (no while_loop "
                          "decomposition exists for it): export this model as torchscript")
    try:
        from torch.export import _patches
    except ImportError as err:
        raise ExportError(f"this torch ({torch.__version__}) has no while_loop decomposition "
                          "for LSTM / GRU, so torch.export would fix the sequence length: "
                          "export this model as torchscript") from err
    ops = (torch.ops.aten.lstm.input, torch.ops.aten.gru.input)
    with (_patches.register_lstm_while_loop_decomposition(),
          _patches.register_gru_while_loop_decomposition()):
        try:
            for op in ops:
                op._dispatch_cache.clear()
            yield
        finally:
            for op in ops:
                op._dispatch_cache.clear()


def dynamic_shapes_of(graph: Graph, dim: Any) -> tuple[dict[int, Any], ...]:
    """Per input, axis -> ``dim(axis name)`` for its dynamic axes (torch.export's form)."""
    return tuple({axis: dim(d) for axis, d in enumerate(s.shape) if isinstance(d, str)}
                 for s in graph.inputs)


def _export_program(module: nn.Module, graph: Graph, args: tuple, path: Path) -> None:
    with rnn_while_loops(module):
        dynamic = dynamic_shapes_of(graph, lambda name: torch.export.Dim.DYNAMIC)
        program = torch.export.export(module, args, dynamic_shapes=dynamic)
    torch.export.save(program, str(path))


def save_pt2(model, graphs, feeds, out: Path) -> dict[str, str]:
    return export_each_graph(model, graphs, feeds, out, ".pt2", _export_program)


def load_pt2(out: Path, graphs: dict[str, Graph], files: dict[str, str]) -> dict[str, Runner]:
    with _quiet():
        return {name: _runner(torch.export.load(str(out / files[name])).module(), g)
                for name, g in graphs.items()}
