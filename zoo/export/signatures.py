"""Per family: the graphs an export holds (input/output names, dtypes, shapes) and the
inputs they are checked on, with the live model's outputs.

The checked inputs are the family's parity inputs (``zoo.models.<family>.convert``), so an
export is held to the same numbers and tolerance as a conversion. No framework is imported
here: the live outputs come from the models' numpy entry points (``run_numpy``,
``encode_numpy`` / ``step_numpy``).

Example:
    >>> [g.name for g in graphs(Seq2SeqConfig(), "torch").values()]
    ['encoder', 'decoder_step']
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

import numpy as np

from zoo.conversion.parity import convert_module

#: the graph of a one-graph family; its SavedModel signature is "serving_default"
MAIN = "model"


def signature_name(graph: str) -> str:
    """The SavedModel signature of a graph."""
    return "serving_default" if graph == MAIN else graph


@dataclasses.dataclass(frozen=True)
class Spec:
    """One input or output: name, numpy dtype name and shape (str = a dynamic axis)."""

    name: str
    dtype: str
    shape: tuple[int | str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "dtype": self.dtype, "shape": list(self.shape)}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Spec:
        return cls(data["name"], data["dtype"], tuple(data["shape"]))


@dataclasses.dataclass(frozen=True)
class Graph:
    """One exported graph: positional inputs and outputs, in order."""

    name: str
    inputs: tuple[Spec, ...]
    outputs: tuple[Spec, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"inputs": [s.to_dict() for s in self.inputs],
                "outputs": [s.to_dict() for s in self.outputs]}

    @classmethod
    def from_dict(cls, name: str, data: dict[str, Any]) -> Graph:
        return cls(name, tuple(map(Spec.from_dict, data["inputs"])),
                   tuple(map(Spec.from_dict, data["outputs"])))


@dataclasses.dataclass
class Example:
    """One checked call: a graph's inputs and what the live model gives for them."""

    case: str
    graph: str
    feeds: dict[str, np.ndarray]
    expected: dict[str, np.ndarray]


def _f32(name: str, *shape: int | str) -> Spec:
    return Spec(name, "float32", shape)


# ---- image classifiers (cnn, resnet): torch NCHW, TF NHWC, as the native models take ----

def _image_graphs(config: Any, backend: str) -> dict[str, Graph]:
    # the CNN's dense layer fixes the size; a ResNet takes any size
    h, w = ((config.image_size,) * 2 if config.family == "cnn" else ("height", "width"))
    c = config.channels
    images = _f32("images", "batch", c, h, w) if backend == "torch" else _f32(
        "images", "batch", h, w, c)
    return {MAIN: Graph(MAIN, (images,), (_f32("logits", "batch", config.num_classes),))}


def _image_examples(model: Any, backend: str) -> list[Example]:
    config = model.config
    cases = _parity(config)
    size = config.image_size
    if not any(x.shape[1:3] == (size, size) for _, x in cases):  # also the served size
        rng = np.random.default_rng(1)
        x = rng.standard_normal((2, size, size, config.channels)).astype(np.float32)
        cases.append((f"{size}x{size} batch2 (served size)", x))
    layout = (0, 3, 1, 2) if backend == "torch" else (0, 1, 2, 3)
    return [Example(name, MAIN, {"images": np.ascontiguousarray(x.transpose(layout))},
                    {"logits": model.run_numpy(x)["logits"]}) for name, x in cases]


# ---- sine forecaster: normalised windows (B, T, 1) -> normalised next value (B, 1) ----

def _sine_graphs(config: Any, backend: str) -> dict[str, Graph]:
    return {MAIN: Graph(MAIN, (_f32("windows", "batch", "time", 1),),
                        (_f32("prediction", "batch", 1),))}


def _sine_examples(model: Any, backend: str) -> list[Example]:
    return [Example(name, MAIN, {"windows": np.ascontiguousarray(x[..., None])},
                    {"prediction": model.run_numpy(x)["prediction"]})
            for name, x in _parity(model.config)]


# ---- seq2seq: an encoder and one decoder step, so a server can run greedy decoding ----

def _seq2seq_graphs(config: Any, backend: str) -> dict[str, Graph]:
    u, a, v = config.units, config.attention_units, config.tgt_vocab_size
    memory, keys = _f32("memory", "batch", "src_len", u), _f32("keys", "batch", "src_len", a)
    mask = Spec("mask", "bool", ("batch", "src_len"))
    encoder = Graph("encoder", (Spec("src", "int64", ("batch", "src_len")),),
                    (memory, keys, mask, _f32("state", "batch", u)))
    step = Graph("decoder_step",
                 (Spec("prev", "int64", ("batch",)), _f32("state", "batch", u), memory, keys,
                  mask),
                 (_f32("log_probs", "batch", v), _f32("new_state", "batch", u),
                  _f32("attention", "batch", "src_len")))
    return {"encoder": encoder, "decoder_step": step}


def _seq2seq_examples(model: Any, backend: str) -> list[Example]:
    """Per parity case: the encoder on the source, then each teacher-forced decoder step on
    the live model's state (so every step is checked on the very inputs the live one saw)."""
    out = []
    for name, (src, tgt_in) in _parity(model.config):
        mem = model.encode_numpy(src)
        out.append(Example(name, "encoder", {"src": src}, {
            "memory": mem.memory, "keys": mem.keys, "mask": mem.mask, "state": mem.h}))
        state = mem.h
        for t in range(tgt_in.shape[1]):
            feeds = {"prev": tgt_in[:, t], "state": state, "memory": mem.memory,
                     "keys": mem.keys, "mask": mem.mask}
            log_probs, new_state, attention = model.step_numpy(tgt_in[:, t], state, mem)
            out.append(Example(f"{name} (9 steps)", "decoder_step", feeds, {
                "log_probs": log_probs, "new_state": new_state, "attention": attention}))
            state = new_state
    return out


@dataclasses.dataclass(frozen=True)
class Family:
    graphs: Callable[[Any, str], dict[str, Graph]]
    examples: Callable[[Any, str], list[Example]]


FAMILIES: dict[str, Family] = {
    "cnn": Family(_image_graphs, _image_examples),
    "resnet": Family(_image_graphs, _image_examples),
    "sine": Family(_sine_graphs, _sine_examples),
    "seq2seq": Family(_seq2seq_graphs, _seq2seq_examples),
}


def _parity(config: Any) -> list:
    return list(convert_module(config).parity_inputs(config))


def graphs(config: Any, backend: str) -> dict[str, Graph]:
    return FAMILIES[config.family].graphs(config, backend)


def examples(model: Any, backend: str) -> list[Example]:
    return FAMILIES[model.config.family].examples(model, backend)


#: dynamic axis -> the size graphs are traced at: tracing runs symbolic shape reasoning over
#: every recurrent step (a 37-step source took 10 s to export to ONNX, 3 steps take 1 s)
TRACE_SIZES = {"batch": 2, "time": 3, "src_len": 3}


def trace_feeds(examples: list[Example], graphs: dict[str, Graph]) -> dict[str, dict]:
    """Per graph, the first checked input cut to ``TRACE_SIZES`` whose dynamic axes are all
    >= 2: tracing at a size of 1 would let torch.export / the ONNX exporter fix it to 1."""
    out: dict[str, dict] = {}
    for ex in examples:
        if ex.graph in out:
            continue
        feeds, ok = {}, True
        for spec in graphs[ex.graph].inputs:
            x = ex.feeds[spec.name]
            cut = tuple(slice(0, TRACE_SIZES.get(d)) if isinstance(d, str) else slice(None)
                        for d in spec.shape)
            feeds[spec.name] = np.ascontiguousarray(x[cut])
            ok &= all(n >= 2 for n, d in zip(feeds[spec.name].shape, spec.shape, strict=True)
                      if isinstance(d, str))
        if ok:
            out[ex.graph] = feeds
    return out
