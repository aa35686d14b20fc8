"""Greedy decoding over an exported seq2seq (its ``encoder`` and ``decoder_step`` graphs), in
plain numpy: the reference a server reimplements, equal to ``Translator.greedy``.

Example:
    >>> translate_export("out/seq2seq-onnx", ["23 november 2026"])
    ['2026-11-23']
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from zoo.data.text import END, PAD, START
from zoo.export.check import Runner

#: never produced by decoding: they are inputs only (as zoo.tasks.translate.NEVER_OUTPUT)
NEVER_OUTPUT = [PAD, START]


def greedy_decode(encoder: Runner, step: Runner, src: np.ndarray, max_len: int
                  ) -> np.ndarray:
    """Token ids (B, L), ``<pad>`` after each row's ``<end>``, for source ids (B, S).

    ``encoder({"src"})`` gives memory, keys, mask and state; ``step({"prev", "state",
    "memory", "keys", "mask"})`` gives log_probs and new_state. Each row stops at its own
    ``<end>``; all stop after ``max_len`` tokens.
    """
    memory = encoder({"src": np.asarray(src, np.int64)})
    batch = len(src)
    prev, state = np.full(batch, START, np.int64), memory["state"]
    tokens = np.full((batch, max_len), PAD, np.int64)
    done = np.zeros(batch, bool)
    for t in range(max_len):
        out = step({"prev": prev, "state": state, "memory": memory["memory"],
                    "keys": memory["keys"], "mask": memory["mask"]})
        log_probs = np.array(out["log_probs"], copy=True)
        log_probs[:, NEVER_OUTPUT] = -np.inf
        prev = np.where(done, PAD, log_probs.argmax(axis=-1)).astype(np.int64)
        tokens[:, t], state = prev, out["new_state"]
        done |= prev == END
        if done.all():
            return tokens[:, : t + 1]
    return tokens


def translate_export(out: str | Path, texts: list[str], max_len: int | None = None
                     ) -> list[str]:
    """Translate ``texts`` with the exported graphs and vocabularies in ``out`` only."""
    from zoo.data.text import Vocab
    from zoo.export import load

    out = Path(out)
    prep = json.loads((out / "preprocess.json").read_text(encoding="utf-8"))
    src_vocab, tgt_vocab = (Vocab.from_json((out / prep["vocabularies"][side]).read_text(
        encoding="utf-8"), source=str(out)) for side in ("source", "target"))
    runners = load(out)
    src = src_vocab.encode(list(texts), prep["max_src_len"])[0]
    ids = greedy_decode(runners["encoder"], runners["decoder_step"], src,
                        max_len or prep["max_tgt_len"])
    return [tgt_vocab.decode(row) for row in ids]
