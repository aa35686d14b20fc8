"""TensorFlow exports: a SavedModel with serving signatures, and ``.keras`` files.

SavedModel: one ``tf.function`` per graph over the model's own methods (``TF_CALLS``),
saved with ``tf.saved_model.save`` as signatures (``serving_default`` for a one-graph family,
``encoder`` and ``decoder_step`` for seq2seq).

``.keras``: the zoo models are subclassed Keras models holding a config object, which the
``.keras`` format cannot rebuild without zoo's classes. Each graph is therefore saved as a
*functional* model of built-in Keras layers and ops (``KERAS_GRAPHS``) sharing the model's
layers, so ``keras.models.load_model`` needs no zoo and no ``custom_objects``: the CNN and
sine models are their own ``call`` traced on ``keras.Input``; the ResNet is its functional
graph with ``TorchBatchNorm`` (BatchNormalization + a training counter) replaced by
``BatchNormalization`` with the same epsilon and statistics; seq2seq's encoder and decoder
step are written again in ``keras.ops`` (the reload check compares them with the live model).
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import keras
import numpy as np
import tensorflow as tf

from zoo.data.text import PAD
from zoo.export.check import ExportError, Runner
from zoo.export.signatures import MAIN, Graph, Spec, signature_name
from zoo.tasks.translate import MASKED_SCORE

SAVED_MODEL = "saved_model"
K = keras.ops


# ---- SavedModel: tf.functions over the model's methods ----

def _forward(model, x):
    return (model(x, training=False),)


def _encode(model, src):
    memory, keys, mask, state = model.encode(src, training=False)
    return memory, keys, mask, state


def _step(model, prev, state, memory, keys, mask):
    logits, new_state, attention = model.step(prev, state, memory, keys, mask, training=False)
    return tf.nn.log_softmax(logits, axis=-1), new_state, attention


#: family -> graph -> fn(model, *inputs) -> outputs in the graph's order
TF_CALLS = {
    "cnn": {MAIN: _forward},
    "resnet": {MAIN: _forward},
    "sine": {MAIN: _forward},
    "seq2seq": {"encoder": _encode, "decoder_step": _step},
}


def _tensor_spec(spec: Spec) -> tf.TensorSpec:
    shape = [None if isinstance(d, str) else d for d in spec.shape]
    return tf.TensorSpec(shape, tf.as_dtype(spec.dtype), name=spec.name)


def _signature(model: Any, graph: Graph) -> Any:
    call = TF_CALLS[model.config.family][graph.name]

    def serve(*inputs):
        return {s.name: y for s, y in zip(graph.outputs, call(model, *inputs), strict=True)}

    return tf.function(serve, input_signature=[_tensor_spec(s) for s in graph.inputs])


def save_savedmodel(model, graphs: dict[str, Graph], feeds, out: Path) -> dict[str, str]:
    module = tf.Module()
    # the tf.Variables under the Keras variables, as keras.export.ExportArchive tracks them
    module.model_variables = [v.value for v in model.variables]
    signatures = {}
    for name, graph in graphs.items():
        fn = _signature(model, graph)
        setattr(module, name, fn)
        signatures[signature_name(name)] = fn
    path = out / SAVED_MODEL
    shutil.rmtree(path, ignore_errors=True)
    tf.saved_model.save(module, str(path), signatures=signatures)
    return {name: SAVED_MODEL for name in graphs}


def _numpy_outputs(outputs: dict) -> dict[str, np.ndarray]:
    return {k: keras.ops.convert_to_numpy(v) for k, v in outputs.items()}


def load_savedmodel(out: Path, graphs: dict[str, Graph], files: dict[str, str]
                    ) -> dict[str, Runner]:
    loaded = tf.saved_model.load(str(out / SAVED_MODEL))
    runners = {}
    for name, graph in graphs.items():
        fn = loaded.signatures[signature_name(name)]

        # ``loaded`` rides along: its variables die with it, and the signatures need them
        def run(feeds, fn=fn, graph=graph, loaded=loaded):
            return _numpy_outputs(fn(**{s.name: tf.constant(feeds[s.name])
                                        for s in graph.inputs}))
        runners[name] = run
    return runners


# ---- .keras: functional graphs of built-in layers ----

def _inputs(graph: Graph) -> dict[str, Any]:
    return {s.name: keras.Input([None if isinstance(d, str) else d for d in s.shape[1:]],
                                dtype=s.dtype, name=s.name) for s in graph.inputs}


def _call_graph(model, graphs: dict[str, Graph]) -> dict[str, keras.Model]:
    graph = graphs[MAIN]
    inputs = _inputs(graph)
    y = model.call(inputs[graph.inputs[0].name], training=False)
    return {MAIN: keras.Model(inputs, {graph.outputs[0].name: y}, name=model.name)}


def _plain_layer(layer):
    from zoo.models.resnet.tf import TorchBatchNorm

    if isinstance(layer, TorchBatchNorm):  # BatchNormalization's own config: eps, momentum...
        return keras.layers.BatchNormalization.from_config(layer.get_config())
    return layer.__class__.from_config(layer.get_config())


def _resnet_graph(model, graphs: dict[str, Graph]) -> dict[str, keras.Model]:
    from zoo.models.resnet.tf import TorchBatchNorm

    plain = keras.Model(model.inputs, model.outputs, name=model.name)
    clone = keras.models.clone_model(plain, clone_function=_plain_layer)
    for old, new in zip(plain.layers, clone.layers, strict=True):
        weights = old.get_weights()
        if isinstance(old, TorchBatchNorm):
            weights = weights[:4]  # gamma, beta, moving mean, moving variance; not the counter
        new.set_weights(weights)
    graph = graphs[MAIN]
    return {MAIN: keras.Model({graph.inputs[0].name: clone.inputs[0]},
                              {graph.outputs[0].name: clone.outputs[0]}, name=model.name)}


def _seq2seq_graphs(model, graphs: dict[str, Graph]) -> dict[str, keras.Model]:
    """``Seq2Seq.encode`` and ``.step`` (zoo/models/seq2seq/tf.py) in keras.ops."""
    enc = _inputs(graphs["encoder"])
    mask = K.not_equal(enc["src"], PAD)
    memory, state = model.encoder(model.enc_emb(enc["src"]), mask=mask)
    encoder = keras.Model(enc, {"memory": memory, "keys": model.bahdanau_key(memory),
                                "mask": mask, "state": state}, name="encoder")
    x = _inputs(graphs["decoder_step"])
    query = K.expand_dims(model.bahdanau_query(x["state"]), 1)
    scores = K.squeeze(model.bahdanau_energy(K.tanh(query + x["keys"])), -1)
    weights = K.softmax(K.where(x["mask"], scores, MASKED_SCORE), axis=-1)
    context = K.einsum("bs,bsu->bu", weights, x["memory"])
    h, _ = model.decoder(K.concatenate([context, model.dec_emb(x["prev"])], axis=-1),
                         [x["state"]])
    step = keras.Model(x, {"log_probs": K.log_softmax(model.out(h), axis=-1), "new_state": h,
                           "attention": weights}, name="decoder_step")
    return {"encoder": encoder, "decoder_step": step}


#: family -> builder of its functional graphs
KERAS_GRAPHS = {"cnn": _call_graph, "sine": _call_graph, "resnet": _resnet_graph,
                "seq2seq": _seq2seq_graphs}


def save_keras(model, graphs: dict[str, Graph], feeds, out: Path) -> dict[str, str]:
    try:
        built = KERAS_GRAPHS[model.config.family](model, graphs)
    except Exception as err:
        raise ExportError(f"building the functional Keras graph of {model.config.model_name} "
                          f"failed: {type(err).__name__}: {err}") from err
    files = {}
    for name, functional in built.items():
        files[name] = f"{name}.keras"
        functional.save(str(out / files[name]))
    return files


def load_keras(out: Path, graphs: dict[str, Graph], files: dict[str, str]) -> dict[str, Runner]:
    runners = {}
    for name, graph in graphs.items():
        functional = keras.models.load_model(str(out / files[name]))

        def run(feeds, functional=functional, graph=graph):
            return _numpy_outputs(functional({s.name: feeds[s.name] for s in graph.inputs},
                                             training=False))
        runners[name] = run
    return runners
