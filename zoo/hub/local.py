"""``LocalHub``: a directory-backed, git-like model hub (content-addressed blobs, snapshots).

Layout under ``root``: ``blobs/sha256/<2 hex>/<64 hex>`` (contents named by sha256) and, per
repo, ``repos/<ns>/<name>/`` with ``repo.json``, ``commits/<40 hex>.json`` (one full snapshot
each), ``refs/heads/<branch>`` and ``refs/tags/<tag>`` (a commit id; tags never move).
Derived data that can be deleted at any time lives in ``cache/`` (``cache/git-sha1/<2 hex>/
<sha256>``: the git blob sha1 of a blob, which the HTTP server needs for ETags).

Example:
    >>> hub = LocalHub("/tmp/hub")
    >>> cid = hub.commit("me/sine", {"config.json": b"{}"}, "first")
    >>> hub.read_bytes("me/sine", "config.json", revision=cid)
    b'{}'
"""

from __future__ import annotations

import difflib
import json
import os
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from zoo.errors import HubError, WeightsError
from zoo.hub.atomic import (
    copy_file_atomic,
    sha256_bytes,
    sha256_file,
    write_bytes_atomic,
    write_text_atomic,
)
from zoo.hub.gitsha import GitSha1Mixin
from zoo.hub.names import (
    HEX40,
    HEX64,
    BranchMovedError,
    EntryNotFoundError,
    RepoNotFoundError,
    RevisionNotFoundError,
    check_path,
    check_ref_name,
    check_repo_id,
    commit_id,
    listing,
    utc_now,
)
from zoo.hub.refs import RefsMixin
from zoo.hub.repos import ReposMixin
from zoo.paths import zoo_home

try:
    import fcntl
except ImportError:  # Windows: no advisory locks; single-writer use only
    fcntl = None  # type: ignore[assignment]


def default_root() -> Path:
    """``$ZOO_HOME/hub`` if ``ZOO_HOME`` is set, else ``~/.cache/zoo/hub``.
    Example: ``LocalHub(default_root()).list_repos()``"""
    return zoo_home() / "hub"


def _checked_paths(paths: str | Iterable[str]) -> list[str]:
    """One path or several, each checked (``delete="a.txt"`` is one file, not 5 letters)."""
    return [check_path(p) for p in ([paths] if isinstance(paths, str) else paths)]


class LocalHub(ReposMixin, RefsMixin, GitSha1Mixin):
    """A hub in a directory; a branch moves only once its commit and blobs are all on disk.
    Example: ``LocalHub("/tmp/hub").commit("me/sine", {"a.json": Path("run/a.json")}, "v1")``"""

    def __init__(self, root: str | Path, read_only: bool = False) -> None:
        self.root = Path(root).expanduser()
        self.read_only = read_only
        # commit files never change once written (their name is their hash): parse and
        # verify each once per hub object
        self._commits: dict[tuple[Path, str], dict[str, Any]] = {}
        # blob -> (stat signature, sha256): a blob is rehashed whenever its inode, size or
        # mtime changes, and once per hub object otherwise
        self._hashed: dict[Path, tuple[tuple[int, int, int], str]] = {}
        self._seen_repos: dict[str, Path] = {}
        self._git_sha1: dict[str, str] = {}  # sha256 -> git blob sha1 (content never changes)

    def __repr__(self) -> str:
        return f"LocalHub({str(self.root)!r}, read_only={self.read_only})"

    def _writable(self) -> None:
        if self.read_only:
            raise HubError(f"read-only hub at {self.root}: it cannot be written; publish to a "
                           "local hub directory instead")

    def _repo_dir(self, repo_id: str) -> Path:
        namespace, name = check_repo_id(repo_id)
        return self.root / "repos" / namespace / name

    def _existing(self, repo_id: str) -> Path:
        if self.read_only and repo_id in self._seen_repos:  # nothing can delete it
            return self._seen_repos[repo_id]
        repo = self._repo_dir(repo_id)
        if not (repo / "repo.json").is_file():
            close = difflib.get_close_matches(repo_id, self.list_repos(), n=5)
            hint = f"; did you mean {', '.join(close)}?" if close else ""
            raise RepoNotFoundError(f"repo {repo_id!r} does not exist on the hub at {self.root}"
                                    f"{hint} (create it with create_repo or commit/publish to it)")
        self._seen_repos[repo_id] = repo
        return repo

    def _blob_path(self, sha: Any) -> Path:
        if not isinstance(sha, str) or not HEX64.fullmatch(sha):
            raise HubError(f"invalid sha256 {sha!r} in a commit of the hub at {self.root}")
        return self.root / "blobs" / "sha256" / sha[:2] / sha

    def _load_commit(self, repo: Path, cid: str) -> dict[str, Any]:
        """The verified commit, shared: internal callers only read it (get_commit copies)."""
        cached = self._commits.get((repo, cid))
        if cached is not None:
            return cached
        path = repo / "commits" / f"{cid}.json"
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as e:
            raise HubError(f"commit {cid} of {repo} cannot be read ({e}); the hub is damaged: "
                           "publish/pull the repo again") from e
        if data.get("id") != cid or commit_id({k: v for k, v in data.items() if k != "id"}) != cid:
            raise HubError(f"commit file {path} does not hash to {cid}; it was edited or "
                           "damaged: delete the repo and publish/pull it again")
        self._commits[repo, cid] = data
        return data

    @contextmanager
    def _lock(self, repo: Path) -> Iterator[None]:
        # Serialises writers of one repo, so the `parent` check and the ref update are atomic
        # together even with several processes publishing at once.
        repo.mkdir(parents=True, exist_ok=True)
        with open(repo / ".lock", "a+b") as f:
            if fcntl is not None:
                fcntl.flock(f.fileno(), fcntl.LOCK_EX)
            yield

    def _store_blob(self, path: str, value: Any) -> dict[str, Any]:
        if isinstance(value, bytes | bytearray | memoryview):
            data, sha = bytes(value), sha256_bytes(value)
        elif isinstance(value, str | os.PathLike) and Path(value).is_file():
            data, sha = None, sha256_file(Path(value))
        else:
            raise HubError(f"{path!r}: {value!r:.80} is neither bytes nor an existing local file")
        blob = self._blob_path(sha)
        # An existing blob is rehashed rather than trusted, so a corrupt one gets rewritten.
        if not (blob.is_file() and sha256_file(blob) == sha):
            if data is not None:
                write_bytes_atomic(blob, data)
            elif copy_file_atomic(Path(value), blob) != sha:
                blob.unlink(missing_ok=True)
                raise HubError(f"{value} changed while it was being committed; commit again")
        return {"sha256": sha, "size": blob.stat().st_size}

    def _file_entry(self, repo_id: str, path: str,
                    revision: str | None) -> tuple[str, dict[str, Any], Path]:
        commit = self._load_commit(self._existing(repo_id), self.resolve(repo_id, revision))
        return (commit["id"], *self._entry_in(commit, repo_id, path))

    def _entry_in(self, commit: dict[str, Any], repo_id: str,
                  path: str) -> tuple[dict[str, Any], Path]:
        check_path(path)
        entry = commit["files"].get(path)
        if entry is None:
            raise EntryNotFoundError(f"{path!r} is not in {repo_id} at commit {commit['id']}; "
                                     f"files: {listing(commit['files'])}")
        blob = self._blob_path(entry["sha256"])
        if not blob.is_file():
            raise WeightsError(f"{repo_id}/{path} at commit {commit['id']}: blob {blob} is "
                               "missing; publish/pull the repo again")
        return entry, blob

    def _blob_sha256(self, blob: Path) -> str:
        st = blob.stat()
        signature = (st.st_ino, st.st_size, st.st_mtime_ns)
        known = self._hashed.get(blob)
        if known is not None and known[0] == signature:
            return known[1]
        sha = sha256_file(blob)
        self._hashed[blob] = (signature, sha)
        return sha

    def _verify(self, repo_id: str, path: str, cid: str, entry: dict, blob: Path,
                actual: str) -> None:
        if actual != entry["sha256"]:
            raise WeightsError(f"{repo_id}/{path} at commit {cid}: expected sha256 "
                               f"{entry['sha256']}, got {actual}; the blob is corrupt; delete "
                               f"{blob} and publish/pull again")

    def commit(self, repo_id: str, files: Mapping[str, bytes | str | os.PathLike],
               message: str, branch: str = "main", author: str = "zoo",
               delete: Iterable[str] = (), parent: str | None = None,
               create_repo: bool = True, delete_folders: Iterable[str] = ()) -> str:
        """Commit the branch head's files + ``files`` - ``delete``; returns the commit id.

        ``files`` values are bytes (content) or a local file path (str or PathLike).
        ``delete_folders`` removes every file under each folder (at the head, under the lock).
        ``parent``, if given, must be the current head of ``branch`` ("branch moved").

        Example: ``hub.commit("me/sine", {"config.json": b"{}"}, "add config")``
        """
        self._writable()
        if not isinstance(message, str) or not message.strip():
            raise HubError(f"commit to {repo_id}: the commit message is empty; describe the change")
        check_ref_name(branch, "branch")
        additions = {check_path(p): v for p, v in files.items()}
        deletions, folders = _checked_paths(delete), _checked_paths(delete_folders)
        if both := set(additions) & set(deletions):
            raise HubError(f"commit to {repo_id}: {listing(both)} both added and deleted")
        if not self.repo_exists(repo_id):
            if not create_repo:
                self._existing(repo_id)
            self.create_repo(repo_id)
        repo = self._repo_dir(repo_id)
        with self._lock(repo):
            ref = self._ref_path(repo, "branch", branch)
            head, branches = self._read_ref(ref), self._refs(repo, "branch")
            if head is None and branches:
                raise RevisionNotFoundError(
                    f"branch {branch!r} does not exist in {repo_id} (branches: "
                    f"{listing(branches)}); create it with create_branch first")
            if parent is not None and parent != head:
                raise BranchMovedError(
                    f"branch moved: {repo_id}@{branch} is at {head or 'no commit'}, not at the "
                    f"given parent {parent}; pull the new head and commit again")
            self._check_ref_slot(repo, "branch", branch)
            snapshot = dict(self._load_commit(repo, head)["files"]) if head else {}
            for folder in folders:
                inside = [p for p in snapshot if p.startswith(folder + "/")]
                if not inside:
                    raise EntryNotFoundError(f"cannot delete folder {folder!r} from {repo_id}@"
                                             f"{branch}: no file under it in the parent commit")
                deletions += [p for p in inside if p not in deletions]
            if missing := [p for p in deletions if p not in snapshot]:
                raise EntryNotFoundError(f"cannot delete {listing(missing)} from {repo_id}@"
                                         f"{branch}: not in the parent commit; files: "
                                         f"{listing(snapshot)}")
            for p in deletions:
                del snapshot[p]
            names = set(snapshot) | set(additions)
            for name in names:  # a path cannot be a file and a folder (checkouts would clash)
                parts = name.split("/")
                for prefix in ("/".join(parts[:i]) for i in range(1, len(parts))):
                    if prefix in names:
                        raise HubError(f"commit to {repo_id}: {prefix!r} would be both a file "
                                       f"and the folder of {name!r}")
            # Order matters for crash safety: blobs, then the commit, then the ref, so the
            # branch never points at anything that is not fully on disk.
            for p, value in additions.items():
                snapshot[p] = self._store_blob(p, value)
            body = {"parents": [head] if head else [], "message": message, "author": author,
                    "time": utc_now(), "files": dict(sorted(snapshot.items()))}
            cid = commit_id(body)
            commit_file = repo / "commits" / f"{cid}.json"
            if not commit_file.is_file():
                text = json.dumps({"id": cid, **body}, indent=2, sort_keys=True) + "\n"
                write_text_atomic(commit_file, text)
            write_text_atomic(ref, cid + "\n")
        return cid

    def resolve(self, repo_id: str, revision: str | None = "main") -> str:
        """The commit id of a full commit id, a branch or a tag (None means main).
        Example: ``hub.resolve("me/sine", "v1")  # '5f0c...' (40 hex)``"""
        repo = self._existing(repo_id)
        rev = "main" if revision is None else revision
        if isinstance(rev, str) and HEX40.fullmatch(rev.lower()):
            if (repo / "commits" / f"{rev.lower()}.json").is_file():
                return rev.lower()
        else:
            try:
                check_ref_name(rev, "revision")
            except HubError:
                pass  # cannot be a ref: fall through to "not found", listing the refs
            else:
                for kind in ("branch", "tag"):
                    if (cid := self._read_ref(self._ref_path(repo, kind, rev))) is not None:
                        return cid
        refs = self.list_refs(repo_id)
        raise RevisionNotFoundError(f"revision {rev!r} is not a commit, branch or tag of "
                                    f"{repo_id}; branches: {listing(refs['branches'])}; tags: "
                                    f"{listing(refs['tags'])}")

    def get_commit(self, repo_id: str, revision: str | None = "main") -> dict[str, Any]:
        """The commit JSON of a revision (id, parents, message, author, time, files).
        Example: ``hub.get_commit("me/sine", "v1")["message"]``"""
        commit = self._load_commit(self._existing(repo_id), self.resolve(repo_id, revision))
        return json.loads(json.dumps(commit))  # the caller's own copy

    def list_commits(self, repo_id: str, revision: str | None = "main") -> list[dict[str, Any]]:
        """Commits reachable through first parents, newest first.
        Example: ``[c["message"] for c in hub.list_commits("me/sine")]  # ['second', 'first']``"""
        return list(self.iter_commits(repo_id, revision))

    def iter_commits(self, repo_id: str,
                     revision: str | None = "main") -> Iterator[dict[str, Any]]:
        """``list_commits`` one at a time, so a caller reading a page of a long history only
        loads that page. Example: ``next(hub.iter_commits("me/sine"))["id"]``"""
        repo = self._existing(repo_id)
        start = self.resolve(repo_id, revision)  # raises now, not at the first next()

        def walk(cid: str | None) -> Iterator[dict[str, Any]]:
            while cid is not None:
                commit = json.loads(json.dumps(self._load_commit(repo, cid)))
                yield commit
                cid = commit["parents"][0] if commit["parents"] else None

        return walk(start)

    def list_files(self, repo_id: str, revision: str | None = "main") -> dict[str, dict]:
        """Every file of a revision: ``{path: {"sha256": hex, "size": int}}``.
        Example: ``hub.list_files("me/sine")["config.json"]["sha256"]``"""
        commit = self._load_commit(self._existing(repo_id), self.resolve(repo_id, revision))
        return {p: dict(e) for p, e in commit["files"].items()}

    def file_path(self, repo_id: str, path: str, revision: str | None = "main",
                  verify: bool = True) -> Path:
        """The blob holding ``path`` at ``revision``; sha256-checked unless ``verify=False``.
        Example: ``hub.file_path("me/sine", "model.safetensors", revision="v1")``"""
        cid, entry, blob = self._file_entry(repo_id, path, revision)
        if verify:
            self._verify(repo_id, path, cid, entry, blob, self._blob_sha256(blob))
        return blob

    def file_paths(self, repo_id: str, paths: Iterable[str], revision: str | None = "main",
                   verify: bool = True) -> dict[str, Path]:
        """``file_path`` for several files of one revision, resolving the revision once.
        Example: ``hub.file_paths("me/sine", ["config.json", "model.safetensors"], cid)``"""
        commit = self._load_commit(self._existing(repo_id), self.resolve(repo_id, revision))
        out = {}
        for path in paths:
            entry, blob = self._entry_in(commit, repo_id, path)
            if verify:
                self._verify(repo_id, path, commit["id"], entry, blob,
                             self._blob_sha256(blob))
            out[path] = blob
        return out

    def read_bytes(self, repo_id: str, path: str, revision: str | None = "main",
                   verify: bool = True) -> bytes:
        """The content of ``path`` at ``revision``; sha256-checked unless ``verify=False``.
        Example: ``hub.read_bytes("me/sine", "config.json")  # b'{...}'``"""
        cid, entry, blob = self._file_entry(repo_id, path, revision)
        data = blob.read_bytes()
        if verify:  # hash the bytes returned, not the file a second time
            self._verify(repo_id, path, cid, entry, blob, sha256_bytes(data))
        return data
