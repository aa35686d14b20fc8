"""Text data for the seq2seq translator: normalisation, the saved vocabulary, the synthetic
date corpus and its split, and the Anki-format TSV reader. Pure Python + numpy, fast."""

from __future__ import annotations

import datetime as dt
import json
import re
import warnings
from collections import Counter

import numpy as np
import pytest
from conftest import run_python

from zoo.data.dates import (
    FORMAT_LANGUAGES,
    FORMATS,
    LANGUAGES,
    MAX_SOURCE_LEN,
    MONTHS,
    WEEKDAYS,
    date_examples,
    date_pairs,
    split_pairs,
)
from zoo.data.text import END, PAD, SPECIALS, START, UNK, Vocab, normalize
from zoo.data.tsv import read_tsv
from zoo.errors import CorpusError, VocabError, ZooError

# ---------------------------------------------------------------- normalisation


@pytest.mark.parametrize("text, expected", [
    ("février", "fevrier"),
    ("fe\u0301vrier", "fevrier"),                       # decomposed accent
    ("¿Qué hora es?", "¿ que hora es ?"),
    ("¡Hola, Ana!", "¡ hola , ana !"),
    ('Dijo "sí" (bueno); ya: no.', 'dijo " si " ( bueno ) ; ya : no .'),
    ("  Le 1er\t\tMai  2026 \n", "le 1er mai 2026"),     # digits kept, spaces collapsed
    ("23/11/2026 2026-11-23", "23/11/2026 2026-11-23"),  # / and - are not split off
    ("MÄRZ", "marz"),
    ("", ""),
])
def test_normalize_examples(text, expected):
    assert normalize(text) == expected


def test_normalize_flags():
    assert normalize("¿Qué?", lowercase=False, split_punctuation=False) == "¿Que?"
    assert normalize("¿Qué?", strip_accents=False, split_punctuation=False) == "¿qué?"
    # without stripping, precomposed and decomposed accents still give one NFC character
    assert normalize("Fe\u0301vrier", strip_accents=False) == "f\u00e9vrier"


# ---------------------------------------------------------------- vocabulary


def char_vocab(*texts: str, **kw) -> Vocab:
    return Vocab.build(texts or ["ab"], level="char", **kw)


def test_build_orders_by_frequency_then_alphabetically():
    vocab = Vocab.build(["b a", "bb", "cc"], level="char")
    # b: 3, c: 2, then the ties " " and "a" (1 each) in code-point order
    assert vocab.tokens == SPECIALS + ("b", "c", " ", "a")
    assert Vocab.build(["cc", "bb", "b a"], level="char") == vocab  # text order is irrelevant
    assert (Vocab.build(["¿Qué?", "¿Qué?", "Sí"], level="word").tokens[4:]
            == ("?", "que", "¿", "si"))


def test_build_min_freq_and_max_size():
    texts = ["the cat", "the dog", "a cat"]
    assert Vocab.build(texts, "word").tokens[4:] == ("cat", "the", "a", "dog")
    assert Vocab.build(texts, "word", min_freq=2).tokens[4:] == ("cat", "the")
    assert Vocab.build(texts, "word", max_size=5).tokens == SPECIALS + ("cat",)
    assert len(Vocab.build(texts, "word", max_size=4)) == 4


def test_build_normalisation_flags_are_kept():
    vocab = Vocab.build(["Qué"], "char", lowercase=False, strip_accents=False)
    assert vocab.tokens[4:] == ("Q", "u", "é")
    assert (vocab.lowercase, vocab.strip_accents, vocab.split_punctuation) == (False, False, True)
    assert vocab.tokenize("Qué?") == ["Q", "u", "é", " ", "?"]


@pytest.mark.parametrize("kwargs, match", [
    ({"tokens": ("a", "b"), "level": "char"}, "first tokens must be exactly"),
    ({"tokens": SPECIALS + ("a", "b", "a"), "level": "char"}, r"duplicate tokens \['a'\]"),
    ({"tokens": SPECIALS + ("<pad>",), "level": "word"}, "duplicate tokens"),
    ({"tokens": SPECIALS, "level": "byte"}, "unknown vocabulary level 'byte'"),
    ({"tokens": SPECIALS + ("ab",), "level": "char"}, "single characters"),
    ({"tokens": SPECIALS + ("a b",), "level": "word"}, "without spaces"),
    ({"tokens": SPECIALS + (7,), "level": "word"}, "bad tokens: \\[7\\]"),
    ({"tokens": SPECIALS, "level": "char", "lowercase": "yes"}, "lowercase must be true"),
    ({"tokens": "<pad>", "level": "char"}, "list or tuple of strings"),
])
def test_vocab_validation(kwargs, match):
    with pytest.raises(VocabError, match=match):
        Vocab(**kwargs)


def test_vocab_list_becomes_tuple_and_errors_are_value_errors():
    vocab = Vocab([*SPECIALS, "a"], "char")
    assert vocab.tokens == SPECIALS + ("a",) and isinstance(vocab.tokens, tuple)
    assert hash(vocab) == hash(Vocab(SPECIALS + ("a",), "char"))
    assert issubclass(VocabError, ValueError) and issubclass(VocabError, ZooError)
    with pytest.raises(VocabError, match="unknown normalisation options"):
        Vocab.build(["a"], "char", lower=True)
    with pytest.raises(VocabError, match="max_size=3"):
        Vocab.build(["a"], "char", max_size=3)
    with pytest.raises(VocabError, match="min_freq"):
        Vocab.build(["a"], "char", min_freq=0)


def test_index_and_tokenize():
    vocab = Vocab.build(["Él dijo: ¡no!"], "word")
    assert vocab.tokenize("ÉL  dijo: ¡NO!") == ["el", "dijo", ":", "¡", "no", "!"]
    assert vocab.index("dijo") == vocab.tokens.index("dijo") and vocab.index("dijo") >= 4
    assert vocab.index("nunca") == UNK and vocab.index("<end>") == END
    assert char_vocab("a b").tokenize(" A  b ") == ["a", " ", "b"]


# ---------------------------------------------------------------- encode / decode


def test_encode_pads_counts_and_maps_unknowns():
    vocab = char_vocab("ab")  # a = 4, b = 5
    ids, lengths = vocab.encode(["ab", "b", "xA"], max_len=10)
    assert ids.dtype == np.int64 and lengths.dtype == np.int64
    assert ids.tolist() == [[4, 5, END], [5, END, PAD], [UNK, 4, END]]
    assert lengths.tolist() == [3, 2, 3]
    ids, lengths = vocab.encode(["ab", ""], max_len=10, add_start=True)
    assert ids.tolist() == [[START, 4, 5, END], [START, END, PAD, PAD]]
    assert lengths.tolist() == [4, 2]
    ids, lengths = vocab.encode(["", "a"], max_len=3, add_end=False)
    assert ids.tolist() == [[PAD], [4]] and lengths.tolist() == [0, 1]


def test_encode_single_string_and_literal_specials():
    vocab = Vocab.build(["the cat"], "word")
    ids, lengths = vocab.encode("the cat", max_len=5)
    assert ids.shape == (1, 3) and lengths.tolist() == [3]
    # a special spelled in the text is data: it must not end or pad the row
    ids, _ = vocab.encode("<end> <pad> cat", max_len=8)
    assert ids.tolist() == [[UNK, UNK, vocab.index("cat"), END]]


def test_encode_truncates_to_max_len_with_one_warning_and_keeps_end():
    vocab = char_vocab("ab")
    with pytest.warns(UserWarning, match=r"2 of 3 texts .*max_len=4") as record:
        ids, lengths = vocab.encode(["abab", "ababab", "a"], max_len=4, add_start=True)
    assert len(record) == 1
    assert ids.tolist() == [[START, 4, 5, END], [START, 4, 5, END], [START, 4, END, PAD]]
    assert lengths.tolist() == [4, 4, 3]
    with pytest.warns(UserWarning, match=r"1 of 1 texts .*max_len=3"):
        assert vocab.encode("abab", max_len=3)[0].tolist() == [[4, 5, END]]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # an exact fit is not a truncation
        ids, _ = vocab.encode(["abab"], max_len=6, add_start=True)
    assert ids.shape == (1, 6)


@pytest.mark.parametrize("max_len, add_start, add_end", [(2, True, True), (1, False, True),
                                                          (0, False, False), (3.0, True, True)])
def test_encode_rejects_max_len_without_room(max_len, add_start, add_end):
    with pytest.raises(VocabError, match=f"max_len={max_len!r}"):
        char_vocab().encode(["ab"], max_len=max_len, add_start=add_start, add_end=add_end)


def test_decode_stops_at_end_and_skips_pad_and_start():
    vocab = char_vocab("ab")
    assert vocab.decode([START, 4, PAD, 5, END, 4, 5]) == "ab"
    assert vocab.decode(np.array([4, UNK, 5], dtype=np.int64)) == "a<unk>b"
    assert vocab.decode([END, 4]) == ""
    assert vocab.decode_batch(np.array([[4, 5, END], [5, END, PAD]])) == ["ab", "b"]
    assert vocab.decode_batch([[4], [5, 5, END]]) == ["a", "bb"]  # ragged rows are fine
    words = Vocab.build(["the cat sat"], "word")
    assert words.decode(words.encode("the cat", max_len=5)[0][0]) == "the cat"
    with pytest.raises(VocabError, match="outside this vocabulary of 6 tokens"):
        vocab.decode([4, 6])
    with pytest.raises(VocabError, match="decode_batch"):
        vocab.decode([[4, 5]])
    with pytest.raises(VocabError, match="use decode for one row"):
        vocab.decode_batch([4, 5])


@pytest.mark.parametrize("level", ["char", "word"])
def test_encode_decode_round_trip(level):
    texts = [s for s, _ in date_pairs(300, seed=1)] + ["¿Qué hora es?", "Él dijo: «no»."]
    vocab = Vocab.build(texts, level)
    ids, lengths = vocab.encode(texts, max_len=100, add_start=True)
    assert (ids[np.arange(len(texts)), lengths - 1] == END).all()
    assert vocab.decode_batch(ids) == [normalize(t) for t in texts]


def test_round_trip_keeps_accents_when_asked():
    vocab = Vocab.build(["Février März"], "char", strip_accents=False, lowercase=False)
    assert vocab.decode(vocab.encode("März Février", max_len=20)[0][0]) == "März Février"


# ---------------------------------------------------------------- JSON


def test_json_round_trip():
    vocab = Vocab.build(["¿Qué?", "Sí, señor"], "char", lowercase=False)
    text = vocab.to_json()
    data = json.loads(text)
    assert data == {"format": "zoo-vocab-1", "level": "char", "lowercase": False,
                    "strip_accents": True, "split_punctuation": True,
                    "tokens": list(vocab.tokens)}
    assert text.startswith('{\n  "format": "zoo-vocab-1",\n  "level"')  # sorted, indent 2
    again = Vocab.from_json(text)
    assert again == vocab and again.tokens == vocab.tokens and again.lowercase is False
    assert again.encode("Sí", max_len=5)[0].tolist() == vocab.encode("Sí", max_len=5)[0].tolist()


def _vocab_json(**changes) -> str:
    data = json.loads(char_vocab("ab").to_json())
    data.update(changes)
    return json.dumps({k: v for k, v in data.items() if v is not None})


@pytest.mark.parametrize("text, match", [
    ("{", "vocab.json is not valid JSON"),
    ("[1, 2]", "vocab.json is not a zoo vocabulary: format is 'list'"),
    (_vocab_json(format="zoo-vocab-2"), "format is 'zoo-vocab-2', expected 'zoo-vocab-1'"),
    (_vocab_json(tokens=None), r"vocab.json has missing fields \['tokens'\]"),
    (_vocab_json(extra=1), r"unknown fields \['extra'\]"),
    (_vocab_json(tokens="abc"), "vocab.json: tokens must be a JSON list"),
    (_vocab_json(tokens=["a", "<pad>"]), "vocab.json: the first tokens must be"),
    (_vocab_json(level="bytes"), "vocab.json: unknown vocabulary level"),
])
def test_from_json_errors_name_the_source(text, match):
    with pytest.raises(VocabError, match=match):
        Vocab.from_json(text, source="vocab.json")


# ---------------------------------------------------------------- date corpus


def _plain(word: str) -> str:
    return normalize(word, split_punctuation=False)


def _name_table(table: dict) -> dict[str, int]:
    """Normalised name -> number, failing if two languages give one name two numbers."""
    out: dict[str, int] = {}
    for names in table.values():
        for number, variants in enumerate(names, start=1):
            for name in variants if isinstance(variants, tuple) else (variants,):
                assert out.setdefault(_plain(name), number) == number, name
    return out


MONTH_OF = _name_table(MONTHS)
WEEKDAY_OF = {name: n - 1 for name, n in _name_table(WEEKDAYS).items()}


def parse_source(source: str) -> tuple[dt.date, int | None]:
    """An independent reading of a source: its date and its weekday if it names one."""
    s = source.strip()
    if m := re.fullmatch(r"(\d{1,2})([/.-])(\d{1,2})\2(\d{4})", s):
        return dt.date(int(m[4]), int(m[3]), int(m[1])), None
    if m := re.fullmatch(r"(\d{4})([/-])(\d{1,2})\2(\d{1,2})", s):
        return dt.date(int(m[1]), int(m[3]), int(m[4])), None
    if m := re.fullmatch(r"(\d{4})(\d\d)(\d\d)", s):
        return dt.date(int(m[1]), int(m[2]), int(m[3])), None
    words = [w for w in re.split(r"[\s,.]+", _plain(s)) if w]
    years = [int(w) for w in words if re.fullmatch(r"\d{4}", w)]
    days = [int(m[1]) for w in words if (m := re.fullmatch(r"(\d{1,2})(st|nd|rd|th|er)?", w))]
    months = [MONTH_OF[w] for w in words if w in MONTH_OF]
    weekdays = [WEEKDAY_OF[w] for w in words if w in WEEKDAY_OF]
    assert len(years) == len(days) == len(months) == 1 and len(weekdays) <= 1, source
    return dt.date(years[0], months[0], days[0]), (weekdays[0] if weekdays else None)


def test_month_and_weekday_tables():
    assert set(MONTHS) == set(WEEKDAYS) == set(LANGUAGES) and len(LANGUAGES) >= 6
    assert all(len(m) == 12 for m in MONTHS.values()) and all(len(w) == 7
                                                               for w in WEEKDAYS.values())
    assert MONTHS["fr"][1][0] == "février" and MONTHS["de"][2][0] == "März"
    assert MONTH_OF["fevrier"] == 2 and MONTH_OF["marz"] == 3 and WEEKDAY_OF["monday"] == 0


def test_date_pairs_are_seeded():
    pairs = date_pairs(300, seed=7)
    assert pairs == date_pairs(300, seed=7)
    assert pairs != date_pairs(300, seed=8)
    assert date_pairs(20, seed=7) == pairs[:20]  # n only decides where to stop


def test_date_targets_are_the_real_dates():
    examples = date_examples(2000, seed=0)
    assert len({e.source for e in examples}) == 2000
    for e in examples:
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", e.target), e
        day = dt.date.fromisoformat(e.target)
        assert dt.date(1950, 1, 1) <= day <= dt.date(2049, 12, 31)
        parsed, weekday = parse_source(e.source)
        assert parsed == day, e
        assert weekday in (None, day.weekday()), e
        assert len(e.source) <= MAX_SOURCE_LEN, e


def test_date_corpus_covers_languages_formats_and_cases():
    examples = date_examples(2000, seed=0)
    assert set(Counter(e.format for e in examples)) == set(FORMATS) and len(FORMATS) >= 12
    worded = [e for e in examples if not re.fullmatch(r"[\d/.-]+", e.source)]
    seen = set()
    for e in worded:  # the month is written in the example's own language
        plain = {w for w in re.split(r"[\s,.]+", _plain(e.source)) if w}
        own = {_plain(n) for names in MONTHS[e.language] for n in names}
        assert plain & own, e
        assert e.language in FORMAT_LANGUAGES.get(e.format, LANGUAGES), e
        seen.add(e.language)
    assert seen == set(LANGUAGES)
    sources = [e.source for e in worded]
    assert any(s.isupper() for s in sources) and any(s.islower() for s in sources)
    numeric = [e.source for e in examples if e.format == "d/m/yyyy"]
    assert any(re.match(r"0\d/", s) for s in numeric) and any(re.match(r"\d/", s)
                                                              for s in numeric)


def test_every_format_and_language_fits_in_the_source_limit():
    rng = np.random.default_rng(0)
    days = [dt.date(2028, 1, 1) + dt.timedelta(k) for k in range(366)]
    for name, render in FORMATS.items():
        for lang in FORMAT_LANGUAGES.get(name, LANGUAGES):
            longest = max(len(render(d, lang, rng)) for d in days)
            assert longest <= MAX_SOURCE_LEN, (name, lang, longest)


def test_date_range_and_errors():
    pairs = date_pairs(50, seed=0, start=dt.date(2000, 2, 28), end=dt.date(2000, 3, 1))
    assert {t for _, t in pairs} == {"2000-02-28", "2000-02-29", "2000-03-01"}
    assert len({s for s, _ in pairs}) == 50  # 3 dates: duplicates are common and redrawn
    with pytest.raises(ValueError, match="distinct sources"):
        date_pairs(1000, seed=0, start=dt.date(2000, 1, 1), end=dt.date(2000, 1, 1))
    with pytest.raises(ValueError, match="after end"):
        date_pairs(1, seed=0, start=dt.date(2001, 1, 1), end=dt.date(2000, 1, 1))


def test_split_pairs_is_seeded_and_disjoint():
    pairs = date_pairs(1000, seed=0)
    train, test = split_pairs(pairs, test_fraction=0.1, seed=0)
    assert (len(train), len(test)) == (900, 100)
    assert sorted(train + test) == sorted(pairs)
    assert not {s for s, _ in train} & {s for s, _ in test}
    assert split_pairs(pairs, 0.1, seed=0) == (train, test)
    assert split_pairs(pairs, 0.1, seed=1)[1] != test
    assert train[:5] != pairs[:5]  # shuffled, not cut


def test_split_pairs_keeps_repeated_sources_together():
    pairs = [("Go.", "Ve."), ("Go.", "Vete."), ("Go.", "Vaya."), ("Hi.", "Hola."),
             ("Run!", "¡Corre!"), ("Run!", "¡Corran!"), ("Wow!", "¡Órale!")]
    for seed in range(20):
        train, test = split_pairs(pairs, test_fraction=0.5, seed=seed)
        assert not {s for s, _ in train} & {s for s, _ in test}
        assert sorted(train + test) == sorted(pairs)
        assert len({s for s, _ in test}) == 2  # half of the 4 distinct sources
    with pytest.raises(ValueError, match="test_fraction"):
        split_pairs(pairs, 1.5, seed=0)


# ---------------------------------------------------------------- TSV corpora

ATTRIBUTION = "CC-BY 2.0 (France) Attribution: tatoeba.org #2877272 (CM) & #4986655 (cueyayotl)"


def write(tmp_path, text: str | bytes, name: str = "spa.txt"):
    path = tmp_path / name
    if isinstance(text, str):
        path.write_text(text, encoding="utf-8", newline="")
    else:
        path.write_bytes(text)
    return path


def test_read_tsv_with_and_without_attribution(tmp_path):
    path = write(tmp_path, f"Go.\tVe.\t{ATTRIBUTION}\r\nWho?\t¿Quién?\n¡Hola!\tHi. \t\n")
    assert read_tsv(path) == [("Go.", "Ve."), ("Who?", "¿Quién?"), ("¡Hola!", "Hi.")]
    assert read_tsv(str(path), swap=True)[:2] == [("Ve.", "Go."), ("¿Quién?", "Who?")]


def test_read_tsv_limit_blank_lines_and_bom(tmp_path):
    path = write(tmp_path, "\ufeffGo.\tVe.\n\n   \nHi.\tHola.\nRun!\t¡Corre!\nbroken line\n")
    assert read_tsv(path, limit=1) == [("Go.", "Ve.")]  # the BOM is not part of "Go."
    # lazy: the malformed line 6 is never reached
    assert read_tsv(path, limit=3) == [("Go.", "Ve."), ("Hi.", "Hola."), ("Run!", "¡Corre!")]
    with pytest.raises(CorpusError, match="line 2: no tab"):
        read_tsv(path, skip_blank=False)
    for bad in (0, -1, 1.5, True):
        with pytest.raises(CorpusError, match="limit must be a positive"):
            read_tsv(path, limit=bad)


@pytest.mark.parametrize("line, match", [
    ("Go. Ve.", "no tab"),
    ("Go.\tVe.\tattribution\textra", "4 tab-separated fields"),
    ("Go.\t \tattribution", "empty target column"),
    ("\tVe.", "empty source column"),
])
def test_read_tsv_malformed_line_names_path_and_line(tmp_path, line, match):
    path = write(tmp_path, f"Hi.\tHola.\n\nRun!\t¡Corre!\n{line}\nGo.\tVe.\n")
    with pytest.raises(CorpusError, match=match) as err:
        read_tsv(path)
    message = str(err.value)
    assert f"{path}, line 4:" in message and repr(line) in message
    assert isinstance(err.value, ValueError)


def test_read_tsv_shows_at_most_80_characters_of_a_bad_line(tmp_path):
    line = "x" * 60 + "y" * 140
    path = write(tmp_path, f"{line}\n")
    with pytest.raises(CorpusError, match="line 1: no tab") as err:
        read_tsv(path)
    assert repr("x" * 60 + "y" * 17 + "...") in str(err.value) and "y" * 18 not in str(err.value)


def test_read_tsv_unreadable_and_missing_files(tmp_path):
    latin1 = write(tmp_path, "Go.\tVe.\nCoffee\tCafé\n".encode("latin-1"))
    with pytest.raises(CorpusError, match="line 2: not valid UTF-8.*'Coffee\\\\tCaf\ufffd'"):
        read_tsv(latin1)
    with pytest.raises(CorpusError, match=r"corpus file .*nope\.txt does not exist"):
        read_tsv(tmp_path / "nope.txt")
    with pytest.raises(CorpusError, match="is a directory"):
        read_tsv(tmp_path)


def test_text_modules_import_no_framework():
    proc = run_python("import json, sys, zoo.data.text, zoo.data.dates, zoo.data.tsv\n"
                      "print(json.dumps(sorted({m.split('.')[0] for m in sys.modules})))")
    assert proc.returncode == 0, proc.stderr[-2000:]
    loaded = set(json.loads(proc.stdout.strip().splitlines()[-1]))
    assert not loaded & {"torch", "torchvision", "tensorflow", "keras"}
