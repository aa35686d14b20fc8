"""The TensorFlow side of the engine: a ``tf.function`` step with ``GradientTape``.

Same class name and methods as ``loop_pt.py``; ``engine.fit`` drives either.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import keras
import numpy as np
import tensorflow as tf
from tensorflow.core.framework import summary_pb2

from zoo.data.text import PAD
from zoo.errors import RecipeError
from zoo.training import dist_tf
from zoo.training.cluster import Cluster, shard_batches
from zoo.weights import strict
from zoo.weights import tf as weights_tf


def cross_entropy(smoothing: float) -> Any:
    """Mean cross entropy of integer labels and logits, with label smoothing."""

    def loss(labels, logits):  # label smoothing needs one-hot targets in Keras
        onehot = tf.one_hot(labels, tf.shape(logits)[-1])
        return tf.reduce_mean(keras.losses.categorical_crossentropy(
            onehot, logits, from_logits=True, label_smoothing=smoothing))

    return loss


def sequence_cross_entropy(smoothing: float) -> Any:
    """Mean cross entropy over the non-pad target tokens of logits (B, T, V), labels (B, T)."""

    def loss(labels, logits):
        onehot = tf.one_hot(labels, tf.shape(logits)[-1])
        per_token = keras.losses.categorical_crossentropy(
            onehot, logits, from_logits=True, label_smoothing=smoothing)
        mask = tf.cast(tf.not_equal(labels, PAD), per_token.dtype)
        return tf.reduce_sum(per_token * mask) / tf.maximum(tf.reduce_sum(mask), 1.0)

    return loss


LOSSES = {
    "mse": lambda train: keras.losses.MeanSquaredError(),
    "cross_entropy": lambda train: cross_entropy(train["label_smoothing"]),
    "sequence_cross_entropy": lambda train: sequence_cross_entropy(train["label_smoothing"]),
}
OPTIMIZERS = {
    "adam": lambda o: keras.optimizers.Adam(o["lr"], weight_decay=o["weight_decay"] or None),
    "adamw": lambda o: keras.optimizers.AdamW(o["lr"], weight_decay=o["weight_decay"]),
    "sgd": lambda o: keras.optimizers.SGD(
        o["lr"], momentum=o["momentum"], weight_decay=o["weight_decay"] or None
    ),
}


#: TensorBoard shows tensors with this metadata on its scalars dashboard. Written with TF's
#: core ``tf.summary.write``: ``tf.summary.scalar`` goes through tensorboard's compat layer,
#: which the torch writer may have switched to its TF-free stub in a mixed process.
SCALAR_METADATA = summary_pb2.SummaryMetadata(
    plugin_data=summary_pb2.SummaryMetadata.PluginData(plugin_name="scalars")
)


def optimizer_state(optimizer: keras.optimizers.Optimizer
                    ) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
    """(variables by path as numpy, metadata) of an optimizer, for a checkpoint."""
    return {v.path: keras.ops.convert_to_numpy(v) for v in optimizer.variables}, {}


def load_optimizer_state(optimizer: keras.optimizers.Optimizer, tensors: dict[str, np.ndarray],
                         meta: dict[str, Any]) -> None:
    """The inverse of :func:`optimizer_state`, strict about paths, shapes and dtypes."""
    variables = {v.path: v for v in optimizer.variables}
    spec = {p: (tuple(v.shape), str(v.dtype)) for p, v in variables.items()}
    strict.check(spec, tensors, source="checkpoint optimizer state")
    for path, var in variables.items():
        var.assign(tensors[path])


#: [train] mixed_precision -> Keras dtype policy (variables stay float32 in every policy)
POLICIES = {"no": "float32", "bf16": "mixed_bfloat16", "fp16": "mixed_float16"}


@contextlib.contextmanager
def precision_scope(train: dict[str, Any]) -> Iterator[None]:
    """Build the model inside: ``[train] device`` and ``mixed_precision`` applied, and the
    global Keras dtype policy restored afterwards (models built later stay float32)."""
    gpus = tf.config.list_physical_devices("GPU")
    if train["device"] == "cuda" and not gpus:
        raise RecipeError("[train] device = 'cuda' but TensorFlow sees no GPU here; use "
                          "device = 'auto' (GPU when present) or 'cpu'")
    if train["device"] == "cpu" and gpus:
        tf.config.set_visible_devices([], "GPU")
    if train["mixed_precision"] == "fp16" and not gpus:
        raise RecipeError("[train] mixed_precision = 'fp16' needs a GPU (float16 with loss "
                          "scaling); on a CPU use 'bf16'")
    before = keras.config.dtype_policy()
    keras.config.set_dtype_policy(POLICIES[train["mixed_precision"]])
    try:
        yield
    finally:
        keras.config.set_dtype_policy(before)


def seed_everything(seed: int) -> None:
    keras.utils.set_random_seed(seed)
    tf.config.experimental.enable_op_determinism()


class Trainer:
    """Owns the model, its optimizer and the TensorBoard writer of one TF run."""

    def __init__(self, model: keras.Model, recipe: Any, run_dir: Path,
                 cluster: Cluster | None = None) -> None:
        self.model = model
        self.cluster = cluster or Cluster("tf")
        self.chief = self.cluster.chief
        with dist_tf.scope():  # multi-worker: the optimizer's variables are mirrored too
            self.optimizer = OPTIMIZERS[recipe.optimizer["name"]](recipe.optimizer)
            if recipe.train["mixed_precision"] == "fp16":  # float16 gradients need scaling
                self.optimizer = keras.optimizers.LossScaleOptimizer(self.optimizer)
            self.optimizer.build(model.trainable_variables)
        self.loss_fn = LOSSES[recipe.train["loss"]](recipe.train)
        self.writer = (tf.summary.create_file_writer(str(run_dir / "tensorboard"))
                       if self.chief else None)
        # traced once per input signature; the learning rate is a tensor so it never retraces
        self._train_step = tf.function(self._distributed_step if self.cluster.distributed
                                       else self._step_graph)

    def _replica_step(self, x, y):
        """One worker's share of a step: the mean loss of its share divided by the world
        size; the optimizer sums the gradients over the workers, so the update is the
        single-process update on the global batch (one process divides by 1: exact). Under
        fp16 the LossScaleOptimizer scales the loss and unscales the gradients; every other
        Keras optimizer's ``scale_loss`` returns the loss as it is."""
        with tf.GradientTape() as tape:
            loss = self.loss_fn(y, self._float32(self.model(x, training=True)))
            loss = loss / self.cluster.world
            scaled = self.optimizer.scale_loss(loss)
        grads = tape.gradient(scaled, self.model.trainable_variables)
        self.optimizer.apply_gradients(
            zip(grads, self.model.trainable_variables, strict=True))
        return loss

    def _step_graph(self, x, y, lr):
        self.optimizer.learning_rate.assign(lr)
        return self._replica_step(x, y)

    def _distributed_step(self, x, y, lr):
        """One step under MultiWorkerMirroredStrategy: each worker runs its replica step, and
        the losses are summed into the global batch's loss."""
        strategy = dist_tf.strategy()
        self.optimizer.learning_rate.assign(lr)
        losses = strategy.run(self._replica_step, args=(x, y))
        return strategy.reduce(tf.distribute.ReduceOp.SUM, losses, axis=None)

    @staticmethod
    def _float32(outputs):
        """The loss in float32 whatever the compute dtype (mixed precision)."""
        return tf.cast(outputs, tf.float32)

    def reduce_loss(self, value: float) -> float:
        """Already the global batch's loss (the step reduces it over the workers)."""
        return value

    def step(self, step: int, x: Any, y: Any, lr: float) -> tf.Tensor:
        """One optimisation step on a batch; returns the loss tensor."""
        return self._train_step(x, y, tf.constant(lr, tf.float32))

    def scalar(self, name: str, value: float, step: int) -> None:
        if self.writer is None:
            return
        with self.writer.as_default():
            tf.summary.write(name, tf.constant(value, tf.float32), step=step,
                             metadata=SCALAR_METADATA)

    def batches(self, batch_fn: Any, start: int, stop: int, workers: int) -> Any:
        """Steps ``start..stop`` as a prefetching ``tf.data`` pipeline over ``batch_fn``
        (multi-worker: over this worker's share of every global batch)."""
        batch_fn = shard_batches(batch_fn, self.cluster)
        first = batch_fn(start)  # dtypes and shapes of every batch (x may be a tuple)
        flat = tf.nest.flatten(first)

        def load(step):
            arrays = tf.numpy_function(lambda s: tf.nest.flatten(batch_fn(int(s))), [step],
                                       [tf.as_dtype(a.dtype) for a in flat])
            arrays = [tf.ensure_shape(a, f.shape) for a, f in zip(arrays, flat, strict=True)]
            return tf.nest.pack_sequence_as(first, arrays)

        ds = tf.data.Dataset.range(start, stop)
        # parallel map keeps the step order (deterministic=True): same batches as torch
        ds = (ds.map(load, num_parallel_calls=workers, deterministic=True) if workers
              else ds.map(load))
        return iter(ds.prefetch(tf.data.AUTOTUNE))

    def state(self) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray], dict[str, Any]]:
        """(model tensors, optimizer tensors, optimizer metadata) for a checkpoint."""
        tensors, meta = optimizer_state(self.optimizer)
        return weights_tf.state(self.model), tensors, meta

    def load_state(
        self, model: dict[str, np.ndarray], optimizer: dict[str, np.ndarray], meta: dict[str, Any]
    ) -> None:
        weights_tf.assign(self.model, model, source="checkpoint")
        load_optimizer_state(self.optimizer, optimizer, meta)

    def finish(self) -> keras.Model:
        if self.writer is not None:
            self.writer.close()
        return self.model
