"""The index page (``/``), its results fragment for search-as-you-type, and log in / out.

Fixed routes live under ``/-/``: no repo namespace can start with ``-``, so they never
shadow a repo page.

Example:
    $ curl 'http://127.0.0.1:8080/?q=cnn&framework=TensorFlow'
"""

from __future__ import annotations

from urllib.parse import urlencode, urlsplit

from fastapi import APIRouter, Form
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from zoo.hub.web.catalog import DEFAULT_SORT, FRAMEWORKS, SORTS, IndexQuery
from zoo.hub.web.rendering import SECURITY_HEADERS, page
from zoo.hub.web.routing import PageRoute, catalog
from zoo.hub.web.session import log_in, log_out, page_caller

router = APIRouter(route_class=PageRoute)


def _query(request: Request) -> IndexQuery:
    params = request.query_params
    number = params.get("page", "1")
    return IndexQuery(q=params.get("q", "")[:200], task=params.get("task", ""),
                      framework=params.get("framework", ""),
                      sort=params.get("sort") if params.get("sort") in SORTS else DEFAULT_SORT,
                      page=int(number) if number.isdigit() else 1)


def _listing(request: Request, template: str) -> HTMLResponse:
    query = _query(request)
    who = page_caller(request)
    result = catalog(request).query(who, query)

    def page_url(number: int) -> str:
        values = {"q": query.q, "task": query.task, "framework": query.framework,
                  "sort": query.sort if query.sort != DEFAULT_SORT else "", "page": number}
        return "/?" + urlencode({k: v for k, v in values.items() if v})

    return page(request, template, who=who, query=query, page=result, frameworks=FRAMEWORKS,
                sorts=list(SORTS), default_sort=DEFAULT_SORT, page_url=page_url)


@router.get("/", response_class=HTMLResponse)
def index(request: Request) -> HTMLResponse:
    """Every visible repo, 50 a page; ``?q=`` words, ``task``, ``framework``, ``sort``."""
    return _listing(request, "index.html")


@router.get("/-/results", response_class=HTMLResponse)
def results(request: Request) -> HTMLResponse:
    """The result list alone: what the search box swaps in as the visitor types."""
    return _listing(request, "_results.html")


def _local(target: str) -> str:
    """Only same-site paths after login (an open redirect would be a phishing aid)."""
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return "/"
    return target


@router.get("/-/login", response_class=HTMLResponse)
def login_form(request: Request) -> HTMLResponse:
    return page(request, "login.html", error=None,
                next=_local(request.query_params.get("next", "/")))


@router.post("/-/login")
def login(request: Request, token: str = Form(""), next: str = Form("/")) -> Response:
    """Check the token against the table; on success set the cookie and go back."""
    response = RedirectResponse(_local(next), status_code=303)
    error = log_in(request, response, token)
    if error is not None:
        return page(request, "login.html", status=401, error=error, next=_local(next))
    response.headers.update(SECURITY_HEADERS)
    return response


@router.post("/-/logout")
def logout(request: Request) -> Response:
    response = RedirectResponse("/", status_code=303)
    log_out(response)
    return response
