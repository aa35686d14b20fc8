"""Jinja2 templates, their filters, and the headers every page is sent with.

Autoescaping is on for every template, so a repo name, commit message or file name is text
wherever it appears; the only ``Markup`` a template receives is the sanitised card.
The Content-Security-Policy allows scripts from ``/-/static`` only: even an escaping bug
could not run an inline script or an ``onerror=`` handler.

Example:
    >>> page(request, "error.html", status=404, message="no such repo")
"""

from __future__ import annotations

import datetime as dt
import http
from pathlib import Path
from typing import Any
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.templating import Jinja2Templates

from zoo.hub.server.auth import Caller
from zoo.hub.server.common import endpoint
from zoo.hub.server.errors import ApiError
from zoo.hub.web.session import page_caller, tokens

HERE = Path(__file__).parent
SECURITY_HEADERS = {
    "Content-Security-Policy": ("default-src 'none'; script-src 'self'; style-src 'self'; "
                                "img-src 'self' data:; connect-src 'self'; form-action 'self'; "
                                "base-uri 'none'; frame-ancestors 'none'"),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    # Pages can show private repos: no shared cache may keep them.
    "Cache-Control": "private, no-cache",
}
DIFF_CLASSES = {"+": "add", "-": "del", "@": "hunk"}
SIZE_UNITS = ("B", "KB", "MB", "GB", "TB")


def filesize(n: int) -> str:
    """``1536 -> '1.5 KB'`` (decimal units, as the Hub shows them)."""
    value = float(n)
    for unit in SIZE_UNITS:
        if value < 1000 or unit == SIZE_UNITS[-1]:
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1000
    raise AssertionError("unreachable")


def count(n: int) -> str:
    """``11689512 -> '11.7M'``"""
    for limit, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
        if n >= limit:
            return f"{n / limit:.1f}{suffix}"
    return str(n)


def metric(value: float) -> str:
    return f"{value:.4g}"


def sci(value: Any) -> str:
    return f"{value:.2e}" if isinstance(value, int | float) else "?"


def headline(values: dict[str, float]) -> str:
    """One number when the backends agree to 4 digits, else each backend's."""
    shown = {b: metric(v) for b, v in values.items()}
    if len(set(shown.values())) == 1:
        return next(iter(shown.values()))
    return " · ".join(f"{b} {v}" for b, v in shown.items())


def when(stamp: str | None) -> str:
    """``2026-11-23T20:25:49Z`` -> ``2026-11-23 20:25 UTC``"""
    if not stamp:
        return "—"
    try:
        return dt.datetime.fromisoformat(stamp.replace("Z", "+00:00")).strftime(
            "%Y-%m-%d %H:%M UTC")
    except ValueError:
        return stamp


def urlpath(path: str) -> str:
    """A repo file path as URL path segments (``/`` kept, everything else quoted)."""
    return quote(path, safe="/")


def diffclass(line: str) -> str:
    if line.startswith(("+++", "---")):
        return "file"
    return DIFF_CLASSES.get(line[:1], "ctx")


templates = Jinja2Templates(directory=HERE / "templates")
templates.env.filters.update(filesize=filesize, count=count, metric=metric, sci=sci,
                             headline=headline, when=when, urlpath=urlpath, diffclass=diffclass)


def page(request: Request, name: str, status: int = 200, **context: Any) -> HTMLResponse:
    """Render a template with what every page needs (caller, endpoint) and the security
    headers. A route that already knows the caller passes it as ``who``."""
    if "who" not in context:
        try:
            context["who"] = page_caller(request)
        except ApiError:  # an unknown bearer token: the error page itself is still shown
            context["who"] = Caller()
    base = {"endpoint": endpoint(request),
            "has_tokens": tokens(request) is not None, "query": None}
    response = templates.TemplateResponse(request, name, {**base, **context},
                                          status_code=status)
    response.headers.update(SECURITY_HEADERS)
    return response


def error_page(request: Request, status: int, message: str) -> HTMLResponse:
    """The HTML answer of a failed page request."""
    try:
        reason = http.HTTPStatus(status).phrase
    except ValueError:
        reason = "Error"
    return page(request, "error.html", status=status, status_code=status, reason=reason,
                message=message)
