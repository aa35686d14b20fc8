"""``materialize``: any of the three image-dataset layouts as a cached class-folder
directory, so fine-tuning (both backends) reads them all through one scan.

Example:
    >>> root = materialize("oxford-iiit-pet/images", "filename")
    >>> images.scan_with_val(root, 0.2, seed=0).classes[:2]
    ['Abyssinian', 'Bengal']
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import os
import shutil
from pathlib import Path

from zoo.data.layouts import _source_dir
from zoo.errors import DatasetError

log = logging.getLogger("zoo")
#: bumped when the layout ``materialize`` writes changes (old cache entries are not reused)
CACHE_FORMAT = 1
_CACHE_INFO = ".zoo-dataset.json"  # hidden: scan ignores it


def materialize(src: str | Path, labels: str | Path = "folders", *, pattern: str | None = None,
                id_column: str = "id", label_column: str = "label",
                cache_dir: str | Path | None = None, strict: bool = False) -> Path:
    """A class-folder directory (``<class>/<file>``) holding the images of ``src``.

    ``labels`` is ``"folders"`` (``src`` already has one sub-folder per class: returned as
    it is), ``"filename"`` (see ``labels_from_filenames``, with ``pattern``) or the path of a
    CSV of labels (see ``labels_from_csv``, with ``id_column`` and ``label_column``). The
    class folders are hard links (copies across file systems) in
    ``cache_dir`` (default ``$ZOO_HOME/datasets``)``/<hash>``, where the hash covers ``src``,
    the labels (the CSV's content, not only its path), the options and the name, size and
    modification time of every file in ``src``: an unchanged dataset reuses its directory,
    a changed one gets a new one. Problems (unlabeled files, collisions...) are logged as a
    warning, or raised as a ``DatasetError`` with ``strict=True``.

    Example:
        >>> root = materialize("oxford-iiit-pet/images", "filename")
        >>> images.scan_with_val(root, 0.2, seed=0).classes[:2]
        ['Abyssinian', 'Bengal']
    """
    if str(labels) == "folders":
        if pattern is not None:
            raise DatasetError("a pattern applies to labels='filename' only, not to 'folders'")
        return Path(src).expanduser()
    from zoo.data.organize import organize  # organize builds on the labelings of this module
    from zoo.paths import zoo_home

    src = _source_dir(src)
    key = _cache_key(src, labels, pattern, id_column, label_column)
    cache = Path(cache_dir).expanduser() if cache_dir else zoo_home() / "datasets"
    final = cache / key
    if (final / _CACHE_INFO).is_file():
        return final
    by = "filename" if str(labels) == "filename" else "csv"
    tmp = cache / f".{key}.{os.getpid()}.tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    try:
        plan = organize(src, tmp, by=by, labels=None if by == "filename" else labels,
                        pattern=pattern, id_column=id_column, label_column=label_column)
        plan = dataclasses.replace(plan, dst=final)  # messages name the final directory
        if not plan.steps:
            raise DatasetError(f"no labeled image in {src}:\n{plan.summary()}")
        if any(plan.problems().values()):
            if strict:
                raise DatasetError(f"{src} has labeling problems (strict=True):\n"
                                   f"{plan.summary()}")
            log.warning("%s: some images are not used\n%s", src, plan.summary())
        if plan.done.get("copied"):
            log.warning("%s: copied %d images into %s (another file system: no hard links)",
                        src, plan.done["copied"], cache)
        info = {"src": str(src), "labels": str(labels), "pattern": pattern,
                "id_column": id_column, "label_column": label_column,
                "counts": plan.labeling.counts()}
        (tmp / _CACHE_INFO).write_text(json.dumps(info, indent=2), encoding="utf-8")
        if final.is_dir() and not (final / _CACHE_INFO).is_file():
            shutil.rmtree(final)  # not ours to trust: written by hand or an older zoo
        try:
            os.rename(tmp, final)
        except OSError:  # another process finished the same directory first: use theirs
            if not (final / _CACHE_INFO).is_file():
                raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return final


def _cache_key(src: Path, labels: str | Path, pattern: str | None, id_column: str,
               label_column: str) -> str:
    """Hash of everything a materialized directory depends on."""
    h = hashlib.sha256()
    csv_sha = ""
    if str(labels) != "filename":
        _check_labels_file(labels)
        csv_sha = hashlib.sha256(Path(labels).read_bytes()).hexdigest()
    h.update(json.dumps([CACHE_FORMAT, str(src.resolve()), str(labels), csv_sha, pattern,
                         id_column, label_column]).encode())
    for entry in sorted(os.scandir(src), key=lambda e: e.name):
        if entry.is_file() and not entry.name.startswith("."):
            st = entry.stat()
            h.update(f"\n{entry.name}\0{st.st_size}\0{st.st_mtime_ns}".encode())
    return h.hexdigest()[:16]


def _check_labels_file(labels: str | Path) -> None:
    if not Path(labels).is_file():
        raise DatasetError(f"labels={str(labels)!r}: not 'folders' (one sub-folder per class), "
                           "'filename' (class in the file name) or an existing CSV file of "
                           "labels")
