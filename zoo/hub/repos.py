"""LocalHub's repo-level operations: create, exists, list, delete, info.

Example:
    >>> hub.create_repo("me/sine", private=True); hub.list_repos()
    ['me/sine']
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

from zoo.hub.atomic import write_text_atomic
from zoo.hub.names import PART, AlreadyExistsError, utc_now


class ReposMixin:
    """For LocalHub (which provides the private helpers declared here; ``list_refs`` and
    ``_read_ref`` come from RefsMixin, so they are not declared here: a stub would shadow
    them)."""

    root: Path

    def _writable(self) -> None:  # pragma: no cover (LocalHub's)
        raise NotImplementedError

    def _repo_dir(self, repo_id: str) -> Path:  # pragma: no cover
        raise NotImplementedError

    def _existing(self, repo_id: str) -> Path:  # pragma: no cover
        raise NotImplementedError

    def _lock(self, repo: Path) -> AbstractContextManager[None]:  # pragma: no cover
        raise NotImplementedError

    def create_repo(self, repo_id: str, private: bool = False, exist_ok: bool = True) -> None:
        """Create an empty repo: no commits and no branches until the first commit.
        Example: ``hub.create_repo("me/sine", private=True)``"""
        self._writable()
        repo = self._repo_dir(repo_id)
        if (repo / "repo.json").is_file() and exist_ok:
            return
        with self._lock(repo):  # two creators at once: exactly one wins, the other is told
            if (repo / "repo.json").is_file():
                if exist_ok:
                    return
                raise AlreadyExistsError(f"repo {repo_id!r} already exists on the hub at "
                                         f"{self.root}")
            info = {"id": repo_id, "private": bool(private), "created": utc_now()}
            write_text_atomic(repo / "repo.json", json.dumps(info, indent=2) + "\n")

    def repo_exists(self, repo_id: str) -> bool:
        """Whether the repo exists; an invalid id raises HubError.
        Example: ``hub.repo_exists("me/sine")  # True``"""
        return (self._repo_dir(repo_id) / "repo.json").is_file()

    def list_repos(self) -> list[str]:
        """Every repo id on this hub, sorted.
        Example: ``hub.list_repos()  # ['me/sine', 'zoo/cnn']``"""
        base, out = self.root / "repos", []
        if not base.is_dir():
            return out
        for ns in base.iterdir():
            if ns.is_dir() and PART.fullmatch(ns.name) and ".." not in ns.name:
                out += [f"{ns.name}/{d.name}" for d in ns.iterdir()
                        if PART.fullmatch(d.name) and ".." not in d.name
                        and (d / "repo.json").is_file()]
        return sorted(out)

    def delete_repo(self, repo_id: str) -> None:
        """Remove a repo (refs, commits); blobs stay, as other repos may share them.
        Example: ``hub.delete_repo("me/old")``"""
        self._writable()
        repo = self._existing(repo_id)
        # Renaming first makes the delete atomic; a crash mid-rmtree leaves only a dot-named
        # directory that list_repos ignores.
        trash = repo.with_name(f".{repo.name}.deleted-{secrets.token_hex(4)}")
        os.replace(repo, trash)
        shutil.rmtree(trash, ignore_errors=True)
        try:
            repo.parent.rmdir()
        except OSError:
            pass

    def repo_info(self, repo_id: str, refs: bool = True) -> dict[str, Any]:
        """``repo.json`` plus ``branches`` and ``tags`` ({name: commit}) and ``head`` (main).
        ``refs=False`` reads only main (no ``branches``/``tags``): what a listing of many repos
        needs, at two small reads a repo instead of a walk of its refs.
        Example: ``hub.repo_info("me/sine")["head"]  # commit id of main, or None``"""
        repo = self._existing(repo_id)
        info = json.loads((repo / "repo.json").read_text(encoding="utf-8"))
        if not refs:
            return {**info, "head": self._read_ref(repo / "refs" / "heads" / "main")}
        refs = self.list_refs(repo_id)
        return {**info, **refs, "head": refs["branches"].get("main")}
