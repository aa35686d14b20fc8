"""``zoo data organize`` and ``zoo data inspect``: sub-commands for ``zoo/cli.py``'s parser.

Handlers take the parsed arguments and return an exit code; user errors are raised as
``DatasetError`` (a ``ZooError``: the main CLI prints it and exits with 2). Importing this
module imports only argparse: the data modules load when a handler runs.

Example:
    >>> p = argparse.ArgumentParser(prog="zoo")
    >>> add_data_commands(p.add_subparsers(dest="command", required=True))
    >>> args = p.parse_args(["data", "inspect", "pets/", "--grid", "pets.png"])
    >>> args.func(args)
    0
"""

from __future__ import annotations

import argparse
from typing import Any

from zoo.errors import DatasetError

ORGANIZE_HELP = ("sort a flat folder of images into class folders (DST/<class>/<file>) by "
                 "hard links, from the file names or a CSV of labels")
INSPECT_HELP = ("classes, images per class, image sizes, modes and corrupt files of a dataset "
                "folder (class folders, train/ + val/, or flat)")


def add_label_options(parser: argparse.ArgumentParser) -> None:
    """``--pattern``, ``--id-column`` and ``--label-column``: how flat layouts are read
    (shared by ``zoo data organize`` and, if wired, ``zoo finetune --labels``).

    Example:
        >>> add_label_options(s); s.parse_args(["--pattern", "^(.+)-"]).id_column
        'id'
    """
    parser.add_argument("--pattern", metavar="REGEX",
                        help="class from the file name: group 'class' (or the first group) "
                        "of REGEX searched in the name (default: the name before its last _, "
                        "as in Oxford-IIIT Pet's basset_hound_103.jpg)")
    parser.add_argument("--id-column", default="id", metavar="COLUMN",
                        help="CSV column naming the file, with or without extension "
                        "(default id)")
    parser.add_argument("--label-column", default="label", metavar="COLUMN",
                        help="CSV column with the class (default label)")


def add_data_commands(subparsers: Any) -> argparse.ArgumentParser:
    """Register ``data organize`` and ``data inspect`` on ``subparsers`` (the object that
    ``ArgumentParser.add_subparsers`` returns); returns the ``data`` parser. Each sub-command
    sets ``func`` to its handler.

    Example:
        >>> add_data_commands(parser.add_subparsers(dest="command"))
    """
    about = "image dataset tools (organize flat downloads into class folders, inspect)"
    data = subparsers.add_parser("data", help=about, description=about)
    sub = data.add_subparsers(dest="data_command", required=True)

    s = sub.add_parser("organize", help=ORGANIZE_HELP, description=ORGANIZE_HELP)
    s.set_defaults(func=cmd_data_organize)
    s.add_argument("src", metavar="SRC", help="folder with the images directly inside")
    s.add_argument("dst", metavar="DST", help="folder to create DST/<class>/<file> in (may exist)")
    s.add_argument("--by", required=True, choices=["filename", "csv"],
                   help="where the class comes from")
    s.add_argument("--labels", metavar="CSV", help="with --by csv: the CSV of labels")
    add_label_options(s)
    s.add_argument("--move", action="store_true",
                   help="move the files instead of hard-linking them (changes SRC)")
    s.add_argument("--dry-run", action="store_true", help="only print the plan")

    s = sub.add_parser("inspect", help=INSPECT_HELP, description=INSPECT_HELP)
    s.set_defaults(func=cmd_data_inspect)
    s.add_argument("dir", metavar="DIR", help="the dataset folder")
    s.add_argument("--grid", metavar="PNG", help="also draw sample images per class into PNG")
    s.add_argument("--per-class", type=int, default=4, metavar="N",
                   help="images per class in the grid (default 4)")
    return data


def cmd_data_organize(args: argparse.Namespace) -> int:
    """``zoo data organize``: print the plan (and do it unless ``--dry-run``); 0 when done."""
    from zoo.data.organize import organize

    if args.by == "csv" and not args.labels:
        raise DatasetError("--by csv needs --labels FILE (the CSV of labels)")
    if args.by == "filename" and args.labels:
        raise DatasetError("--labels is the CSV of --by csv; with --by filename the class "
                           "comes from the file name (--pattern)")
    if args.by == "csv" and args.pattern:
        raise DatasetError("--pattern applies to --by filename only")
    plan = organize(args.src, args.dst, by=args.by, labels=args.labels, pattern=args.pattern,
                    move=args.move, dry_run=args.dry_run, id_column=args.id_column,
                    label_column=args.label_column)
    print(plan.summary())
    return 0


def cmd_data_inspect(args: argparse.Namespace) -> int:
    """``zoo data inspect``: print the report (and write the grid PNG); 0 when done."""
    from zoo.data.inspect import inspect, write_grid

    report = inspect(args.dir)
    print(report)
    if args.grid:
        print(f"grid: {write_grid(report, args.grid, per_class=args.per_class)}")
    return 0
