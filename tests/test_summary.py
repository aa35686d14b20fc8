"""zoo.summary: the same layer names (torch module paths) in both backends, per-row and total
parameters that match (except the RNN bias difference, asserted), totals equal to num_params,
nested Keras layers of subclassed models, shapes that agree up to layout, and the table."""

from __future__ import annotations

import functools
import sys

import numpy as np
import pytest
import torch

import zoo
from zoo import registry
from zoo.cli import main
from zoo.errors import ZooError
from zoo.models.cnn.config import TINY as CNN_TINY
from zoo.models.resnet.config import TINY as RESNET_TINY
from zoo.models.seq2seq.config import TINY as SEQ2SEQ_TINY
from zoo.models.sine.config import TINY as SINE_TINY
from zoo.summary import SEQ2SEQ_LENGTHS, summarize, summary
from zoo.weights import for_backend

#: every registered model, small
CASES = {
    "sine": {"config": SINE_TINY},
    "cnn": {"config": CNN_TINY},
    "resnet18": {"config": RESNET_TINY},
    "resnet34": {"num_classes": 3, "image_size": 32},
    "resnet50": {"num_classes": 3, "image_size": 32},
    "seq2seq": {"config": SEQ2SEQ_TINY},
}
NAMES = sorted(CASES)
IMAGES = {"cnn", "resnet18", "resnet34", "resnet50"}
#: torch - tf parameters per row: torch LSTM keeps bias_ih and bias_hh (4 gates each), Keras
#: one bias; the GRUs (reset_after=True) keep both in both backends
BIAS_GAP = {"sine": {"rnn": 4 * SINE_TINY.units}}
#: rows whose output differs by design: torch's LSTM returns the sequence, Keras' the last step
SHAPE_EXCEPTIONS = {"sine": {"rnn"}}


@functools.cache
def built(name: str, backend: str) -> tuple:
    model = zoo.create(name, backend=backend, **CASES[name])
    return model, summarize(model)


def first(shape):
    return shape[0] if isinstance(shape, list) else shape


def nhwc(shape: tuple) -> tuple:
    return (shape[0], *shape[2:], shape[1]) if len(shape) == 4 else shape


def test_cases_cover_the_registry():
    assert set(CASES) == set(registry.list_names())


@pytest.mark.parametrize("name", NAMES)
def test_parameterised_rows_match_across_backends(name):
    (_, pt), (_, tf) = built(name, "torch"), built(name, "tf")
    pt_rows, tf_rows = pt.param_rows, tf.param_rows
    assert set(pt_rows) == set(tf_rows)
    assert len(pt_rows) > 1
    gap = {n: pt_rows[n].params - tf_rows[n].params for n in pt_rows
           if pt_rows[n].params != tf_rows[n].params}
    assert gap == BIAS_GAP.get(name, {})
    for n in pt_rows:  # a note exactly where the counts differ, naming the other count
        assert bool(pt_rows[n].note) == (n in gap) == bool(tf_rows[n].note)
        if n in gap:
            assert f"tf: {tf_rows[n].params:,}" in pt_rows[n].note
            assert f"torch: {pt_rows[n].params:,}" in tf_rows[n].note
    assert pt.total_params - tf.total_params == sum(gap.values())


@pytest.mark.parametrize("backend", ["torch", "tf"])
@pytest.mark.parametrize("name", NAMES)
def test_totals_equal_num_params_and_the_rows(name, backend):
    model, s = built(name, backend)
    assert s.backend == backend and s.model == name
    assert s.total_params == for_backend(backend).num_params(model)
    assert s.total_params == sum(r.params for r in s.rows)  # nothing counted twice
    assert s.trainable_params == s.total_params
    assert len({r.name for r in s.rows}) == len(s.rows)
    text = str(s)
    assert f"Total params: {s.total_params:,}" in text
    assert f"Trainable params: {s.trainable_params:,}" in text
    assert all(f"{r.name} ({r.kind})" in text for r in s.rows)


@pytest.mark.parametrize("name", NAMES)
def test_shapes_and_calls_agree_up_to_layout(name):
    (_, pt), (_, tf) = built(name, "torch"), built(name, "tf")
    assert pt.output_shape == tf.output_shape
    assert nhwc(first(pt.input_shape)) == first(tf.input_shape)
    if name in IMAGES:
        assert pt.layout == "NCHW" and tf.layout == "NHWC"
        assert "NCHW" in str(pt) and "NHWC" in str(tf)
    for n, row in pt.param_rows.items():
        other = tf.row(n)
        assert row.calls == other.calls >= 1, n
        if n not in SHAPE_EXCEPTIONS.get(name, set()):
            assert nhwc(first(row.output_shape)) == first(other.output_shape), n
    if name in IMAGES:  # a real spatial check, not only (1, classes)
        assert any(len(first(r.output_shape)) == 4 for r in pt.param_rows.values())


def test_resnet_shapes_are_each_backends_layout():
    (_, pt), (_, tf) = built("resnet18", "torch"), built("resnet18", "tf")
    assert pt.row("layer2.0.conv2").output_shape == (1, 128, 4, 4)
    assert tf.row("layer2.0.conv2").output_shape == (1, 4, 4, 128)
    assert pt.row("layer1.0.relu").calls == 2  # torchvision reuses one ReLU per block
    for n in ("maxpool", "avgpool", "layer1.0.relu"):  # parameter-free rows in both
        assert pt.row(n).params == tf.row(n).params == 0


def test_subclassed_keras_models_show_nested_layers():
    model, s = built("seq2seq", "tf")
    assert "gru_cell" not in [layer.name for layer in model.layers]  # hidden by Keras
    cell = s.row("encoder/gru_cell")
    assert (cell.kind, cell.params) == ("GRUCell", 0)
    assert cell.note == "weights counted in encoder"
    assert cell.calls >= SEQ2SEQ_LENGTHS[0]  # once per source step (+ Keras' shape probe)
    assert first(cell.output_shape) == (1, SEQ2SEQ_TINY.units)
    src_len, tgt_len = SEQ2SEQ_LENGTHS
    units = SEQ2SEQ_TINY.units
    assert s.row("encoder").kind == "GRU"
    assert first(s.row("encoder").output_shape) == (1, src_len, units)
    assert s.row("decoder").calls == tgt_len  # a GRUCell stepped in a Python loop
    assert s.row("out").output_shape == (1, SEQ2SEQ_TINY.tgt_vocab_size)
    assert s.row("bahdanau.query").kind == "Dense"
    names = [r.name for r in s.rows]
    assert names.index("encoder") < names.index("encoder/gru_cell") < names.index("decoder")

    _, sine = built("sine", "tf")
    lstm = sine.row("rnn/lstm_cell")
    assert lstm.kind == "LSTMCell" and lstm.calls >= SINE_TINY.window
    assert [r.name for r in sine.rows if r.params] == ["rnn", "head"]

    _, cnn = built("cnn", "tf")
    assert {"pool1", "drop1", "flatten"} <= {r.name for r in cnn.rows}
    assert cnn.row("flatten").output_shape == (1, 64)
    for name in ("seq2seq", "sine", "cnn"):  # the model itself is no row
        assert all(r.name != name for r in built(name, "tf")[1].rows)


@pytest.mark.parametrize("cell, gap", [("lstm", 40), ("rnn", 10), ("gru", 0)])
def test_sine_rnn_bias_difference_is_reported_not_hidden(cell, gap):
    pt, tf = summary("sine", "torch", cell=cell), summary("sine", "tf", cell=cell)
    assert pt.total_params - tf.total_params == gap
    assert pt.row("rnn").params - tf.row("rnn").params == gap
    if cell == "lstm":
        assert (pt.total_params, tf.total_params) == (531, 491)
        assert "Total params: 531" in str(pt) and "Total params: 491" in str(tf)
    assert bool(pt.row("rnn").note) == bool(gap) == bool(tf.row("rnn").note)
    if gap:
        assert "bias_ih and bias_hh" in pt.row("rnn").note
    assert pt.row("head").params == tf.row("head").params == 11


def test_keras_names_come_from_the_rule_table(monkeypatch):
    from zoo.models.sine import convert

    original = convert.rules

    def renamed(config):  # the torch side of the head called "fc" instead of "head"
        return [convert.Rule(tuple(k.replace("head.", "fc.") for k in r.torch_keys)
                             if len(r.torch_keys) > 1 else r.torch.replace("head.", "fc."),
                             r.keras, r.op) for r in original(config)]

    monkeypatch.setattr(convert, "rules", renamed)
    s = summary("sine", "tf", config=SINE_TINY)
    assert s.row("fc").kind == "Dense" and s.row("fc").params == SINE_TINY.units + 1
    assert "head" not in {r.name for r in s.rows}


def test_frozen_backbone_keeps_totals_and_counts_trainable():
    fc = RESNET_TINY.feature_dim * RESNET_TINY.num_classes + RESNET_TINY.num_classes
    results = []
    for backend in ("torch", "tf"):
        model = zoo.create("resnet18", backend=backend, config=RESNET_TINY)
        model.freeze()
        s = summarize(model)
        assert s.trainable_params == fc
        assert "Non-trainable params: " + f"{s.total_params - fc:,}" in str(s)
        results.append(s)
    pt, tf = results
    assert pt.total_params == tf.total_params == built("resnet18", "torch")[1].total_params
    assert {n: r.params for n, r in pt.param_rows.items()} == {
        n: r.params for n, r in tf.param_rows.items()}


def test_summarize_leaves_the_models_as_they_were():
    model = zoo.create("resnet18", backend="torch", config=RESNET_TINY).train()
    stats = model.bn1.running_mean.clone()
    summarize(model)
    assert model.training and torch.equal(model.bn1.running_mean, stats)  # no train-mode pass
    assert not any(m._forward_hooks for m in model.modules())

    keras_model, _ = built("seq2seq", "tf")
    from zoo.summary_tf import walk

    assert not any("call" in vars(layer) for layer, _ in walk(keras_model))
    src, tgt = (np.ones((1, 3), np.int64), np.ones((1, 2), np.int64))
    before = keras_model((src, tgt), training=False)
    summarize(keras_model)
    np.testing.assert_array_equal(keras_model((src, tgt), training=False), before)


def test_custom_input_and_api_errors():
    model, _ = built("resnet18", "torch")
    s = summary(model, input=np.zeros((1, 3, 64, 64), np.float32))
    assert s.row("conv1").output_shape == (1, 64, 32, 32)
    assert summary(model).total_params == s.total_params
    with pytest.raises(ZooError, match="not tf"):
        summary(model, backend="tf")
    with pytest.raises(ZooError, match="model name"):
        summary(model, units=3)
    with pytest.raises(ZooError, match="unknown model"):
        summary("resnet19")


def test_module_stays_callable_as_zoo_summary():
    # importing the submodule sets the attribute zoo.summary to it: it must still be callable
    module = sys.modules["zoo.summary"]
    assert module("sine", "tf", config=SINE_TINY).total_params == 4 * 4 * (1 + 4 + 1) + 5


def test_cli_prints_the_table(capsys):
    assert main(["summary", "sine", "--backend", "tf", "--set", "units=4", "--set",
                 "cell=gru"]) == 0
    out = capsys.readouterr().out
    gru = 3 * 4 * (1 + 4) + 2 * 3 * 4  # kernels + both bias vectors
    assert "rnn/gru_cell (GRUCell)" in out and f"Total params: {gru + 5:,}" in out
    assert main(["summary", "sine", "--backend", "torch", "--set", "units"]) == 2
    assert "--set needs KEY=VALUE" in capsys.readouterr().err
