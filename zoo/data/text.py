"""Text normalisation and a saved vocabulary for the GRU seq2seq translator.

The vocabulary carries its own normalisation flags, so a saved ``Vocab`` tokenizes new text
exactly as the training text was tokenized.

Example:
    >>> normalize("¿Qué hora es?")
    '¿ que hora es ?'
    >>> vocab = Vocab.build(["23 de febrero de 2026", "2026-02-23"], level="char")
    >>> ids, lengths = vocab.encode(["23 feb"], max_len=12, add_start=True)
    >>> vocab.decode(ids[0])
    '23 feb'
    >>> Vocab.from_json(vocab.to_json()) == vocab
    True
"""

from __future__ import annotations

import dataclasses
import json
import re
import unicodedata
import warnings
from collections import Counter
from collections.abc import Iterable, Sequence

import numpy as np

from zoo.errors import VocabError

SPECIALS = ("<pad>", "<start>", "<end>", "<unk>")
PAD, START, END, UNK = 0, 1, 2, 3
LEVELS = ("char", "word")
FORMAT = "zoo-vocab-1"
FLAGS = ("lowercase", "strip_accents", "split_punctuation")  # the normalisation switches

# The TF NMT tutorial's r"([?.!,¿])", plus ¡ ; : " ( ) so Spanish and quoted text split too.
_PUNCTUATION = re.compile(r'([?.!,¿¡;:"()])')
_SPACES = re.compile(r"\s+")
_JSON_KEYS = ("format", "level", *FLAGS, "tokens")


def normalize(text: str, *, lowercase: bool = True, strip_accents: bool = True,
              split_punctuation: bool = True) -> str:
    """``text`` with accents dropped, lower-cased, punctuation split off, spaces collapsed.

    Example:
        >>> normalize("  Le 1er  février!")
        'le 1er fevrier !'
    """
    if strip_accents:  # NFD splits "é" into "e" + a combining mark (category Mn)
        text = "".join(c for c in unicodedata.normalize("NFD", text)
                       if unicodedata.category(c) != "Mn")
    if lowercase:
        text = text.lower()
    if split_punctuation:
        text = _PUNCTUATION.sub(r" \1 ", text)
    # NFC last: "é" typed precomposed or decomposed must give the same tokens
    return unicodedata.normalize("NFC", _SPACES.sub(" ", text).strip())


@dataclasses.dataclass(frozen=True, repr=False)
class Vocab:
    """Tokens by id (the first four are ``SPECIALS``) and how text is split into them."""

    tokens: tuple[str, ...]
    level: str  # "char" or "word"
    lowercase: bool = True
    strip_accents: bool = True
    split_punctuation: bool = True

    def __post_init__(self) -> None:
        if isinstance(self.tokens, str) or not isinstance(self.tokens, Iterable):
            raise VocabError(f"tokens must be a list or tuple of strings, not "
                             f"{type(self.tokens).__name__}")
        tokens = tuple(self.tokens)
        object.__setattr__(self, "tokens", tokens)  # frozen: lists become a tuple once, here
        if self.level not in LEVELS:
            raise VocabError(f"unknown vocabulary level {self.level!r}; use one of {LEVELS}")
        for flag in FLAGS:
            if not isinstance(getattr(self, flag), bool):
                raise VocabError(f"{flag} must be true or false, not {getattr(self, flag)!r}")
        if tokens[:len(SPECIALS)] != SPECIALS:
            raise VocabError(f"the first tokens must be exactly {SPECIALS}, found "
                             f"{tokens[:len(SPECIALS)]}; build vocabularies with Vocab.build")
        bad = [t for t in tokens[len(SPECIALS):] if not isinstance(t, str) or not t
               or (self.level == "char" and len(t) != 1)
               or (self.level == "word" and _SPACES.search(t))]
        if bad:
            what = "single characters" if self.level == "char" else "words without spaces"
            raise VocabError(f"{self.level}-level tokens must be {what}; bad tokens: {bad[:5]}")
        duplicates = sorted(t for t, n in Counter(tokens).items() if n > 1)
        if duplicates:
            raise VocabError(f"duplicate tokens {duplicates[:5]}: each token needs one id")
        object.__setattr__(self, "_ids", {t: i for i, t in enumerate(tokens)})

    @classmethod
    def build(cls, texts: Iterable[str], level: str, min_freq: int = 1,
              max_size: int | None = None, **normalisation: bool) -> Vocab:
        """The tokens of ``texts`` seen >= ``min_freq`` times, most frequent first.

        Ties are broken alphabetically, so the same texts always give the same ids.
        ``max_size`` counts the four specials; ``normalisation`` takes the ``FLAGS``.

        Example:
            >>> Vocab.build(["aab", "b"], level="char").tokens[4:]
            ('a', 'b')
        """
        unknown = sorted(set(normalisation) - set(FLAGS))
        if unknown:
            raise VocabError(f"unknown normalisation options {unknown}; use {FLAGS}")
        if min_freq < 1:
            raise VocabError(f"min_freq must be >= 1, got {min_freq}")
        if max_size is not None and max_size < len(SPECIALS):
            raise VocabError(f"max_size={max_size} is smaller than the {len(SPECIALS)} "
                             "special tokens it includes")
        empty = cls(SPECIALS, level, **normalisation)  # validates level and flags first
        texts = [texts] if isinstance(texts, str) else texts
        counts = Counter(t for text in texts for t in empty.tokenize(text) if t not in SPECIALS)
        ranked = [t for t, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
                  if n >= min_freq]
        if max_size is not None:
            ranked = ranked[:max_size - len(SPECIALS)]
        return cls(SPECIALS + tuple(ranked), level, **normalisation)

    def __len__(self) -> int:
        return len(self.tokens)

    def __repr__(self) -> str:
        flags = ", ".join(f"{f}={getattr(self, f)}" for f in FLAGS)
        return f"Vocab(level={self.level!r}, {len(self)} tokens, {flags})"

    def index(self, token: str) -> int:
        """The id of ``token``, ``UNK`` if it is not in the vocabulary."""
        return self._ids.get(token, UNK)

    def tokenize(self, text: str) -> list[str]:
        """The tokens of normalised ``text``: characters (spaces included) or words."""
        text = normalize(text, **{f: getattr(self, f) for f in FLAGS})
        return list(text) if self.level == "char" else text.split()

    def encode(self, texts: str | Iterable[str], max_len: int, add_start: bool = False,
               add_end: bool = True) -> tuple[np.ndarray, np.ndarray]:
        """Ids (B, L) int64 right-padded with ``PAD`` and the lengths (B,) int64 of ``texts``.

        L is the longest row, at most ``max_len`` including the markers. Longer texts lose
        their tail (the ``<end>`` stays last) and one warning says how many were cut.

        Example:
            >>> vocab = Vocab.build(["ab"], level="char")
            >>> ids, lengths = vocab.encode(["ab", "b", "abba"], max_len=4)  # warns: 1 cut
            >>> ids.tolist(), lengths.tolist()
            ([[4, 5, 2, 0], [5, 2, 0, 0], [4, 5, 5, 2]], [3, 2, 4])
        """
        texts = [texts] if isinstance(texts, str) else list(texts)
        markers = int(add_start) + int(add_end)
        if isinstance(max_len, bool) or not isinstance(max_len, int) or max_len < 1 + markers:
            raise VocabError(f"max_len={max_len!r} leaves no room for a token next to the "
                             f"{markers} start/end markers; use max_len >= {1 + markers}")
        room = max_len - markers
        rows, truncated = [], 0
        for text in texts:
            # text that spells a special ("<end>") is data, not a control id
            ids = [UNK if t in SPECIALS else self.index(t) for t in self.tokenize(text)]
            if len(ids) > room:
                ids, truncated = ids[:room], truncated + 1
            rows.append([START] * add_start + ids + [END] * add_end)
        if truncated:
            warnings.warn(f"{truncated} of {len(texts)} texts were longer than max_len="
                          f"{max_len} tokens (markers included) and were truncated; raise "
                          "max_len or filter long texts out", UserWarning, stacklevel=2)
        lengths = np.array([len(r) for r in rows], dtype=np.int64)
        ids = np.full((len(rows), int(lengths.max(initial=0))), PAD, dtype=np.int64)
        for i, row in enumerate(rows):
            ids[i, :len(row)] = row
        return ids, lengths

    def decode(self, ids: Sequence[int] | np.ndarray) -> str:
        """The text of one row of ids: stops at the first ``END``, skips ``PAD`` and ``START``.

        Example:
            >>> Vocab.build(["ab"], level="char").decode([1, 4, 5, 2, 4])
            'ab'
        """
        if np.ndim(ids) != 1:
            raise VocabError(f"decode takes one row of ids, got shape {np.shape(ids)}; use "
                             "decode_batch for a batch")
        tokens = []
        for i in map(int, ids):
            if i == END:
                break
            if not 0 <= i < len(self.tokens):
                raise VocabError(f"id {i} is outside this vocabulary of {len(self)} tokens; "
                                 "was the model trained with another vocabulary?")
            if i not in (PAD, START):
                tokens.append(self.tokens[i])
        return self.join(tokens)

    def join(self, tokens: Sequence[str]) -> str:
        """Tokens back into text: characters side by side, words with spaces.

        Example:
            >>> Vocab.build(["a b"], level="word").join(["a", "b"])
            'a b'
        """
        return ("" if self.level == "char" else " ").join(tokens)

    def decode_batch(self, ids: Sequence[Sequence[int]] | np.ndarray) -> list[str]:
        """``decode`` of every row of a (B, L) batch."""
        rows = list(ids)  # rows may differ in length (a list of lists)
        if any(np.ndim(row) != 1 for row in rows):
            raise VocabError("decode_batch takes a (batch, length) array or a list of rows; "
                             "use decode for one row")
        return [self.decode(row) for row in rows]

    def to_json(self) -> str:
        """The vocabulary as JSON (format ``zoo-vocab-1``); ``from_json`` reads it back."""
        data = {"format": FORMAT, "level": self.level, "tokens": list(self.tokens),
                **{f: getattr(self, f) for f in FLAGS}}
        # ensure_ascii (the default): the file stays valid whatever encoding it is written in
        return json.dumps(data, indent=2, sort_keys=True)

    @classmethod
    def from_json(cls, text: str | bytes, source: str = "vocab") -> Vocab:
        """The vocabulary in ``text`` (from ``to_json``); errors name ``source`` (a path).

        Example:
            >>> Vocab.from_json('{"format": "x"}', source="vocab.json")  # doctest: +ELLIPSIS
            Traceback (most recent call last):
            zoo.errors.VocabError: vocab.json is not a zoo vocabulary: format is 'x', ...
        """
        try:
            data = json.loads(text)
        except (json.JSONDecodeError, UnicodeDecodeError) as err:
            raise VocabError(f"{source} is not valid JSON ({err}); write it with "
                             "Vocab.to_json") from err
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            found = data.get("format") if isinstance(data, dict) else type(data).__name__
            raise VocabError(f"{source} is not a zoo vocabulary: format is {found!r}, expected "
                             f"{FORMAT!r}; write it with Vocab.to_json")
        missing = [k for k in _JSON_KEYS if k not in data]
        unknown = sorted(set(data) - set(_JSON_KEYS))
        if missing or unknown:
            raise VocabError(f"{source} has missing fields {missing} and unknown fields "
                             f"{unknown}; a {FORMAT} file has exactly {sorted(_JSON_KEYS)}")
        if not isinstance(data["tokens"], list):
            raise VocabError(f"{source}: tokens must be a JSON list of strings")
        try:
            return cls(**{k: data[k] for k in _JSON_KEYS if k != "format"})
        except VocabError as err:
            raise VocabError(f"{source}: {err}") from err
