"""ASGI middleware: route on percent-decoded path *segments*, and cap request bodies.

Starlette routes on ``scope["path"]``, which the server has already percent-decoded, so a
branch ``feature/x`` sent as ``feature%2Fx`` would become two segments. The client quotes
revisions and tree sub-paths with ``safe=""`` precisely so that they stay one segment; we
re-split the raw path at ``/`` and decode each segment, keeping ``/`` and ``%`` inside a
segment escaped (``%2F``, ``%25``). Route handlers undo that with :func:`segment`.

Example:
    >>> segment("feature%2Fx")
    'feature/x'
"""

from __future__ import annotations

from urllib.parse import unquote

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from zoo.hub.server.errors import ApiError, error_response


def segment(value: str) -> str:
    """A path parameter as the client meant it (``%2F`` -> ``/``, ``%25`` -> ``%``)."""
    return unquote(value)


def _escape(decoded: str) -> str:
    return decoded.replace("%", "%25").replace("/", "%2F")


class RawPathMiddleware:
    """Rebuild ``scope["path"]`` from ``raw_path``, one decoded segment per ``/``."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        raw = scope.get("raw_path") if scope["type"] == "http" else None
        if raw is not None:
            try:
                parts = [unquote(p, errors="strict") for p in raw.decode("ascii").split("/")]
            except (UnicodeDecodeError, ValueError):
                await error_response(ApiError(400, "the URL path is not valid percent-encoded "
                                                   "UTF-8"))(scope, receive, send)
                return
            scope = {**scope, "path": "/".join(_escape(p) for p in parts)}
        await self.app(scope, receive, send)


class BodyTooLarge(ApiError):
    """A request body beyond the server's limit (413)."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"the request body is larger than this server's limit of {limit} "
                              "bytes; commit fewer or smaller files per commit, or restart the "
                              "server with a larger --max-body")


class BodyLimitMiddleware:
    """413 for a body over ``limit`` bytes: at once from ``Content-Length``, else (chunked
    bodies) as soon as the running count passes it."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app, self.limit = app, limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.limit:
            # No need to read the body first: uvicorn discards what the app leaves unread
            # before the next request on the connection.
            await error_response(BodyTooLarge(self.limit))(scope, receive, send)
            return
        seen = 0

        async def limited() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.limit:
                    raise BodyTooLarge(self.limit)
            return message

        await self.app(scope, limited, send)
