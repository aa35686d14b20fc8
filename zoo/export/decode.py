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

from zoo.export.check import Runner
from zoo.tasks.translate import NEVER_OUTPUT, greedy_search


def greedy_decode(encoder: Runner, step: Runner, src: np.ndarray, max_len: int
                  ) -> np.ndarray:
    """Token ids (B, L), ``<pad>`` after each row's ``<end>``, for source ids (B, S).

    ``encoder({"src"})`` gives memory, keys, mask and state; ``step({"prev", "state",
    "memory", "keys", "mask"})`` gives log_probs and new_state. Each row stops at its own
    ``<end>``; all stop after ``max_len`` tokens (the models' own greedy loop).
    """
    memory = encoder({"src": np.asarray(src, np.int64)})

    def decoder_step(prev: np.ndarray, state: np.ndarray) -> tuple[np.ndarray, np.ndarray,
                                                                    None]:
        out = step({"prev": prev, "state": state, "memory": memory["memory"],
                    "keys": memory["keys"], "mask": memory["mask"]})
        log_probs = np.array(out["log_probs"], copy=True)  # a runner's output may be read-only
        log_probs[:, list(NEVER_OUTPUT)] = -np.inf
        return log_probs, out["new_state"], None

    return greedy_search(decoder_step, memory["state"], len(src), max_len)[0]


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
