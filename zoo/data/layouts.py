"""Labels of image datasets that come flat, as people download them.

Two flat layouts are read into a ``Labeling`` (``{image path: class}`` plus every problem):

=============  ====================================  =========================================
layout         example                               class of a file
=============  ====================================  =========================================
``filename``   ``basset_hound_103.jpg``              the name before its last ``_``
                                                     (``basset_hound``), or the group
                                                     ``class`` (else the first group) of
                                                     ``pattern`` searched in the file name
``csv``        ``train/`` + ``labels.csv``           the ``label`` column of the row whose
               (``id,label`` / ``001,cat``)          ``id`` names the file (see
                                                     ``labels_from_csv``)
=============  ====================================  =========================================

Only image files (``images.is_image_file``) directly inside ``src`` count; hidden files are
ignored, sub-folders and other files are listed in ``Labeling.ignored``. Nothing else is
dropped without a record: unlabeled files, duplicate CSV ids, labels without files and name
collisions are all listed.

Class names become folder names by ``folder_name`` (``/`` and ``\\`` -> ``_``, a leading
``.`` -> ``_``). Two labels, or two files of one class, that would land on the same name
(compared ignoring case, as macOS and Windows file systems do) are a collision: none of them
is used.

``zoo.data.materialize.materialize`` turns any of the three layouts (``folders``,
``filename``, a CSV) into a class-folder directory that ``images.scan_with_val`` and both
backends' pipelines read.

Example:
    >>> pets = labels_from_filenames("oxford-iiit-pet/images")
    >>> pets.classes()[:2], pets.labels[Path("oxford-iiit-pet/images/Abyssinian_1.jpg")]
    (['Abyssinian', 'Bengal'], 'Abyssinian')
"""

from __future__ import annotations

import csv
import dataclasses
import logging
import os
import re
from collections import Counter, defaultdict
from pathlib import Path
from typing import NamedTuple

from zoo.data.images import is_image_file
from zoo.errors import DatasetError

log = logging.getLogger("zoo")

#: characters that cannot appear in a class folder name -> their replacement
FOLDER_NAME_REPLACEMENTS = {"/": "_", "\\": "_", "\0": "_"}


class Unlabeled(NamedTuple):
    """An image file that gets no class, and why."""

    path: Path
    reason: str


class Duplicate(NamedTuple):
    """A file (or id without a file) named on more than one CSV line."""

    id: str
    lines: tuple[int, ...]
    labels: tuple[str, ...]


class Missing(NamedTuple):
    """A CSV row whose id names no image file (``hint``: a near miss, if any)."""

    id: str
    line: int
    label: str
    hint: str = ""


class Collision(NamedTuple):
    """Sources that would land on one destination (a ``class/file``: file names, or a
    ``class/`` folder: labels), and the image files left out because of it."""

    target: str
    sources: tuple[str, ...]
    files: tuple[Path, ...]


@dataclasses.dataclass(frozen=True)
class Labeling:
    """Classes of the image files of ``src`` and every problem found on the way.

    ``labels`` holds only files that can be placed: not unlabeled, not in a collision.

    Example:
        >>> lab = labels_from_csv("train/", "labels.csv")
        >>> lab.counts(), len(lab.unlabeled), lab.missing[0]
        ({'cat': 120, 'dog': 118}, 1, Missing(id='777', line=5, label='dog', hint=''))
    """

    src: Path
    labels: dict[Path, str]
    unlabeled: list[Unlabeled] = dataclasses.field(default_factory=list)
    duplicates: list[Duplicate] = dataclasses.field(default_factory=list)
    missing: list[Missing] = dataclasses.field(default_factory=list)
    collisions: list[Collision] = dataclasses.field(default_factory=list)
    ignored: list[Path] = dataclasses.field(default_factory=list)  # sub-folders, other files

    def classes(self) -> list[str]:
        """The classes in the order ``images.scan`` gives their folders (sorted names)."""
        return sorted(set(self.labels.values()), key=folder_name)

    def counts(self) -> dict[str, int]:
        """Images per class, in class order."""
        per = Counter(self.labels.values())
        return {name: per[name] for name in self.classes()}

    def problems(self) -> dict[str, list]:
        """The problem lists by name, in the order summaries show them."""
        return {"unlabeled files": self.unlabeled, "duplicate ids": self.duplicates,
                "labels without files": self.missing, "name collisions": self.collisions}


def folder_name(label: str) -> str:
    """The folder name of class ``label``: ``/``, ``\\`` and NUL become ``_``, and so does
    each leading ``.`` (a hidden folder is no class for ``images.scan``).

    Example:
        >>> folder_name("cats/dogs"), folder_name(".NET"), folder_name("basset_hound")
        ('cats_dogs', '_NET', 'basset_hound')
    """
    name = "".join(FOLDER_NAME_REPLACEMENTS.get(c, c) for c in label)
    stripped = name.lstrip(".")
    return "_" * (len(name) - len(stripped)) + stripped


def labels_from_filenames(src: str | Path, pattern: str | None = None) -> Labeling:
    """Classes from the image file names in ``src`` (Oxford-IIIT Pet style).

    Without ``pattern`` the class is the file name without extension up to its last ``_``
    (``basset_hound_103.jpg`` -> ``basset_hound``); a name without ``_`` is unlabeled. With
    ``pattern`` (a Python regex searched in the whole file name, extension included) the
    class is its group ``class``, else its first group; a name it does not match is unlabeled.

    Example:
        >>> lab = labels_from_filenames("pets/", pattern=r"^(?P<class>[a-z]+)-\\d+")
        >>> lab.labels[Path("pets/cat-001.png")]
        'cat'
    """
    src = _source_dir(src)
    files, ignored = _image_files(src)
    regex, group = _compile(pattern) if pattern is not None else (None, None)
    labels: dict[Path, str] = {}
    unlabeled: list[Unlabeled] = []
    for path in files:
        if regex is None:
            head, sep, _ = os.path.splitext(path.name)[0].rpartition("_")
            label, why = (head, "") if sep and head else ("", "no '_' after the class name")
        else:
            match = regex.search(path.name)
            label = (match.group(group) or "") if match else ""
            why = "empty class group" if match else f"does not match {pattern!r}"
        if label:
            labels[path] = label
        else:
            unlabeled.append(Unlabeled(path, why))
    return _with_collisions(Labeling(src, labels, unlabeled, ignored=ignored))


def labels_from_csv(src: str | Path, csv_path: str | Path, id_column: str = "id",
                    label_column: str = "label") -> Labeling:
    """Classes of the image files in ``src`` from a CSV of labels (Kaggle style).

    Rule: a row's id names the file whose name equals it exactly (``001.jpg``), else every
    file whose name without its extension equals it (``001`` names ``001.jpg`` and
    ``001.png``). Ids are compared case-sensitively, and ids and labels are stripped of
    surrounding spaces. A file named on two or more lines (the same id twice, or ``001`` and
    ``001.jpg``) is a duplicate: it keeps its label if the lines agree, else it is unlabeled.
    Line numbers count the header as line 1. ``.tsv`` files are read tab-separated.

    Example:
        >>> lab = labels_from_csv("train/", "labels.csv", label_column="breed")
        >>> lab.labels[Path("train/000bec18.jpg")], lab.duplicates
        ('boston_bull', [])
    """
    src = _source_dir(src)
    rows = _read_rows(Path(csv_path), id_column, label_column)
    files, ignored = _image_files(src, skip=Path(csv_path))
    by_name = {p.name: p for p in files}
    by_stem: dict[str, list[Path]] = defaultdict(list)
    by_fold: dict[str, list[str]] = defaultdict(list)
    for path in files:
        by_stem[os.path.splitext(path.name)[0]].append(path)
        by_fold[path.name.casefold()].append(path.name)
        by_fold[os.path.splitext(path.name)[0].casefold()].append(path.name)

    named: dict[Path, list[tuple[int, str]]] = defaultdict(list)  # file -> (line, label)
    lines_of: dict[str, list[tuple[int, str]]] = defaultdict(list)  # id -> (line, label)
    missing: list[Missing] = []
    for line, ident, label in rows:
        hits = [by_name[ident]] if ident in by_name else by_stem.get(ident, [])
        for path in hits:
            named[path].append((line, label))
        if not hits:
            lines_of[ident].append((line, label))
            near = by_fold.get(ident.casefold())
            hint = (f"empty {id_column!r}" if not ident else
                    f"did you mean {near[0]!r}? ids are case-sensitive" if near else "")
            missing.append(Missing(ident, line, label, hint))

    duplicates = [Duplicate(path.name, *zip(*sorted(hits), strict=True))
                  for path, hits in named.items() if len(hits) > 1]
    duplicates += [Duplicate(ident, *zip(*sorted(hits), strict=True))
                   for ident, hits in lines_of.items() if len(hits) > 1]
    labels: dict[Path, str] = {}
    unlabeled: list[Unlabeled] = []
    for path in files:
        given = {label for _, label in named.get(path, [])}
        lines = ", ".join(str(line) for line, _ in named.get(path, []))
        if len(given - {""}) == 1:
            labels[path] = (given - {""}).pop()
        elif not given:
            unlabeled.append(Unlabeled(path, f"no row in {Path(csv_path).name}"))
        elif given == {""}:
            unlabeled.append(Unlabeled(path, f"empty {label_column!r} on line {lines}"))
        else:
            unlabeled.append(Unlabeled(path, f"conflicting labels {sorted(given - {''})} on "
                                             f"lines {lines}"))
    return _with_collisions(Labeling(src, labels, unlabeled, sorted(duplicates), missing,
                                     ignored=ignored))


# ---------------------------------------------------------------- helpers


def _source_dir(src: str | Path) -> Path:
    src = Path(src).expanduser()
    if not src.is_dir():
        what = "is a file, not a directory" if src.exists() else "does not exist"
        raise DatasetError(f"image folder {src} {what}; pass the directory that holds the "
                           "images")
    return src


def _image_files(src: Path, skip: Path | None = None) -> tuple[list[Path], list[Path]]:
    """(image files directly in ``src``, other non-hidden entries), each sorted by name."""
    files, ignored = [], []
    for entry in sorted(os.scandir(src), key=lambda e: e.name):
        if entry.name.startswith("."):
            continue
        path = Path(src, entry.name)
        if entry.is_file() and is_image_file(entry.name):
            files.append(path)
        elif skip is None or not (path.exists() and skip.exists() and path.samefile(skip)):
            ignored.append(path)
    return files, ignored


def _compile(pattern: str) -> tuple[re.Pattern, str | int]:
    try:
        regex = re.compile(pattern)
    except re.error as err:
        raise DatasetError(f"pattern {pattern!r} is not a valid regular expression: {err}") \
            from None
    if "class" in regex.groupindex:
        return regex, "class"
    if regex.groups:
        return regex, 1
    raise DatasetError(f"pattern {pattern!r} has no group for the class; write it as "
                       r"(?P<class>...) or (...), e.g. '^(?P<class>.+)_\d+\.jpg$'")


def _read_rows(path: Path, id_column: str, label_column: str) -> list[tuple[int, str, str]]:
    """(line, id, label) of every data row of the CSV file ``path``."""
    if not path.is_file():
        raise DatasetError(f"labels file {path} does not exist")
    delimiter = "\t" if path.suffix.lower() == ".tsv" else ","
    rows = []
    with path.open(newline="", encoding="utf-8-sig") as f:  # -sig: Excel's byte order mark
        reader = csv.DictReader(f, delimiter=delimiter)
        columns = reader.fieldnames or []
        absent = [c for c in (id_column, label_column) if c not in columns]
        if absent:
            raise DatasetError(
                f"{path}: no column {' or '.join(map(repr, absent))}; its header has "
                f"{columns}. Name the columns with --id-column / --label-column (id_column=, "
                "label_column=)")
        for row in reader:
            rows.append((reader.line_num, (row[id_column] or "").strip(),
                         (row[label_column] or "").strip()))
    return rows


def _with_collisions(lab: Labeling) -> Labeling:
    """``lab`` without the files whose class folder or file name would collide (ignoring
    case), those listed in ``collisions``."""
    by_folder: dict[str, set[str]] = defaultdict(set)
    for label in lab.labels.values():
        by_folder[folder_name(label).casefold()].add(label)
    bad_labels = {label for labels in by_folder.values() if len(labels) > 1 for label in labels}
    collisions = [Collision(f"{folder_name(min(labels))}/", tuple(sorted(labels)),
                            tuple(p for p, c in lab.labels.items() if c in labels))
                  for labels in by_folder.values() if len(labels) > 1]
    by_target: dict[tuple[str, str], list[Path]] = defaultdict(list)
    for path, label in lab.labels.items():
        if label not in bad_labels:
            by_target[folder_name(label).casefold(), path.name.casefold()].append(path)
    bad_files: set[Path] = set()
    for paths in by_target.values():
        if len(paths) > 1:
            target = f"{folder_name(lab.labels[paths[0]])}/{paths[0].name}"
            collisions.append(Collision(target, tuple(p.name for p in paths), tuple(paths)))
            bad_files.update(paths)
    kept = {p: c for p, c in lab.labels.items() if c not in bad_labels and p not in bad_files}
    return dataclasses.replace(lab, labels=kept, collisions=sorted(collisions))
