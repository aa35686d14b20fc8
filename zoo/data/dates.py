"""A seeded synthetic corpus for date normalisation: human dates -> ISO ``YYYY-MM-DD``.

Sources mix six languages, many written formats, optional leading zeros and random case.
Numeric formats are always day-month-year or year-month-day (never month/day/year) and years
always have four digits, so every source maps to exactly one date.

Example:
    >>> date_pairs(2, seed=0)
    [('mercoledì 24 gennaio 2035', '2035-01-24'), ('13 october 1980', '1980-10-13')]
    >>> train, test = split_pairs(date_pairs(1000, seed=0), test_fraction=0.1, seed=0)
    >>> len(train), len(test)
    (900, 100)
"""

from __future__ import annotations

import datetime as dt
import string
from collections.abc import Callable, Sequence
from typing import NamedTuple

import numpy as np

MAX_SOURCE_LEN = 40

# language -> 12 months, each (full name, *abbreviations); accents stay (the tokenizer strips
# them), so the model also learns that "fevrier" and "février" are one month
MONTHS = {
    "en": (("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"),
           ("may",), ("june", "jun"), ("july", "jul"), ("august", "aug"),
           ("september", "sep", "sept"), ("october", "oct"), ("november", "nov"),
           ("december", "dec")),
    "es": (("enero", "ene"), ("febrero", "feb"), ("marzo", "mar"), ("abril", "abr"),
           ("mayo", "may"), ("junio", "jun"), ("julio", "jul"), ("agosto", "ago"),
           ("septiembre", "sep", "sept"), ("octubre", "oct"), ("noviembre", "nov"),
           ("diciembre", "dic")),
    "fr": (("janvier", "janv"), ("février", "févr"), ("mars",), ("avril", "avr"), ("mai",),
           ("juin",), ("juillet", "juil"), ("août",), ("septembre", "sept"),
           ("octobre", "oct"), ("novembre", "nov"), ("décembre", "déc")),
    "de": (("Januar", "Jan"), ("Februar", "Feb"), ("März", "Mär", "Mrz"), ("April", "Apr"),
           ("Mai",), ("Juni", "Jun"), ("Juli", "Jul"), ("August", "Aug"),
           ("September", "Sep", "Sept"), ("Oktober", "Okt"), ("November", "Nov"),
           ("Dezember", "Dez")),
    "it": (("gennaio", "gen"), ("febbraio", "feb"), ("marzo", "mar"), ("aprile", "apr"),
           ("maggio", "mag"), ("giugno", "giu"), ("luglio", "lug"), ("agosto", "ago"),
           ("settembre", "set"), ("ottobre", "ott"), ("novembre", "nov"),
           ("dicembre", "dic")),
    "pt": (("janeiro", "jan"), ("fevereiro", "fev"), ("março", "mar"), ("abril", "abr"),
           ("maio", "mai"), ("junho", "jun"), ("julho", "jul"), ("agosto", "ago"),
           ("setembro", "set"), ("outubro", "out"), ("novembro", "nov"),
           ("dezembro", "dez")),
}
# language -> Monday..Sunday, the order of date.weekday()
WEEKDAYS = {
    "en": ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"),
    "es": ("lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo"),
    "fr": ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"),
    "de": ("Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag", "Sonntag"),
    "it": ("lunedì", "martedì", "mercoledì", "giovedì", "venerdì", "sabato", "domenica"),
    "pt": ("segunda-feira", "terça-feira", "quarta-feira", "quinta-feira", "sexta-feira",
           "sábado", "domingo"),
}
LANGUAGES = tuple(MONTHS)
_ORDINAL = {1: "st", 2: "nd", 3: "rd", 21: "st", 22: "nd", 23: "rd", 31: "st"}  # else "th"


def _num(n: int, rng: np.random.Generator) -> str:
    """``n`` with or without a leading zero (days and months)."""
    return f"{n:02d}" if rng.random() < 0.5 else str(n)


def _month(d: dt.date, lang: str) -> str:
    return MONTHS[lang][d.month - 1][0]


def _mon(d: dt.date, lang: str, rng: np.random.Generator) -> str:
    """An abbreviation (a full name if the month has none), sometimes with a dot."""
    names = MONTHS[lang][d.month - 1]
    abbr = names[1 + int(rng.integers(len(names) - 1))] if len(names) > 1 else names[0]
    return abbr + "." if len(names) > 1 and rng.random() < 0.3 else abbr


def _weekday(d: dt.date, lang: str) -> str:
    return WEEKDAYS[lang][d.weekday()]


def _numeric(order: str, sep: str) -> Callable[[dt.date, str, np.random.Generator], str]:
    """A numeric format: ``order`` "dmy" or "ymd" joined by ``sep``; the language is unused."""
    def render(d: dt.date, lang: str, rng: np.random.Generator) -> str:
        parts = {"d": _num(d.day, rng), "m": _num(d.month, rng), "y": str(d.year)}
        return sep.join(parts[k] for k in order)
    return render


# name -> function(date, language, rng) -> source text
FORMATS: dict[str, Callable[[dt.date, str, np.random.Generator], str]] = {
    "d month yyyy": lambda d, g, r: f"{_num(d.day, r)} {_month(d, g)} {d.year}",
    "d mon yyyy": lambda d, g, r: f"{_num(d.day, r)} {_mon(d, g, r)} {d.year}",
    "month d, yyyy": lambda d, g, r: f"{_month(d, g)} {d.day}, {d.year}",
    "mon d yyyy": lambda d, g, r: f"{_mon(d, g, r)} {_num(d.day, r)} {d.year}",
    "weekday, d month yyyy": lambda d, g, r: f"{_weekday(d, g)}, {d.day} {_month(d, g)} "
                                             f"{d.year}",
    "weekday, month d, yyyy": lambda d, g, r: f"{_weekday(d, g)}, {_month(d, g)} {d.day}, "
                                              f"{d.year}",
    "dth of month yyyy": lambda d, g, r: f"the {d.day}{_ORDINAL.get(d.day, 'th')} of "
                                         f"{_month(d, g)} {d.year}",
    "d de month de yyyy": lambda d, g, r: f"{_num(d.day, r)} de {_month(d, g)} de {d.year}",
    "weekday, d de month de yyyy": lambda d, g, r: f"{_weekday(d, g)}, {d.day} de "
                                                   f"{_month(d, g)} de {d.year}",
    "d. month yyyy": lambda d, g, r: f"{_num(d.day, r)}. {_month(d, g)} {d.year}",
    "weekday, d. mon yyyy": lambda d, g, r: f"{_weekday(d, g)}, {d.day}. {_mon(d, g, r)} "
                                            f"{d.year}",
    # French writes the first of the month as an ordinal: "le 1er mai"
    "le d month yyyy": lambda d, g, r: f"le {'1er' if d.day == 1 else d.day} "
                                       f"{_month(d, g)} {d.year}",
    "weekday d month yyyy": lambda d, g, r: f"{_weekday(d, g)} {d.day} {_month(d, g)} "
                                            f"{d.year}",
    "d/m/yyyy": _numeric("dmy", "/"),
    "d.m.yyyy": _numeric("dmy", "."),
    "d-m-yyyy": _numeric("dmy", "-"),
    "yyyy/m/d": _numeric("ymd", "/"),
    "yyyy-m-d": _numeric("ymd", "-"),
    "yyyymmdd": lambda d, g, r: d.strftime("%Y%m%d"),
}
# formats that read naturally in some languages only; every other one is drawn in any language
FORMAT_LANGUAGES = {
    "month d, yyyy": ("en",),
    "mon d yyyy": ("en",),
    "weekday, month d, yyyy": ("en",),
    "dth of month yyyy": ("en",),
    "weekday, d month yyyy": ("en", "it"),
    "d de month de yyyy": ("es", "pt"),
    "weekday, d de month de yyyy": ("es", "pt"),
    "d. month yyyy": ("de",),
    "weekday, d. mon yyyy": ("de",),
    "le d month yyyy": ("fr",),
    "weekday d month yyyy": ("fr", "it"),
}
# the table's own case (German nouns capitalised), lower, upper and title case; capwords, not
# str.title, which would write "23Rd" and "1Er"
CASES: tuple[Callable[[str], str], ...] = (str, str.lower, str.upper, string.capwords)


class DateExample(NamedTuple):
    """One corpus line and how it was made (numeric formats ignore the language)."""

    source: str
    target: str
    format: str
    language: str


def date_examples(n: int, seed: int, start: dt.date = dt.date(1950, 1, 1),
                  end: dt.date = dt.date(2049, 12, 31)) -> list[DateExample]:
    """``n`` examples with unique sources; dates uniform in [start, end], formats uniform.

    Example:
        >>> date_examples(1, seed=0)[0].format
        'weekday d month yyyy'
    """
    if n < 0:
        raise ValueError(f"n must be >= 0, got {n}")
    if start > end:
        raise ValueError(f"start {start} is after end {end}")
    rng = np.random.default_rng(seed)
    names = list(FORMATS)
    examples: dict[str, DateExample] = {}  # source -> example: duplicates are redrawn
    for _ in range(20 * n + 1000):  # a narrow date range may not have n distinct sources
        if len(examples) == n:
            return list(examples.values())
        d = dt.date.fromordinal(int(rng.integers(start.toordinal(), end.toordinal() + 1)))
        name = names[int(rng.integers(len(names)))]
        languages = FORMAT_LANGUAGES.get(name, LANGUAGES)
        lang = languages[int(rng.integers(len(languages)))]
        source = CASES[int(rng.integers(len(CASES)))](FORMATS[name](d, lang, rng))
        examples.setdefault(source, DateExample(source, d.isoformat(), name, lang))
    raise ValueError(f"could not draw {n} distinct sources from dates {start}..{end}; "
                     "widen the date range or ask for fewer pairs")


def date_pairs(n: int, seed: int, start: dt.date = dt.date(1950, 1, 1),
               end: dt.date = dt.date(2049, 12, 31)) -> list[tuple[str, str]]:
    """``n`` (human date, ISO date) pairs with unique sources, the same for the same seed.

    Example:
        >>> date_pairs(1, seed=0)
        [('mercoledì 24 gennaio 2035', '2035-01-24')]
    """
    return [(e.source, e.target) for e in date_examples(n, seed, start, end)]


def split_pairs(pairs: Sequence[tuple[str, str]], test_fraction: float,
                seed: int) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """Seeded shuffle into (train, test); pairs that share a source go to the same side.

    ``test_fraction`` counts distinct sources, so the test set never repeats a training
    source (real corpora such as Anki's list one sentence with several translations).

    Example:
        >>> split_pairs([("a", "1"), ("b", "2"), ("a", "3")], 0.5, seed=0)
        ([('b', '2')], [('a', '1'), ('a', '3')])
    """
    if not 0 <= test_fraction <= 1:
        raise ValueError(f"test_fraction must be in [0, 1], got {test_fraction}")
    groups: dict[str, list[tuple[str, str]]] = {}
    for pair in pairs:
        groups.setdefault(pair[0], []).append(tuple(pair))
    sources = list(groups)
    order = np.random.default_rng(seed).permutation(len(sources))
    n_test = round(test_fraction * len(sources))
    test = [p for i in order[:n_test] for p in groups[sources[i]]]
    train = [p for i in order[n_test:] for p in groups[sources[i]]]
    return train, test
