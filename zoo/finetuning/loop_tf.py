"""The TensorFlow fine-tuning loop: frozen-backbone phases over a ``tf.data`` pipeline.

Same class and methods as ``loop_pt.py``. Frozen layers get ``trainable=False``, which in
Keras 3 also keeps their BatchNorm in inference mode; the step is re-traced per phase
because its variable list changes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import keras
import numpy as np
import tensorflow as tf

from zoo.data import images_tf
from zoo.finetuning.settings import FinetuneSettings
from zoo.training.loop_tf import cross_entropy, load_optimizer_state, optimizer_state
from zoo.weights import tf as weights_tf

make_batches = images_tf.make_dataset


class Tuner:
    """Owns the model and the optimizer of the current phase."""

    def __init__(self, model: keras.Model, settings: FinetuneSettings) -> None:
        self.model, self.settings = model, settings
        self.loss_fn = cross_entropy(settings.label_smoothing)
        self.optimizer: keras.optimizers.Optimizer | None = None

    def start_phase(self, frozen: tuple[str, ...], lr: float) -> None:
        """Freeze ``frozen`` layers and make an optimizer (and a step) for the rest."""
        self.model.freeze(frozen)
        self.optimizer = keras.optimizers.AdamW(lr, weight_decay=self.settings.weight_decay)
        self.optimizer.build(self.model.trainable_variables)
        self._step = tf.function(self._step_graph)

    def _step_graph(self, x, y, lr):
        self.optimizer.learning_rate.assign(lr)
        with tf.GradientTape() as tape:
            loss = self.loss_fn(y, self.model(x, training=True))
        variables = self.model.trainable_variables
        self.optimizer.apply_gradients(zip(tape.gradient(loss, variables), variables,
                                           strict=True))
        return loss

    def train_epoch(self, batches: Iterable, lr_at: Callable[[int], float],
                    tick: Callable[[int], None]) -> float:
        """One pass over ``batches``; returns the mean training loss."""
        total, seen = 0.0, 0
        for i, (x, y) in enumerate(batches):
            loss = self._step(x, y, tf.constant(lr_at(i), tf.float32))
            n = int(y.shape[0])
            total += float(loss) * n
            seen += n
            tick(n)
        return total / max(seen, 1)

    def predict(self, batches: Iterable) -> tuple[np.ndarray, np.ndarray]:
        """Logits and labels of every batch, in inference mode."""
        logits, labels = [], []
        for x, y in batches:
            logits.append(keras.ops.convert_to_numpy(self.model(x, training=False)))
            labels.append(np.asarray(y))
        return np.concatenate(logits), np.concatenate(labels)

    def state(self) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray], dict[str, Any]]:
        opt, meta = optimizer_state(self.optimizer)
        return weights_tf.state(self.model), opt, meta

    def load_state(self, model: dict[str, np.ndarray], optimizer: dict[str, np.ndarray],
                   meta: dict[str, Any]) -> None:
        weights_tf.assign(self.model, model, source="checkpoint")
        load_optimizer_state(self.optimizer, optimizer, meta)
