"""Downloads: ``HEAD``/``GET /{repo}/resolve/{rev}/{path}``.

The client needs, on the response itself (answered 200 directly, no redirect):
``X-Repo-Commit`` (the 40-hex commit: it names the cache snapshot), ``ETag`` (the quoted git
blob sha1: it names the cached blob) and ``Content-Length``. ``Range: bytes=a-b`` and
``bytes=N-`` get 206 with ``Content-Range`` (HfFileSystem reads blocks that way and never
checks the status), 416 past the end. A missing file's 404 carries ``X-Repo-Commit`` too, so
the client can cache the miss.

Example:
    $ curl -r 0-99 http://127.0.0.1:8080/me/sine/resolve/main/model.safetensors
"""

from __future__ import annotations

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import FileResponse

from zoo.hub.names import EntryNotFoundError, check_path
from zoo.hub.server.common import hub, readable
from zoo.hub.server.errors import ApiError
from zoo.hub.server.middleware import segment

router = APIRouter()


def _resolve(request: Request, repo_type: str, ns: str, name: str, rev: str,
             path: str) -> FileResponse:
    repo_id, _, _ = readable(request, repo_type, ns, name)
    store = hub(request)
    sha = store.resolve(repo_id, segment(rev))
    file_path = check_path(segment(path))
    try:
        # HEAD sends no content, so it skips the sha256 check (one hash per blob per process,
        # already done at upload for files committed through this server)
        blob = store.file_path(repo_id, file_path, sha, verify=request.method == "GET")
    except EntryNotFoundError:
        raise ApiError(404, f"{file_path!r} is not in {repo_id} at commit {sha}",
                       code="EntryNotFound", headers={"X-Repo-Commit": sha}) from None
    # a LocalHub blob is named by its sha256 (blobs/sha256/<2 hex>/<64 hex>)
    headers = {"X-Repo-Commit": sha, "ETag": f'"{store.git_sha1(blob.name)}"',
               "Accept-Ranges": "bytes"}
    return FileResponse(blob, headers=headers, media_type="application/octet-stream",
                        stat_result=blob.stat())


@router.api_route("/{ns}/{name}/resolve/{rev}/{path:path}", methods=["GET", "HEAD"])
def resolve_model(request: Request, ns: str, name: str, rev: str, path: str) -> FileResponse:
    """hf_hub_download, snapshot_download, HfFileSystem reads of a model repo file."""
    return _resolve(request, "models", ns, name, rev, path)


@router.api_route("/{kind}/{ns}/{name}/resolve/{rev}/{path:path}", methods=["GET", "HEAD"])
def resolve_other(request: Request, kind: str, ns: str, name: str, rev: str,
                  path: str) -> FileResponse:
    """Datasets and spaces: answered as missing repos (only models are served)."""
    if kind not in ("datasets", "spaces"):
        raise ApiError(404, f"no route for {request.url.path}")
    return _resolve(request, kind, ns, name, rev, path)
