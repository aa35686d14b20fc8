"""Tab-separated parallel corpora in the manythings.org / Anki format.

Each line is ``source<TAB>target`` with an optional third attribution column, UTF-8, e.g.
``Go.<TAB>Ve.<TAB>CC-BY 2.0 (France) Attribution: tatoeba.org #2877272 (CM) & ...``.

Example:
    >>> pairs = read_tsv("spa-eng/spa.txt", limit=30000)
    >>> pairs[0]
    ('Go.', 'Ve.')
    >>> read_tsv("spa-eng/spa.txt", limit=1, swap=True)  # Spanish -> English
    [('Ve.', 'Go.')]
"""

from __future__ import annotations

from pathlib import Path

from zoo.errors import CorpusError

_BOM = b"\xef\xbb\xbf"
_SHOW = 80  # characters of a bad line quoted in an error
_FORMAT = "source<TAB>target or source<TAB>target<TAB>attribution"


def _show(line: str) -> str:
    """``line`` cut to 80 characters, quoted so that tabs and stray spaces are visible."""
    return repr(line if len(line) <= _SHOW else line[:_SHOW - 3] + "...")


def _fields(line: str) -> tuple[str, str] | str:
    """The (source, target) of ``line``, or what is wrong with it and how to fix it."""
    fields = [f.strip() for f in line.split("\t")]
    if len(fields) == 1:
        return (f"no tab; expected {_FORMAT}. Separate the columns with a single tab "
                "character (not spaces), or delete the line")
    if len(fields) > 3:
        return (f"{len(fields)} tab-separated fields; expected {_FORMAT}. Replace tabs "
                "inside the sentences with spaces")
    for name, value in zip(("source", "target"), fields[:2], strict=True):
        if not value:
            return f"an empty {name} column; fill it in or delete the line"
    return fields[0], fields[1]


def read_tsv(path: str | Path, limit: int | None = None, skip_blank: bool = True,
             swap: bool = False) -> list[tuple[str, str]]:
    """The (source, target) pairs of the corpus at ``path``; attributions are dropped.

    Reads lazily, so ``limit`` pairs of a huge file cost only those lines. ``swap`` returns
    (target, source) to translate the other way. Blank lines are skipped if ``skip_blank``,
    and are errors otherwise; any malformed line raises ``CorpusError`` with its number.

    Example:
        >>> read_tsv("spa.txt", limit=2)
        [('Go.', 'Ve.'), ('Go.', 'Vete.')]
    """
    path = Path(path)
    if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int)
                              or limit < 1):
        raise CorpusError(f"limit must be a positive number of pairs or None, got {limit!r}")
    if not path.is_file():
        what = "is a directory, not a file" if path.is_dir() else "does not exist"
        raise CorpusError(f"corpus file {path} {what}; check the path (a manythings.org "
                          "corpus unzips to e.g. spa-eng/spa.txt)")
    pairs: list[tuple[str, str]] = []
    lineno = 0
    try:
        # bytes, decoded line by line: a decoding error then names its exact line (a text
        # stream decodes 8 KiB chunks ahead of the line being read)
        with path.open("rb") as f:
            for lineno, raw in enumerate(f, start=1):
                if lineno == 1 and raw.startswith(_BOM):  # Windows editors write one
                    raw = raw[len(_BOM):]
                raw = raw.rstrip(b"\r\n")
                try:
                    line = raw.decode("utf-8")
                except UnicodeDecodeError as err:
                    shown = _show(raw.decode("utf-8", errors="replace"))
                    raise CorpusError(
                        f"{path}, line {lineno}: not valid UTF-8 ({err.reason} at byte "
                        f"{err.start} of the line): {shown}. Re-save the file as UTF-8 "
                        "(e.g. iconv -f latin1 -t utf-8)") from err
                if skip_blank and not line.strip():
                    continue
                found = _fields(line)
                if isinstance(found, str):
                    raise CorpusError(f"{path}, line {lineno}: {found}. The line is "
                                      f"{_show(line)}")
                pairs.append(found[::-1] if swap else found)
                if limit is not None and len(pairs) == limit:
                    break
    except OSError as err:
        where = f" at line {lineno + 1}" if lineno else ""
        raise CorpusError(f"cannot read corpus file {path}{where}: {err}") from err
    return pairs
