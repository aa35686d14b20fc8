"""Refs and history: list refs, create/delete branches and tags, list commits (paginated).

Tags are LocalHub tags: they never move, and a tag message is accepted but not stored.

Example:
    $ curl http://127.0.0.1:8080/api/models/me/sine/refs
"""

from __future__ import annotations

from itertools import islice

from fastapi import APIRouter
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse

from zoo.hub.server.common import (
    api_url,
    commit_json,
    hub,
    int_param,
    next_link,
    read_json,
    readable,
    settings,
    writable,
)
from zoo.hub.server.errors import ApiError
from zoo.hub.server.middleware import segment

router = APIRouter()
DEFAULT_BRANCH = "main"
PREFIX = "/api/{repo_type}/{ns}/{name}"


@router.get(PREFIX + "/refs")
def list_refs(request: Request, repo_type: str, ns: str, name: str) -> JSONResponse:
    """list_repo_refs: every key is required by the client, even the empty ones."""
    _, info, _ = readable(request, repo_type, ns, name, refs=True)
    out: dict[str, list] = {"converts": []}
    for kind, prefix in (("branches", "refs/heads/"), ("tags", "refs/tags/")):
        out[kind] = [{"name": n, "ref": prefix + n, "targetCommit": cid}
                     for n, cid in info[kind].items()]
    if request.query_params.get("include_prs"):
        out["pullRequests"] = []
    return JSONResponse(out)


@router.get(PREFIX + "/commits/{rev}")
def list_commits(request: Request, repo_type: str, ns: str, name: str,
                 rev: str) -> JSONResponse:
    """list_repo_commits: newest first along first parents, ``page_size`` per page. The next
    page's URL names the resolved commit, so a commit landing meanwhile does not shift it."""
    repo_id, _, _ = readable(request, repo_type, ns, name)
    page, size = int_param(request, "p"), settings(request).page_size
    start = hub(request).resolve(repo_id, segment(rev))
    commits = hub(request).iter_commits(repo_id, start)
    items = list(islice(commits, page * size, (page + 1) * size + 1))
    more = len(items) > size
    url = api_url(request, repo_id, "commits", start, p=page + 1) if more else None
    return JSONResponse([commit_json(c) for c in items[:size]], headers=next_link(url))


@router.post(PREFIX + "/branch/{branch}")
async def create_branch(request: Request, repo_type: str, ns: str, name: str,
                        branch: str) -> JSONResponse:
    """create_branch at ``startingPoint`` (default main); 409 if it exists."""
    body = await read_json(request)
    repo_id, _, _ = writable(request, repo_type, ns, name)
    start = body.get("startingPoint") or DEFAULT_BRANCH
    if body.get("emptyBranch"):
        raise ApiError(400, "empty branches are not supported: a branch starts at a commit")
    await run_in_threadpool(hub(request).create_branch, repo_id, segment(branch),
                            revision=str(start))
    return JSONResponse({})


@router.delete(PREFIX + "/branch/{branch}")
def delete_branch(request: Request, repo_type: str, ns: str, name: str,
                  branch: str) -> JSONResponse:
    """delete_branch; the default branch cannot be deleted (as on the Hub)."""
    repo_id, _, _ = writable(request, repo_type, ns, name)
    if segment(branch) == DEFAULT_BRANCH:
        raise ApiError(403, f"the default branch {DEFAULT_BRANCH!r} cannot be deleted")
    hub(request).delete_branch(repo_id, segment(branch))
    return JSONResponse({})


@router.post(PREFIX + "/tag/{rev}")
async def create_tag(request: Request, repo_type: str, ns: str, name: str,
                     rev: str) -> JSONResponse:
    """create_tag ``{"tag": name}`` at ``rev``; 409 if the tag exists."""
    body = await read_json(request)
    repo_id, _, _ = writable(request, repo_type, ns, name)
    tag = body.get("tag")
    if not isinstance(tag, str):
        raise ApiError(400, "expected a JSON body with 'tag'")
    await run_in_threadpool(hub(request).create_tag, repo_id, tag, revision=segment(rev))
    return JSONResponse({})


@router.delete(PREFIX + "/tag/{tag}")
def delete_tag(request: Request, repo_type: str, ns: str, name: str, tag: str) -> JSONResponse:
    """delete_tag."""
    repo_id, _, _ = writable(request, repo_type, ns, name)
    hub(request).delete_tag(repo_id, segment(tag))
    return JSONResponse({})
