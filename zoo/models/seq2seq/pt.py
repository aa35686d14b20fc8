"""PyTorch seq2seq: Embedding + GRU encoder (packed), Bahdanau attention, GRUCell decoder.

Module names equal the Keras layer names (``encoder``, ``bahdanau.query``, ``decoder``...),
so the rule table reads as one list of pairs.
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

from zoo.data.text import PAD
from zoo.models.seq2seq.config import Seq2SeqConfig
from zoo.tasks.translate import MASKED_SCORE, Memory, Translator


class BahdanauAttention(nn.Module):
    """``score = energy(tanh(query(h) + key(memory)))``; pad positions get weight 0."""

    def __init__(self, units: int, attention_units: int) -> None:
        super().__init__()
        self.query = nn.Linear(units, attention_units)
        self.key = nn.Linear(units, attention_units)
        self.energy = nn.Linear(attention_units, 1)

    def forward(self, h: torch.Tensor, keys: torch.Tensor, memory: torch.Tensor,
                mask: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        scores = self.energy(torch.tanh(self.query(h)[:, None] + keys))[..., 0]
        weights = torch.softmax(scores.masked_fill(~mask, MASKED_SCORE), dim=-1)
        return torch.bmm(weights[:, None], memory)[:, 0], weights


class Seq2Seq(nn.Module, Translator):
    """``forward(src, tgt_in)`` -> logits (B, T, V): teacher forcing, for training."""

    def __init__(self, config: Seq2SeqConfig) -> None:
        super().__init__()
        self.config = config
        c = config
        self.enc_emb = nn.Embedding(c.src_vocab_size, c.embedding_dim)
        self.encoder = nn.GRU(c.embedding_dim, c.units, batch_first=True)
        self.dec_emb = nn.Embedding(c.tgt_vocab_size, c.embedding_dim)
        self.bahdanau = BahdanauAttention(c.units, c.attention_units)
        self.decoder = nn.GRUCell(c.units + c.embedding_dim, c.units)  # [context | embedding]
        self.out = nn.Linear(c.units, c.tgt_vocab_size)

    def encode(self, src: torch.Tensor) -> tuple[torch.Tensor, ...]:
        """(memory, keys, mask, final state); packed, so pad steps never reach the GRU."""
        mask = src != PAD
        lengths = mask.sum(dim=1).clamp(min=1).cpu()
        packed = pack_padded_sequence(self.enc_emb(src), lengths, batch_first=True,
                                      enforce_sorted=False)
        out, h = self.encoder(packed)
        memory, _ = pad_packed_sequence(out, batch_first=True, total_length=src.shape[1])
        return memory, self.bahdanau.key(memory), mask, h[0]

    def step(self, prev: torch.Tensor, h: torch.Tensor, memory: torch.Tensor,
             keys: torch.Tensor, mask: torch.Tensor) -> tuple[torch.Tensor, ...]:
        """One decoder step: (logits, new state, attention weights)."""
        context, weights = self.bahdanau(h, keys, memory, mask)
        h = self.decoder(torch.cat([context, self.dec_emb(prev)], dim=-1), h)
        return self.out(h), h, weights

    def teacher_forced(self, src: torch.Tensor, tgt_in: torch.Tensor
                       ) -> tuple[torch.Tensor, torch.Tensor]:
        memory, keys, mask, h = self.encode(src)
        logits, attention = [], []
        for t in range(tgt_in.shape[1]):
            step_logits, h, weights = self.step(tgt_in[:, t], h, memory, keys, mask)
            logits.append(step_logits)
            attention.append(weights)
        return torch.stack(logits, dim=1), torch.stack(attention, dim=1)

    def forward(self, src: torch.Tensor, tgt_in: torch.Tensor) -> torch.Tensor:
        return self.teacher_forced(src, tgt_in)[0]

    # numpy in, numpy out: what the shared decoding code (zoo/tasks/translate.py) calls
    def run_numpy(self, x: tuple[np.ndarray, np.ndarray]) -> dict[str, np.ndarray]:
        """Teacher-forced logits (B, T, V) and attention (B, T, S) for ids (src, tgt_in)."""
        with torch.no_grad():
            logits, attention = self.teacher_forced(*(torch.from_numpy(np.asarray(a, np.int64))
                                                      for a in x))
        return {"logits": logits.numpy(), "attention": attention.numpy()}

    def encode_numpy(self, src: np.ndarray) -> Memory:
        with torch.no_grad():
            parts = self.encode(torch.from_numpy(np.asarray(src, np.int64)))
        return Memory(*(p.numpy() for p in parts))

    def step_numpy(self, prev: np.ndarray, h: np.ndarray, memory: Memory
                   ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(log-probabilities (B, V), new state (B, U), attention (B, S))."""
        t = torch.from_numpy
        with torch.no_grad():
            logits, h, weights = self.step(t(np.asarray(prev, np.int64)), t(h), t(memory.memory),
                                           t(memory.keys), t(memory.mask))
            return torch.log_softmax(logits, dim=-1).numpy(), h.numpy(), weights.numpy()


def build(config: Seq2SeqConfig) -> Seq2Seq:
    """A freshly initialised model in eval mode (no vocabularies attached).

    Example:
        >>> build(Seq2SeqConfig()).decoder.hidden_size
        128
    """
    return Seq2Seq(config).eval()
