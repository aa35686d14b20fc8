"""Uploads: ``preupload`` (every file is "regular") and ``commit`` (an NDJSON body).

Answering "regular" for every file is what keeps the stock client away from Xet and LFS: the
file bytes then arrive base64-encoded inside the commit body. The body is read as a stream,
one line at a time, and each file is written to a temp file as soon as its line is complete,
so memory holds one file, not the whole commit (about 4-5x the largest file at the peak: its
base64 line, the parsed JSON text, and the decoded bytes).

A commit is one ``LocalHub.commit`` under the repo lock; a ``parentCommit`` that is no longer
the branch head is refused with 412 (the commit is not made).

Example:
    {"key": "header", "value": {"summary": "add weights", "parentCommit": "5f0c..."}}
    {"key": "file", "value": {"path": "a.json", "content": "e30=", "encoding": "base64"}}
    {"key": "deletedFile", "value": {"path": "old.bin"}}
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import tempfile
from pathlib import Path
from typing import Any

from fastapi import APIRouter
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse

from zoo.hub.local import LocalHub
from zoo.hub.names import HEX40, check_path
from zoo.hub.server.auth import Caller
from zoo.hub.server.common import endpoint, hub, read_json, settings, writable
from zoo.hub.server.errors import ApiError
from zoo.hub.server.middleware import segment

router = APIRouter()
PREFIX = "/api/{repo_type}/{ns}/{name}"
PARENT = re.compile(r"[0-9a-fA-F]{5,40}")
NO_LFS = ("Git LFS uploads are not supported by zoo hub serve: it answers 'regular' to every "
          "preupload, so files travel inside the commit; an 'lfsFile' line means the client was "
          "told otherwise (e.g. a copy of an LFS file from another hub), which cannot work here")


def upload_path(value: Any) -> str:
    """A path the client may write: a valid repo path without a ``.git`` part."""
    path = check_path(value)
    if ".git" in path.split("/"):
        raise ApiError(400, f"invalid path in repo {path!r}: '.git' parts are reserved")
    return path


def _no_pr(request: Request) -> None:
    if request.query_params.get("create_pr") not in (None, "", "0", "false", "False"):
        raise ApiError(400, "pull requests are not supported by zoo hub serve; commit to a "
                            "branch instead (create_branch, then revision=<branch>)")


@router.post(PREFIX + "/preupload/{rev}")
async def preupload(request: Request, repo_type: str, ns: str, name: str,
                    rev: str) -> JSONResponse:
    """Every path comes back verbatim, "regular", not ignored, with the git blob sha1 of the
    file now at ``rev`` (or null): the client skips files whose sha1 is unchanged."""
    body = await read_json(request)
    _no_pr(request)
    files = body.get("files")
    if not isinstance(files, list) or not all(isinstance(f, dict) for f in files):
        raise ApiError(400, "expected a JSON body {'files': [{'path', 'size', 'sample'}, ...]}")

    def run() -> list[dict[str, Any]]:
        repo_id, info, _ = writable(request, repo_type, ns, name, refs=True)
        store = hub(request)
        current = {}
        if info["branches"]:  # a repo without any commit has nothing to compare with
            current = store.list_files(repo_id, store.resolve(repo_id, segment(rev)))
        out = []
        for f in files:
            path = upload_path(f.get("path"))
            oid = store.git_sha1(current[path]["sha256"]) if path in current else None
            out.append({"path": f["path"], "uploadMode": "regular", "shouldIgnore": False,
                        "oid": oid})
        return out

    return JSONResponse({"files": await run_in_threadpool(run)})


class CommitBody:
    """The operations of one NDJSON commit body, fed line by line; file contents go to
    ``tmp``."""

    def __init__(self, tmp: Path) -> None:
        self.tmp, self.lines = tmp, 0
        self.header: dict[str, Any] | None = None
        self.files: dict[str, Path] = {}
        self.deletes: list[str] = []
        self.folders: list[str] = []

    def feed(self, line: bytes | bytearray) -> None:
        self.lines += 1
        where = f"commit body, line {self.lines}"
        try:
            obj = json.loads(line)
        except ValueError as e:
            raise ApiError(400, f"{where}: not JSON ({e})") from e
        key = obj.get("key") if isinstance(obj, dict) else None
        value = obj.get("value") if isinstance(obj, dict) else None
        if not isinstance(value, dict):
            raise ApiError(400, f"{where}: expected {{'key': ..., 'value': {{...}}}}")
        if (key == "header") != (self.lines == 1):
            raise ApiError(400, f"{where}: the header must be the first line, and only it")
        if key == "header":
            self.header = value
        elif key == "file":
            self._file(value, where)
        elif key == "deletedFile":
            self.deletes.append(upload_path(value.get("path")))
        elif key == "deletedFolder":
            folder = value.get("path")
            self.folders.append(upload_path(folder.rstrip("/") if isinstance(folder, str)
                                            else folder))
        elif key == "lfsFile":
            raise ApiError(400, f"{where}: {NO_LFS}")
        else:
            raise ApiError(400, f"{where}: unknown key {key!r} (expected header, file, "
                                "deletedFile or deletedFolder)")

    def _file(self, value: dict[str, Any], where: str) -> None:
        path = upload_path(value.get("path"))
        if path in self.files:
            raise ApiError(400, f"{where}: {path!r} is added twice in one commit")
        if value.get("encoding", "base64") != "base64" or not isinstance(value.get("content"),
                                                                          str):
            raise ApiError(400, f"{where}: {path!r} must have base64 'content'")
        try:
            data = base64.b64decode(value["content"], validate=True)
        except (binascii.Error, ValueError) as e:
            raise ApiError(400, f"{where}: the content of {path!r} is not base64 ({e})") from e
        target = self.tmp / str(len(self.files))
        target.write_bytes(data)
        self.files[path] = target


def apply(store: LocalHub, repo_id: str, branch: str, body: CommitBody, who: Caller) -> str:
    """Make the commit; returns its id. 412 (BranchMovedError) if ``parentCommit`` is stale."""
    header = body.header
    if header is None:
        raise ApiError(400, "the commit body is empty: expected a header line first")
    summary, description = header.get("summary"), header.get("description") or ""
    if not isinstance(summary, str) or not isinstance(description, str):
        raise ApiError(400, "the header's 'summary' and 'description' must be strings")
    message = summary.strip() + (f"\n\n{description.strip()}" if description.strip() else "")
    refs = store.list_refs(repo_id)
    if HEX40.fullmatch(branch.lower()) or (branch in refs["tags"]
                                           and branch not in refs["branches"]):
        raise ApiError(400, f"commits go to a branch; {branch!r} is a commit id or a tag")
    parent = header.get("parentCommit")
    if parent is not None:
        if not isinstance(parent, str) or not PARENT.fullmatch(parent):
            raise ApiError(400, f"parentCommit must be 5-40 hex digits, not {parent!r:.60}")
        parent, head = parent.lower(), refs["branches"].get(branch)
        if head is not None and head.startswith(parent):
            parent = head  # a short id of the head; LocalHub re-checks it under the lock
    cid = store.commit(repo_id, body.files, message, branch=branch, author=str(who.user),
                       delete=body.deletes, delete_folders=body.folders, parent=parent,
                       create_repo=False)
    # Hash the new blobs now (git sha1 for ETags, sha256 verification), while the client
    # waits on a request without timeout, rather than on a later download with one.
    files = store.list_files(repo_id, cid)
    for path in body.files:
        store.git_sha1(files[path]["sha256"])
    store.file_paths(repo_id, list(body.files), cid)
    return cid


@router.post(PREFIX + "/commit/{rev}")
async def commit(request: Request, repo_type: str, ns: str, name: str,
                 rev: str) -> JSONResponse:
    """create_commit / upload_file / upload_folder: apply the NDJSON operations to ``rev``."""
    _no_pr(request)
    repo_id, _, who = await run_in_threadpool(writable, request, repo_type, ns, name)
    incoming = settings(request).root / ".incoming"  # same disk as the blobs, not /tmp
    incoming.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=incoming) as tmp:
        body = CommitBody(Path(tmp))
        buf, scanned = bytearray(), 0
        async for chunk in request.stream():
            buf += chunk
            start = 0
            while (end := buf.find(b"\n", max(start, scanned))) >= 0:
                line, start = buf[start:end], end + 1  # one copy; json reads bytearrays
                if line.strip():
                    await run_in_threadpool(body.feed, line)
            del buf[:start]  # once per chunk, not per line: many short lines stay linear
            scanned = len(buf)  # inside a long line: search only the new bytes next time
        if buf.strip():
            await run_in_threadpool(body.feed, buf)
        cid = await run_in_threadpool(apply, hub(request), repo_id, segment(rev), body, who)
    return JSONResponse({"commitOid": cid, "commitUrl": f"{endpoint(request)}/{repo_id}/commit/"
                                                        f"{cid}", "success": True})
