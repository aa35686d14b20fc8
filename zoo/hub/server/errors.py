"""HTTP errors in the shape the ``huggingface_hub`` client understands.

The client reads ``X-Error-Code`` first (RepoNotFound, RevisionNotFound, EntryNotFound), then
``X-Error-Message`` or the JSON ``error`` field for the text it shows. A 404 without a code
breaks ``repo_exists``/``file_exists`` and makes downloads report a connection problem, so
every "not found" carries a code.

Example:
    >>> raise ApiError(404, "no such repo", code="RepoNotFound")
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse

from zoo.errors import HubError, WeightsError, ZooError
from zoo.hub.names import (
    AlreadyExistsError,
    BranchMovedError,
    EntryNotFoundError,
    InvalidNameError,
    RepoNotFoundError,
    RevisionNotFoundError,
)

# Most specific first: every class here is a HubError/ZooError.
STATUS: list[tuple[type[Exception], int, str | None]] = [
    (InvalidNameError, 400, None),
    (RepoNotFoundError, 404, "RepoNotFound"),
    (RevisionNotFoundError, 404, "RevisionNotFound"),
    (EntryNotFoundError, 404, "EntryNotFound"),
    (AlreadyExistsError, 409, None),
    (BranchMovedError, 412, None),
    (WeightsError, 500, None),  # a damaged blob is the server's fault, not the request's
    (HubError, 400, None),
    (ZooError, 400, None),
]


class ApiError(Exception):
    """An error answer: status, message, optional ``X-Error-Code`` and extra headers/body."""

    def __init__(self, status: int, message: str, code: str | None = None,
                 headers: dict[str, str] | None = None, extra: dict | None = None) -> None:
        super().__init__(message)
        self.status, self.message, self.code = status, message, code
        self.headers, self.extra = dict(headers or {}), dict(extra or {})


def repo_not_found(repo_id: str) -> ApiError:
    """The same answer for a missing repo and a private one the caller cannot read, so
    private repo names do not leak."""
    return ApiError(404, f"repository {repo_id!r} not found (it does not exist, or it is "
                         "private and the request has no token that can read it)",
                    code="RepoNotFound")


def from_hub_error(err: ZooError, root: Path | None = None) -> ApiError:
    """Map a LocalHub error to its HTTP status, hiding the server's directory in the text."""
    message = str(err)
    for path in {str(root), str(root.resolve())} if root is not None else ():
        message = message.replace(path, "<hub>")
    for cls, status, code in STATUS:
        if isinstance(err, cls):
            return ApiError(status, message, code=code)
    return ApiError(400, message)


def _header_text(message: str) -> str:
    # HTTP headers are latin-1, one line; the JSON body keeps the full text.
    one_line = " ".join(message.split())
    return one_line.encode("ascii", "backslashreplace").decode("ascii")[:2000]


def error_response(err: ApiError) -> JSONResponse:
    """The JSON response of an ApiError (``{"error": message, ...extra}``)."""
    headers = {"X-Error-Message": _header_text(err.message), **err.headers}
    if err.code:
        headers["X-Error-Code"] = err.code
    return JSONResponse({"error": err.message, **err.extra}, status_code=err.status,
                        headers=headers)


async def _api_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ApiError)
    return error_response(exc)


async def _zoo_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ZooError)
    return error_response(from_hub_error(exc, request.app.state.settings.root))


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    if exc.status_code in (404, 405):
        return error_response(unknown_route(request, exc.status_code))
    return error_response(ApiError(exc.status_code, str(exc.detail)))


def unknown_route(request: Request, status: int = 404) -> ApiError:
    """The answer to a request no route of the API takes."""
    return ApiError(status, f"{request.method} {request.url.path} is not part of the Hugging "
                            "Face Hub API subset that zoo hub serve implements")


def install(app: FastAPI) -> None:
    """Register the handlers: ApiError, any ZooError from LocalHub, and unknown routes."""
    app.add_exception_handler(ApiError, _api_error)
    app.add_exception_handler(ZooError, _zoo_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
