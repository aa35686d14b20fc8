"""``organize``: a flat image folder (labels in the file names or a CSV) -> ``dst/<class>/<file>``.

Files are hard-linked into place (no extra disk space; copied where a hard link is not
possible, e.g. across file systems), or moved with ``move=True``. Nothing is written with
``dry_run=True``, the source is never changed without ``move=True``, and an existing
different file in ``dst`` is never overwritten. Re-running is safe: files already in place
(the same file, or the same bytes) are left as they are.

=================  ===========================================================
the plan lists      (``Plan``)
=================  ===========================================================
``steps``          files to place: source -> ``dst/<class folder>/<file name>``
``present``        targets that already hold the same file (left alone)
``conflicts``      targets that hold a different file (``organize`` refuses)
``labeling``       classes and the labeling problems (``layouts.Labeling``)
``done``           after the run: how many files were linked, copied, moved
=================  ===========================================================

Example:
    >>> plan = organize("oxford-iiit-pet/images", "pets", by="filename", dry_run=True)
    >>> print(plan.summary())       # images per class, problems with examples
    >>> organize("train/", "dogs", by="csv", labels="labels.csv", label_column="breed").done
    {'linked': 10222}
"""

from __future__ import annotations

import dataclasses
import errno
import filecmp
import os
import shutil
from collections import Counter
from pathlib import Path
from typing import NamedTuple

from zoo.data.layouts import (
    Collision,
    Duplicate,
    Labeling,
    Missing,
    Unlabeled,
    folder_name,
    labels_from_csv,
    labels_from_filenames,
)
from zoo.errors import DatasetError

BY = ("filename", "csv")
#: errors of os.link after which a copy is made instead (EXDEV: another file system; the
#: others: file systems without hard links, or a link to a file of another user refused)
NO_LINK = frozenset({errno.EXDEV, errno.EPERM, errno.EMLINK, errno.ENOTSUP, errno.EOPNOTSUPP})


class Step(NamedTuple):
    """One file to place: ``source`` -> ``target`` (``dst/<class folder>/<name>``)."""

    source: Path
    target: Path
    label: str


@dataclasses.dataclass
class Plan:
    """What ``organize`` does (or, with ``dry_run``, would do) and every problem it found."""

    src: Path
    dst: Path
    by: str
    move: bool
    dry_run: bool
    labeling: Labeling
    steps: list[Step]
    present: list[Step]
    conflicts: list[Step]
    done: dict[str, int] = dataclasses.field(default_factory=dict)

    def problems(self) -> dict[str, list]:
        """The labeling problems and the targets that hold different files."""
        return {**self.labeling.problems(), "different files in dst": self.conflicts}

    def summary(self, examples: int = 3) -> str:
        """Images per class, then each problem list with its count and first examples.

        Example:
            >>> print(organize("images", "pets", dry_run=True).summary())
            images -> pets (dry run: nothing written; hard links, else copies)
              class         images
              Abyssinian        12
              basset_hound      10
              2 classes, 22 images: 22 to place, 0 already there
            problems:
              unlabeled files             1  e.g. notes.png (no '_' after the class name)
              duplicate ids               0
              labels without files        0
              name collisions             0
              different files in dst      0
        """
        how = "moves" if self.move else "hard links, else copies"
        state = "dry run: nothing written" if self.dry_run else "written"
        lines = [f"{self.src} -> {self.dst} ({state}; {how})"]
        counts = self.labeling.counts()
        renamed = any(folder_name(c) != c for c in counts)
        head = ["class", *(["folder"] if renamed else []), "images"]
        rows = [[c, *([folder_name(c)] if renamed else []), str(n)] for c, n in counts.items()]
        lines += _table([head, *rows])
        lines.append(f"  {len(counts)} classes, {sum(counts.values())} images: "
                     f"{len(self.steps)} to place, {len(self.present)} already there")
        lines.append("problems:")
        for name, found in self.problems().items():
            shown = ", ".join(_show(x) for x in found[:examples])
            more = " ..." if len(found) > examples else ""
            lines.append(f"  {name:<24} {len(found):>4}" + (f"  e.g. {shown}{more}" if found
                                                             else ""))
        if self.labeling.ignored:
            names = [p.name + "/" * p.is_dir() for p in self.labeling.ignored[:examples]]
            more = " ..." if len(self.labeling.ignored) > examples else ""
            lines.append(f"not image files directly in {self.src} (ignored): "
                         f"{len(self.labeling.ignored)}  e.g. {', '.join(names)}{more}")
        if self.done:
            lines.append("done: " + ", ".join(f"{n} {what}" for what, n in self.done.items()))
        return "\n".join(lines)

    __str__ = summary


def organize(src: str | Path, dst: str | Path, by: str = "filename",
             labels: str | Path | None = None, pattern: str | None = None, move: bool = False,
             dry_run: bool = False, id_column: str = "id", label_column: str = "label") -> Plan:
    """Place the images of the flat folder ``src`` in ``dst/<class>/<file>``; returns the plan.

    ``by="filename"``: classes from the file names (``layouts.labels_from_filenames``, with
    ``pattern``); ``by="csv"``: from the CSV file ``labels`` (``layouts.labels_from_csv``,
    with ``id_column``, ``label_column``). Class folder names follow ``layouts.folder_name``.
    Files with a problem (unlabeled, colliding) are left out and listed in the plan.

    Example:
        >>> plan = organize("images", "pets")
        >>> plan.done, plan.steps[0].target
        ({'linked': 22}, PosixPath('pets/Abyssinian/Abyssinian_1.jpg'))
    """
    if by not in BY:
        raise DatasetError(f"by={by!r}: use 'filename' (class in the file name) or 'csv' "
                           "(a CSV of labels)")
    if by == "csv" and labels is None:
        raise DatasetError("by='csv' needs the CSV of labels (labels=... / --labels FILE)")
    if by == "filename" and labels is not None:
        raise DatasetError(f"labels={str(labels)!r} is a CSV of labels: use by='csv' "
                           "(--by csv) with it")
    if by == "csv" and pattern is not None:
        raise DatasetError("a pattern applies to by='filename' only, not to a CSV of labels")
    dst = Path(dst).expanduser()
    if dst.exists() and not dst.is_dir():
        raise DatasetError(f"destination {dst} is a file, not a directory")
    lab = (labels_from_filenames(src, pattern) if by == "filename" else
           labels_from_csv(src, labels, id_column, label_column))
    lab = dataclasses.replace(lab, ignored=[p for p in lab.ignored if not _inside(p, dst)])

    steps, present, conflicts = [], [], []
    for path, label in lab.labels.items():
        step = Step(path, dst / folder_name(label) / path.name, label)
        state = _target_state(step)
        (steps if state == "free" else present if state == "same" else conflicts).append(step)
    plan = Plan(lab.src, dst, by, move, dry_run, lab, steps, present, conflicts)
    if dry_run:
        return plan
    if conflicts:
        shown = "; ".join(f"{s.target} (not {s.source})" for s in conflicts[:5])
        raise DatasetError(f"{len(conflicts)} target file(s) in {dst} already exist with "
                           f"other content: {shown}{' ...' if len(conflicts) > 5 else ''}. "
                           "Nothing was written; remove them or choose another destination")
    done: Counter = Counter()
    for i, step in enumerate(steps):
        try:
            done[_place(step, move)] += 1
        except OSError as err:
            raise DatasetError(f"cannot place {step.source} at {step.target}: {err}. {i} of "
                               f"{len(steps)} files were placed; run again to continue") from err
    plan.done = dict(done)
    return plan


def _target_state(step: Step) -> str:
    """``free``, ``same`` (holds this file or the same bytes) or ``different``."""
    target = step.target
    if target.parent.exists() and not target.parent.is_dir():
        return "different"
    if not (target.exists() or target.is_symlink()):
        return "free"
    if target.is_file() and (os.path.samefile(step.source, target)
                             or filecmp.cmp(step.source, target, shallow=False)):
        return "same"
    return "different"


def _place(step: Step, move: bool) -> str:
    """Link (else copy) or move one file; returns what was done."""
    step.target.parent.mkdir(parents=True, exist_ok=True)
    if move:
        shutil.move(step.source, step.target)
        return "moved"
    try:
        os.link(step.source, step.target)
        return "linked"
    except OSError as err:
        if err.errno not in NO_LINK:
            raise
    if step.target.exists():
        raise FileExistsError(errno.EEXIST, "appeared while organizing", str(step.target))
    shutil.copy2(step.source, step.target)
    return "copied"


def _inside(path: Path, folder: Path) -> bool:
    try:
        return path.resolve().is_relative_to(folder.resolve())
    except OSError:
        return False


def _table(rows: list[list[str]]) -> list[str]:
    """Rows as aligned lines: the last column (the counts) right-aligned, the others left."""
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    last = len(widths) - 1
    return ["  " + "  ".join(c.rjust(w) if i == last else c.ljust(w)
                             for i, (c, w) in enumerate(zip(r, widths, strict=True)))
            for r in rows]


_SHOWN = {
    Unlabeled: lambda u: f"{u.path.name} ({u.reason})",
    Duplicate: lambda d: f"{d.id!r} on lines {', '.join(map(str, d.lines))}",
    Missing: lambda m: f"{m.id!r} (line {m.line}{'; ' + m.hint if m.hint else ''})",
    Collision: lambda c: f"{c.target} <- {' + '.join(c.sources)} ({len(c.files)} files)",
    Step: lambda s: f"{s.target.parent.name}/{s.target.name}",
}


def _show(problem: NamedTuple) -> str:
    return _SHOWN[type(problem)](problem)
