"""Who is browsing: the token of the login form, kept in an HttpOnly, SameSite cookie.

The pages accept the same tokens as the API (``zoo.hub.server.auth``): a cookie set by
``POST /-/login``, or an ``Authorization: Bearer`` header (scripts, tests). A cookie whose
token the table no longer has is treated as no login, not as an error, so a rotated token
only shows the public pages. The API routes ignore the cookie: a cookie is sent by the
browser on its own, which is what cross-site request forgery abuses, and the API writes.

Example:
    >>> who = page_caller(request)
    >>> who.user   # None when anonymous
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from zoo.hub.server.auth import Caller, TokenTable, caller

COOKIE = "zoo_hub_token"
COOKIE_MAX_AGE = 30 * 24 * 3600  # a month, then log in again


def tokens(request: Request) -> TokenTable | None:
    return request.app.state.settings.tokens


def page_caller(request: Request) -> Caller:
    """The caller of a page: the bearer header if sent (401 if unknown, as in the API), else
    the login cookie, else anonymous."""
    if request.headers.get("authorization") is not None:
        return caller(request)
    table, token = tokens(request), request.cookies.get(COOKIE)
    if table is None or not token:
        return Caller()
    entry = table.lookup(token)
    return Caller(entry.user, entry.role) if entry is not None else Caller()


def log_in(request: Request, response: Response, token: str) -> str | None:
    """Set the cookie if ``token`` is in the table; otherwise the reason it is refused."""
    table = tokens(request)
    if table is None:
        return ("this server has no tokens, so there is nothing to log in to: every public repo "
                "is already shown (start it with --tokens FILE to serve private repos)")
    if table.lookup(token.strip()) is None:
        return "this token is not in the server's token table; check it and try again"
    response.set_cookie(COOKIE, token.strip(), max_age=COOKIE_MAX_AGE, path="/", httponly=True,
                        samesite="lax", secure=request.url.scheme == "https")
    return None


def log_out(response: Response) -> None:
    response.delete_cookie(COOKIE, path="/", httponly=True, samesite="lax")
