"""The seq2seq rule table (both directions derive from it) and its parity inputs.

Torch GRU gates are (r, z, n), Keras (z, r, h): ``gru_kernel`` / ``gru_biases`` reorder
them and keep both bias vectors (``reset_after=True``; notes/conversion.md section 8).
"""

from __future__ import annotations

import numpy as np

from zoo.conversion import ops
from zoo.conversion.engine import Rule
from zoo.data.text import END, PAD, START
from zoo.models.seq2seq.config import Seq2SeqConfig

#: float32 parity tolerance (notes/conversion.md 12: correct conversions give <= 1.2e-7)
TOLERANCE = {"atol": 1e-5, "rtol": 0.0}
PARITY_INPUTS = ("seed 0, teacher forcing 9 steps: batch 3 source lengths 37/20/1, the same "
                 "+ 5 pad columns, batch 1 length 1, batch 2 lengths 5/37")
#: parity source lengths per case; extra pad columns after the longest
PARITY_CASES = {
    "lens37-20-1": ((37, 20, 1), 0),
    "lens37-20-1+pad5": ((37, 20, 1), 5),
    "len1": ((1,), 0),
    "lens5-37": ((5, 37), 0),
}
TARGET_STEPS = 9

#: Dense-like layers: (torch module, Keras layer)
LINEAR = (("bahdanau.query", "bahdanau.query"), ("bahdanau.key", "bahdanau.key"),
          ("bahdanau.energy", "bahdanau.energy"), ("out", "out"))
#: GRUs: (torch module, torch key suffix, Keras cell path)
GRUS = (("encoder", "_l0", "encoder/gru_cell"), ("decoder", "", "decoder"))


def rules(config: Seq2SeqConfig, gru_kernel: ops.Op = ops.gru_kernel,
          gru_biases: ops.Op = ops.gru_biases) -> list[Rule]:
    """One row per Keras variable. The GRU ops are parameters so a test can show that the
    parity check fails without the gate reorder."""
    table = [Rule(f"{m}.weight", f"seq2seq/{m}/embeddings", ops.identity)
             for m in ("enc_emb", "dec_emb")]
    for module, suffix, cell in GRUS:
        table += [
            Rule(f"{module}.weight_ih{suffix}", f"seq2seq/{cell}/kernel", gru_kernel),
            Rule(f"{module}.weight_hh{suffix}", f"seq2seq/{cell}/recurrent_kernel", gru_kernel),
            Rule((f"{module}.bias_ih{suffix}", f"{module}.bias_hh{suffix}"),
                 f"seq2seq/{cell}/bias", gru_biases),
        ]
    for module, layer in LINEAR:
        table += [Rule(f"{module}.weight", f"seq2seq/{layer}/kernel", ops.transpose),
                  Rule(f"{module}.bias", f"seq2seq/{layer}/bias", ops.identity)]
    return table


def source_batch(lengths: tuple[int, ...], extra_pad: int, vocab_size: int,
                 rng: np.random.Generator) -> np.ndarray:
    """Right-padded source ids: random real tokens, then ``<end>``, then pads."""
    width = max(lengths) + extra_pad
    src = np.full((len(lengths), width), PAD, np.int64)
    for row, n in enumerate(lengths):
        src[row, : n - 1] = rng.integers(END + 1, vocab_size, n - 1)
        src[row, n - 1] = END
    return src


def parity_inputs(config: Seq2SeqConfig, seed: int = 0
                  ) -> list[tuple[str, tuple[np.ndarray, np.ndarray]]]:
    """Named (source ids, teacher-forced target ids) pairs for both models."""
    cases = []
    for name, (lengths, extra) in PARITY_CASES.items():
        rng = np.random.default_rng(seed)  # same tokens with and without the pad columns
        src = source_batch(lengths, extra, config.src_vocab_size, rng)
        tgt = rng.integers(END + 1, config.tgt_vocab_size, (len(lengths), TARGET_STEPS))
        tgt[:, 0] = START
        cases.append((name, (src, tgt.astype(np.int64))))
    return cases
