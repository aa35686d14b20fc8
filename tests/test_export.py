"""``zoo export``: every format x family exports, reloads and matches the live model within
the parity tolerance; the check fails on a corrupted export; seq2seq's encoder + decoder
step graphs decode greedily to the same translations as ``model.translate``; a missing
optional package names its extra."""

from __future__ import annotations

import json
import sys

import numpy as np
import pytest
import torch

import zoo
from zoo.errors import BackendNotInstalledError, ZooError
from zoo.export import FORMATS, ExportCheckError, ExportError, export, load, run_cli, verify
from zoo.export.check import tolerance
from zoo.export.decode import greedy_decode, translate_export
from zoo.export.signatures import MAIN
from zoo.models.cnn.config import TINY as CNN_TINY
from zoo.models.resnet.config import TINY as RESNET_TINY
from zoo.models.seq2seq.config import TINY as SEQ2SEQ_TINY
from zoo.models.seq2seq.convert import source_batch
from zoo.models.sine.config import TINY as SINE_TINY

#: family -> (registry name, small config); the ResNet at 64 px (32 px maps to 1x1 before
#: the pool, a size torch.export specialises)
TINY = {
    "cnn": ("cnn", CNN_TINY),
    "resnet": ("resnet18", RESNET_TINY.replace(image_size=64)),
    "sine": ("sine", SINE_TINY),
    "seq2seq": ("seq2seq", SEQ2SEQ_TINY),
}
#: the slower exports (a ResNet's parity inputs are 224 px; the torch.export-based exporters
#: reason symbolically over the recurrent steps)
SLOW = {("resnet", f) for f in FORMATS} | {("seq2seq", "onnx"), ("seq2seq", "pt2"),
                                           ("sine", "pt2")}
TEXTS = ["23 november 2026", "nov 3, 1999", "1 jan 1950", "friday, march 7 2025",
         "12/31/99"]


def tiny(family: str, backend: str):
    """An untrained small model; ResNet BatchNorm gets random statistics (fresh ones would
    hide a wrong epsilon or swapped mean / variance)."""
    name, config = TINY[family]
    torch.manual_seed(0)
    model = zoo.create(name, backend="torch", config=config)
    if family == "resnet":
        from zoo.models.resnet.pt import randomise_batchnorm

        randomise_batchnorm(model)
    return model if backend == "torch" else zoo.convert(model, to="tf")


def fresh_inputs(model, backend: str) -> tuple[str, dict[str, np.ndarray], dict[str, np.ndarray]]:
    """(graph, feeds, live outputs) on inputs the export check never saw (seed 7)."""
    rng = np.random.default_rng(7)
    config = model.config
    if config.family in ("cnn", "resnet"):
        x = rng.standard_normal((3, config.image_size, config.image_size, config.channels))
        x = x.astype(np.float32)
        feed = x.transpose(0, 3, 1, 2) if backend == "torch" else x
        return MAIN, {"images": np.ascontiguousarray(feed)}, model.run_numpy(x)
    if config.family == "sine":
        x = rng.standard_normal((3, 11)).astype(np.float32)
        return MAIN, {"windows": x[..., None]}, model.run_numpy(x)
    src = source_batch((6, 2, 9), 2, config.src_vocab_size, rng)
    mem = model.encode_numpy(src)
    return "encoder", {"src": src}, {"memory": mem.memory, "keys": mem.keys, "mask": mem.mask,
                                     "state": mem.h}


CASES = [pytest.param(fmt, family, id=f"{fmt}-{family}",
                      marks=[pytest.mark.slow] if (family, fmt) in SLOW else [])
         for fmt in FORMATS for family in TINY]


@pytest.mark.parametrize(("fmt", "family"), CASES)
def test_export_reloads_and_matches_the_live_model(fmt, family, tmp_path):
    backend = FORMATS[fmt].backend
    model = tiny(family, backend)
    report = export(model, fmt, tmp_path)
    assert report.passed, str(report)

    meta = json.loads((tmp_path / "export.json").read_text())
    tol = tolerance(model.config)
    assert meta["passed"] and meta["check"]["passed"]
    assert (meta["format"], meta["backend"], meta["family"]) == (fmt, backend, family)
    assert (meta["check"]["atol"], meta["check"]["rtol"]) == (tol["atol"], tol["rtol"])
    assert meta["check"]["cases"] and all(c["passed"] for c in meta["check"]["cases"])
    assert ("torch" if backend == "torch" else "tensorflow") in meta["versions"]
    assert all((tmp_path / name).exists() for name in meta["files"])
    graphs = {"seq2seq": {"encoder", "decoder_step"}}.get(family, {MAIN})
    assert set(meta["graphs"]) == graphs

    graph, feeds, expected = fresh_inputs(model, backend)
    got = load(tmp_path)[graph](feeds)
    for key, want in expected.items():
        np.testing.assert_allclose(np.asarray(got[key], np.float64),
                                   np.asarray(want, np.float64), **tol, err_msg=key)


def _perturb(array: np.ndarray) -> np.ndarray:
    return (array + 0.5).astype(array.dtype)


def corrupt(fmt: str, out) -> None:
    """Alter the first weight of the export in ``out`` and save it again, in place."""
    if fmt == "onnx":
        import onnx
        from onnx import numpy_helper

        path = str(out / "model.onnx")
        proto = onnx.load(path)
        init = next(i for i in proto.graph.initializer if i.data_type == onnx.TensorProto.FLOAT)
        init.CopyFrom(numpy_helper.from_array(_perturb(numpy_helper.to_array(init)), init.name))
        onnx.save(proto, path)
    elif fmt == "torchscript":
        module = torch.jit.load(str(out / "model.pt"))
        with torch.no_grad():
            next(iter(module.parameters())).add_(0.5)
        module.save(str(out / "model.pt"))
    elif fmt == "pt2":
        program = torch.export.load(str(out / "model.pt2"))
        with torch.no_grad():
            next(iter(program.state_dict.values())).add_(0.5)
        torch.export.save(program, str(out / "model.pt2"))
    elif fmt == "keras":
        import keras

        functional = keras.models.load_model(str(out / "model.keras"))
        weight = functional.weights[0]
        weight.assign(_perturb(keras.ops.convert_to_numpy(weight)))
        functional.save(str(out / "model.keras"))
    elif fmt == "savedmodel":
        import tensorflow as tf

        loaded = tf.saved_model.load(str(out / "saved_model"))
        loaded.model_variables[0].assign_add(tf.fill(loaded.model_variables[0].shape, 0.5))
        tf.saved_model.save(loaded, str(out / "saved_model"), signatures=loaded.signatures)


@pytest.mark.filterwarnings("ignore:`torch.jit.load` is deprecated:FutureWarning")
@pytest.mark.parametrize("fmt", list(FORMATS))
def test_check_detects_weights_altered_after_saving(fmt, tmp_path):
    model = tiny("sine", FORMATS[fmt].backend)
    assert export(model, fmt, tmp_path).passed
    corrupt(fmt, tmp_path)
    report = verify(tmp_path, model)
    assert not report.passed
    assert report.max_abs_diff > report.atol
    meta = json.loads((tmp_path / "export.json").read_text())
    assert meta["passed"] is False and meta["check"]["passed"] is False


@pytest.mark.slow
def test_keras_files_load_in_plain_keras_without_zoo(tmp_path):
    from conftest import run_python

    for family in ("resnet", "seq2seq"):
        export(tiny(family, "tf"), "keras", tmp_path / family)
    paths = sorted(map(str, tmp_path.rglob("*.keras")))
    code = (
        "import sys, keras\n"
        f"models = [keras.models.load_model(p) for p in {paths}]\n"
        "assert 'zoo' not in sys.modules, 'zoo was imported'\n"
        "print(sorted(m.name for m in models))\n")
    result = run_python(code, cwd=tmp_path)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "['decoder_step', 'encoder', 'resnet18']" in result.stdout


def test_check_fails_on_an_export_that_does_not_load(tmp_path):
    model = tiny("sine", "torch")
    export(model, "torchscript", tmp_path)
    (tmp_path / "model.pt").write_bytes(b"not a TorchScript archive")
    report = verify(tmp_path, model)
    assert not report.passed and "reloading failed" in report.error
    assert "FAIL" in str(report)


def test_a_failing_check_is_an_error_and_the_export_stays_marked_failed(tmp_path, monkeypatch,
                                                                         capsys):
    from zoo.export import torch_exports

    real = torch_exports.load_torchscript

    def off_by_a_little(out, graphs, files):  # an exporter that loses 1e-3 somewhere
        runners = real(out, graphs, files)
        return {g: (lambda feeds, run=run: {k: v + 1e-3 for k, v in run(feeds).items()})
                for g, run in runners.items()}

    monkeypatch.setattr(torch_exports, "load_torchscript", off_by_a_little)
    model = tiny("sine", "torch")
    with pytest.raises(ExportCheckError, match="does not reproduce the live model") as err:
        export(model, "torchscript", tmp_path / "a")
    assert not err.value.report.passed
    assert (tmp_path / "a" / "model.pt").is_file()
    assert json.loads((tmp_path / "a" / "export.json").read_text())["passed"] is False

    assert run_cli("sine", "torch", "torchscript", str(tmp_path / "b")) == 1
    captured = capsys.readouterr()
    assert "FAIL" in captured.out and "does not reproduce" in captured.err


def test_run_cli_exports_a_bundled_model(tmp_path, capsys):
    assert run_cli("sine", None, "torchscript", str(tmp_path)) == 0
    out = capsys.readouterr().out
    assert "PASS" in out and "prediction" in out
    meta = json.loads((tmp_path / "export.json").read_text())
    assert meta["source"] == "sine" and meta["passed"]
    prep = json.loads((tmp_path / "preprocess.json").read_text())
    config = zoo.load("sine").config
    assert (prep["window"], prep["norm_mean"], prep["norm_std"]) == (
        config.window, config.norm_mean, config.norm_std)


def test_image_preprocessing_is_documented(tmp_path):
    model = zoo.load("cnn", backend="torch")
    export(model, "torchscript", tmp_path)
    prep = json.loads((tmp_path / "preprocess.json").read_text())
    assert prep == json.loads((tmp_path / "export.json").read_text())["preprocess"]
    config = model.config
    assert prep["layout"] == "NCHW" and prep["image_size"] == config.image_size
    assert prep["mean"] == list(config.mean) and prep["std"] == list(config.std)
    assert prep["class_names"] == config.labels and prep["crop_fraction"] == 1.0
    # the documented recipe reproduces model.preprocess on a uint8 image
    image = np.random.default_rng(0).integers(0, 256, (config.image_size,) * 2, np.uint8)
    x = (image / 255.0 - np.asarray(prep["mean"])) / np.asarray(prep["std"])
    np.testing.assert_allclose(x[None, None], model.preprocess(image).numpy(), atol=1e-6)


def test_wrong_backend_unknown_format_and_rnn_in_torch_export(tmp_path):
    with pytest.raises(ExportError, match="zoo.convert"):
        export(tiny("sine", "tf"), "onnx", tmp_path)
    with pytest.raises(ExportError, match="exports torch models"):
        export("sine", "onnx", tmp_path, backend="tf")
    with pytest.raises(ZooError, match="unknown export format"):
        export("sine", "tflite", tmp_path)
    simple_rnn = zoo.create("sine", backend="torch", config=SINE_TINY.replace(cell="rnn"))
    for fmt in ("pt2", "onnx"):  # both go through torch.export
        with pytest.raises(ExportError, match="nn.RNN"):
            export(simple_rnn, fmt, tmp_path)
    assert export(simple_rnn, "torchscript", tmp_path).passed


def test_missing_onnx_extra_names_it(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "onnxruntime", None)  # import onnxruntime -> ImportError
    with pytest.raises(BackendNotInstalledError, match=r"pip install 'zoo\[onnx\]'"):
        export(tiny("sine", "torch"), "onnx", tmp_path)
    assert not (tmp_path / "export.json").exists()


@pytest.mark.slow
@pytest.mark.parametrize("fmt", ["onnx", "savedmodel"])
def test_seq2seq_greedy_decoding_through_the_exported_graphs_equals_translate(fmt, tmp_path):
    model = zoo.load("seq2seq", backend=FORMATS[fmt].backend)
    report = export(model, fmt, tmp_path)
    assert report.passed, str(report)
    assert {"vocab.src.json", "vocab.tgt.json"} <= {p.name for p in tmp_path.iterdir()}
    expected = model.translate(TEXTS)
    assert expected[0] == "2026-11-23"

    runners = load(tmp_path)
    src = model.preprocess(TEXTS)
    ids = greedy_decode(runners["encoder"], runners["decoder_step"], src,
                        model.config.max_tgt_len)
    np.testing.assert_array_equal(ids, model.greedy(src, model.config.max_tgt_len)[0])
    assert [model.tgt_vocab.decode(row) for row in ids] == expected
    assert translate_export(tmp_path, TEXTS) == expected  # from the export directory alone
