"""What every page route shares: errors answered as HTML, and the repo/revision a URL names.

The API answers errors as JSON for the client; a browser gets the same status as a page.
A missing repo and a private one the visitor cannot read get the same 404 text, so the
pages do not reveal which private names exist.

Example:
    >>> router = APIRouter(route_class=PageRoute)
    >>> view = repo_view(request, "zoo", "cnn", "main")   # or ApiError(404), shown as a page
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from fastapi.routing import APIRoute
from starlette.requests import Request
from starlette.responses import Response

from zoo.errors import ZooError
from zoo.hub.server.auth import Caller
from zoo.hub.server.common import hub, readable
from zoo.hub.server.errors import ApiError, error_response, from_hub_error, unknown_route
from zoo.hub.web.catalog import Catalog
from zoo.hub.web.metadata import Metadata
from zoo.hub.web.rendering import error_page
from zoo.hub.web.session import page_caller

#: tab key -> label; the key is the URL suffix (``card`` is the repo URL itself)
TABS = (("card", "Model card"), ("files", "Files and versions"), ("commits", "History"),
        ("diff", "Compare"))


class PageRoute(APIRoute):
    """A route whose ZooError / ApiError becomes an HTML error page with its status."""

    def get_route_handler(self) -> Callable[[Request], Awaitable[Response]]:
        handler = super().get_route_handler()

        async def html_errors(request: Request) -> Response:
            if request.url.path.startswith("/api/"):  # /api/x has a repo page's shape
                return error_response(unknown_route(request))
            try:
                return await handler(request)
            except ApiError as e:
                return error_page(request, e.status, e.message)
            except ZooError as e:
                err = from_hub_error(e, request.app.state.settings.root)
                return error_page(request, err.status, err.message)

        return html_errors


def catalog(request: Request) -> Catalog:
    return request.app.state.catalog


@dataclass(frozen=True)
class RepoView:
    """A repo at one revision, as the visitor may see it."""

    repo_id: str
    info: dict[str, Any]
    who: Caller
    rev: str
    commit: dict[str, Any]
    meta: Metadata

    def context(self, tab: str, **extra: Any) -> dict[str, Any]:
        """The template variables of ``_repo_header.html`` plus ``extra``."""
        return {"repo_id": self.repo_id, "info": self.info, "rev": self.rev, "who": self.who,
                "commit": self.commit, "meta": self.meta, "tabs": TABS, "tab": tab, **extra}


def repo_view(request: Request, ns: str, name: str, rev: str | None) -> RepoView:
    """The repo at ``rev`` (default main); 404 pages for a missing repo or revision."""
    repo_id, info, who = readable(request, "models", ns, name, identify=page_caller,
                                  refs=True)
    if info["head"] is None and not info["tags"]:
        raise ApiError(404, f"{repo_id} has no commits yet: push files to it with "
                            "huggingface_hub or zoo publish")
    rev = rev or "main"
    commit = hub(request).get_commit(repo_id, rev)
    return RepoView(repo_id, info, who, rev, commit, catalog(request).metadata(repo_id, commit))
