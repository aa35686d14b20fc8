"""ResNet-18/34/50: torch <-> Keras parity with randomised BatchNorm, padding traps, stock
torchvision compatibility, num_batches_tracked, features, new heads and frozen backbones."""

from __future__ import annotations

import logging

import numpy as np
import pytest
import torch
import torchvision

import zoo
from zoo.models.resnet import convert as resnet_convert
from zoo.models.resnet.pt import randomise_batchnorm

DEPTHS = ["resnet18", "resnet34", "resnet50"]


def _randomised_torch(name: str, **overrides):
    return randomise_batchnorm(zoo.create(name, backend="torch", **overrides), seed=1)


def _randomise_keras_bn(model, seed: int = 2) -> None:
    rng = np.random.default_rng(seed)
    draws = {"gamma": lambda n: rng.uniform(0.5, 1.0, n), "beta": lambda n: rng.normal(0, .1, n),
             "moving_mean": lambda n: rng.normal(0, 0.1, n),
             "moving_variance": lambda n: rng.uniform(0.5, 1.0, n)}
    for v in model.weights:
        leaf = v.path.rsplit("/", 1)[-1]
        if leaf in draws:
            v.assign(draws[leaf](int(v.shape[0])).astype(np.float32))
        elif leaf == "num_batches_tracked":
            v.assign(np.int64(rng.integers(1, 1000)))


@pytest.mark.parametrize("name", DEPTHS)
def test_torch_to_tf_parity_and_bit_identical_round_trip(name):
    m = _randomised_torch(name)
    k = zoo.convert(m, to="tf")
    report = zoo.parity(m, k)
    assert report.passed, str(report)
    assert {c.input for c in report.cases} == {"224x224 batch1", "224x224 batch2",
                                               "97x131 batch1", "97x131 batch2"}
    back = zoo.convert(k, to="torch").state_dict()
    for key, value in m.state_dict().items():
        assert back[key].dtype == value.dtype, key
        assert torch.equal(back[key], value), key


@pytest.mark.parametrize("name", DEPTHS)
def test_tf_to_torch_parity(name):
    import keras

    keras.utils.set_random_seed(0)  # the same draw whatever ran before
    k = zoo.create(name, backend="tf")
    _randomise_keras_bn(k)
    m = zoo.convert(k, to="torch")
    assert m.bn1.num_batches_tracked.dtype == torch.int64
    report = zoo.parity(k, m)
    assert report.passed, str(report)


def test_keras_init_is_torchvision_like_and_not_repeated():
    """Every conv gets its own draw (a shared Keras initializer repeats values), so a fresh
    Keras ResNet's activations stay at the scale of a fresh torchvision one."""
    k = zoo.create("resnet18", backend="tf")
    kernels = {v.path: v.numpy() for v in k.weights if v.path.endswith("/kernel")}
    assert not np.array_equal(kernels["layer1.0.conv1/kernel"], kernels["layer1.0.conv2/kernel"])
    assert not np.array_equal(kernels["layer1.0.conv1/kernel"], kernels["layer1.1.conv1/kernel"])
    x = np.random.default_rng(0).standard_normal((2, 64, 64, 3)).astype(np.float32)
    torch_scale = np.mean([np.abs(zoo.create("resnet18").run_numpy(x)["logits"]).max()
                           for _ in range(3)])
    keras_scale = np.mean([np.abs(zoo.create("resnet18", backend="tf").run_numpy(x)["logits"])
                           .max() for _ in range(3)])
    assert 0.25 < keras_scale / torch_scale < 4, (keras_scale, torch_scale)


def test_parameter_counts_match_torchvision():
    for name, expected in {"resnet18": 11_689_512, "resnet50": 25_557_032}.items():
        m = zoo.create(name, backend="torch")
        k = zoo.create(name, backend="tf")
        stock = getattr(torchvision.models, name)()
        assert sum(p.numel() for p in stock.parameters()) == expected
        assert sum(p.numel() for p in m.parameters()) == expected
        assert sum(int(np.prod(v.shape)) for v in k.trainable_weights) == expected


def _parity_fails(monkeypatch, target, attribute, replacement) -> float:
    monkeypatch.setattr(target, attribute, replacement)
    m = _randomised_torch("resnet18")
    report = zoo.parity(m, zoo.convert(m, to="tf"))
    assert not report.passed
    return report.max_abs_diff


def test_parity_catches_same_padding(monkeypatch):
    """Keras "same" at stride 2 pads asymmetrically: must fail at 224 and 97x131."""
    from zoo.models.resnet import tf as resnet_tf

    def same_conv(x, filters, kernel, stride, name):
        return resnet_tf.L.Conv2D(filters, kernel, stride, padding="same", use_bias=False,
                                  name=name)(x)

    assert _parity_fails(monkeypatch, resnet_tf, "_conv", same_conv) > 1e-3


def test_parity_catches_keras_default_batchnorm_epsilon(monkeypatch):
    from zoo.models.resnet import tf as resnet_tf

    original = resnet_tf.L.BatchNormalization.__init__

    def keras_defaults(self, **kwargs):
        original(self, **{**kwargs, "epsilon": 1e-3})

    assert _parity_fails(monkeypatch, resnet_tf.TorchBatchNorm, "__init__", keras_defaults) > 1e-4


def test_parity_catches_swapped_bn_statistics(monkeypatch):
    parts = dict(resnet_convert.BN_PARTS)
    parts["running_mean"], parts["running_var"] = "moving_variance", "moving_mean"
    assert _parity_fails(monkeypatch, resnet_convert, "BN_PARTS", parts) > 1e-3


def test_parity_catches_wrong_conv_layout(monkeypatch):
    from zoo.conversion import ops

    hw_swapped = ops.Op("conv2d_hw_swapped", lambda w: w.transpose(3, 2, 1, 0),
                        lambda k: (k.transpose(3, 2, 1, 0),))
    assert _parity_fails(monkeypatch, resnet_convert.ops, "conv2d", hw_swapped) > 1e-3


def test_saved_weights_load_into_stock_torchvision(tmp_path):
    m = _randomised_torch("resnet18")
    zoo.save(m, tmp_path)
    from safetensors.torch import load_file

    state = load_file(tmp_path / "model.safetensors")
    assert state["bn1.num_batches_tracked"].dtype == torch.int64
    assert state["bn1.num_batches_tracked"].shape == ()
    stock = torchvision.models.resnet18()
    result = stock.load_state_dict(state, strict=True)
    assert not result.missing_keys and not result.unexpected_keys
    x = torch.randn(2, 3, 97, 131)
    with torch.no_grad():
        assert torch.equal(stock.eval()(x), m.eval()(x))


def test_tf_weights_converted_load_into_stock_torchvision(tmp_path):
    k = zoo.create("resnet18", backend="tf")
    _randomise_keras_bn(k)
    zoo.save(k, tmp_path)  # tf_model.safetensors only: torch load converts on the fly
    m = zoo.load(tmp_path, backend="torch")
    stock = torchvision.models.resnet18()
    stock.load_state_dict(m.state_dict(), strict=True)
    x = np.random.default_rng(0).standard_normal((1, 64, 64, 3)).astype(np.float32)
    with torch.no_grad():
        ours = stock.eval()(torch.from_numpy(x.transpose(0, 3, 1, 2))).numpy()
    np.testing.assert_allclose(ours, k.run_numpy(x)["logits"], atol=1e-4, rtol=1e-4)


def test_features_match_across_backends():
    m = _randomised_torch("resnet18")
    k = zoo.convert(m, to="tf")
    x = np.random.default_rng(3).standard_normal((2, 65, 70, 3)).astype(np.float32)
    with torch.no_grad():
        ft = m.features(m._to_native(x)).numpy()
    fk = np.asarray(k.features(x))
    assert ft.shape == fk.shape == (2, 512)
    np.testing.assert_allclose(ft, fk, atol=1e-4, rtol=1e-4)


@pytest.mark.parametrize("backend", ["torch", "tf"])
def test_load_with_new_head_keeps_backbone(tmp_path, backend, caplog):
    m = zoo.create("resnet18", backend=backend, num_classes=10, image_size=32)
    zoo.save(m, tmp_path)
    with caplog.at_level(logging.WARNING, logger="zoo"):
        new = zoo.load(tmp_path, backend=backend, num_classes=4)
    assert "new 4-class head" in caplog.text
    assert new.config.num_classes == 4 and new.config.image_size == 32
    old_w, new_w = zoo.weights.state(m), zoo.weights.state(new)
    head = set(type(m.config).head_keys[backend])
    assert set(old_w) == set(new_w)
    for key in old_w:
        if key in head:
            assert new_w[key].shape[-1 if backend == "tf" else 0] == 4
        else:
            np.testing.assert_array_equal(old_w[key], new_w[key], err_msg=key)
    same = zoo.load(tmp_path, backend=backend, num_classes=10)
    np.testing.assert_array_equal(zoo.weights.state(same)[sorted(head)[0]],
                                  old_w[sorted(head)[0]])


def test_frozen_torch_batchnorm_statistics_do_not_move():
    m = zoo.create("resnet18", backend="torch", num_classes=3, image_size=32)
    m.freeze()
    m.train()
    assert not m.bn1.training and not m.layer4[1].bn2.training and m.fc.training
    before = {k: v.clone() for k, v in m.state_dict().items()}
    opt = torch.optim.SGD([p for p in m.parameters() if p.requires_grad], lr=0.1)
    loss = m(torch.randn(4, 3, 32, 32)).sum()
    loss.backward()
    opt.step()
    after = m.state_dict()
    changed = {k for k in before if not torch.equal(before[k], after[k])}
    assert changed == {"fc.weight", "fc.bias"}


def test_frozen_keras_batchnorm_statistics_do_not_move():
    import tensorflow as tf

    k = zoo.create("resnet18", backend="tf", num_classes=3, image_size=32)
    x = np.random.default_rng(0).standard_normal((4, 32, 32, 3)).astype(np.float32)
    k(x, training=True)  # an unfrozen training call moves statistics and counts
    assert int(k.get_layer("bn1").num_batches_tracked.numpy()) == 1
    k.freeze()
    assert [v.path for v in k.trainable_weights] == ["fc/kernel", "fc/bias"]
    before = {v.path: v.numpy().copy() for v in k.weights}
    with tf.GradientTape() as tape:
        loss = tf.reduce_sum(k(x, training=True))
    grads = tape.gradient(loss, k.trainable_weights)
    for v, g in zip(k.trainable_weights, grads, strict=True):
        v.assign_sub(0.1 * g)
    changed = {v.path for v in k.weights if not np.array_equal(before[v.path], v.numpy())}
    assert changed == {"fc/kernel", "fc/bias"}


def test_missing_weights_error_lists_how_to_make_them():
    with pytest.raises(zoo.errors.UnknownModelError) as err:
        zoo.load("resnet34")
    text = str(err.value)
    assert "no tags exist yet" in text
    assert "zoo import torchvision resnet34" in text


def test_missing_weights_error_names_recipe():
    with pytest.raises(zoo.errors.UnknownModelError) as err:
        zoo.load("resnet18", weights="nope")
    assert "zoo reproduce resnet18-fashion-mnist" in str(err.value)


def test_tf_first_process_gets_an_error_not_a_segfault():
    from conftest import run_python

    proc = run_python(
        "import tensorflow, zoo\n"
        "k = zoo.create('resnet18', backend='tf')\n"
        "try:\n"
        "    zoo.convert(k, to='torch')\n"
        "except zoo.errors.ZooError as e:\n"
        "    print('ERR', e)\n")
    assert proc.returncode == 0, proc.stderr[-1000:]
    assert "ERR" in proc.stdout and "import torch, torchvision" in proc.stdout
