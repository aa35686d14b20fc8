"""``zoo pull``, ``zoo push`` and ``zoo verify``: move pinned commits between hubs and
re-check what the manifest promises.

Example:
    >>> pull("hf://me/sine@v1")                       # every file of that commit, checked
    >>> push("zoo/seq2seq", source="bundled", target="http://127.0.0.1:8080")
    >>> [r.passed for r in verify()]                  # hashes and parity of every entry
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from zoo.errors import ZooError


@dataclasses.dataclass
class Pulled:
    repo: str
    commit: str
    files: dict[str, Path]

    def __str__(self) -> str:
        rows = "\n".join(f"  {name}  ({path.stat().st_size} bytes)"
                         for name, path in sorted(self.files.items()))
        return f"{self.repo}@{self.commit}: {len(self.files)} files, all checked\n{rows}"


def pull(ref: str, hub: str | Path | None = None, revision: str | None = None) -> Pulled:
    """Fetch every file of one commit into the hub's cache, each checked (and against the
    manifest's sha256 when ``ref`` is a manifest entry), so later loads work offline."""
    from zoo.loading import pinned_sha256, resolve_ref

    target = resolve_ref(ref, hub, revision)
    store, repo, commit, pinned = target.store, target.repo, target.commit, target.pinned
    listing = store.list_files(repo, commit)
    files = store.file_paths(repo, list(listing), commit, verify=True)
    for name, sha in (pinned or {}).items():
        if name in files and pinned_sha256(listing[name], files[name]) != sha:
            raise ZooError(f"{ref}: {name} does not match the sha256 the manifest pins")
    return Pulled(repo, commit, files)


def push(repo: str, source: str | Path | None, target: str | Path, revision: str = "main",
         to_repo: str | None = None, message: str | None = None) -> str:
    """Copy one commit of ``repo`` from hub ``source`` to hub ``target`` as one new commit
    (files checked on the way out); returns the new commit id."""
    from zoo.loading import open_hub

    src = open_hub(source)
    commit = src.resolve(repo, revision)
    files = src.file_paths(repo, list(src.list_files(repo, commit)), commit, verify=True)
    text = message or f"push {repo}@{commit} from {source or 'local'}"
    return open_hub(target).commit(to_repo or repo, files, text)


@dataclasses.dataclass
class Verified:
    ref: str
    passed: bool
    detail: str


def verify(names: list[str] | None = None) -> list[Verified]:
    """Load both backends of every manifest entry (every file sha256-checked against its
    pin) and re-run parity at the recorded tolerance."""
    from zoo.backends import require_both
    from zoo.factory import parity
    from zoo.hub import manifest
    from zoo.loading import load

    require_both()
    results = []
    for (model, _tag), entry in sorted(manifest.load_all().items()):
        if names and model not in names and entry.ref not in names:
            continue
        try:
            models = [load(entry.ref, backend=b) for b in ("torch", "tf")]
            report = parity(*models)
            ok = report.passed and report.max_abs_diff <= entry.parity["atol"]
            detail = (f"files ok, parity max abs diff {report.max_abs_diff:.2e} "
                      f"(recorded {entry.parity['max_abs_diff']:.2e}, atol "
                      f"{entry.parity['atol']:g})")
        except ZooError as err:
            ok, detail = False, str(err)
        results.append(Verified(entry.ref, ok, detail))
    return results
