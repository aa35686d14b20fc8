"""The git blob sha1 of LocalHub blobs: what git and the Hugging Face Hub call a file's
``oid`` (``zoo hub serve`` lists and serves files by it; zoo names blobs by sha256).

Example:
    >>> hub.git_sha1(hub.list_files("me/m")["config.json"]["sha256"])
    'e69de29bb2d1d6434b8b29ae775ad8c2e48c5391'
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from zoo.errors import WeightsError
from zoo.hub.atomic import git_blob_sha1, write_text_atomic
from zoo.hub.names import HEX40


class GitSha1Mixin:
    """For LocalHub: ``git_sha1(sha256)``, computed once per blob and cached on disk."""

    root: Path
    read_only: bool
    _git_sha1: dict[str, str]

    def _blob_path(self, sha: Any) -> Path:  # pragma: no cover (LocalHub's)
        raise NotImplementedError

    def git_sha1(self, sha256: str) -> str:
        """The git blob sha1 of the blob named ``sha256`` (what git and the Hugging Face Hub
        call a file's ``oid``). Computed once and kept in ``cache/git-sha1`` (in memory only
        on a read-only hub). Example: ``hub.git_sha1(hub.list_files("me/m")["f"]["sha256"])``"""
        known = self._git_sha1.get(sha256)
        if known is not None:
            return known
        blob = self._blob_path(sha256)
        cached = self.root / "cache" / "git-sha1" / sha256[:2] / sha256
        try:
            text = cached.read_text(encoding="ascii").strip()
        except (OSError, ValueError):
            text = ""
        if not HEX40.fullmatch(text):
            if not blob.is_file():
                raise WeightsError(f"blob {blob} is missing; publish/pull the repo again")
            text = git_blob_sha1(blob)
            if not self.read_only:
                write_text_atomic(cached, text + "\n")
        self._git_sha1[sha256] = text
        return text
