"""Keras seq2seq: Embedding + GRU encoder (masked), Bahdanau attention, GRUCell decoder.

Layer names equal the torch module names; GRUs use ``reset_after=True`` (the Keras 3
default and the only form equal to torch's GRU). The encoder gets an explicit mask instead
of ``Embedding(mask_zero=True)``, and attention gives pad positions exactly zero weight.
"""

from __future__ import annotations

from typing import Any

import keras
import numpy as np
import tensorflow as tf

from zoo.data.text import PAD
from zoo.models.seq2seq.config import Seq2SeqConfig
from zoo.tasks.translate import MASKED_SCORE, Memory, Translator


def torch_like_init(kind: str, fan: int = 1) -> Any:
    """Initializers drawing from torch's default distributions, one new instance per call
    (a shared unseeded Keras initializer repeats its values across layers).

    Keras' own defaults (embeddings U(-0.05, 0.05), Glorot, orthogonal) trained the dates
    recipe about 10x slower in its first 200 steps than torch's N(0, 1) embeddings and
    U(+-1/sqrt(fan)) weights; with the same distributions both backends train alike.
    """
    if kind == "normal":
        return keras.initializers.RandomNormal(0.0, 1.0)
    bound = fan ** -0.5

    def uniform() -> keras.initializers.Initializer:
        return keras.initializers.RandomUniform(-bound, bound)

    if kind == "gru":
        return {"kernel_initializer": uniform(), "recurrent_initializer": uniform(),
                "bias_initializer": uniform()}
    return {"kernel_initializer": uniform(), "bias_initializer": uniform()}


class Seq2Seq(keras.Model, Translator):
    """``model((src, tgt_in))`` -> logits (B, T, V): teacher forcing, for training."""

    def __init__(self, config: Seq2SeqConfig, **kwargs) -> None:
        super().__init__(name="seq2seq", **kwargs)
        self.config = config
        c = config
        layers, init = keras.layers, torch_like_init
        self.enc_emb = layers.Embedding(c.src_vocab_size, c.embedding_dim, name="enc_emb",
                                        embeddings_initializer=init("normal"))
        self.encoder = layers.GRU(c.units, return_sequences=True, return_state=True,
                                  reset_after=True, name="encoder", **init("gru", c.units))
        self.dec_emb = layers.Embedding(c.tgt_vocab_size, c.embedding_dim, name="dec_emb",
                                        embeddings_initializer=init("normal"))
        self.bahdanau_query = layers.Dense(c.attention_units, name="bahdanau.query",
                                           **init("dense", c.units))
        self.bahdanau_key = layers.Dense(c.attention_units, name="bahdanau.key",
                                         **init("dense", c.units))
        self.bahdanau_energy = layers.Dense(1, name="bahdanau.energy",
                                            **init("dense", c.attention_units))
        self.decoder = layers.GRUCell(c.units, reset_after=True, name="decoder",
                                      **init("gru", c.units))
        self.out = layers.Dense(c.tgt_vocab_size, name="out", **init("dense", c.units))
        self._step_graph = tf.function(self.step, reduce_retracing=True)

    def encode(self, src, training=None):
        """(memory, keys, mask, final state); masked, so pad steps keep the last state."""
        mask = tf.not_equal(src, PAD)
        memory, h = self.encoder(self.enc_emb(src), mask=mask, training=training)
        return memory, self.bahdanau_key(memory), mask, h

    def step(self, prev, h, memory, keys, mask, training=None):
        """One decoder step: (logits, new state, attention weights)."""
        query = self.bahdanau_query(h)[:, None]
        scores = self.bahdanau_energy(tf.tanh(query + keys))[..., 0]
        weights = tf.nn.softmax(tf.where(mask, scores, MASKED_SCORE), axis=-1)
        context = tf.einsum("bs,bsu->bu", weights, memory)
        x = tf.concat([context, self.dec_emb(prev)], axis=-1)
        out, _ = self.decoder(x, [h], training=training)
        return self.out(out), out, weights

    def teacher_forced(self, src, tgt_in, training=None):
        memory, keys, mask, h = self.encode(src, training=training)
        logits, attention = [], []
        for t in range(tgt_in.shape[1]):  # static under tf.function: the loop is unrolled
            step_logits, h, weights = self.step(tgt_in[:, t], h, memory, keys, mask, training)
            logits.append(step_logits)
            attention.append(weights)
        return tf.stack(logits, axis=1), tf.stack(attention, axis=1)

    def call(self, inputs, training=None):
        src, tgt_in = inputs
        return self.teacher_forced(src, tgt_in, training=training)[0]

    # numpy in, numpy out: what the shared decoding code (zoo/tasks/translate.py) calls
    def run_numpy(self, x: tuple[np.ndarray, np.ndarray]) -> dict[str, np.ndarray]:
        """Teacher-forced logits (B, T, V) and attention (B, T, S) for ids (src, tgt_in)."""
        src, tgt_in = (tf.constant(np.asarray(a, np.int64)) for a in x)
        logits, attention = self.teacher_forced(src, tgt_in, training=False)
        return {"logits": logits.numpy(), "attention": attention.numpy()}

    def encode_numpy(self, src: np.ndarray) -> Memory:
        parts = self.encode(tf.constant(np.asarray(src, np.int64)), training=False)
        return Memory(*(p.numpy() for p in parts))

    def step_numpy(self, prev: np.ndarray, h: np.ndarray, memory: Memory
                   ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(log-probabilities (B, V), new state (B, U), attention (B, S))."""
        logits, h, weights = self._step_graph(
            tf.constant(np.asarray(prev, np.int64)), tf.constant(h),
            tf.constant(memory.memory), tf.constant(memory.keys), tf.constant(memory.mask))
        return tf.nn.log_softmax(logits, axis=-1).numpy(), h.numpy(), weights.numpy()


def build(config: Seq2SeqConfig) -> Seq2Seq:
    """A model with its variables created (built on a tiny batch), no vocabularies attached.

    Example:
        >>> [v.path for v in build(Seq2SeqConfig()).weights][0]
        'seq2seq/enc_emb/embeddings'
    """
    model = Seq2Seq(config)
    model((np.ones((1, 2), np.int64), np.ones((1, 1), np.int64)))
    return model
