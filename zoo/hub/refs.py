"""Branches and tags of a LocalHub: refs are files holding a commit id, replaced atomically.

Mixed into :class:`zoo.hub.local.LocalHub`, which provides ``_existing``, ``_writable``,
``_lock``, ``resolve`` and ``_load_commit``.

Example:
    >>> hub.create_tag("me/sine", "v1")
    >>> hub.list_refs("me/sine")["tags"]
    {'v1': '5f0c...'}
"""

from __future__ import annotations

import os
from pathlib import Path

from zoo.errors import HubError
from zoo.hub.atomic import write_text_atomic
from zoo.hub.names import (
    HEX40,
    REF_DIRS,
    AlreadyExistsError,
    RevisionNotFoundError,
    check_ref_name,
    listing,
)


class RefsMixin:
    """Branch and tag methods of LocalHub."""

    root: Path

    def _ref_path(self, repo: Path, kind: str, name: str) -> Path:
        return repo.joinpath("refs", REF_DIRS[kind], *name.split("/"))

    def _read_ref(self, path: Path) -> str | None:
        if not path.is_file():
            return None
        cid = path.read_text(encoding="utf-8").strip()
        if not HEX40.fullmatch(cid):
            raise HubError(f"corrupt ref {path}: it holds {cid[:60]!r}, not a 40-hex commit id; "
                           "delete it and re-create the branch or tag")
        return cid

    def _refs(self, repo: Path, kind: str) -> dict[str, str]:
        base, out = repo / "refs" / REF_DIRS[kind], {}
        for dirpath, dirnames, filenames in os.walk(base):
            dirnames[:] = [d for d in dirnames if not d.startswith(".")]
            for filename in filenames:
                if filename.startswith("."):  # temp files, possibly left by a crash
                    continue
                cid = self._read_ref(Path(dirpath) / filename)
                if cid is not None:
                    out[(Path(dirpath) / filename).relative_to(base).as_posix()] = cid
        return dict(sorted(out.items()))

    def _check_ref_slot(self, repo: Path, kind: str, name: str) -> None:
        # A ref is a file, so "a" and "a/b" cannot both exist (git has the same rule).
        parts, base = name.split("/"), repo / "refs" / REF_DIRS[kind]
        for i in range(1, len(parts)):
            if base.joinpath(*parts[:i]).is_file():
                raise HubError(f"{kind} {name!r} conflicts with the existing {kind} "
                               f"{'/'.join(parts[:i])!r}")
        if base.joinpath(*parts).is_dir():
            raise HubError(f"{kind} {name!r} conflicts with existing {kind}es under '{name}/'")

    def _create_ref(self, kind: str, repo_id: str, name: str, revision: str | None,
                    exist_ok: bool) -> None:
        self._writable()
        check_ref_name(name, kind)
        repo = self._existing(repo_id)
        with self._lock(repo):
            cid = self.resolve(repo_id, revision)
            ref = self._ref_path(repo, kind, name)
            if (current := self._read_ref(ref)) is not None:
                if kind == "tag" and current != cid:
                    raise AlreadyExistsError(f"tag {name!r} of {repo_id} is at {current}; tags "
                                             f"never move, so it cannot point at {cid}: use a "
                                             "new tag name")
                if exist_ok:
                    return
                raise AlreadyExistsError(f"{kind} {name!r} already exists in {repo_id} at "
                                         f"{current}")
            self._check_ref_slot(repo, kind, name)
            write_text_atomic(ref, cid + "\n")

    def _delete_ref(self, kind: str, repo_id: str, name: str) -> None:
        self._writable()
        check_ref_name(name, kind)
        repo = self._existing(repo_id)
        with self._lock(repo):
            ref = self._ref_path(repo, kind, name)
            if not ref.is_file():
                raise RevisionNotFoundError(f"{kind} {name!r} does not exist in {repo_id}; "
                                            f"{kind}es: {listing(self._refs(repo, kind))}")
            ref.unlink()
            base, parent = repo / "refs" / REF_DIRS[kind], ref.parent
            while parent != base:  # so "a" can be created again once "a/b" is gone
                try:
                    parent.rmdir()
                except OSError:
                    break
                parent = parent.parent

    def create_branch(self, repo_id: str, branch: str, revision: str | None = "main",
                      exist_ok: bool = False) -> None:
        """Create a branch at a revision; with ``exist_ok`` an existing branch is left as is.
        Example: ``hub.create_branch("me/sine", "dev", revision="v1")``"""
        self._create_ref("branch", repo_id, branch, revision, exist_ok)

    def delete_branch(self, repo_id: str, branch: str) -> None:
        """Delete a branch; its commits stay readable by id and through tags.
        Example: ``hub.delete_branch("me/sine", "dev")``"""
        self._delete_ref("branch", repo_id, branch)

    def create_tag(self, repo_id: str, tag: str, revision: str | None = "main",
                   exist_ok: bool = False) -> None:
        """Tag a revision. Tags never move: an existing tag at another commit always raises.
        Example: ``hub.create_tag("me/sine", "v1")``"""
        self._create_ref("tag", repo_id, tag, revision, exist_ok)

    def delete_tag(self, repo_id: str, tag: str) -> None:
        """Delete a tag. Example: ``hub.delete_tag("me/sine", "v1")``"""
        self._delete_ref("tag", repo_id, tag)

    def list_refs(self, repo_id: str) -> dict[str, dict[str, str]]:
        """``{"branches": {name: commit}, "tags": {name: commit}}``.
        Example: ``hub.list_refs("me/sine")["branches"]  # {'main': '5f0c...'}``"""
        repo = self._existing(repo_id)
        return {"branches": self._refs(repo, "branch"), "tags": self._refs(repo, "tag")}
