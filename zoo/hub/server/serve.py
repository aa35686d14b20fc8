"""Run the server with uvicorn (what ``zoo hub serve`` calls), and its argument helpers.

Example:
    >>> serve("~/hub", host="127.0.0.1", port=8080, tokens_file="tokens.txt")
"""

from __future__ import annotations

import re
from pathlib import Path

from zoo.errors import HubError

SIZE = re.compile(r"(\d+)\s*([kmgt]?)(i?b?)", re.IGNORECASE)
UNITS = {"": 1, "k": 1 << 10, "m": 1 << 20, "g": 1 << 30, "t": 1 << 40}
# Longer than the client's own keep-alive expiry (5 s), so the client always drops an idle
# connection first; the other way round, a request could go out on a socket being closed.
KEEP_ALIVE_S = 75


def require_deps() -> None:
    """HubError naming the extra to install if a package of the server or its pages is
    missing."""
    missing = []
    for module in ("fastapi", "uvicorn", "python_multipart", "jinja2", "markdown_it", "nh3"):
        try:
            __import__(module)
        except ImportError:
            missing.append(module)
    if missing:
        raise HubError(f"zoo hub serve needs {', '.join(missing)}, which are not installed: "
                       "pip install 'zoo[hub]'")


def parse_size(text: str) -> int:
    """``"2GiB"``, ``"500M"``, ``"1048576"`` -> bytes (binary units).
    Example: ``parse_size("2GiB")  # 2147483648``"""
    match = SIZE.fullmatch(text.strip())
    if match is None or int(match[1]) == 0:
        raise HubError(f"invalid size {text!r}: expected a positive number of bytes, optionally "
                       "with K, M, G or T (binary: 2G = 2 GiB)")
    return int(match[1]) * UNITS[match[2].lower()]


def endpoint_url(host: str, port: int) -> str:
    """The URL clients use (``HF_ENDPOINT``); IPv6 hosts get brackets."""
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}"


def serve(root: str | Path, host: str = "127.0.0.1", port: int = 8080,
          tokens_file: str | Path | None = None, page_size: int | None = None,
          max_body: int | None = None, log_level: str = "info") -> None:
    """Serve the LocalHub at ``root`` until interrupted. Tokens come from ``tokens_file``,
    else ``$ZOO_HUB_TOKENS``; without either the server is read-only."""
    require_deps()
    if page_size is not None and page_size < 1:
        raise HubError(f"the page size must be at least 1, not {page_size}")
    import uvicorn

    from zoo.hub.server.app import create_app
    from zoo.hub.server.auth import ENV_VAR, TokenTable
    from zoo.hub.server.common import DEFAULT_MAX_BODY, DEFAULT_PAGE_SIZE

    tokens = TokenTable.load(tokens_file)
    root = Path(root).expanduser()
    root.mkdir(parents=True, exist_ok=True)
    app = create_app(root, tokens, page_size=page_size or DEFAULT_PAGE_SIZE,
                     max_body=max_body or DEFAULT_MAX_BODY)
    url = endpoint_url(host, port)
    if tokens is None:
        auth = (f"no tokens configured: reads only, writes refused (give --tokens FILE or "
                f"${ENV_VAR}, lines 'TOKEN USER read|write')")
    else:
        auth = (f"{len(tokens)} token(s) from {tokens_file or '$' + ENV_VAR}: export HF_TOKEN="
                "<one of them> to read private repos and write")
    print(f"zoo hub: serving {root.resolve()} at {url}\n"
          f"  browse the models: {url}/\n"
          f"  point the Hugging Face client at it: export HF_ENDPOINT={url}\n"
          f"  (or HfApi(endpoint={url!r}, token=...))\n"
          f"  {auth}", flush=True)
    uvicorn.run(app, host=host, port=port, log_level=log_level,
                timeout_keep_alive=KEEP_ALIVE_S, server_header=False)
