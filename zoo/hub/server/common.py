"""Helpers shared by the route modules: settings, repo lookup with visibility, bodies, URLs.

Example:
    >>> repo_id, info, who = readable(request, "models", "me", "sine")
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

from starlette.requests import Request

from zoo.hub.local import LocalHub
from zoo.hub.names import RepoNotFoundError, check_repo_id
from zoo.hub.server.auth import Caller, TokenTable, caller, check_readable, writer
from zoo.hub.server.errors import ApiError, repo_not_found
from zoo.hub.server.middleware import segment

DEFAULT_PAGE_SIZE = 1000  # the Hub's own page size for tree listings
EXPANDED_PAGE_SIZE = 50  # the Hub caps pages with lastCommit at 50: each costs a history walk
DEFAULT_MAX_BODY = 2 << 30  # 2 GiB


@dataclass(frozen=True)
class Settings:
    """What ``create_app`` was given."""

    root: Path
    tokens: TokenTable | None
    page_size: int = DEFAULT_PAGE_SIZE
    max_body: int = DEFAULT_MAX_BODY


def settings(request: Request) -> Settings:
    return request.app.state.settings


def hub(request: Request) -> LocalHub:
    return request.app.state.hub


def endpoint(request: Request) -> str:
    """The URL the client used to reach us (``HF_ENDPOINT``), without a trailing ``/``."""
    return str(request.base_url).rstrip("/")


def repo_id_of(repo_type: str, ns: str, name: str) -> str:
    """``ns/name`` of a model repo; other repo types are answered as missing repos."""
    repo_id = f"{segment(ns)}/{segment(name)}"
    if repo_type != "models":
        raise ApiError(404, f"{repo_type} repositories are not served by zoo hub serve (only "
                            f"models); {repo_id!r} not found", code="RepoNotFound")
    check_repo_id(repo_id)
    return repo_id


def load_info(request: Request, repo_id: str, refs: bool = False) -> dict[str, Any]:
    """``LocalHub.repo_info`` (``branches`` and ``tags`` only with ``refs=True``: most
    requests need the privacy flag and head only, and a walk of every ref on each download
    is wasted) with a missing repo answered as 404 RepoNotFound (without the "did you mean"
    hint, which could name private repos)."""
    try:
        return hub(request).repo_info(repo_id, refs=refs)
    except RepoNotFoundError:
        raise repo_not_found(repo_id) from None


def readable(request: Request, repo_type: str, ns: str, name: str,
             identify: Callable[[Request], Caller] = caller,
             refs: bool = False) -> tuple[str, dict[str, Any], Caller]:
    """Repo id, repo info and caller of a read; 404 if the caller may not see the repo.
    ``identify`` tells who sent the request (the pages also accept their login cookie);
    ``refs`` as for :func:`load_info`."""
    who = identify(request)
    repo_id = repo_id_of(repo_type, ns, name)
    info = load_info(request, repo_id, refs)
    check_readable(who, repo_id, info)
    return repo_id, info, who


def writable(request: Request, repo_type: str, ns: str, name: str,
             refs: bool = False) -> tuple[str, dict[str, Any], Caller]:
    """Like :func:`readable` for a write: the token is checked before the repo."""
    who = writer(request)
    repo_id = repo_id_of(repo_type, ns, name)
    return repo_id, load_info(request, repo_id, refs), who


async def read_json(request: Request) -> dict[str, Any]:
    """The JSON object of the body ({} for an empty body); 400 otherwise."""
    body = await request.body()
    if not body.strip():
        return {}
    try:
        data = json.loads(body)
    except ValueError as e:
        raise ApiError(400, f"the request body is not valid JSON: {e}") from e
    if not isinstance(data, dict):
        raise ApiError(400, "the request body must be a JSON object")
    return data


def flag(value: str | None) -> bool:
    """A query/form boolean as the client sends it (``true``/``True``/``1``)."""
    return (value or "").strip().lower() in ("1", "true", "yes")


def int_param(request: Request, name: str, default: int = 0) -> int:
    """A non-negative integer query parameter (page cursors); 400 otherwise."""
    value = request.query_params.get(name)
    if value is None or value == "":
        return default
    if not value.isdigit():
        raise ApiError(400, f"query parameter {name!r} must be a non-negative integer, not "
                            f"{value[:40]!r}")
    return int(value)


def api_url(request: Request, repo_id: str, *parts: str, **query: Any) -> str:
    """An absolute ``/api/models/{repo_id}/...`` URL: ``Link`` headers must be absolute (a
    relative one makes the client's HTTP library raise). Each part is one quoted segment."""
    path = "/".join([f"api/models/{repo_id}", *(quote(p, safe="") for p in parts)])
    return f"{endpoint(request)}/{path}" + (f"?{urlencode(query)}" if query else "")


def next_link(url: str | None) -> dict[str, str]:
    """The ``Link`` header announcing the next page, if any."""
    return {"Link": f'<{url}>; rel="next"'} if url else {}


def commit_title(message: str) -> tuple[str, str]:
    """(title, description) of a stored message ``summary\\n\\ndescription``."""
    title, _, rest = message.partition("\n")
    return title.strip(), rest.strip()


def commit_json(commit: dict[str, Any]) -> dict[str, Any]:
    """A commit as ``/commits`` lists it."""
    title, message = commit_title(commit["message"])
    return {"id": commit["id"], "title": title, "message": message,
            "authors": [{"user": commit["author"]}], "date": commit["time"]}
