"""``create_app``: the FastAPI app serving a LocalHub directory with the Hugging Face Hub API
subset that the stock ``huggingface_hub`` client and the ``hf`` CLI use.

The app is a thin HTTP layer: commits, refs, privacy, validation, locking and atomic writes
are LocalHub's. See ``zoo hub serve --help`` and ``zoo.hub.server.auth`` for the token policy.

Example:
    >>> app = create_app("/srv/hub", TokenTable.parse("s3cr3t-token alice write"))
    >>> import uvicorn; uvicorn.run(app, host="127.0.0.1", port=8080)
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from zoo.hub import web
from zoo.hub.local import LocalHub
from zoo.hub.server import api_commit, api_refs, api_repos, api_resolve, api_tree, errors
from zoo.hub.server.auth import TokenTable
from zoo.hub.server.common import DEFAULT_MAX_BODY, DEFAULT_PAGE_SIZE, Settings
from zoo.hub.server.middleware import BodyLimitMiddleware, RawPathMiddleware


def create_app(root: str | Path, tokens: TokenTable | None = None, *,
               page_size: int = DEFAULT_PAGE_SIZE, max_body: int = DEFAULT_MAX_BODY) -> FastAPI:
    """The app over the LocalHub at ``root``.

    ``tokens``: None means reads only (writes get 401). ``page_size``: entries per page of
    tree, commit and repo listings. ``max_body``: the largest request body in bytes (413
    beyond; a commit body is ~4/3 of the files it carries, base64).
    """
    if page_size < 1 or max_body < 1:
        raise ValueError(f"page_size and max_body must be positive, not {page_size}, "
                         f"{max_body}")
    settings = Settings(Path(root).expanduser(), tokens, page_size, max_body)
    app = FastAPI(title="zoo hub", docs_url=None, redoc_url=None, openapi_url=None,
                  lifespan=web.lifespan)
    app.state.settings = settings
    # One LocalHub for the process: its per-object caches (verified blobs, git sha1s) are
    # what make repeated downloads cheap. Its methods are safe from several threads: writers
    # of a repo serialise on the repo's file lock.
    app.state.hub = LocalHub(settings.root)
    errors.install(app)
    # Order matters: the model resolve route is tried before the datasets/spaces one, and
    # the fixed /api/... routes before the catch-all resolve patterns.
    for module in (api_repos, api_refs, api_tree, api_commit, api_resolve):
        app.include_router(module.router)
    web.install(app, app.state.hub)  # the browsable pages, after every API route
    # Added last = outermost: the raw path is rebuilt before the body limit and routing.
    app.add_middleware(BodyLimitMiddleware, limit=max_body)
    app.add_middleware(RawPathMiddleware)
    return app
