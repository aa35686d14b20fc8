"""The browsable pages of ``zoo hub serve``: index, model card, files and versions, history,
compare, and a login form; server-rendered with Jinja2, plain CSS, one small script.

Example:
    >>> app = create_app("/srv/hub")   # zoo.hub.server.app calls install(app)
    >>> # then open http://127.0.0.1:8080/ in a browser
"""

from __future__ import annotations

import logging
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from starlette.staticfiles import StaticFiles

from zoo.hub.local import LocalHub
from zoo.hub.web.catalog import Catalog
from zoo.hub.web.rendering import HERE


def install(app: FastAPI, hub: LocalHub) -> None:
    """Add the pages to ``app``, after its API routes (those must match first: ``/api/models``
    has the same shape as a repo page)."""
    from zoo.hub.web import pages_index, pages_repo

    app.state.catalog = Catalog(hub)
    app.mount("/-/static", StaticFiles(directory=HERE / "static"), name="static")
    app.include_router(pages_index.router)
    app.include_router(pages_repo.router)


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    """At server start, fill the index's metadata cache in a background thread; requests are
    served meanwhile (a row not cached yet is read by the request that needs it)."""
    catalog: Catalog = app.state.catalog

    def warm() -> None:
        try:
            logging.getLogger("zoo.hub").info("index ready: %d repos", catalog.warm())
        except Exception:  # noqa: BLE001 (a cache fill must never stop the server)
            logging.getLogger("zoo.hub").exception("warming the index cache failed")

    threading.Thread(target=warm, name="zoo-hub-index-warmup", daemon=True).start()
    yield
