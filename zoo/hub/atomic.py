"""Atomic file writes (temp file in the same directory + fsync + rename) and sha256 helpers.

A reader, or a process that starts after a crash, sees either the old file or the whole new
one, never a partial write. Temp files are named ``.<target name>.<random>.tmp`` so that
directory listings can skip leftovers of a crash (they start with a dot).

Example:
    >>> write_text_atomic(Path("out/config.json"), "{}")
    >>> sha256_file(Path("out/config.json")) == sha256_bytes(b"{}")
    True
"""

from __future__ import annotations

import hashlib
import os
import stat
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

CHUNK = 1 << 20
# mkstemp creates 0600 files; a hub or run directory is meant to be readable like any file
# written with open(), so new files get 0644 and replaced files keep their mode.
NEW_FILE_MODE = 0o644


def _fsync_dir(directory: Path) -> None:
    # Makes the rename itself durable; not possible on every platform (Windows), so best effort.
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _write_atomic(path: Path, fill: Callable[[BinaryIO], None]) -> None:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
    except OSError:
        mode = NEW_FILE_MODE
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            fill(f)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        # BaseException too: a Ctrl-C mid-write must not leave a temp file behind.
        Path(tmp).unlink(missing_ok=True)
        raise
    _fsync_dir(path.parent)


def write_bytes_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically, creating parent directories.

    Example:
        >>> write_bytes_atomic(Path("out/blob.bin"), b"\\x00\\x01")
    """
    _write_atomic(path, lambda f: f.write(data))


def write_text_atomic(path: Path, text: str) -> None:
    """Write ``text`` (utf-8) to ``path`` atomically.

    Example:
        >>> write_text_atomic(Path("out/run.json"), '{"epochs": 3}')
    """
    write_bytes_atomic(path, text.encode("utf-8"))


def copy_file_atomic(src: Path, dst: Path) -> str:
    """Copy ``src`` to ``dst`` atomically in chunks; returns the sha256 hex of what was copied.

    Example:
        >>> copy_file_atomic(Path("run/model.safetensors"), Path("out/model.safetensors"))
        '3b2c...'
    """
    h = hashlib.sha256()

    def fill(out: BinaryIO) -> None:
        with open(src, "rb") as f:
            while chunk := f.read(CHUNK):
                h.update(chunk)
                out.write(chunk)

    _write_atomic(dst, fill)
    return h.hexdigest()


def sha256_bytes(data: bytes) -> str:
    """sha256 hex digest of ``data``.

    Example:
        >>> sha256_bytes(b"")[:12]
        'e3b0c44298fc'
    """
    return hashlib.sha256(data).hexdigest()


def sha256_file(path: Path) -> str:
    """sha256 hex digest of a file, read in chunks (weights can be large).

    Example:
        >>> sha256_file(Path("out/blob.bin"))
        '...'
    """
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(CHUNK):
            h.update(chunk)
    return h.hexdigest()


def git_blob_sha1(path: Path) -> str:
    """The git blob id of a file: sha1 of ``b"blob <size>\\0" + content``, read in chunks.
    Example: ``git_blob_sha1(Path("empty"))  # 'e69de29bb2d1d6434b8b29ae775ad8c2e48c5391'``"""
    h = hashlib.sha1(f"blob {path.stat().st_size}\0".encode())
    with open(path, "rb") as f:
        while chunk := f.read(CHUNK):
            h.update(chunk)
    return h.hexdigest()
