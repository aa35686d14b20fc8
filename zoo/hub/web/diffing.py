"""The Compare page: which files changed between two commits, and a line diff of the
metadata files (card, config, metrics, parity, recipe, vocabularies).

Weights are compared by sha256 only: a diff of safetensors bytes says nothing a reader can
use, while a changed ``metrics.json`` or ``parity.json`` is what "what changed?" means.

Example:
    >>> changes, diffs = compare(hub, "zoo/cnn", old_commit, new_commit)
    >>> [(c.kind, c.path) for c in changes]
    [('modified', 'metrics.json'), ('modified', 'model.safetensors')]
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Any

from zoo.hub.local import LocalHub

#: files diffed line by line (by suffix), if both sides are at most MAX_DIFF_BYTES
TEXT_SUFFIXES = (".md", ".json", ".toml", ".yaml", ".yml", ".txt", ".csv")
MAX_DIFF_BYTES = 256 << 10
CONTEXT_LINES = 3


@dataclass(frozen=True)
class Change:
    kind: str  # added | removed | modified
    path: str
    old: str | None  # sha256 on each side
    new: str | None


@dataclass(frozen=True)
class FileDiff:
    path: str
    lines: list[str]


def file_changes(old: dict[str, Any], new: dict[str, Any]) -> list[Change]:
    """Added, removed and modified files of two commits' ``files`` maps, by path."""
    changes = []
    for path in sorted(set(old) | set(new)):
        a, b = old.get(path), new.get(path)
        if a is None:
            changes.append(Change("added", path, None, b["sha256"]))
        elif b is None:
            changes.append(Change("removed", path, a["sha256"], None))
        elif a["sha256"] != b["sha256"]:
            changes.append(Change("modified", path, a["sha256"], b["sha256"]))
    return changes


def _lines(hub: LocalHub, repo_id: str, commit: dict[str, Any], path: str) -> list[str] | None:
    entry = commit["files"].get(path)
    if entry is None:
        return []
    if entry["size"] > MAX_DIFF_BYTES:
        return None
    try:
        return hub.read_bytes(repo_id, path, revision=commit["id"]).decode("utf-8").splitlines()
    except UnicodeDecodeError:
        return None


def compare(hub: LocalHub, repo_id: str, old: dict[str, Any],
            new: dict[str, Any]) -> tuple[list[Change], list[FileDiff]]:
    """File changes from ``old`` to ``new`` (commit dicts) and unified diffs of the changed
    text files (a file too large or not UTF-8 is listed in the changes only)."""
    changes = file_changes(old["files"], new["files"])
    diffs = []
    for change in changes:
        if not change.path.lower().endswith(TEXT_SUFFIXES):
            continue
        a, b = _lines(hub, repo_id, old, change.path), _lines(hub, repo_id, new, change.path)
        if a is None or b is None:
            continue
        lines = list(difflib.unified_diff(a, b, f"{change.path} @ {old['id'][:12]}",
                                          f"{change.path} @ {new['id'][:12]}",
                                          n=CONTEXT_LINES, lineterm=""))
        diffs.append(FileDiff(change.path, lines))
    return changes, diffs
