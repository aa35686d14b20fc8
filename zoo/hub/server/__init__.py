"""``zoo hub serve``: a LocalHub directory over HTTP, speaking the subset of the Hugging Face
Hub API that the stock ``huggingface_hub`` client and ``hf`` CLI use.

Needs the ``hub`` extra (``pip install 'zoo[hub]'``: FastAPI, uvicorn). Importing this package
imports neither; :func:`create_app` and :func:`serve` load them on first use.

Example:
    $ zoo hub serve --root ~/hub --tokens tokens.txt --port 8080
    >>> from huggingface_hub import HfApi
    >>> HfApi(endpoint="http://127.0.0.1:8080", token="...").create_repo("me/sine")
"""

from __future__ import annotations

from typing import Any

__all__ = ["create_app", "serve"]


def __getattr__(name: str) -> Any:
    if name == "create_app":
        from zoo.hub.server.serve import require_deps

        require_deps()
        from zoo.hub.server.app import create_app

        return create_app
    if name == "serve":
        from zoo.hub.server.serve import serve

        return serve
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
