"""``HFHub``: huggingface.co or any Hub-compatible endpoint (``zoo hub serve``), through the
stock ``huggingface_hub`` client and its cache. No hand-written HTTP here.

It offers what ``zoo.load`` and ``zoo.publish`` use from a ``LocalHub`` (``resolve``,
``list_files``, ``file_paths``, ``commit``), with the same guarantees: a revision resolves to
one commit, every file comes from that commit and is checked against the commit's listing
(git blob sha1, or the LFS sha256) after download. A corrupt or tampered cached file is
fetched again; offline (``HF_HUB_OFFLINE=1``) it is an error naming the file.

Example:
    >>> hub = HFHub("http://127.0.0.1:8080", token="...")
    >>> cid = hub.resolve("me/sine", "main")
    >>> hub.file_paths("me/sine", ["config.json"], cid)["config.json"].read_text()
"""

from __future__ import annotations

import json
import logging
import os
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from zoo.errors import BackendNotInstalledError, HubError, WeightsError
from zoo.hub.atomic import git_blob_sha1, sha256_file, write_text_atomic
from zoo.hub.names import HEX40
from zoo.paths import zoo_home

log = logging.getLogger("zoo")
DEFAULT_ENDPOINT = "https://huggingface.co"


def _hf() -> Any:
    try:
        import huggingface_hub
    except ImportError:  # a core dependency; only a broken install gets here
        raise BackendNotInstalledError("hf:// hubs need huggingface_hub: pip install "
                                       "'huggingface_hub>=1.0'") from None
    return huggingface_hub


def hub_cache() -> Path:
    """The HF cache as the environment says now (the client reads it once, at import)."""
    if os.environ.get("HF_HUB_CACHE"):
        return Path(os.environ["HF_HUB_CACHE"])
    if os.environ.get("HF_HOME"):
        return Path(os.environ["HF_HOME"]) / "hub"
    return Path(_hf().constants.HF_HUB_CACHE)


def offline() -> bool:
    return bool(_hf().constants.HF_HUB_OFFLINE)


class HFHub:
    """A Hub-compatible endpoint. ``endpoint=None`` means ``$HF_ENDPOINT`` or huggingface.co;
    ``token=None`` means the client's own (``HF_TOKEN``, ``hf auth login``)."""

    def __init__(self, endpoint: str | None = None, token: str | None = None) -> None:
        hf = _hf()
        # $HF_ENDPOINT at call time: the client reads it once, at import
        chosen = endpoint or os.environ.get("HF_ENDPOINT") or hf.constants.ENDPOINT
        self.endpoint = (chosen or DEFAULT_ENDPOINT).rstrip("/")
        self.token = token
        self.api = hf.HfApi(endpoint=self.endpoint, token=token)
        host = urlsplit(self.endpoint).netloc
        # The HF cache is keyed by repo id only: a team hub's "org/name" and huggingface.co's
        # would share refs/main. Other endpoints get their own cache folder inside it.
        self.cache_dir = (hub_cache() if self.endpoint == DEFAULT_ENDPOINT
                          else hub_cache() / "endpoints" / _safe(host))
        self._listings = zoo_home() / "hf_listings" / _safe(host)

    def __repr__(self) -> str:
        return f"HFHub({self.endpoint!r})"

    def _errors(self, action: str) -> Any:
        return _ClientErrors(action, self.endpoint)

    # -- reading --------------------------------------------------------------------------
    def resolve(self, repo_id: str, revision: str | None = "main") -> str:
        """The commit id of a branch, tag or commit (offline: from the HF cache's refs)."""
        rev = revision or "main"
        if HEX40.fullmatch(rev):
            return rev
        if offline():
            ref = self._cache_repo(repo_id) / "refs" / rev
            if ref.is_file():
                return ref.read_text().strip()
            raise HubError(f"{repo_id}@{rev}: offline (HF_HUB_OFFLINE) and this revision was "
                           "never downloaded; pull it online first (zoo pull) or pin a commit")
        with self._errors(f"resolving {repo_id}@{rev}"):
            sha = self.api.model_info(repo_id, revision=rev).sha
        if not sha:
            raise HubError(f"{repo_id}@{rev} on {self.endpoint} has no commit yet")
        # recorded the way the HF cache records refs, so an offline load of the branch works
        write_text_atomic(self._cache_repo(repo_id) / "refs" / rev, sha)
        return sha

    def list_files(self, repo_id: str, revision: str) -> dict[str, dict[str, Any]]:
        """``{path: {"size", "git_sha1", "sha256" (LFS files only, else None)}}`` of a commit.

        Saved under ``$ZOO_HOME/hf_listings`` so offline loads can still check every file.
        """
        commit = self.resolve(repo_id, revision)
        record = self._listings / repo_id / f"{commit}.json"
        if record.is_file():
            return json.loads(record.read_text())
        if offline():
            raise HubError(f"{repo_id}@{commit}: offline and its file listing was never "
                           "downloaded; run zoo pull online first")
        with self._errors(f"listing {repo_id}@{commit[:12]}"):
            entries = self.api.list_repo_tree(repo_id, revision=commit, recursive=True)
            files = {e.path: {"size": e.size, "git_sha1": e.blob_id,
                              "sha256": e.lfs.sha256 if e.lfs else None}
                     for e in entries if hasattr(e, "blob_id")}
        write_text_atomic(record, json.dumps(files, indent=1, sort_keys=True))
        return files

    def file_paths(self, repo_id: str, paths: Iterable[str], revision: str,
                   verify: bool = True) -> dict[str, Path]:
        """Download (or find in the cache) ``paths`` at one commit; each one checked."""
        commit = self.resolve(repo_id, revision)
        listing = self.list_files(repo_id, commit)
        out = {}
        for path in paths:
            if path not in listing:
                raise WeightsError(f"{repo_id}@{commit[:12]} has no file {path!r}; files: "
                                   f"{sorted(listing)}")
            out[path] = self._fetch(repo_id, path, commit, listing[path], verify)
        return out

    def _fetch(self, repo_id: str, path: str, commit: str, entry: dict[str, Any],
               verify: bool) -> Path:
        local = self._download(repo_id, path, commit, force=False)
        if not verify or _matches(local, entry):
            return local
        if offline():
            raise WeightsError(f"{repo_id}/{path}@{commit[:12]}: the cached file {local} does "
                               "not match the commit's listing (corrupt or tampered) and "
                               "HF_HUB_OFFLINE is set; go online to fetch it again")
        log.warning("%s/%s@%s: cached copy is corrupt; downloading it again", repo_id, path,
                    commit[:12])
        local = self._download(repo_id, path, commit, force=True)
        if not _matches(local, entry):
            raise WeightsError(f"{repo_id}/{path}@{commit[:12]} from {self.endpoint} does not "
                               "match the commit's listing even after a fresh download; the "
                               "hub serves corrupt data")
        return local

    def _download(self, repo_id: str, path: str, commit: str, force: bool) -> Path:
        hf = _hf()
        if force:  # the blob behind the snapshot link is what was damaged: remove both
            snapshot = self._cache_repo(repo_id) / "snapshots" / commit / path
            if snapshot.exists() or snapshot.is_symlink():
                blob = snapshot.resolve()
                snapshot.unlink()
                blob.unlink(missing_ok=True)
        with self._errors(f"downloading {repo_id}/{path}@{commit[:12]}"):
            return Path(hf.hf_hub_download(repo_id, path, revision=commit,
                                           cache_dir=self.cache_dir, endpoint=self.endpoint,
                                           token=self.token, force_download=force,
                                           library_name="zoo"))

    def _cache_repo(self, repo_id: str) -> Path:
        return self.cache_dir / f"models--{repo_id.replace('/', '--')}"

    # -- writing --------------------------------------------------------------------------
    def create_repo(self, repo_id: str, private: bool = False, exist_ok: bool = True) -> None:
        with self._errors(f"creating {repo_id}"):
            self.api.create_repo(repo_id, private=private, exist_ok=exist_ok)

    def commit(self, repo_id: str, files: Mapping[str, bytes | str | os.PathLike],
               message: str, branch: str = "main", private: bool = False) -> str:
        """Create the repo if needed and add every file in ONE commit; returns its id."""
        hf = _hf()
        self.create_repo(repo_id, private=private, exist_ok=True)
        operations = [hf.CommitOperationAdd(path_in_repo=path, path_or_fileobj=(
            value if isinstance(value, bytes) else str(value))) for path, value in files.items()]
        with self._errors(f"committing to {repo_id}@{branch}"):
            info = self.api.create_commit(repo_id, operations, commit_message=message,
                                          revision=branch)
        return info.oid


def _safe(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]", "_", text)


def _matches(path: Path, entry: dict[str, Any]) -> bool:
    if entry.get("sha256"):
        return sha256_file(path) == entry["sha256"]
    return git_blob_sha1(path) == entry["git_sha1"]


class _ClientErrors:
    """Turn the client's exceptions into HubError / WeightsError that say what to do."""

    def __init__(self, action: str, endpoint: str) -> None:
        self.action, self.endpoint = action, endpoint

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: Any, err: BaseException | None, tb: Any) -> bool:
        if err is None or isinstance(err, (HubError, WeightsError)):
            return False
        errors = _hf().errors
        where = f"{self.action} on {self.endpoint}"
        hints = [
            (errors.RevisionNotFoundError, "revision not found"),
            (errors.EntryNotFoundError, "file not found"),
            (errors.RepositoryNotFoundError,
             "repo not found (or private: pass token= or set HF_TOKEN)"),
            (errors.OfflineModeIsEnabled, "HF_HUB_OFFLINE is set and it is not in the cache"),
            (errors.LocalEntryNotFoundError,
             "not in the cache and the hub cannot be reached; check the endpoint or go online"),
            (errors.HfHubHTTPError, "the hub refused the request"),
        ]
        for cls, hint in hints:
            if isinstance(err, cls):
                raise HubError(f"{where}: {hint} ({type(err).__name__}: "
                               f"{str(err).splitlines()[0] if str(err) else ''})") from err
        if isinstance(err, OSError):
            raise HubError(f"{where}: {err}") from err
        return False
