"""Listings of a revision's files: ``tree`` (paginated, recursive or not, with ``lastCommit``
when expanded) and ``paths-info``.

Entries are the Hub's: files ``{"type": "file", "oid": <git blob sha1>, "size", "path"}``,
folders ``{"type": "directory", "oid", "size": 0, "path"}``. Never ``lfs`` or ``xetHash``:
every file is a regular blob, and a ``xetHash`` would send the client to Xet.

Example:
    $ curl 'http://127.0.0.1:8080/api/models/me/sine/tree/main?recursive=true'
"""

from __future__ import annotations

import hashlib
import json
from typing import Any
from urllib.parse import parse_qs

from fastapi import APIRouter
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse

from zoo.hub.local import LocalHub
from zoo.hub.names import EntryNotFoundError, check_path
from zoo.hub.server.common import (
    EXPANDED_PAGE_SIZE,
    api_url,
    commit_title,
    flag,
    hub,
    int_param,
    next_link,
    readable,
    settings,
)
from zoo.hub.server.errors import ApiError
from zoo.hub.server.middleware import segment

router = APIRouter()
PREFIX = "/api/{repo_type}/{ns}/{name}"
Files = dict[str, dict[str, Any]]


def folders(files: Files) -> set[str]:
    """Every folder that holds a file, at any depth."""
    out: set[str] = set()
    for path in files:
        parts = path.split("/")
        out.update("/".join(parts[:i]) for i in range(1, len(parts)))
    return out


def entries(store: LocalHub, files: Files, names: list[tuple[str, bool]]) -> list[dict]:
    """Tree entries of ``(path, is_folder)`` pairs. A folder's oid is a digest of what it
    holds (not git's tree hash, which no client checks): it changes exactly when its content
    does. One pass over the files serves every folder of the page."""
    wanted = {p for p, is_dir in names if is_dir}
    inside: dict[str, list[str]] = {d: [] for d in wanted}
    for path, meta in files.items():
        parts = path.split("/")
        for i in range(1, len(parts)):
            if (folder := "/".join(parts[:i])) in wanted:
                inside[folder].append(f"{path} {meta['sha256']}")
    out = []
    for path, is_dir in names:
        if is_dir:
            oid = hashlib.sha1("\n".join(sorted(inside[path])).encode("utf-8")).hexdigest()
            out.append({"type": "directory", "oid": oid, "size": 0, "path": path})
        else:
            meta = files[path]
            out.append({"type": "file", "oid": store.git_sha1(meta["sha256"]),
                        "size": meta["size"], "path": path})
    return out


def add_last_commits(store: LocalHub, repo_id: str, sha: str,
                     entries: list[dict[str, Any]]) -> None:
    """Set ``lastCommit`` of each entry: the newest commit (first parents) that changed the
    file, or anything under the folder. Stops as soon as every entry has one."""
    pending = {e["path"]: e for e in entries}
    history = store.iter_commits(repo_id, sha)
    current = next(history, None)
    while pending and current is not None:
        parent = next(history, None)
        now, before = current["files"], parent["files"] if parent else {}
        changed = {p for p in now.keys() | before.keys() if now.get(p) != before.get(p)}
        title, _ = commit_title(current["message"])
        for path, e in list(pending.items()):
            if e["type"] == "file":
                hit = path in changed
            else:
                hit = any(c.startswith(path + "/") for c in changed)
            if hit:
                e["lastCommit"] = {"id": current["id"], "title": title, "date": current["time"]}
                del pending[path]
        current = parent


def _listing(files: Files, dirs: set[str], base: str,
             recursive: bool) -> list[tuple[str, bool]]:
    prefix = f"{base}/" if base else ""

    def wanted(path: str) -> bool:
        if not path.startswith(prefix):
            return False
        return recursive or "/" not in path[len(prefix):]

    names = [(p, False) for p in files if wanted(p)] + [(d, True) for d in dirs if wanted(d)]
    return sorted(names)


@router.get(PREFIX + "/tree/{rev}")
@router.get(PREFIX + "/tree/{rev}/{path:path}")
def tree(request: Request, repo_type: str, ns: str, name: str, rev: str,
         path: str = "") -> JSONResponse:
    """list_repo_tree / HfFileSystem.ls: one page, and an absolute ``Link`` to the next."""
    repo_id, _, _ = readable(request, repo_type, ns, name)
    store = hub(request)
    sha = store.resolve(repo_id, segment(rev))
    files = store.list_files(repo_id, sha)
    base, dirs = segment(path).rstrip("/"), folders(files)
    if base:
        check_path(base)
        if base not in dirs:
            # a file too: the client then lists the parent folder and picks the file
            raise EntryNotFoundError(f"{base!r} is not a folder of {repo_id} at commit {sha}")
    query = request.query_params
    recursive, expand = flag(query.get("recursive")), flag(query.get("expand"))
    names = _listing(files, dirs, base, recursive)
    size = settings(request).page_size
    size = min(size, EXPANDED_PAGE_SIZE) if expand else size
    cursor = int_param(request, "cursor")
    page = entries(store, files, names[cursor:cursor + size])
    if expand:
        add_last_commits(store, repo_id, sha, page)
    url = None
    if cursor + size < len(names):
        parts = ["tree", sha, *([base] if base else [])]
        url = api_url(request, repo_id, *parts, recursive=str(recursive).lower(),
                      expand=str(expand).lower(), cursor=cursor + size)
    return JSONResponse(page, headers=next_link(url))


def _form_paths(body: bytes, content_type: str) -> tuple[list[str], bool]:
    """``paths`` and ``expand`` of a form body (what the client sends), or of a JSON one."""
    try:
        if content_type.startswith("application/json"):
            data = json.loads(body or b"{}")
            paths = data.get("paths", [])
            paths = [paths] if isinstance(paths, str) else paths
            if not isinstance(paths, list) or not all(isinstance(p, str) for p in paths):
                raise ValueError("'paths' must be a list of strings")
            return paths, bool(data.get("expand"))
        form = parse_qs(body.decode("utf-8"), keep_blank_values=True)
    except (ValueError, AttributeError) as e:
        raise ApiError(400, f"paths-info expects a form body 'paths=...&expand=...': {e}") from e
    return form.get("paths", []), flag((form.get("expand") or [""])[-1])


@router.post(PREFIX + "/paths-info/{rev}")
async def paths_info(request: Request, repo_type: str, ns: str, name: str,
                     rev: str) -> JSONResponse:
    """get_paths_info / HfFileSystem.info: entries of the known paths; unknown ones omitted."""
    paths, expand = _form_paths(await request.body(), request.headers.get("content-type", ""))

    def run() -> list[dict[str, Any]]:
        repo_id, _, _ = readable(request, repo_type, ns, name)
        store = hub(request)
        sha = store.resolve(repo_id, segment(rev))
        files = store.list_files(repo_id, sha)
        dirs = folders(files)
        known = []
        for p in dict.fromkeys(p.strip("/") for p in paths):
            if p and check_path(p) and (p in files or p in dirs):
                known.append((p, p in dirs))
        out = entries(store, files, known)
        if expand:
            add_last_commits(store, repo_id, sha, out)
        return out

    return JSONResponse(await run_in_threadpool(run))
