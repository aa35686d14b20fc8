"""Tokens of ``zoo hub serve``: a table of ``TOKEN USER read|write`` lines, and who a request is.

Policy (the same for every repo, there are no per-namespace permissions):

- no token table configured: reads of public repos are open, private repos are invisible,
  and every write is refused with 401 saying how to configure tokens; an Authorization
  header is ignored (a client with a huggingface.co token must still be able to read);
- with a table: public repos are readable anonymously; any valid token (read or write) can
  read private repos; writes need a write token (none: 401, read token: 403); an unknown
  token is refused with 401 on every request, as the Hub does.

Example:
    >>> table = TokenTable.parse("hf_abc alice write\\n# comment\\nhf_def bob read\\n")
    >>> table.lookup("hf_def")
    Token(user='bob', role='read')
"""

from __future__ import annotations

import hmac
import os
from dataclasses import dataclass
from pathlib import Path

from starlette.requests import Request

from zoo.errors import HubError
from zoo.hub.names import PART
from zoo.hub.server.errors import ApiError, repo_not_found

ENV_VAR = "ZOO_HUB_TOKENS"
ROLES = ("read", "write")
# The client treats exactly this text as "bad token" (not "repo not found") on 401s.
INVALID_TOKEN = "Invalid credentials in Authorization header"


@dataclass(frozen=True)
class Token:
    """What a token grants: the user it acts as, and ``read`` or ``write``."""

    user: str
    role: str


@dataclass(frozen=True)
class Caller:
    """Who sent a request: ``user`` is None for an anonymous request."""

    user: str | None = None
    role: str | None = None

    @property
    def can_write(self) -> bool:
        return self.role == "write"


class TokenTable:
    """Token -> :class:`Token`. Build it with :meth:`parse` or :meth:`load`."""

    def __init__(self, entries: dict[str, Token]) -> None:
        self._entries = dict(entries)

    def __len__(self) -> int:
        return len(self._entries)

    @classmethod
    def parse(cls, text: str, source: str = "tokens") -> TokenTable:
        """Lines ``TOKEN USER read|write``; ``#`` comment lines and blank lines are skipped. A
        malformed line raises HubError naming ``source`` and the line number."""
        entries: dict[str, Token] = {}
        first_line: dict[str, int] = {}
        for number, raw in enumerate(text.splitlines(), start=1):
            line = raw.strip()
            if not line or line.startswith("#"):  # whole-line comments: a token may hold '#'
                continue
            fields = line.split()
            where = f"{source}, line {number}"
            if len(fields) != 3:
                raise HubError(f"{where}: expected 'TOKEN USER read|write', got {len(fields)} "
                               "field(s)")
            token, user, role = fields
            if role not in ROLES:
                raise HubError(f"{where}: the role must be 'read' or 'write', not {role!r}")
            if not PART.fullmatch(user) or ".." in user:
                raise HubError(f"{where}: invalid user {user!r}: it becomes a repo namespace, "
                               "so 1-96 characters from A-Z a-z 0-9 . _ - starting with a "
                               "letter or digit")
            if len(token) < 8:
                raise HubError(f"{where}: the token is shorter than 8 characters; use a long "
                               "random one, e.g. python -c 'import secrets; "
                               "print(secrets.token_urlsafe(32))'")
            if token in entries:
                raise HubError(f"{where}: the same token is already on line "
                               f"{first_line[token]}; every token must be unique")
            entries[token], first_line[token] = Token(user, role), number
        if not entries:  # else every token would be refused, which looks like a bug
            raise HubError(f"{source}: no tokens; add lines 'TOKEN USER read|write', or give no "
                           "tokens at all for a read-only server")
        return cls(entries)

    @classmethod
    def load(cls, path: str | Path | None = None,
             env: dict[str, str] | None = None) -> TokenTable | None:
        """The table of ``path`` if given, else of ``$ZOO_HUB_TOKENS`` (same lines, newlines
        or ``;`` between entries), else None (no tokens: a read-only server)."""
        if path is not None:
            try:
                text = Path(path).expanduser().read_text(encoding="utf-8")
            except OSError as e:
                raise HubError(f"cannot read the tokens file {path}: {e}") from e
            return cls.parse(text, source=str(path))
        value = (os.environ if env is None else env).get(ENV_VAR, "")
        if not value.strip():
            return None
        return cls.parse(value.replace(";", "\n"), source=f"${ENV_VAR}")

    def lookup(self, token: str) -> Token | None:
        """The entry of ``token``, compared in constant time, or None."""
        found = None
        for known, entry in self._entries.items():
            if hmac.compare_digest(known.encode(), token.encode()):
                found = entry
        return found


def _bearer(request: Request) -> str | None:
    header = request.headers.get("authorization")
    if header is None:
        return None
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        raise ApiError(401, f"{INVALID_TOKEN}: expected 'Bearer <token>'")
    return value.strip()


def caller(request: Request) -> Caller:
    """Who sent the request; 401 for a token the table does not know."""
    table: TokenTable | None = request.app.state.settings.tokens
    token = _bearer(request)
    if table is None or token is None:
        return Caller()
    entry = table.lookup(token)
    if entry is None:
        raise ApiError(401, f"{INVALID_TOKEN}: this token is not in the server's token table")
    return Caller(entry.user, entry.role)


def writer(request: Request) -> Caller:
    """The caller of a write request: 401 without a usable token, 403 for a read token."""
    if request.app.state.settings.tokens is None:
        raise ApiError(401, "this server accepts no writes: it was started without tokens; "
                            "restart it with --tokens FILE (lines 'TOKEN USER write') or "
                            f"${ENV_VAR}, then pass the token (token=... or HF_TOKEN)")
    who = caller(request)
    if who.user is None:
        raise ApiError(401, "writes need a token: pass token=... to HfApi or set HF_TOKEN to a "
                            "write token of this server")
    if not who.can_write:
        raise ApiError(403, f"the token of {who.user!r} is read-only; writes need a token with "
                            "the 'write' role")
    return who


def check_readable(who: Caller, repo_id: str, info: dict) -> None:
    """Private repos are readable by any token of the table; others see 404 RepoNotFound."""
    if info.get("private") and who.user is None:
        raise repo_not_found(repo_id)
