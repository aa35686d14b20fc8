"""Sine parity for every cell, both directions, lengths 1/5/37/200, batch 1/8; round trips;
and proof that the parity check fails when a rule is wrong."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import zoo
from zoo.conversion import ops
from zoo.conversion.engine import Rule
from zoo.models.sine import convert as sine_convert
from zoo.weights import state

CELLS = ["rnn", "lstm", "gru"]
CORRECT_RULES = sine_convert.rules


def torch_model(cell: str, seed: int = 0):
    torch.manual_seed(seed)
    return zoo.create("sine", backend="torch", cell=cell, units=16)


@pytest.mark.parametrize("cell", CELLS)
def test_torch_to_tf_parity(cell):
    pt = torch_model(cell)
    report = zoo.parity(pt, zoo.convert(pt, to="tf"))
    assert report.passed, str(report)
    assert report.max_abs_diff < 1e-5
    assert {c.input for c in report.cases} == {
        f"batch{b}_len{t}" for b in (1, 8) for t in (1, 5, 37, 200)
    }


@pytest.mark.parametrize("cell", CELLS)
def test_tf_to_torch_parity(cell):
    import keras

    keras.utils.set_random_seed(1)
    tf_model = zoo.create("sine", backend="tf", cell=cell, units=16)
    # Keras initialises biases to zero: randomise them so the bias mapping is exercised
    for v in tf_model.weights:
        v.assign(np.random.default_rng(2).standard_normal(v.shape).astype(np.float32) * 0.5)
    report = zoo.parity(tf_model, zoo.convert(tf_model, to="torch"))
    assert report.passed, str(report)


@pytest.mark.parametrize("cell", CELLS)
def test_round_trip_torch_tf_torch(cell):
    pt = torch_model(cell)
    back = state(zoo.convert(zoo.convert(pt, to="tf"), to="torch"))
    orig = state(pt)
    assert set(back) == set(orig)
    for key in orig:
        if cell != "gru" and key.startswith("rnn.bias_"):
            continue  # Keras keeps one bias for RNN/LSTM: compared as the sum below
        assert np.array_equal(orig[key], back[key]), key
    if cell != "gru":
        assert np.array_equal(orig["rnn.bias_ih_l0"] + orig["rnn.bias_hh_l0"],
                              back["rnn.bias_ih_l0"] + back["rnn.bias_hh_l0"])


@pytest.mark.parametrize("cell", CELLS)
def test_round_trip_tf_torch_tf_is_bit_identical(cell):
    tf_model = zoo.convert(torch_model(cell), to="tf")
    again = state(zoo.convert(zoo.convert(tf_model, to="torch"), to="tf"))
    for key, value in state(tf_model).items():
        assert np.array_equal(value, again[key]), key


# -- sensitivity: the parity test must fail on a wrong conversion -----------------------------

def _no_reorder_gru(config):
    rules = CORRECT_RULES(config)
    swap = {"sine/rnn/gru_cell/kernel", "sine/rnn/gru_cell/recurrent_kernel"}
    return [Rule(r.torch, r.keras, ops.transpose) if r.keras in swap else r for r in rules]


def _drop_hidden_bias(config):
    only_ih = ops.Op("only_ih", lambda b_ih, b_hh: b_ih, lambda b: (b, np.zeros_like(b)), 2)
    return [Rule(r.torch, r.keras, only_ih) if r.op is ops.sum_biases else r
            for r in CORRECT_RULES(config)]


@pytest.mark.parametrize("cell, broken", [("gru", _no_reorder_gru), ("lstm", _drop_hidden_bias),
                                          ("rnn", _drop_hidden_bias)])
def test_parity_fails_when_a_rule_is_wrong(monkeypatch, cell, broken):
    pt = torch_model(cell)
    monkeypatch.setattr(sine_convert, "rules", broken)
    report = zoo.parity(pt, zoo.convert(pt, to="tf"))
    assert not report.passed
    assert report.max_abs_diff > 1e-3, str(report)


def test_forecast_is_the_same_in_both_backends():
    pt = torch_model("lstm")
    tf_model = zoo.convert(pt, to="tf")
    history = np.sin(np.linspace(0, 3, 40)).astype(np.float32)
    a, b = pt.forecast(history, steps=25), tf_model.forecast(history, steps=25)
    assert a.shape == (25,)
    np.testing.assert_allclose(a, b, atol=1e-5, rtol=0)
    batch = np.stack([history, history[::-1]])
    np.testing.assert_allclose(pt.forecast(batch, 4), tf_model.forecast(batch, 4), atol=1e-5)
    assert pt.forecast(batch, 4).shape == (2, 4)


def test_forecast_rejects_bad_history():
    pt = torch_model("lstm")
    with pytest.raises(zoo.errors.ZooError, match="non-empty"):
        pt.forecast([], steps=2)
    with pytest.raises(zoo.errors.ZooError, match="NaN"):
        pt.forecast([0.1, float("nan")], steps=2)
    with pytest.raises(zoo.errors.ZooError, match="steps"):
        pt.forecast([0.1, 0.2], steps=0)


def test_parameter_counts_match_the_cell_algebra():
    from zoo.weights import pt as wpt
    from zoo.weights import tf as wtf

    pt = torch_model("lstm")
    pt10 = zoo.create("sine", backend="torch")
    tf10 = zoo.create("sine", backend="tf")
    assert wpt.num_params(pt10) == 4 * 10 * (1 + 10) + 2 * 40 + 11 == 531
    assert wtf.num_params(tf10) == 4 * 10 * (1 + 10) + 40 + 11 == 491
    assert wpt.num_params(pt) > wtf.num_params(zoo.convert(pt, to="tf"))
