"""Names in a LocalHub: repo ids, branch and tag names, paths in a repo, commit ids, and the
errors raised when a name is invalid, names nothing, is taken, or is no longer the head.

Every name becomes a path on disk, so each is validated before it is joined to the root.
The error classes are all :class:`HubError`; the subclasses let callers such as the HTTP
server (``zoo.hub.server``) answer with the right status without parsing messages.

Example:
    >>> check_repo_id("me/sine")
    ('me', 'sine')
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from collections.abc import Iterable, Mapping
from typing import Any

from zoo.errors import HubError

PART = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,95}")
REF = re.compile(r"[A-Za-z0-9][A-Za-z0-9._/-]{0,127}")
HEX40 = re.compile(r"[0-9a-f]{40}")
HEX64 = re.compile(r"[0-9a-f]{64}")
REF_DIRS = {"branch": "heads", "tag": "tags"}
MAX_LISTED = 50


class InvalidNameError(HubError, ValueError):
    """A repo id, branch/tag name or path in a repo that is not allowed."""


class RepoNotFoundError(HubError):
    """The repo does not exist."""


class RevisionNotFoundError(HubError):
    """The revision (commit id, branch or tag) does not exist in the repo."""


class EntryNotFoundError(HubError):
    """The path (file or folder) is not in the commit."""


class AlreadyExistsError(HubError):
    """The repo, branch or tag already exists (or a tag would have to move)."""


class BranchMovedError(HubError):
    """A commit named a parent that is no longer the head of its branch."""


def check_repo_id(repo_id: Any) -> tuple[str, str]:
    parts = repo_id.split("/") if isinstance(repo_id, str) else []
    if len(parts) != 2 or not all(PART.fullmatch(p) and ".." not in p for p in parts):
        raise InvalidNameError(f"invalid repo id {repo_id!r}: expected 'namespace/name', each "
                               "part 1-96 characters from A-Z a-z 0-9 . _ - starting with a "
                               "letter or digit, without '..'")
    return parts[0], parts[1]


def check_ref_name(name: Any, kind: str) -> str:
    # Names become paths under refs/, so dot-leading parts are refused too: temp files and
    # leftovers of a crash start with a dot and must never be mistaken for refs.
    ok = (isinstance(name, str) and REF.fullmatch(name) is not None and ".." not in name
          and not HEX40.fullmatch(name.lower())
          and all(p and not p.startswith(".") for p in name.split("/")))
    if not ok:
        raise InvalidNameError(f"invalid {kind} name {name!r}: expected 1-128 characters from "
                               "A-Z a-z 0-9 . _ / - starting with a letter or digit, without "
                               "'..', empty or dot-leading parts, and not 40 hex digits (those "
                               "are commit ids)")
    return name


def check_path(path: Any) -> str:
    bad = not isinstance(path, str) or "\\" in path or "\x00" in path
    if bad or any(p in ("", ".", "..") for p in path.split("/")):
        raise InvalidNameError(f"invalid path in repo {path!r}: expected a relative POSIX path "
                               "such as 'plots/loss.png' (no leading '/', no '.' or '..' parts, "
                               "no backslash, no empty parts)")
    return path


def listing(names: Iterable[str]) -> str:
    names = sorted(names)
    shown = ", ".join(names[:MAX_LISTED]) or "(none)"
    return shown + (f" and {len(names) - MAX_LISTED} more" if len(names) > MAX_LISTED else "")


def commit_id(body: Mapping[str, Any]) -> str:
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"))
    return hashlib.sha1(canonical.encode("utf-8")).hexdigest()


def utc_now() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
