"""Layer ops are exact inverses; the engine refuses anything that does not match the table."""

from __future__ import annotations

import numpy as np
import pytest

from zoo.conversion import ops
from zoo.conversion.engine import Rule, keras_to_torch, torch_to_keras
from zoo.errors import ConversionError

rng = np.random.default_rng(0)


@pytest.mark.parametrize(
    "op, torch_shapes",
    [
        (ops.identity, [(7,)]),
        (ops.transpose, [(3, 5)]),
        (ops.conv2d, [(8, 3, 3, 5)]),
        (ops.gru_kernel, [(12, 6)]),
    ],
)
def test_single_tensor_ops_round_trip_bit_identical(op, torch_shapes):
    arrays = [rng.standard_normal(s).astype(np.float32) for s in torch_shapes]
    back = op.to_torch(op.to_keras(*arrays))
    for a, b in zip(arrays, back, strict=True):
        assert a.shape == b.shape and np.array_equal(a, b)


def test_gru_ops_swap_first_two_gates():
    w = np.concatenate([np.full((2, 3), g, np.float32) for g in (0, 1, 2)])  # blocks r, z, n
    k = ops.gru_kernel.to_keras(w)
    assert k.shape == (3, 6)
    assert (k[:, :2] == 1).all() and (k[:, 2:4] == 0).all() and (k[:, 4:] == 2).all()
    b = ops.gru_biases.to_keras(np.array([0, 1, 2], np.float32), np.array([3, 4, 5], np.float32))
    assert b.tolist() == [[1, 0, 2], [4, 3, 5]]


def test_sum_biases_keeps_the_sum():
    b_ih, b_hh = rng.standard_normal(8), rng.standard_normal(8)
    k = ops.sum_biases.to_keras(b_ih, b_hh)
    back_ih, back_hh = ops.sum_biases.to_torch(k)
    assert np.array_equal(back_ih + back_hh, k) and not back_hh.any()


RULES = [
    Rule("fc.weight", "m/fc/kernel", ops.transpose),
    Rule(("rnn.b1", "rnn.b2"), "m/rnn/bias", ops.sum_biases),
]
STATE = {"fc.weight": np.ones((2, 3), np.float32), "rnn.b1": np.ones(4), "rnn.b2": np.ones(4)}


def test_engine_lists_missing_and_unexpected_keys():
    bad = {"fc.weight": STATE["fc.weight"], "rnn.b1": STATE["rnn.b1"], "extra.x": np.zeros(1)}
    with pytest.raises(ConversionError) as err:
        torch_to_keras(RULES, bad)
    assert "['rnn.b2']" in str(err.value) and "['extra.x']" in str(err.value)


def test_engine_checks_target_shapes_and_coverage():
    with pytest.raises(ConversionError, match=r"m/fc/kernel.*\(3, 2\).*\(2, 3\)"):
        torch_to_keras(RULES, STATE, expected={"m/fc/kernel": (2, 3), "m/rnn/bias": (4,)})
    with pytest.raises(ConversionError, match="m/other"):
        torch_to_keras(RULES, STATE, expected={"m/fc/kernel": (3, 2), "m/rnn/bias": (4,),
                                              "m/other": (1,)})


def test_engine_both_directions_from_one_table():
    keras = torch_to_keras(RULES, STATE)
    back = keras_to_torch(RULES, keras)
    assert set(back) == set(STATE)
    assert np.array_equal(back["fc.weight"], STATE["fc.weight"])
    assert all(v.flags.c_contiguous for v in {**keras, **back}.values())


def test_rule_table_with_duplicates_or_wrong_arity_is_rejected():
    with pytest.raises(ConversionError, match="more than once"):
        torch_to_keras([RULES[0], Rule("fc.weight", "m/x", ops.identity)], STATE)
    with pytest.raises(ConversionError, match="takes 2"):
        Rule("a", "b", ops.sum_biases)


def test_safetensors_writer_keeps_scalars_and_transposes(tmp_path):
    from zoo.weights.files import read_safetensors, write_safetensors

    a = np.arange(6, dtype=np.float32).reshape(2, 3)
    tensors = {"t": a.T, "step": np.array(7, np.int64)}
    write_safetensors(tensors, tmp_path / "w.safetensors")
    back = read_safetensors(tmp_path / "w.safetensors")
    assert np.array_equal(back["t"], a.T)  # safetensors 0.8 scrambles non-contiguous input
    assert back["step"].shape == () and back["step"] == 7
