"""What the training engines need from the seq2seq family: corpora, vocabularies, arrays,
evaluation (exact match, BLEU) and attention plots.

Evaluation goes through ``translate`` (the decoding both backends share), so a torch run
and a TF run are measured by the same code.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import numpy as np

from zoo.data.text import END, PAD, START, Vocab
from zoo.errors import BackendNotInstalledError, RecipeError

_TEXT_KEYS = {"src_level": str, "tgt_level": str, "lowercase": bool, "strip_accents": bool,
              "split_punctuation": bool, "min_freq": int, "max_vocab": int,
              "test_fraction": float, "seed": int, "eval_limit": int}
#: [data] kind -> allowed keys (checked by the recipe loader)
DATA_SCHEMA = {
    "dates": {"kind": str, "n": int, **_TEXT_KEYS},
    "tsv": {"kind": str, "path": str, "limit": int, "swap": bool, **_TEXT_KEYS},
}
#: kind -> defaults: dates are characters in and out; sentences are words
DATA_DEFAULTS = {
    "dates": {"n": 20000, "src_level": "char", "tgt_level": "char", "split_punctuation": False},
    "tsv": {"path": "", "limit": 0, "swap": False, "src_level": "word", "tgt_level": "word",
            "split_punctuation": True},
}
COMMON_DEFAULTS = {"lowercase": True, "strip_accents": True, "min_freq": 1, "max_vocab": 0,
                   "test_fraction": 0.1, "seed": 0, "eval_limit": 0}


@dataclasses.dataclass(frozen=True)
class TextPairs:
    train: list[tuple[str, str]]
    test: list[tuple[str, str]]
    src_vocab: Vocab
    tgt_vocab: Vocab
    kind: str


def settings(section: dict[str, Any]) -> dict[str, Any]:
    return {**COMMON_DEFAULTS, **DATA_DEFAULTS[section["kind"]], **section}


def _pairs(d: dict[str, Any]) -> list[tuple[str, str]]:
    if d["kind"] == "dates":
        from zoo.data.dates import date_pairs

        return date_pairs(d["n"], seed=d["seed"])
    from zoo.data.tsv import read_tsv

    if not d["path"]:
        raise RecipeError("[data] kind = 'tsv' needs path = 'corpus.txt' (a manythings/Anki "
                          "TSV: source<TAB>target); on the command line: --data-file PATH")
    return read_tsv(Path(d["path"]).expanduser(), limit=d["limit"] or None, swap=d["swap"])


def make_data(section: dict[str, Any]) -> TextPairs:
    """The corpus, its seeded held-out split and vocabularies built on the training part."""
    from zoo.data.dates import split_pairs

    d = settings(section)
    train, test = split_pairs(_pairs(d), d["test_fraction"], d["seed"])
    if d["eval_limit"]:
        test = test[: d["eval_limit"]]
    norm = {k: d[k] for k in ("lowercase", "strip_accents", "split_punctuation")}
    vocabs = [Vocab.build([pair[i] for pair in train], d[level], min_freq=d["min_freq"],
                          max_size=d["max_vocab"] or None, **norm)
              for i, level in enumerate(("src_level", "tgt_level"))]
    return TextPairs(train, test, vocabs[0], vocabs[1], d["kind"])


def assets(data: TextPairs) -> dict[str, Vocab]:
    """The vocabularies the trained model carries (``vocab.src.json`` / ``vocab.tgt.json``)."""
    return {"src_vocab": data.src_vocab, "tgt_vocab": data.tgt_vocab}


def config_overrides(data: TextPairs) -> dict[str, Any]:
    """Vocabulary sizes, and length limits that fit every training pair (+ ``<end>``)."""
    longest = [max(len(vocab.tokenize(pair[i])) for pair in data.train) + 1
               for i, vocab in enumerate((data.src_vocab, data.tgt_vocab))]
    return {"src_vocab_size": len(data.src_vocab), "tgt_vocab_size": len(data.tgt_vocab),
            "max_src_len": longest[0], "max_tgt_len": longest[1]}


def _fixed_width(ids: np.ndarray, width: int) -> np.ndarray:
    """Pad every batch to one width: one input signature, one traced TF step."""
    out = np.full((len(ids), width), PAD, np.int64)
    out[:, : ids.shape[1]] = ids
    return out


def training_arrays(data: TextPairs, config: Any) -> tuple[tuple[np.ndarray, ...], np.ndarray]:
    """((source ids, decoder inputs ``<start> y``), decoder targets ``y <end>``)."""
    src, _ = data.src_vocab.encode([p[0] for p in data.train], config.max_src_len)
    tgt, _ = data.tgt_vocab.encode([p[1] for p in data.train], config.max_tgt_len)
    tgt = _fixed_width(tgt, config.max_tgt_len)
    tgt_in = np.concatenate([np.full((len(tgt), 1), START, np.int64), tgt[:, :-1]], axis=1)
    tgt_in[tgt_in == END] = PAD  # <end> is never an input
    return (_fixed_width(src, config.max_src_len), tgt_in), tgt


def reference(data: TextPairs, text: str) -> str:
    """A reference as the model would write it: normalised and re-joined tokens."""
    return data.tgt_vocab.join(data.tgt_vocab.tokenize(text))


def evaluate(model: Any, data: TextPairs) -> dict[str, float]:
    """Exact match (and corpus BLEU with sacrebleu) of greedy translations of the test split."""
    try:
        import sacrebleu
    except ImportError:
        raise BackendNotInstalledError("BLEU needs sacrebleu: pip install 'zoo[text]'") from None

    hyps = model.translate([p[0] for p in data.test])
    refs = [reference(data, p[1]) for p in data.test]
    exact = float(np.mean([h == r for h, r in zip(hyps, refs, strict=True)]))
    bleu = sacrebleu.corpus_bleu(hyps, [refs], tokenize="none" if data.kind == "tsv" else "char")
    return {"exact_match": exact, "bleu": round(float(bleu.score), 4)}


def plot(model: Any, data: TextPairs, out_dir: Path) -> list[Path]:
    """``attention.png``: attention maps of the first three test sentences."""
    return [model.plot_attention([p[0] for p in data.test[:3]], out_dir / "attention.png")]


def dataset_card(section: dict[str, Any]) -> tuple[str, str]:
    d = settings(section)
    if d["kind"] == "dates":
        return (f"synthetic date normalisation: {d['n']} human dates in 6 languages and many "
                f"formats -> ISO YYYY-MM-DD, seed {d['seed']}, {d['test_fraction']:.0%} held "
                "out", "synthetic-dates")
    limit = f", first {d['limit']} pairs" if d["limit"] else ""
    return (f"parallel corpus {Path(d['path']).name} (manythings/Anki TSV){limit}, "
            f"{d['test_fraction']:.0%} held out", "tsv")
