"""Classify image files and folders of images, printing or writing a CSV of predictions.

Example:
    >>> classify_paths(zoo.load("cnn"), ["shoes/"], top_k=2, out="preds.csv")
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

from zoo.hub.atomic import write_text_atomic
from zoo.tasks.image_input import ImageInputError


def expand(paths: list[str | Path]) -> list[Path]:
    """Files as given; folders -> their image files, recursively and sorted (hidden skipped)."""
    from zoo.data.images import is_image_file

    out: list[Path] = []
    for path in map(Path, paths):
        if path.is_dir():
            found = sorted(p for p in path.rglob("*") if p.is_file() and is_image_file(p.name)
                           and not any(part.startswith(".") for part in p.relative_to(path).parts))
            if not found:
                raise ImageInputError(f"{path} holds no image files")
            out += found
        else:
            out.append(path)
    return out


def classify_paths(model: Any, paths: list[str | Path], top_k: int = 1,
                   out: str | Path | None = None, batch_size: int = 64) -> list[list[Any]]:
    """Top-k predictions of every image; rows ``path, label, probability, ...``."""
    files = expand(paths)
    rows = []
    for i in range(0, len(files), batch_size):
        chunk = files[i : i + batch_size]
        for path, top in zip(chunk, model.classify([str(p) for p in chunk], top_k=top_k),
                             strict=True):
            rows.append([str(path), *(x for label, p in top for x in (label, f"{p:.6f}"))])
    header = ["path"] + [f"{name}{k}" for k in range(1, top_k + 1)
                         for name in ("label", "probability")]
    if out is None:
        for row in rows:
            print("\t".join(row))
    else:
        text = io.StringIO()
        csv.writer(text).writerows([header, *rows])
        write_text_atomic(Path(out), text.getvalue())
        print(f"{len(rows)} predictions -> {out}")
    return rows
