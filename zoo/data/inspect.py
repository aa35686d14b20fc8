"""``inspect``: what an image dataset folder holds, before training on it.

=============  =========================================================================
layout          recognised as
=============  =========================================================================
``folders``    ``root/<class>/**/<image>`` (what ``images.scan`` reads)
``train/val``  ``root/train/<class>/...`` and ``root/val/<class>/...`` (``scan_with_val``)
``flat``       images directly in ``root`` (at least as many as in its sub-folders, e.g.
               ``images/`` next to ``annotations/``): ``zoo data organize`` them first
=============  =========================================================================

The report has the classes, usable images per class (per split), the distribution of image
sizes, the colour modes, the corrupt files (checked as ``images.scan`` checks them) and notes
(empty classes, images outside any class, what to run for a flat folder). ``write_grid``
draws a few images of every class into one PNG.

Example:
    >>> report = inspect("flowers/")
    >>> print(report)                 # classes, counts, sizes, modes, corrupt files
    >>> report.counts["images"]["daisy"], report.common_sizes(1)
    (633, [((500, 333), 1210)])
    >>> write_grid(report, "flowers.png", per_class=4)
"""

from __future__ import annotations

import dataclasses
import os
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
from PIL import Image

from zoo.data import images
from zoo.errors import DatasetError

FLAT = "(no class)"  # the one row of a flat folder
SHOWN_CORRUPT = 20  # corrupt files listed by str(report); all are in report.corrupt


@dataclasses.dataclass(frozen=True)
class Report:
    """What ``inspect`` found in ``root`` (see the module docstring for the layouts)."""

    root: Path
    layout: str
    classes: list[str]
    counts: dict[str, dict[str, int]]  # split ("images", or "train" and "val") -> class -> n
    files: dict[str, list[Path]]  # class (FLAT for a flat folder) -> usable images
    sizes: Counter  # (width, height) -> usable images of that size
    modes: Counter  # PIL mode ("RGB", "L", "RGBA", "P", ...) -> usable images
    corrupt: list[tuple[Path, str]]  # (path, reason), skipped by images.scan
    notes: list[str]

    def size_stats(self) -> dict[str, dict[str, float]]:
        """Min, median and max of the widths and heights of the usable images.

        Example:
            >>> inspect("pets/").size_stats()["width"]
            {'min': 120, 'median': 500.0, 'max': 1600}
        """
        if not self.sizes:
            return {}
        sizes = np.array(list(self.sizes), dtype=np.int64).reshape(-1, 2)
        reps = np.array(list(self.sizes.values()))
        out = {}
        for axis, name in enumerate(("width", "height")):
            values = np.repeat(sizes[:, axis], reps)
            out[name] = {"min": int(values.min()), "median": float(np.median(values)),
                         "max": int(values.max())}
        return out

    def common_sizes(self, k: int = 5) -> list[tuple[tuple[int, int], int]]:
        """The ``k`` most common (width, height) with their counts (ties: smaller first)."""
        return sorted(self.sizes.items(), key=lambda item: (-item[1], item[0]))[:k]

    def __str__(self) -> str:
        total = sum(len(v) for v in self.files.values())
        head = (f"{self.root}: {self.layout}, {len(self.classes)} classes, {total} images, "
                f"{len(self.corrupt)} corrupt")
        splits = list(self.counts)
        rows = [["class", *splits]] + [[c, *(str(self.counts[s].get(c, 0)) for s in splits)]
                                       for c in self.classes]
        lines = [head]
        if self.classes:
            widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
            lines += ["  " + "  ".join(c.ljust(w) if i == 0 else c.rjust(w)
                                       for i, (c, w) in enumerate(zip(r, widths, strict=True)))
                      for r in rows]
        stats = self.size_stats()
        for name, s in stats.items():
            lines.append(f"{name:<6} min {s['min']}  median {s['median']:g}  max {s['max']}")
        if stats:
            lines.append("most common sizes (w x h): " + ", ".join(
                f"{w}x{h} ({n})" for (w, h), n in self.common_sizes()))
        modes = sorted(self.modes.items(), key=lambda item: (-item[1], item[0]))
        lines.append("modes: " + (", ".join(f"{m} {n}" for m, n in modes) or "none"))
        if self.corrupt:
            lines.append(f"corrupt ({len(self.corrupt)}, skipped when training):")
            lines += [f"  {path}: {reason}" for path, reason in self.corrupt[:SHOWN_CORRUPT]]
            if len(self.corrupt) > SHOWN_CORRUPT:
                lines.append(f"  ... and {len(self.corrupt) - SHOWN_CORRUPT} more")
        lines += [f"note: {note}" for note in self.notes]
        return "\n".join(lines)


def inspect(root: str | Path) -> Report:
    """Classes, counts, image sizes, modes and corrupt files of the dataset folder ``root``.

    Example:
        >>> inspect("downloads/images").layout
        'flat'
    """
    root = Path(root).expanduser()
    if not root.is_dir():
        what = "is a file, not a directory" if root.exists() else "does not exist"
        raise DatasetError(f"dataset folder {root} {what}")
    splits = ["train", "val"] if all((root / s).is_dir() for s in ("train", "val")) else [""]
    found = {s: _class_folders(root / s) for s in splits}  # split -> class -> image files
    loose = [root / e.name for e in _entries(root) if e.is_file() and images.is_image_file(e.name)]
    notes: list[str] = []
    # more images directly in root than in sub-folders (e.g. images + annotations/): flat
    in_folders = sum(map(len, found[""].values())) if splits == [""] else 0
    if splits == [""] and (len(loose) >= in_folders > 0 or not in_folders):
        if not loose:
            raise DatasetError(f"{root} has no class sub-folders and no image files")
        if found[""]:
            notes.append("sub-folders not counted as classes: " + ", ".join(
                f"{c}/ ({len(ps)} images)" for c, ps in found[""].items()))
        layout, found = "flat", {"": {FLAT: loose}}
        notes.append(_flat_advice(root, loose))
    else:
        layout = "folders" if splits == [""] else "train/val"
        if loose:
            notes.append(f"{len(loose)} image(s) directly in {root} belong to no class and are "
                         f"not used, e.g. {loose[0].name}")
    classes = sorted({c for per in found.values() for c in per if c != FLAT})
    if layout == "train/val" and set(found["train"]) != set(found["val"]):
        notes.append(f"train and val must have the same class folders; only in train: "
                     f"{sorted(set(found['train']) - set(found['val'])) or 'none'}, only in "
                     f"val: {sorted(set(found['val']) - set(found['train'])) or 'none'}")

    paths = [p for per in found.values() for files in per.values() for p in files]
    with ThreadPoolExecutor(max_workers=min(8, os.cpu_count() or 1)) as pool:
        probed = dict(zip(paths, pool.map(_probe, paths), strict=True))
    corrupt = [(p, r) for p, (r, _, _) in probed.items() if r is not None]
    usable = {p for p, (r, _, _) in probed.items() if r is None}
    sizes = Counter(size for reason, size, _ in probed.values() if reason is None)
    modes = Counter(mode for reason, _, mode in probed.values() if reason is None)
    counts = {split or "images": {c: sum(p in usable for p in files) for c, files in per.items()}
              for split, per in found.items()}
    files: dict[str, list[Path]] = {}
    for per in found.values():
        for c, ps in per.items():
            files.setdefault(c, []).extend(p for p in ps if p in usable)
    empty = [c for c in classes if not files.get(c)]
    if empty:
        notes.append(f"class folder(s) without a usable image (images.scan refuses them): "
                     f"{empty}")
    return Report(root, layout, classes, counts, files, sizes, modes, corrupt, notes)


def write_grid(report: Report, out_png: str | Path, per_class: int = 4) -> Path:
    """A PNG with a row of up to ``per_class`` images for every class, labelled with the
    class name and its image count (matplotlib, Agg backend: no display needed).

    Example:
        >>> write_grid(inspect("pets/"), "pets.png", per_class=6)
        PosixPath('pets.png')
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    if per_class < 1:
        raise DatasetError(f"per_class={per_class} must be at least 1")
    rows = report.classes or [FLAT]
    out_png = Path(out_png)
    fig, axes = plt.subplots(len(rows), per_class, figsize=(1.2 + 1.5 * per_class,
                                                            0.3 + 1.5 * len(rows)),
                             squeeze=False)
    for r, name in enumerate(rows):
        shown = report.files.get(name, [])
        for c, ax in enumerate(axes[r]):
            ax.set_xticks([])
            ax.set_yticks([])
            for spine in ax.spines.values():
                spine.set_visible(False)
            if c < len(shown):
                thumb = images.load_rgb(shown[c])
                thumb.thumbnail((128, 128))
                ax.imshow(np.asarray(thumb))
        axes[r][0].set_ylabel(f"{name}\n({len(shown)})", rotation=0, ha="right", va="center",
                              fontsize=8)
    fig.suptitle(f"{report.root} ({report.layout})", fontsize=9)
    fig.tight_layout()
    out_png.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out_png, dpi=80)
    plt.close(fig)
    return out_png


def _entries(folder: Path) -> list[os.DirEntry]:
    return sorted((e for e in os.scandir(folder) if not e.name.startswith(".")),
                  key=lambda e: e.name)


def _class_folders(root: Path) -> dict[str, list[Path]]:
    """Class -> image files, walked as ``images.scan`` walks them (no decoding)."""
    return {e.name: [p for p in images._walk(root / e.name) if images.is_image_file(p.name)]
            for e in _entries(root) if e.is_dir()}


def _probe(path: Path) -> tuple[str | None, tuple[int, int] | None, str | None]:
    """(why ``path`` is corrupt or None, its size, its mode); size and mode from the header."""
    reason = images._check_image(path)
    if reason is not None:
        return reason, None, None
    with Image.open(path) as img:
        return None, img.size, img.mode


def _flat_advice(root: Path, loose: list[Path]) -> str:
    """What to run to turn the flat folder ``root`` into class folders."""
    tables = sorted(root.glob("*.csv")) + sorted(root.parent.glob("*.csv"))
    named = sum("_" in os.path.splitext(p.name)[0].strip("_") for p in loose)
    how = (f"--by csv --labels {tables[0]}" if tables else
           "--by filename" if named >= 0.5 * len(loose) else
           "--by filename --pattern REGEX, or --by csv --labels labels.csv")
    return (f"flat folder: {len(loose)} images directly inside; training needs one sub-folder "
            f"per class. Sort them with: zoo data organize {root} OUT {how}")
