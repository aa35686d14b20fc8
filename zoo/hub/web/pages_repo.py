"""A repo's pages: model card, files and versions, history, compare, one file, raw bytes.

``?rev=`` picks the revision (branch, tag or commit id; default main). Links inside a page
name the full commit id, so a page's images and files cannot change under a reader when a
branch moves.

Example:
    $ curl http://127.0.0.1:8080/zoo/cnn/files?rev=v1
"""

from __future__ import annotations

import mimetypes
from itertools import islice

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse

from zoo.hub.server.common import commit_title, endpoint, hub
from zoo.hub.server.errors import ApiError
from zoo.hub.server.middleware import segment
from zoo.hub.web.diffing import compare
from zoo.hub.web.markdown import render_card
from zoo.hub.web.rendering import page
from zoo.hub.web.routing import PageRoute, repo_view
from zoo.hub.web.snippets import use_snippets

router = APIRouter(route_class=PageRoute)
PREFIX = "/{ns}/{name}"
HISTORY_PAGE = 50
MAX_SHOWN_TEXT = 512 << 10
#: served as themselves; every other file is sent as text/plain or octet-stream, so a file
#: in a repo can never be a page of this site (HTML, SVG with script)
INLINE_TYPES = {"image/png", "image/jpeg", "image/gif", "image/webp"}
RAW_HEADERS = {"X-Content-Type-Options": "nosniff",
               "Content-Security-Policy": "default-src 'none'; img-src 'self'; sandbox",
               "Cache-Control": "private, max-age=31536000, immutable"}


def _rev(request: Request) -> str | None:
    return request.query_params.get("rev") or None


@router.get(PREFIX, response_class=HTMLResponse)
def model_page(request: Request, ns: str, name: str) -> HTMLResponse:
    """The card, metrics per backend, parity, recipe, files' sha256 and "Use this model"."""
    view = repo_view(request, ns, name, _rev(request))
    repo_url = "/" + view.repo_id
    names = sorted({n for values in view.meta.metrics.values() for n in values})
    snippets = use_snippets(view.repo_id, view.commit["id"], endpoint(request), view.meta.task,
                            bool(view.info.get("private")))
    card = render_card(view.meta.card_body, repo_url, view.commit["id"])
    return page(request, "model.html", **view.context(
        "card", card_html=card.html, card_images=card.images, metric_names=names,
        snippets=snippets))


@router.get(PREFIX + "/files", response_class=HTMLResponse)
def files_page(request: Request, ns: str, name: str) -> HTMLResponse:
    """Every file at the revision with size and sha256, and the branches and tags."""
    view = repo_view(request, ns, name, _rev(request))
    return page(request, "files.html", **view.context("files"))


def _history_entry(commit: dict) -> dict:
    title, description = commit_title(commit["message"])
    return {"id": commit["id"], "title": title, "description": description,
            "author": commit["author"], "time": commit["time"],
            "parent": commit["parents"][0] if commit["parents"] else None}


@router.get(PREFIX + "/commits", response_class=HTMLResponse)
def history_page(request: Request, ns: str, name: str) -> HTMLResponse:
    """First-parent history from the revision, newest first, 50 a page."""
    view = repo_view(request, ns, name, _rev(request))
    number = request.query_params.get("page", "1")
    number = int(number) if number.isdigit() and int(number) > 0 else 1
    walk = hub(request).iter_commits(view.repo_id, view.commit["id"])
    chunk = list(islice(walk, (number - 1) * HISTORY_PAGE, number * HISTORY_PAGE + 1))
    if not chunk:
        raise ApiError(404, f"the history of {view.repo_id} at {view.rev} has fewer than "
                            f"{(number - 1) * HISTORY_PAGE + 1} commits: there is no page {number}")
    return page(request, "commits.html", **view.context(
        "commits", commits=[_history_entry(c) for c in chunk[:HISTORY_PAGE]],
        more=len(chunk) > HISTORY_PAGE, page=number))


@router.get(PREFIX + "/diff", response_class=HTMLResponse)
def diff_page(request: Request, ns: str, name: str) -> HTMLResponse:
    """``?from=A&to=B`` (default: the revision and its parent): changed files, and a line
    diff of each changed metadata file."""
    params = request.query_params
    view = repo_view(request, ns, name, params.get("to") or _rev(request))
    store, new = hub(request), view.commit
    old_rev = params.get("from") or (new["parents"][0] if new["parents"] else new["id"])
    old = store.get_commit(view.repo_id, old_rev)
    history = [_history_entry(c) for c in islice(store.iter_commits(view.repo_id, new["id"]),
                                                 HISTORY_PAGE)]
    known = {c["id"] for c in history}
    history += [_history_entry(c) for c in (old,) if c["id"] not in known]
    changes, diffs = compare(store, view.repo_id, old, new)
    return page(request, "diff.html", **view.context(
        "diff", old=old, new=new, history=history, changes=changes, diffs=diffs))


@router.get(PREFIX + "/blob/{rev}/{path:path}", response_class=HTMLResponse)
def blob_page(request: Request, ns: str, name: str, rev: str, path: str) -> HTMLResponse:
    """One file: text shown escaped, images inline, anything else as a download link."""
    view, path = repo_view(request, ns, name, segment(rev)), segment(path)
    entry = view.commit["files"].get(path)
    if entry is None:
        raise ApiError(404, f"{path!r} is not in {view.repo_id} at {view.commit['id'][:12]}")
    text = None
    kind = mimetypes.guess_type(path)[0]
    if kind not in INLINE_TYPES and entry["size"] <= MAX_SHOWN_TEXT:
        data = hub(request).read_bytes(view.repo_id, path, revision=view.commit["id"])
        try:  # NUL bytes mean binary, as git decides (b"\0\1" is valid UTF-8)
            text = None if b"\0" in data[:8000] else data.decode("utf-8")
        except UnicodeDecodeError:
            text = None
    return page(request, "blob.html", **view.context(
        "files", path=path, entry=entry, text=text, image=kind in INLINE_TYPES,
        rev_action=f"/{view.repo_id}/files"))


@router.get(PREFIX + "/raw/{rev}/{path:path}")
def raw_file(request: Request, ns: str, name: str, rev: str, path: str) -> FileResponse:
    """The file's bytes (sha256-checked) for the pages' images and download links; unlike
    ``/resolve/`` it honours the login cookie, so a private repo's plots show."""
    view, path = repo_view(request, ns, name, segment(rev)), segment(path)
    blob = hub(request).file_path(view.repo_id, path, revision=view.commit["id"])
    kind = mimetypes.guess_type(path)[0]
    if kind not in INLINE_TYPES:
        kind = "text/plain; charset=utf-8" if path.endswith((".md", ".json", ".toml", ".txt")) \
            else "application/octet-stream"
    headers = dict(RAW_HEADERS)
    if view.commit["id"] != segment(rev):  # a branch or tag can move: no long caching
        headers["Cache-Control"] = "private, no-cache"
    return FileResponse(blob, media_type=kind, headers=headers,
                        filename=path.rsplit("/", 1)[-1], content_disposition_type="inline")
