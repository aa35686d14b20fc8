"""CNN: parity both ways at batch 1 and 16, the flatten permutation is needed, round trips,
equal parameter counts, identical preprocessing in both backends, clear input errors."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from PIL import Image

import zoo
from zoo.conversion import ops
from zoo.conversion.engine import Rule
from zoo.models.cnn import convert as cnn_convert
from zoo.tasks.image_input import ImageInputError
from zoo.weights import state

CORRECT_RULES = cnn_convert.rules


@pytest.fixture(scope="module")
def pair():
    torch.manual_seed(0)
    pt = zoo.create("cnn", backend="torch")
    return pt, zoo.convert(pt, to="tf")


def test_parity_torch_to_tf(pair):
    report = zoo.parity(*pair)
    assert report.passed and report.max_abs_diff < 1e-5, str(report)
    assert {c.input for c in report.cases} == {"batch1", "batch16"}


def test_parity_tf_to_torch_with_randomised_biases():
    import keras

    keras.utils.set_random_seed(3)
    k = zoo.create("cnn", backend="tf", num_classes=7, image_size=32)
    rng = np.random.default_rng(0)
    for v in k.weights:
        if v.path.endswith("bias"):
            v.assign(rng.standard_normal(v.shape).astype(np.float32) * 0.1)
    report = zoo.parity(k, zoo.convert(k, to="torch"))
    assert report.passed, str(report)


def test_round_trips_are_bit_identical(pair):
    pt, k = pair
    back = state(zoo.convert(k, to="torch"))
    assert all(np.array_equal(v, back[key]) for key, v in state(pt).items())
    again = state(zoo.convert(zoo.convert(k, to="torch"), to="tf"))
    assert all(np.array_equal(v, again[key]) for key, v in state(k).items())


def test_parity_fails_without_the_flatten_permutation(pair, monkeypatch):
    pt, _ = pair

    def naive(config):
        return [Rule(r.torch, r.keras, ops.transpose) if r.torch == "fc1.weight" else r
                for r in CORRECT_RULES(config)]

    monkeypatch.setattr(cnn_convert, "rules", naive)
    report = zoo.parity(pt, zoo.convert(pt, to="tf"))
    assert not report.passed and report.max_abs_diff > 1e-3, str(report)


def test_parameter_counts_are_equal(pair):
    from zoo.weights import pt as wpt
    from zoo.weights import tf as wtf

    pt, k = pair
    # conv: 9*1*32+32, 9*32*32+32, 9*32*64+64, 9*64*64+64; fc1 1600*512+512; fc2 512*10+10
    expected = 320 + 9248 + 18496 + 36928 + 819712 + 5130
    assert wpt.num_params(pt) == wtf.num_params(k) == expected


def image_inputs(tmp_path):
    rng = np.random.default_rng(1)
    grey = rng.integers(0, 256, (28, 28), dtype=np.uint8)
    rgb = rng.integers(0, 256, (40, 30, 3), dtype=np.uint8)
    Image.fromarray(grey).save(tmp_path / "grey.png")
    Image.fromarray(rgb).save(tmp_path / "rgb.jpg")
    return {
        "path": str(tmp_path / "grey.png"),
        "rgb path (resized, to grey)": tmp_path / "rgb.jpg",
        "PIL": Image.fromarray(grey),
        "HW uint8": grey,
        "HWC float": grey[..., None] / 255.0,
        "NHWC": np.stack([grey, grey])[..., None],
        "NHW": np.stack([grey, grey, grey, grey, grey]),
        "torch CHW": torch.from_numpy(grey[None].astype(np.float32) / 255),
        "list": [grey, str(tmp_path / "grey.png")],
    }


def test_preprocess_gives_the_same_tensor_in_both_backends(pair, tmp_path):
    import tensorflow as tf

    pt, k = pair
    inputs = image_inputs(tmp_path)
    inputs["tf HWC"] = tf.constant(inputs["HW uint8"][..., None])
    for name, images in inputs.items():
        a = pt.preprocess(images)
        b = k.preprocess(images)
        assert tuple(a.shape[1:]) == (1, 28, 28), name
        np.testing.assert_array_equal(a.permute(0, 2, 3, 1).numpy(), np.asarray(b), err_msg=name)
    same = pt.preprocess(inputs["path"]).numpy()
    np.testing.assert_allclose(same, pt.preprocess(inputs["HW uint8"]).numpy(), atol=1e-6)


def test_classify_and_predict_proba_agree_across_backends(pair, tmp_path):
    pt, k = pair
    images = image_inputs(tmp_path)["NHWC"]
    np.testing.assert_allclose(pt.predict_proba(images), k.predict_proba(images), atol=1e-5)
    top = pt.classify(images, top_k=3)
    assert len(top) == 2 and len(top[0]) == 3
    assert top[0][0][1] >= top[0][1][1] >= top[0][2][1]
    assert all(label in pt.class_names for label, _ in top[0])
    with pytest.raises(zoo.errors.ZooError, match="top_k"):
        pt.classify(images, top_k=11)


def test_bad_images_are_rejected_clearly(pair, tmp_path):
    pt, _ = pair
    with pytest.raises(ImageInputError, match="does not exist"):
        pt.classify(tmp_path / "missing.png")
    (tmp_path / "bad.png").write_bytes(b"not a png")
    with pytest.raises(ImageInputError, match=r"bad\.png is not a readable image"):
        pt.classify(tmp_path / "bad.png")
    with pytest.raises(ImageInputError, match="2 channels; the model takes 1"):
        pt.classify(np.zeros((1, 28, 28, 2), np.uint8))
    with pytest.raises(ImageInputError, match=r"values in \[0, 1\]"):
        pt.classify(np.full((28, 28), 7.0, np.float32))
    with pytest.raises(ImageInputError, match="cannot read an image from dict"):
        pt.classify({"a": 1})


def test_loading_weights_into_another_head_suggests_num_classes(pair, tmp_path):
    pt, _ = pair
    saved = zoo.save(pt, tmp_path / "cnn10")
    other = zoo.create("cnn", backend="torch", num_classes=5)
    with pytest.raises(zoo.errors.WeightsError, match=r"(?s)fc2\.weight.*num_classes=N"):
        zoo.weights.load_into(other, saved / "model.safetensors")
