"""Repos and accounts: create, delete, info, list, whoami, and the small endpoints the client
calls on the side (validate-yaml, agent-harnesses) or that we refuse clearly (LFS, Xet).

Example:
    $ curl -X POST -H "Authorization: Bearer $TOK" -d '{"name":"sine","organization":"me"}' \\
        http://127.0.0.1:8080/api/repos/create
"""

from __future__ import annotations

from itertools import islice
from typing import Any

from fastapi import APIRouter
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse

from zoo.hub.names import AlreadyExistsError, RepoNotFoundError, check_repo_id
from zoo.hub.server.auth import caller, check_readable, writer
from zoo.hub.server.common import (
    endpoint,
    flag,
    hub,
    int_param,
    load_info,
    next_link,
    read_json,
    readable,
    settings,
)
from zoo.hub.server.errors import ApiError, repo_not_found
from zoo.hub.server.middleware import segment

router = APIRouter()

# The Hub makes a first commit in every new repo; snapshot_download needs a commit sha.
GITATTRIBUTES = (b"# Created by zoo hub serve. Files are stored whole as regular git blobs: "
                 b"no LFS, no Xet.\n")
NO_TYPES = {"dataset", "space"}


def _repo_id(who_user: str | None, body: dict[str, Any]) -> str:
    """``organization/name`` of a create/delete body (the caller's name if no organization)."""
    name, org = body.get("name"), body.get("organization") or who_user
    if not isinstance(name, str) or not isinstance(org, str):
        raise ApiError(400, "expected a JSON body with 'name' and 'organization'")
    kind = body.get("type")
    if kind in NO_TYPES:
        raise ApiError(400, f"zoo hub serve only serves model repos, not {kind} repos")
    repo_id = name if "/" in name else f"{org}/{name}"
    check_repo_id(repo_id)
    return repo_id


def _visible(request: Request, repo_id: str) -> bool:
    try:
        check_readable(caller(request), repo_id, load_info(request, repo_id))
    except ApiError:
        return False
    return True


@router.post("/api/repos/create")
async def create_repo(request: Request) -> JSONResponse:
    """Create a repo with a first commit; 409 (with the URL, which exist_ok reads) if taken."""
    body = await read_json(request)
    who = caller(request)
    if who.user is None and not body.get("organization"):
        writer(request)  # no namespace to create in: answer why writes are refused
    repo_id = _repo_id(who.user, body)
    url = f"{endpoint(request)}/{repo_id}"
    conflict = ApiError(409, f"repository {repo_id!r} already exists", extra={"url": url})
    # An existing repo the caller can read is a 409 even without write access: that is what
    # create_repo(exist_ok=True) (and so `hf upload`) handles; the client's 401/403 fallback
    # builds a huggingface.co URL and fails on any other endpoint.
    if await run_in_threadpool(_visible, request, repo_id):
        raise conflict
    who = writer(request)
    store = hub(request)
    private = body.get("visibility") == "private" or body.get("private") is True

    def create() -> None:
        store.create_repo(repo_id, private=private, exist_ok=False)
        store.commit(repo_id, {".gitattributes": GITATTRIBUTES}, "initial commit",
                     author=str(who.user), create_repo=False)

    try:
        await run_in_threadpool(create)
    except AlreadyExistsError:
        raise conflict from None
    return JSONResponse({"url": url, "name": repo_id, "id": repo_id})


@router.delete("/api/repos/delete")
async def delete_repo(request: Request) -> JSONResponse:
    """Delete a repo (its blobs stay: other repos may share them)."""
    body = await read_json(request)
    who = writer(request)
    repo_id = _repo_id(who.user, body)
    try:
        await run_in_threadpool(hub(request).delete_repo, repo_id)
    except RepoNotFoundError:
        raise repo_not_found(repo_id) from None
    return JSONResponse({})


def _model_json(request: Request, repo_id: str, info: dict[str, Any],
                revision: str | None, blobs: bool) -> dict[str, Any]:
    store = hub(request)
    sha = store.resolve(repo_id, revision) if revision is not None else info["head"]
    commit = store.get_commit(repo_id, sha) if sha else None
    siblings = []
    for path, entry in sorted((commit or {"files": {}})["files"].items()):
        sibling: dict[str, Any] = {"rfilename": path}
        if blobs:
            sibling.update(size=entry["size"], blobId=store.git_sha1(entry["sha256"]))
        siblings.append(sibling)
    namespace = repo_id.split("/")[0]
    return {"_id": repo_id, "id": repo_id, "modelId": repo_id, "author": namespace, "sha": sha,
            "lastModified": commit["time"] if commit else info.get("created"),
            "createdAt": info.get("created"), "private": bool(info.get("private")),
            "gated": False, "disabled": False, "downloads": 0, "likes": 0, "tags": [],
            "siblings": siblings}


@router.get("/api/{repo_type}/{ns}/{name}")
def repo_info(request: Request, repo_type: str, ns: str, name: str) -> JSONResponse:
    """model_info / repo_exists: the head of main, its files and the private flag."""
    repo_id, info, _ = readable(request, repo_type, ns, name)
    blobs = flag(request.query_params.get("blobs"))
    return JSONResponse(_model_json(request, repo_id, info, None, blobs))


@router.get("/api/{repo_type}/{ns}/{name}/revision/{rev}")
def repo_info_at(request: Request, repo_type: str, ns: str, name: str,
                 rev: str) -> JSONResponse:
    """model_info(revision=...) / snapshot_download: ``sha`` is the resolved commit."""
    repo_id, info, _ = readable(request, repo_type, ns, name)
    blobs = flag(request.query_params.get("blobs"))
    return JSONResponse(_model_json(request, repo_id, info, segment(rev), blobs))


@router.get("/api/models")
def list_models(request: Request) -> JSONResponse:
    """list_models: the repos the caller can see, filtered by ``author``/``search``."""
    who, store, page = caller(request), hub(request), settings(request).page_size
    author = request.query_params.get("author")
    search = (request.query_params.get("search") or "").lower()
    cursor = int_param(request, "cursor")

    def visible() -> Any:
        for repo_id in store.list_repos():
            if (author and repo_id.split("/")[0] != author) or search not in repo_id.lower():
                continue
            try:
                info = load_info(request, repo_id)
                check_readable(who, repo_id, info)
            except ApiError:
                continue  # deleted meanwhile, or private
            yield {"_id": repo_id, "id": repo_id, "modelId": repo_id, "private": info["private"],
                   "createdAt": info.get("created"), "sha": info["head"]}

    items = list(islice(visible(), cursor, cursor + page + 1))
    more = len(items) > page
    query = request.url.include_query_params(cursor=cursor + page) if more else None
    return JSONResponse(items[:page], headers=next_link(str(query) if query else None))


@router.get("/api/whoami-v2")
def whoami(request: Request) -> JSONResponse:
    """whoami / login: the token's user and role."""
    who = caller(request)
    if who.user is None:
        raise ApiError(401, "no token of this server was sent: pass token=... or set HF_TOKEN "
                            "(this server's tokens come from its --tokens file)")
    return JSONResponse({
        "type": "user", "id": who.user, "name": who.user, "fullname": who.user,
        "email": None, "emailVerified": False, "isPro": False, "canPay": False, "orgs": [],
        "auth": {"type": "access_token",
                 "accessToken": {"displayName": f"zoo-hub-{who.role}", "role": who.role}},
    })


@router.post("/api/validate-yaml")
async def validate_yaml(request: Request) -> JSONResponse:
    """Called whenever README.md is committed; the upload aborts unless this answers 200.
    Model cards are not validated here."""
    await request.body()
    return JSONResponse({"errors": [], "warnings": []})


@router.get("/api/agent-harnesses")
def agent_harnesses(request: Request) -> JSONResponse:
    """Telemetry the client sends at most once a day; a 404 is what it copes with."""
    raise ApiError(404, "zoo hub serve has no agent harnesses")


@router.get("/api/{repo_type}/{ns}/{name}/xet-write-token/{rev}")
@router.get("/api/{repo_type}/{ns}/{name}/xet-read-token/{rev}")
def xet_token(request: Request, repo_type: str, ns: str, name: str, rev: str) -> JSONResponse:
    """Never reached with this server's preupload answers ('regular' for every file)."""
    raise ApiError(400, "zoo hub serve does not support Xet storage: every file is uploaded "
                        "as a regular file (preupload answers 'regular')")


@router.post("/{ns}/{name}.git/info/lfs/objects/batch")
async def lfs_batch(request: Request, ns: str, name: str) -> JSONResponse:
    """Never reached with this server's preupload answers ('regular' for every file)."""
    await request.body()
    raise ApiError(400, "zoo hub serve does not support Git LFS: every file is uploaded as a "
                        "regular file (preupload answers 'regular')")
