"""``zoo hub serve``: the command-line group of the Hub-compatible server.

Example:
    $ zoo hub serve --root ~/team-hub --port 8080 --tokens tokens.txt
"""

from __future__ import annotations

import argparse


def cmd_hub_serve(args: argparse.Namespace) -> int:
    from zoo.hub.server.serve import parse_size, serve

    serve(args.root, host=args.host, port=args.port, tokens_file=args.tokens,
          page_size=args.page_size, max_body=parse_size(args.max_body) if args.max_body else None,
          log_level=args.log_level)
    return 0


def add_hub_commands(subparsers: argparse._SubParsersAction) -> None:
    """Register ``zoo hub serve`` on the main parser's sub-commands."""
    hub = subparsers.add_parser("hub", help="hub tools (serve a LocalHub over HTTP)",
                                description="hub tools (serve a LocalHub over HTTP)")
    hub_sub = hub.add_subparsers(dest="hub_command", required=True)
    about = ("serve a LocalHub directory with the Hugging Face Hub HTTP API subset that "
             "huggingface_hub and the hf CLI use (point HF_ENDPOINT at the printed URL); needs "
             "pip install 'zoo[hub]'")
    s = hub_sub.add_parser("serve", help=about, description=about)
    s.set_defaults(func=cmd_hub_serve)
    s.add_argument("--root", required=True, help="the LocalHub directory (created if missing)")
    s.add_argument("--host", default="127.0.0.1", help="address to listen on (default "
                   "127.0.0.1: this machine only; plain HTTP, so use a TLS proxy beyond it)")
    s.add_argument("--port", type=int, default=8080)
    s.add_argument("--tokens", metavar="FILE", help="lines 'TOKEN USER read|write' (default "
                   "$ZOO_HUB_TOKENS; with neither, the server is read-only)")
    s.add_argument("--page-size", type=int, help="entries per page of tree, commit and repo "
                   "listings (default 1000, the Hub's)")
    s.add_argument("--max-body", metavar="SIZE", help="largest request body, e.g. 512M "
                   "(default 2G; a commit carries its files base64-encoded, 4/3 of their size)")
    s.add_argument("--log-level", default="info", choices=["critical", "error", "warning",
                                                            "info", "debug"])
