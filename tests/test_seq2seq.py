"""Seq2seq: parity on padded batches (both directions), pad invariance, the gate-reorder
sensitivity check, round trip, decoding (greedy, beam search against exhaustive search),
vocabularies saved next to the weights, and the masked sequence loss."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import torch

import zoo
from zoo.conversion import ops
from zoo.data.text import END, PAD, START, Vocab
from zoo.errors import ConfigError, WeightsError, ZooError
from zoo.models.seq2seq import convert as s2s_convert
from zoo.models.seq2seq.config import TINY, Seq2SeqConfig
from zoo.weights import for_backend, state

SOURCES = ["23 november 2026", "2026-11-23", "nov 3, 1999", "le 1er mai", "x"]
TARGETS = ["2026-11-23", "1999-11-03", "1950-01-01"]


def vocabularies() -> tuple[Vocab, Vocab]:
    src = Vocab.build(SOURCES, "char", split_punctuation=False)
    return src, Vocab.build(TARGETS, "char")


def torch_model(seed: int = 0, **overrides):
    """A random torch model sized for the test vocabularies, vocabularies attached."""
    src, tgt = vocabularies()
    torch.manual_seed(seed)
    config = TINY.replace(src_vocab_size=len(src), tgt_vocab_size=len(tgt), **overrides)
    model = zoo.create("seq2seq", backend="torch", config=config)
    with torch.no_grad():  # larger weights: peaked distributions, decisions that matter
        for p in model.parameters():
            p.mul_(3.0)
    model.set_vocabularies(src, tgt)
    return model


@pytest.fixture(scope="module")
def pair():
    pt = torch_model()
    return pt, zoo.convert(pt, to="tf")


def test_parity_torch_to_tf_on_padded_batches(pair):
    report = zoo.parity(*pair)
    assert report.passed, str(report)
    assert report.max_abs_diff < 1e-5
    assert {c.input for c in report.cases} == set(s2s_convert.PARITY_CASES)
    assert {c.output for c in report.cases} == {"logits", "attention"}


def test_parity_tf_to_torch_with_random_keras_weights():
    import keras

    keras.utils.set_random_seed(3)
    tf_model = zoo.create("seq2seq", backend="tf", config=TINY)
    rng = np.random.default_rng(4)
    for v in tf_model.weights:  # Keras biases start at zero: randomise every variable
        v.assign(rng.standard_normal(v.shape).astype(np.float32) * 0.5)
    report = zoo.parity(tf_model, zoo.convert(tf_model, to="torch"))
    assert report.passed, str(report)


def test_parity_fails_without_the_gate_reorder(pair, monkeypatch):
    pt, _ = pair
    plain_bias = ops.Op("stacked_biases", lambda a, b: np.stack([a, b]),
                        lambda b: (b[0], b[1]), arity=2)
    correct = s2s_convert.rules
    monkeypatch.setattr(s2s_convert, "rules",
                        lambda config: correct(config, ops.transpose, plain_bias))
    wrong = zoo.convert(pt, to="tf")
    report = zoo.parity(pt, wrong)
    assert not report.passed
    assert report.max_abs_diff > 1e-2


def test_pad_columns_and_batching_change_nothing(pair):
    for model in pair:
        cases = dict(s2s_convert.parity_inputs(model.config))
        src, tgt = cases["lens37-20-1"]
        padded, _ = cases["lens37-20-1+pad5"]
        base, extra = model.run_numpy((src, tgt)), model.run_numpy((padded, tgt))
        np.testing.assert_allclose(extra["logits"], base["logits"], atol=1e-6)
        np.testing.assert_array_equal(extra["attention"][..., 37:], 0.0)
        np.testing.assert_allclose(extra["attention"][..., :37], base["attention"], atol=1e-7)
        # pad positions of the shorter rows get exactly zero weight; rows sum to one
        assert np.all(base["attention"][1, :, 20:] == 0.0)
        assert np.all(base["attention"][2, :, 1:] == 0.0)
        np.testing.assert_allclose(base["attention"].sum(-1), 1.0, atol=1e-6)
        for row, n in enumerate((37, 20, 1)):  # each row alone, unpadded: the same outputs
            alone = model.run_numpy((src[row : row + 1, :n], tgt[row : row + 1]))
            np.testing.assert_allclose(alone["logits"][0], base["logits"][row], atol=1e-6)


def test_round_trip_is_bit_identical_and_param_counts_match(pair):
    pt, tf_model = pair
    back = state(zoo.convert(tf_model, to="torch"))
    orig = state(pt)
    assert set(back) == set(orig)
    assert all(np.array_equal(orig[k], back[k]) for k in orig)
    assert for_backend("torch").num_params(pt) == for_backend("tf").num_params(tf_model)


def test_greedy_and_beam_translations_match_across_backends(pair):
    pt, tf_model = pair
    assert tf_model.src_vocab is pt.src_vocab  # convert carries the vocabularies
    for beam in (1, 3):
        assert pt.translate(SOURCES, beam=beam) == tf_model.translate(SOURCES, beam=beam)
    assert isinstance(pt.translate("x"), str)


def test_greedy_stops_each_row_at_its_end_and_equals_beam_1(pair):
    pt, _ = pair
    src = pt.preprocess(SOURCES)
    tokens, attention = pt.greedy(src, max_len=8)
    for row in tokens.tolist():
        if END in row:
            assert set(row[row.index(END) + 1 :]) <= {PAD}
        assert START not in row and PAD not in row[: row.index(END) if END in row else None]
    assert attention.shape == (*tokens.shape, src.shape[1])
    trimmed = [r[: r.index(END) + 1] if END in r else r for r in tokens.tolist()]
    assert pt.beam_search(src, beam=1, max_len=8) == trimmed


def _sequence_log_prob(model, src_row: np.ndarray, tokens: list[int]) -> float:
    memory = model.encode_numpy(src_row[None])
    prev, h, total = np.array([START]), memory.h, 0.0
    for token in tokens:
        log_probs, h, _ = model._log_probs(prev, h, memory)
        total += float(log_probs[0, token])
        prev = np.array([token])
    return total


def test_wide_beam_finds_the_exhaustive_optimum():
    """With a beam wider than the number of hypotheses, beam search is exhaustive search."""
    src_vocab = Vocab.build(["ab"], "char")
    tgt_vocab = Vocab.build(["ab"], "char")  # 6 tokens: 4 specials + a, b
    torch.manual_seed(5)
    config = TINY.replace(src_vocab_size=len(src_vocab), tgt_vocab_size=len(tgt_vocab),
                          length_penalty=1.0)
    model = zoo.create("seq2seq", backend="torch", config=config)
    with torch.no_grad():
        model.out.bias.copy_(torch.tensor([0, 0, -1.5, 0, 0.3, 0.2]))  # ends are not free
    model.set_vocabularies(src_vocab, tgt_vocab)
    max_len = 4
    outputs = [2 + 1, 4, 5]  # <unk>, a, b: every token decoding may emit before <end>
    for text in ("ab", "ba", "b"):
        src = model.preprocess([text])
        best, best_score = None, -np.inf
        for n in range(max_len):
            for body in itertools.product(outputs, repeat=n):
                tokens = [*body, END]
                score = _sequence_log_prob(model, src[0], tokens) / len(tokens)
                if score > best_score:
                    best, best_score = tokens, score
        assert model.beam_search(src, beam=200, max_len=max_len) == [best], text


def test_translate_needs_vocabularies_and_truncates_long_input_with_a_warning():
    model = zoo.create("seq2seq", backend="torch", config=TINY)
    with pytest.raises(ZooError, match="no vocabularies"):
        model.translate(["x"])
    src, tgt = vocabularies()
    with pytest.raises(ConfigError, match="source vocabulary has"):
        model.set_vocabularies(src, tgt)
    trained = torch_model()
    with pytest.warns(UserWarning, match="truncated"):
        out = trained.translate(["2" * 500])
    assert isinstance(out, list) and len(out) == 1


def test_attention_map_has_tokens_on_both_axes(pair, tmp_path):
    from zoo.training.plots import attention_png

    pt, tf_model = pair
    amap = pt.attention("nov 3, 1999")
    assert amap.source_tokens == [*"nov 3, 1999", "<end>"]
    assert amap.weights.shape == (len(amap.output_tokens), len(amap.source_tokens))
    np.testing.assert_allclose(amap.weights.sum(axis=1), 1.0, atol=1e-6)
    np.testing.assert_allclose(tf_model.attention("nov 3, 1999").weights, amap.weights,
                               atol=1e-5)
    png = attention_png([amap], tmp_path / "attention.png")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_vocabularies_are_saved_next_to_the_weights(pair, tmp_path):
    pt, _ = pair
    out = zoo.save(pt, tmp_path / "saved")
    assert Vocab.from_json((out / "vocab.src.json").read_text()) == pt.src_vocab
    loaded = zoo.load(out, backend="tf")  # converted on the fly, vocabularies read
    assert loaded.translate(SOURCES) == pt.translate(SOURCES)
    (out / "vocab.tgt.json").unlink()
    with pytest.raises(WeightsError, match="vocab.tgt.json"):
        zoo.load(out, backend="torch")


def test_masked_sequence_loss_ignores_pads_and_matches_across_backends():
    import tensorflow as tf

    from zoo.training import loop_pt, loop_tf

    rng = np.random.default_rng(0)
    logits = rng.standard_normal((2, 4, 7)).astype(np.float32)
    labels = np.array([[5, 6, END, PAD], [4, END, PAD, PAD]])
    changed = logits.copy()
    changed[labels == PAD] += 100.0  # what the model says at pad positions is irrelevant
    pt_loss = loop_pt.sequence_cross_entropy(0.1)
    tf_loss = loop_tf.sequence_cross_entropy(0.1)
    values = [float(pt_loss(torch.from_numpy(x), torch.from_numpy(labels)))
              for x in (logits, changed)]
    values += [float(tf_loss(tf.constant(labels), tf.constant(x))) for x in (logits, changed)]
    np.testing.assert_allclose(values, values[0], rtol=1e-6)
    # and it is the mean over the 5 real tokens, not over all 8 positions
    no_smoothing = float(loop_pt.sequence_cross_entropy(0.0)(torch.from_numpy(logits),
                                                             torch.from_numpy(labels)))
    log_p = logits - np.log(np.exp(logits).sum(-1, keepdims=True))
    real = labels != PAD
    expected = -log_p[real, labels[real]].mean()
    assert no_smoothing == pytest.approx(expected, rel=1e-5)


def test_config_rejects_sizes_too_small_for_the_special_tokens():
    with pytest.raises(ConfigError, match="tgt_vocab_size"):
        Seq2SeqConfig(tgt_vocab_size=3)
