"""[train] device and mixed_precision: bf16 autocast trains in both backends on the CPU
(float32 weights, the loss in float32), the global Keras policy is restored, and asking
for a GPU or float16 where there is none is a clear error, not a silent CPU run."""

from __future__ import annotations

import numpy as np
import pytest
from safetensors.numpy import load_file

import zoo
from zoo.errors import RecipeError
from zoo.training.recipe import parse_recipe

RECIPE = """
[recipe]
name = "sine-precision"
model = "sine"
seed = 0
[data]
kind = "noisy_sine"
[optimizer]
name = "adam"
lr = 0.01
[train]
steps = 60
batch_size = 32
loss = "mse"
{extra}
[evaluate]
metric = "full_series_mse"
target = 0.01
[ci]
steps = 60
band = {{ full_series_mse = [0.0, 0.1] }}
"""
FILES = {"torch": "model.safetensors", "tf": "tf_model.safetensors"}


def recipe(extra: str = ""):
    return parse_recipe(RECIPE.format(extra=extra), "test")


def has_gpu(backend: str) -> bool:
    if backend == "torch":
        import torch

        return torch.cuda.is_available()
    import tensorflow as tf

    return bool(tf.config.list_physical_devices("GPU"))


@pytest.mark.slow
@pytest.mark.parametrize("backend", ["torch", "tf"])
def test_bf16_autocast_trains_with_float32_weights(backend, tmp_path):
    full = zoo.train(recipe(), backend=backend, out=tmp_path / "fp32", progress=False)
    half = zoo.train(recipe('mixed_precision = "bf16"'), backend=backend,
                     out=tmp_path / "bf16", progress=False)
    a, b = load_file(full / FILES[backend]), load_file(half / FILES[backend])
    assert all(v.dtype == np.float32 for v in b.values())
    diff = max(float(np.abs(a[k] - b[k]).max()) for k in a)
    assert 1e-4 < diff < 0.5, diff  # bf16 really computed (8-bit mantissa), and still trains
    mse = zoo.load(half, backend=backend).predict_next(np.zeros((1, 5))).item()
    assert np.isfinite(mse)
    if backend == "tf":
        import keras

        assert keras.config.dtype_policy().name == "float32"  # restored after the build


@pytest.mark.parametrize("backend", ["torch", "tf"])
def test_missing_gpu_and_fp16_on_cpu_are_errors(backend, tmp_path):
    if has_gpu(backend):  # on a GPU machine the same recipes must simply train
        zoo.train(recipe('device = "cuda"'), backend=backend, out=tmp_path / "gpu",
                  steps=2, progress=False)
        return
    with pytest.raises(RecipeError, match="device = 'cuda'"):
        zoo.train(recipe('device = "cuda"'), backend=backend, out=tmp_path / "a", steps=2,
                  progress=False)
    with pytest.raises(RecipeError, match="fp16"):
        zoo.train(recipe('mixed_precision = "fp16"'), backend=backend, out=tmp_path / "b",
                  steps=2, progress=False)


def test_unknown_precision_is_a_recipe_error():
    with pytest.raises(RecipeError, match="mixed_precision"):
        recipe('mixed_precision = "int8"')
