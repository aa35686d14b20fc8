"""Handlers of ``zoo pull``, ``zoo push`` and ``zoo verify`` (parsers in ``zoo/cli.py``).

Example:
    $ zoo verify seq2seq
"""

from __future__ import annotations

import argparse

from zoo.errors import ZooError


def cmd_pull(args: argparse.Namespace) -> int:
    from zoo.hub.transfer import pull

    print(pull(args.ref, hub=args.hub, revision=args.revision))
    return 0


def cmd_push(args: argparse.Namespace) -> int:
    from zoo.hub.transfer import push

    commit = push(args.repo, source=args.source, target=args.to, revision=args.revision,
                  to_repo=args.to_repo, message=args.message)
    print(f"pushed {args.repo}@{args.revision} from {args.source or 'local'} to {args.to} as "
          f"{args.to_repo or args.repo}@{commit}")
    return 0


def cmd_verify(args: argparse.Namespace) -> int:
    from zoo.hub.transfer import verify

    results = verify(args.names or None)
    for r in results:
        print(f"{'PASS' if r.passed else 'FAIL'}  {r.ref:<28} {r.detail}")
    if not results:
        raise ZooError(f"no manifest entries match {args.names}")
    return 0 if all(r.passed for r in results) else 1
