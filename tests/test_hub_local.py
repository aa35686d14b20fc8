"""LocalHub: snapshots, refs, validation, corruption detection and crash safety."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import pytest

from zoo.errors import HubError, WeightsError
from zoo.hub import atomic
from zoo.hub import local as hub_local
from zoo.hub.local import LocalHub, default_root
from zoo.hub.names import (
    AlreadyExistsError,
    BranchMovedError,
    EntryNotFoundError,
    InvalidNameError,
    RepoNotFoundError,
    RevisionNotFoundError,
)

pytestmark = pytest.mark.hub
ROOT = Path(__file__).resolve().parents[1]
HEX40 = re.compile(r"[0-9a-f]{40}")


@pytest.fixture
def hub(tmp_path: Path) -> LocalHub:
    return LocalHub(tmp_path / "hub")


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def temp_leftovers(directory: Path) -> list[Path]:
    return [p for p in directory.rglob("*") if p.name.startswith(".") and p.name != ".lock"]


def test_commit_and_read_back(hub: LocalHub, tmp_path: Path) -> None:
    weights = tmp_path / "model.safetensors"
    weights.write_bytes(os.urandom(3 * atomic.CHUNK + 17))  # several chunks through the copy
    cid = hub.commit("me/sine", {"config.json": b'{"a": 1}', "model.safetensors": weights},
                     "first")
    assert HEX40.fullmatch(cid)
    assert hub.read_bytes("me/sine", "config.json") == b'{"a": 1}'
    assert hub.read_bytes("me/sine", "model.safetensors", cid) == weights.read_bytes()
    files = hub.list_files("me/sine")
    assert files == {
        "config.json": {"sha256": sha(b'{"a": 1}'), "size": 8},
        "model.safetensors": {"sha256": sha(weights.read_bytes()),
                              "size": weights.stat().st_size},
    }
    blob = hub.file_path("me/sine", "model.safetensors")
    assert blob == hub.root / "blobs" / "sha256" / blob.name[:2] / blob.name
    assert blob.name == atomic.sha256_file(weights)
    # str paths are local files too
    cid2 = hub.commit("me/sine", {"copy.bin": str(weights)}, "str path")
    assert hub.list_files("me/sine", cid2)["copy.bin"]["sha256"] == sha(weights.read_bytes())
    info = hub.repo_info("me/sine")
    assert info["id"] == "me/sine" and info["private"] is False
    assert info["head"] == cid2 and info["branches"] == {"main": cid2} and info["tags"] == {}


def test_new_repo_has_no_commits(hub: LocalHub) -> None:
    hub.create_repo("me/empty", private=True)
    assert hub.repo_exists("me/empty") and hub.list_repos() == ["me/empty"]
    info = hub.repo_info("me/empty")
    assert info["private"] is True and info["head"] is None and info["branches"] == {}
    with pytest.raises(HubError, match=r"branches: \(none\)"):
        hub.resolve("me/empty")
    hub.create_repo("me/empty")  # exist_ok=True by default
    with pytest.raises(HubError, match="already exists"):
        hub.create_repo("me/empty", exist_ok=False)
    with pytest.raises(HubError, match="does not exist"):
        hub.commit("me/other", {"a": b"x"}, "m", create_repo=False)
    assert not hub.repo_exists("me/other")


def test_snapshot_semantics(hub: LocalHub) -> None:
    c1 = hub.commit("me/m", {"a.txt": b"A", "b.txt": b"B"}, "one")
    c2 = hub.commit("me/m", {"c/d.txt": b"D", "a.txt": b"A2"}, "two")
    assert set(hub.list_files("me/m", c2)) == {"a.txt", "b.txt", "c/d.txt"}
    assert hub.read_bytes("me/m", "b.txt", c2) == b"B"
    assert hub.read_bytes("me/m", "a.txt", c2) == b"A2"
    assert hub.read_bytes("me/m", "a.txt", c1) == b"A"  # old revisions are untouched
    c3 = hub.commit("me/m", {}, "three", delete=["b.txt"])
    assert set(hub.list_files("me/m", c3)) == {"a.txt", "c/d.txt"}
    assert "b.txt" in hub.list_files("me/m", c2)
    with pytest.raises(HubError, match=r"b\.txt.*files: a\.txt, c/d\.txt"):
        hub.file_path("me/m", "b.txt")
    with pytest.raises(HubError, match="cannot delete"):
        hub.commit("me/m", {}, "four", delete=["nope.txt"])
    with pytest.raises(HubError, match="both a file and the folder"):
        hub.commit("me/m", {"a.txt/x": b"1"}, "clash")
    with pytest.raises(HubError, match="empty"):
        hub.commit("me/m", {"x": b"1"}, "  ")
    assert hub.resolve("me/m") == c3


def test_parents_and_list_commits(hub: LocalHub) -> None:
    ids = [hub.commit("me/m", {"f": str(i).encode()}, f"c{i}") for i in range(3)]
    commits = hub.list_commits("me/m")
    assert [c["id"] for c in commits] == ids[::-1]
    assert [c["message"] for c in commits] == ["c2", "c1", "c0"]
    assert commits[0]["parents"] == [ids[1]] and commits[-1]["parents"] == []
    assert [c["id"] for c in hub.list_commits("me/m", ids[1])] == [ids[1], ids[0]]
    got = hub.get_commit("me/m", ids[1])
    assert got["author"] == "zoo" and got["files"] == {"f": {"sha256": sha(b"1"), "size": 1}}
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", got["time"])
    # the stored id is the sha1 of the canonical JSON of the other fields
    body = {k: v for k, v in got.items() if k != "id"}
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":")).encode()
    assert hashlib.sha1(canonical).hexdigest() == ids[1]


def test_resolve_branch_tag_id_and_errors(hub: LocalHub) -> None:
    c1 = hub.commit("me/m", {"f": b"1"}, "one")
    hub.create_tag("me/m", "v1")
    hub.create_branch("me/m", "feature/x", revision=c1)
    c2 = hub.commit("me/m", {"f": b"2"}, "two")
    assert hub.resolve("me/m") == hub.resolve("me/m", None) == hub.resolve("me/m", "main") == c2
    assert hub.resolve("me/m", "v1") == c1
    assert hub.resolve("me/m", "feature/x") == c1
    assert hub.resolve("me/m", c1) == c1
    assert hub.resolve("me/m", c1.upper()) == c1
    assert hub.list_refs("me/m") == {"branches": {"feature/x": c1, "main": c2},
                                     "tags": {"v1": c1}}
    for bad in ("nope", "0" * 40, "../../etc", "main/../x"):
        with pytest.raises(HubError) as err:
            hub.resolve("me/m", bad)
        msg = str(err.value)
        assert "branches: feature/x, main" in msg and "tags: v1" in msg
    # committing to a branch other than main
    c3 = hub.commit("me/m", {"g": b"3"}, "on feature", branch="feature/x")
    assert hub.list_commits("me/m", "feature/x")[1]["id"] == c1
    assert set(hub.list_files("me/m", c3)) == {"f", "g"}
    with pytest.raises(HubError, match="create_branch"):
        hub.commit("me/m", {"g": b"3"}, "m", branch="dev")
    with pytest.raises(HubError, match="conflicts"):
        hub.create_branch("me/m", "feature")
    hub.delete_branch("me/m", "feature/x")
    hub.create_branch("me/m", "feature")  # the slot is free again
    with pytest.raises(HubError, match="does not exist"):
        hub.delete_branch("me/m", "feature/x")
    with pytest.raises(HubError, match="already exists"):
        hub.create_branch("me/m", "feature")
    hub.create_branch("me/m", "feature", revision=c1, exist_ok=True)
    assert hub.resolve("me/m", "feature") == c2  # exist_ok does not move a branch


def test_unknown_repo_suggests_close_matches(hub: LocalHub) -> None:
    hub.commit("me/sine", {"f": b"1"}, "one")
    hub.commit("zoo/cnn", {"f": b"1"}, "one")
    with pytest.raises(HubError) as err:
        hub.resolve("me/sin")
    assert "'me/sin'" in str(err.value) and "did you mean me/sine" in str(err.value)
    with pytest.raises(HubError) as err:
        hub.list_files("totally/different")
    assert "does not exist" in str(err.value) and "did you mean" not in str(err.value)
    hub.delete_repo("me/sine")
    assert hub.list_repos() == ["zoo/cnn"]
    assert hub.file_path("zoo/cnn", "f").is_file()  # blobs are shared and stay


@pytest.mark.parametrize("repo_id", [
    "sine", "a/b/c", "../x", "me/..", "me/.hidden", "/abs", "me/", "me/a b", "me/a..b",
    "-me/x", "me/" + "x" * 97, "", None,
])
def test_invalid_repo_ids(hub: LocalHub, repo_id: object) -> None:
    with pytest.raises(HubError, match="invalid repo id"):
        hub.commit(repo_id, {"f": b"1"}, "m")  # type: ignore[arg-type]
    with pytest.raises(HubError, match="namespace/name"):
        hub.resolve(repo_id)  # type: ignore[arg-type]
    assert not (hub.root / "repos").exists() or hub.list_repos() == []


@pytest.mark.parametrize("path", ["../x", "/abs", "a\\b", "a//b", "a/", "./a", "a/../b", ""])
def test_invalid_paths(hub: LocalHub, path: str) -> None:
    hub.commit("me/m", {"ok.txt": b"1"}, "one")
    with pytest.raises(HubError, match="invalid path in repo"):
        hub.commit("me/m", {path: b"x"}, "bad")
    with pytest.raises(HubError, match="invalid path in repo"):
        hub.commit("me/m", {}, "bad", delete=[path])
    with pytest.raises(HubError, match="invalid path in repo"):
        hub.file_path("me/m", path)
    assert len(hub.list_commits("me/m")) == 1


@pytest.mark.parametrize("name", ["../x", "a/../b", "a" * 40, "0123456789abcdef" * 2 + "01234567",
                                  "-x", "a//b", "a/.b", "x/", "", "a b"])
def test_invalid_ref_names(hub: LocalHub, name: str) -> None:
    hub.commit("me/m", {"f": b"1"}, "one")
    with pytest.raises(HubError, match="invalid (branch|tag) name"):
        hub.create_branch("me/m", name)
    with pytest.raises(HubError, match="invalid (branch|tag) name"):
        hub.create_tag("me/m", name)
    with pytest.raises(HubError, match="invalid branch name"):
        hub.commit("me/m", {"f": b"2"}, "m", branch=name)


def test_tags_never_move(hub: LocalHub) -> None:
    c1 = hub.commit("me/m", {"f": b"1"}, "one")
    hub.create_tag("me/m", "v1")
    c2 = hub.commit("me/m", {"f": b"2"}, "two")
    with pytest.raises(HubError, match="never move"):
        hub.create_tag("me/m", "v1", exist_ok=True)  # main is at c2 now
    with pytest.raises(HubError, match="never move"):
        hub.create_tag("me/m", "v1", revision=c2)
    with pytest.raises(HubError, match="already exists"):
        hub.create_tag("me/m", "v1", revision=c1)
    hub.create_tag("me/m", "v1", revision=c1, exist_ok=True)  # same commit: a no-op
    assert hub.resolve("me/m", "v1") == c1
    hub.delete_tag("me/m", "v1")
    with pytest.raises(HubError, match="not a commit, branch or tag"):
        hub.resolve("me/m", "v1")


def test_parent_mismatch_raises(hub: LocalHub) -> None:
    c1 = hub.commit("me/m", {"f": b"1"}, "one")
    c2 = hub.commit("me/m", {"f": b"2"}, "two", parent=c1)
    with pytest.raises(HubError, match="branch moved") as err:
        hub.commit("me/m", {"f": b"3"}, "stale", parent=c1)
    assert c2 in str(err.value) and c1 in str(err.value)
    assert hub.resolve("me/m") == c2
    with pytest.raises(HubError, match="branch moved"):
        hub.commit("me/new", {"f": b"1"}, "first", parent=c1)


def test_read_only_hub_refuses_writes(hub: LocalHub) -> None:
    cid = hub.commit("me/m", {"f": b"1"}, "one")
    ro = LocalHub(hub.root, read_only=True)
    assert ro.read_bytes("me/m", "f") == b"1" and ro.resolve("me/m") == cid
    writes = [
        lambda: ro.create_repo("me/x"), lambda: ro.delete_repo("me/m"),
        lambda: ro.commit("me/m", {"f": b"2"}, "two"),
        lambda: ro.create_branch("me/m", "dev"), lambda: ro.delete_branch("me/m", "main"),
        lambda: ro.create_tag("me/m", "v1"), lambda: ro.delete_tag("me/m", "v1"),
    ]
    for write in writes:
        with pytest.raises(HubError, match=f"read-only hub at {re.escape(str(hub.root))}"):
            write()
    assert hub.list_refs("me/m") == {"branches": {"main": cid}, "tags": {}}
    assert hub.list_repos() == ["me/m"]
    # a read-only hub on a missing directory reads as empty and creates nothing
    missing = hub.root.parent / "nothing"
    assert LocalHub(missing, read_only=True).list_repos() == [] and not missing.exists()


def test_corrupt_blob_detected(hub: LocalHub) -> None:
    data = b"weights" * 1000
    cid = hub.commit("me/m", {"model.safetensors": data}, "one")
    blob = hub.file_path("me/m", "model.safetensors")
    blob.write_bytes(b"x" + data[1:])
    actual = sha(b"x" + data[1:])
    for read in (hub.file_path, hub.read_bytes):
        with pytest.raises(WeightsError) as err:
            read("me/m", "model.safetensors")
        msg = str(err.value)
        assert sha(data) in msg and actual in msg and cid in msg and str(blob) in msg
        assert "me/m" in msg and "model.safetensors" in msg and "delete" in msg
    assert hub.read_bytes("me/m", "model.safetensors", verify=False) != data
    # committing the same content again repairs the blob
    hub.commit("me/m", {"again.safetensors": data}, "repair")
    assert hub.read_bytes("me/m", "model.safetensors", cid) == data
    blob.unlink()
    with pytest.raises(WeightsError, match="missing"):
        hub.file_path("me/m", "model.safetensors")


def test_corrupt_commit_file_detected(hub: LocalHub) -> None:
    cid = hub.commit("me/m", {"f": b"1"}, "one")
    path = hub.root / "repos" / "me" / "m" / "commits" / f"{cid}.json"
    data = json.loads(path.read_text())
    data["files"]["f"]["size"] = 2
    path.write_text(json.dumps(data))
    with pytest.raises(HubError, match="does not hash to"):
        hub.list_files("me/m")


def _fail_on_ref_update(monkeypatch: pytest.MonkeyPatch, calls: list[str]) -> None:
    real_replace = os.replace

    def replace(src, dst, *args, **kwargs):
        calls.append(Path(dst).parent.name)
        if Path(dst).parent.name == "heads":
            raise OSError("simulated crash on the ref update")
        return real_replace(src, dst, *args, **kwargs)

    monkeypatch.setattr(os, "replace", replace)


def test_failed_ref_update_leaves_previous_commit(hub: LocalHub, tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    big = tmp_path / "big.bin"
    big.write_bytes(os.urandom(atomic.CHUNK + 5))
    c1 = hub.commit("me/m", {"a.txt": b"A", "big.bin": big}, "one")
    calls: list[str] = []
    _fail_on_ref_update(monkeypatch, calls)
    with pytest.raises(OSError, match="simulated crash"):
        hub.commit("me/m", {"a.txt": b"A2", "new.txt": b"N"}, "two", delete=["big.bin"])
    assert calls[-1] == "heads" and "commits" in calls  # the ref is written last
    assert calls.index("commits") > max(i for i, c in enumerate(calls) if len(c) == 2)
    monkeypatch.undo()
    assert hub.resolve("me/m") == c1
    assert hub.read_bytes("me/m", "a.txt") == b"A"
    assert hub.read_bytes("me/m", "big.bin") == big.read_bytes()
    assert [c["id"] for c in hub.list_commits("me/m")] == [c1]
    refs_dir = hub.root / "repos" / "me" / "m" / "refs"
    assert temp_leftovers(refs_dir) == [] and not list(refs_dir.rglob("*.tmp"))
    assert temp_leftovers(hub.root / "blobs") == []
    c2 = hub.commit("me/m", {"a.txt": b"A2"}, "two", parent=c1)  # and the hub works on
    assert hub.read_bytes("me/m", "a.txt") == b"A2"
    assert hub.list_commits("me/m")[1]["id"] == c1 and c2 != c1


def test_failed_blob_write_changes_nothing(hub: LocalHub, monkeypatch) -> None:
    c1 = hub.commit("me/m", {"a.txt": b"A"}, "one")

    def boom(path, data):
        raise OSError("disk full")

    monkeypatch.setattr(hub_local, "write_bytes_atomic", boom)
    with pytest.raises(OSError, match="disk full"):
        hub.commit("me/m", {"b.txt": b"B"}, "two")
    assert hub.resolve("me/m") == c1 and len(list(hub.root.rglob("commits/*.json"))) == 1


def test_killed_process_at_ref_update_keeps_repo_readable(hub: LocalHub) -> None:
    """A real crash (os._exit, no cleanup) between writing the ref's temp file and the rename."""
    c1 = hub.commit("me/m", {"a.txt": b"A"}, "one")
    code = textwrap.dedent(f"""
        import os
        from pathlib import Path
        from zoo.hub.local import LocalHub
        real = os.replace
        def replace(src, dst, *a, **k):
            if Path(dst).parent.name == "heads":
                os._exit(9)
            return real(src, dst, *a, **k)
        os.replace = replace
        LocalHub({str(hub.root)!r}).commit("me/m", {{"a.txt": b"B"}}, "two")
    """)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, timeout=60)
    assert proc.returncode == 9, proc.stderr.decode()
    heads = hub.root / "repos" / "me" / "m" / "refs" / "heads"
    assert [p.name for p in temp_leftovers(heads)]  # the crash left its temp file behind...
    assert hub.list_refs("me/m")["branches"] == {"main": c1}  # ...and it is not a branch
    assert hub.read_bytes("me/m", "a.txt") == b"A"
    assert hub.read_bytes("me/m", "a.txt", hub.commit("me/m", {"a.txt": b"C"}, "three")) == b"C"


def test_commit_ids_are_deterministic(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(hub_local, "utc_now", lambda: "2024-01-02T03:04:05Z")
    one, two = LocalHub(tmp_path / "one"), LocalHub(tmp_path / "two")
    ids = [h.commit("me/m", {"b": b"2", "a": b"1"}, "msg", author="me") for h in (one, two)]
    assert ids[0] == ids[1] and HEX40.fullmatch(ids[0])
    assert one.commit("me/m", {"a": b"1"}, "msg", author="me") != ids[0]  # new parent
    other = LocalHub(tmp_path / "three").commit("me/m", {"a": b"1", "b": b"2"}, "other")
    assert other != ids[0]


def test_identical_content_is_one_blob(hub: LocalHub, tmp_path: Path) -> None:
    src = tmp_path / "same.bin"
    src.write_bytes(b"same content")
    hub.commit("me/a", {"x": b"same content", "y": src, "z": b"other"}, "one")
    hub.commit("me/b", {"copy": b"same content"}, "one")
    blobs = sorted(p for p in (hub.root / "blobs").rglob("*") if p.is_file())
    assert [p.name for p in blobs] == sorted([sha(b"same content"), sha(b"other")])
    assert hub.file_path("me/a", "x") == hub.file_path("me/a", "y") == hub.file_path("me/b", "copy")


def test_default_root(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setenv("ZOO_HOME", str(tmp_path / "zh"))
    assert default_root() == tmp_path / "zh" / "hub"
    monkeypatch.delenv("ZOO_HOME")
    monkeypatch.setenv("HOME", str(tmp_path))
    assert default_root() == tmp_path / ".cache" / "zoo" / "hub"


def test_atomic_helpers(tmp_path: Path, monkeypatch) -> None:
    target = tmp_path / "d" / "e" / "f.txt"
    atomic.write_text_atomic(target, "héllo")
    assert target.read_text(encoding="utf-8") == "héllo"
    assert atomic.sha256_file(target) == atomic.sha256_bytes("héllo".encode())
    assert (target.stat().st_mode & 0o777) == 0o644
    src = tmp_path / "src.bin"
    src.write_bytes(os.urandom(2 * atomic.CHUNK + 3))
    assert atomic.copy_file_atomic(src, tmp_path / "dst.bin") == sha(src.read_bytes())
    assert (tmp_path / "dst.bin").read_bytes() == src.read_bytes()

    def boom(src, dst):
        raise OSError("no rename")

    monkeypatch.setattr(os, "replace", boom)
    with pytest.raises(OSError, match="no rename"):
        atomic.write_bytes_atomic(target, b"new")
    assert target.read_text(encoding="utf-8") == "héllo"
    assert sorted(p.name for p in target.parent.iterdir()) == ["f.txt"]


def test_git_sha1_matches_git_and_is_cached(hub: LocalHub) -> None:
    cid = hub.commit("me/m", {"empty": b"", "hello": b"hello\n"}, "one")
    files = hub.list_files("me/m", cid)
    # the ids `git hash-object` prints for these contents
    assert hub.git_sha1(files["empty"]["sha256"]) == "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391"
    hello = files["hello"]["sha256"]
    assert hub.git_sha1(hello) == "ce013625030ba8dba906f756967f9e9ca394464a"
    cached = hub.root / "cache" / "git-sha1" / hello[:2] / hello
    assert cached.read_text().strip() == "ce013625030ba8dba906f756967f9e9ca394464a"
    cached.write_text("garbage")  # a damaged cache entry is recomputed, not trusted
    assert LocalHub(hub.root).git_sha1(hello) == "ce013625030ba8dba906f756967f9e9ca394464a"
    # a read-only hub computes it without writing anything
    shutil.rmtree(hub.root / "cache")
    ro = LocalHub(hub.root, read_only=True)
    assert ro.git_sha1(hello) == "ce013625030ba8dba906f756967f9e9ca394464a"
    assert not (hub.root / "cache").exists()
    assert atomic.git_blob_sha1(hub.file_path("me/m", "hello")) == ro.git_sha1(hello)


def test_delete_folders_in_a_commit(hub: LocalHub) -> None:
    hub.commit("me/m", {"keep.txt": b"k", "d/a": b"a", "d/e/b": b"b", "dx": b"x"}, "one")
    cid = hub.commit("me/m", {"d/new": b"n"}, "prune", delete_folders=["d"])
    assert sorted(hub.list_files("me/m", cid)) == ["d/new", "dx", "keep.txt"]
    with pytest.raises(EntryNotFoundError, match="no file under it"):
        hub.commit("me/m", {}, "again", delete_folders=["nothing"])
    with pytest.raises(HubError, match="invalid path"):
        hub.commit("me/m", {}, "bad", delete_folders=["../d"])


def test_errors_name_what_went_wrong_by_class(hub: LocalHub) -> None:
    c1 = hub.commit("me/m", {"f": b"1"}, "one")
    hub.commit("me/m", {"f": b"2"}, "two")
    hub.create_tag("me/m", "v1")
    cases = [
        (lambda: hub.resolve("me/none"), RepoNotFoundError),
        (lambda: hub.resolve("me/m", "nope"), RevisionNotFoundError),
        (lambda: hub.file_path("me/m", "nope"), EntryNotFoundError),
        (lambda: hub.commit("me/m", {}, "x", delete=["nope"]), EntryNotFoundError),
        (lambda: hub.commit("me/m", {"f": b"3"}, "x", parent=c1), BranchMovedError),
        (lambda: hub.commit("me/m", {"f": b"3"}, "x", branch="dev"), RevisionNotFoundError),
        (lambda: hub.create_repo("me/m", exist_ok=False), AlreadyExistsError),
        (lambda: hub.create_tag("me/m", "v1", revision=c1), AlreadyExistsError),
        (lambda: hub.delete_branch("me/m", "dev"), RevisionNotFoundError),
        (lambda: hub.file_path("me/m", "../f"), InvalidNameError),
        (lambda: hub.resolve("bad id"), InvalidNameError),
    ]
    for call, cls in cases:
        with pytest.raises(cls) as err:
            call()
        assert isinstance(err.value, HubError)  # callers catching HubError are unaffected


def test_iter_commits_is_lazy_and_raises_at_once(hub: LocalHub) -> None:
    ids = [hub.commit("me/m", {"f": str(i).encode()}, f"c{i}") for i in range(3)]
    history = hub.iter_commits("me/m")
    assert next(history)["id"] == ids[2] and [c["id"] for c in history] == ids[1::-1]
    with pytest.raises(RevisionNotFoundError):
        hub.iter_commits("me/m", "nope")  # not at the first next()


def test_concurrent_create_repo_has_one_winner(hub: LocalHub) -> None:
    results: list[str] = []

    def create() -> None:
        try:
            LocalHub(hub.root).create_repo("me/race", exist_ok=False)
            results.append("created")
        except AlreadyExistsError:
            results.append("exists")

    threads = [threading.Thread(target=create) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == ["created"] + ["exists"] * 5
