"""The index: every repo a caller may see, one row each, searchable and filterable.

Rows are built from each repo's head commit. Commits never change once written, so a row's
metadata is cached by commit id and a new commit simply misses the cache; only the refs and
``repo.json`` (privacy) are read on every request.

Example:
    >>> catalog = Catalog(hub)
    >>> page = catalog.query(Caller(), IndexQuery(q="cnn", framework="TensorFlow"))
    >>> [row.repo_id for row in page.rows]
    ['zoo/cnn']
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from zoo.errors import HubError
from zoo.hub.local import LocalHub
from zoo.hub.server.auth import Caller
from zoo.hub.web.metadata import FRAMEWORK_FILES, Metadata, read_metadata

PAGE_SIZE = 50
# Commits whose metadata stays in memory (a few KB each, mostly the card): enough for every
# head of a 10,000-repo hub plus the revisions people open, without growing forever.
MAX_CACHED = 20_000
SORTS = {  # ?sort= value -> (key of a row, newest/biggest first)
    "updated": (lambda row: row.updated or "", True),
    "name": (lambda row: row.repo_id.lower(), False),
    "params": (lambda row: row.meta.params or 0 if row.meta else 0, True),
}
DEFAULT_SORT = "updated"
FRAMEWORKS = tuple(FRAMEWORK_FILES.values())


@dataclass(frozen=True)
class Row:
    """One repo of the index (``meta`` is None for a repo without commits)."""

    repo_id: str
    private: bool
    meta: Metadata | None

    @property
    def updated(self) -> str | None:
        return self.meta.time if self.meta else None

    def matches(self, words: list[str]) -> bool:
        meta = self.meta
        text = " ".join([self.repo_id, *(
            [meta.task or "", meta.description, meta.recipe_name or "", *meta.datasets,
             *meta.tags] if meta else [])]).lower()
        return all(word in text for word in words)


@dataclass(frozen=True)
class IndexQuery:
    """The index's query string: free text, task and framework filters, sort, 1-based page."""

    q: str = ""
    task: str = ""
    framework: str = ""
    sort: str = DEFAULT_SORT
    page: int = 1


@dataclass(frozen=True)
class IndexPage:
    rows: list[Row]
    total: int
    page: int
    pages: int
    tasks: list[str]


class Catalog:
    """Rows of a LocalHub's repos with a per-commit cache of their metadata (thread-safe)."""

    def __init__(self, hub: LocalHub, max_cached: int = MAX_CACHED) -> None:
        self.hub = hub
        self.max_cached = max_cached
        # (repo, commit) -> metadata, least recently used first
        self._cache: OrderedDict[tuple[str, str], Metadata] = OrderedDict()
        self._lock = threading.Lock()

    def _cached(self, key: tuple[str, str]) -> Metadata | None:
        with self._lock:
            hit = self._cache.get(key)
            if hit is not None:
                self._cache.move_to_end(key)
            return hit

    def metadata(self, repo_id: str, commit: dict[str, Any]) -> Metadata:
        """The metadata of a commit, computed once while it stays among the
        ``max_cached`` most recently used."""
        key = (repo_id, commit["id"])
        meta = self._cached(key)
        if meta is not None:
            return meta
        meta = read_metadata(self.hub, repo_id, commit)
        with self._lock:
            self._cache[key] = meta
            while len(self._cache) > self.max_cached:
                self._cache.popitem(last=False)
        return meta

    def row(self, repo_id: str) -> Row | None:
        """The index row of a repo; None if it vanished or is damaged meanwhile (a damaged
        repo must not take the whole index down: its own page says what is wrong)."""
        try:
            info = self.hub.repo_info(repo_id, refs=False)
            head = info["head"]
            meta = None if head is None else (
                self._cached((repo_id, head))
                or self.metadata(repo_id, self.hub.get_commit(repo_id, head)))
            return Row(repo_id, bool(info.get("private")), meta)
        except HubError:
            return None

    def warm(self) -> int:
        """Read every repo's head metadata once (the server does it at start, in a thread,
        so the first visitor does not wait for 500 repos' cards and headers). Returns the
        number of repos read."""
        return sum(self.row(repo_id) is not None for repo_id in self.hub.list_repos())

    def rows(self, who: Caller) -> list[Row]:
        """Every repo ``who`` may see: private ones only with a token."""
        rows = (self.row(repo_id) for repo_id in self.hub.list_repos())
        return [r for r in rows if r is not None and (who.user is not None or not r.private)]

    def query(self, who: Caller, query: IndexQuery) -> IndexPage:
        """One page of the rows that match every word of ``q`` and the filters."""
        visible = self.rows(who)
        tasks = sorted({r.meta.task for r in visible if r.meta and r.meta.task})
        words = query.q.lower().split()
        rows = [r for r in visible if r.matches(words)
                and (not query.task or (r.meta and r.meta.task == query.task))
                and (not query.framework or (r.meta and query.framework in r.meta.frameworks))]
        key, reverse = SORTS.get(query.sort, SORTS[DEFAULT_SORT])
        rows.sort(key=key, reverse=reverse)
        pages = max(1, -(-len(rows) // PAGE_SIZE))
        page = min(max(1, query.page), pages)
        return IndexPage(rows[(page - 1) * PAGE_SIZE: page * PAGE_SIZE], len(rows), page, pages,
                         tasks)
