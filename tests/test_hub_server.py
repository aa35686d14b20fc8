"""``zoo hub serve`` against the STOCK huggingface_hub client and ``hf`` CLI.

The server runs for real (``python -m zoo hub serve`` under uvicorn, in a subprocess, on a
free port); the client is used exactly as a user would, with ``endpoint=`` and ``token=``.
"""

from __future__ import annotations

import hashlib
import json
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

os.environ["HF_HUB_DISABLE_TELEMETRY"] = "1"  # before the client reads its constants
os.environ["HF_HUB_DISABLE_UPDATE_CHECK"] = "1"

import httpx2  # noqa: E402
from huggingface_hub import (  # noqa: E402
    CommitOperationAdd,
    CommitOperationDelete,
    HfApi,
    HfFileSystem,
    hf_hub_download,
    snapshot_download,
)
from huggingface_hub.errors import (  # noqa: E402
    EntryNotFoundError,
    HfHubHTTPError,
    RepositoryNotFoundError,
    RevisionNotFoundError,
)

from zoo.cli import main as zoo_main  # noqa: E402
from zoo.errors import HubError  # noqa: E402
from zoo.hub.server.auth import TokenTable  # noqa: E402

pytestmark = pytest.mark.hub
ROOT = Path(__file__).resolve().parents[1]
HF_CLI = Path(sys.executable).with_name("hf")
WRITE, READ, WRONG = "zoo-test-write-token", "zoo-test-read-token", "zoo-test-unknown-token"
PAGE = 2  # tiny pages, so every listing below is paginated


def git_sha1(data: bytes) -> str:
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


@dataclass
class Server:
    url: str
    root: Path
    proc: subprocess.Popen
    log: Path

    def api(self, token: str | bool = WRITE) -> HfApi:
        return HfApi(endpoint=self.url, token=token)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start(tmp: Path, *args: str) -> Server:
    port, log = _free_port(), tmp / "server.log"
    env = {k: v for k, v in os.environ.items() if k != "ZOO_HUB_TOKENS"}
    env["PYTHONPATH"] = str(ROOT)
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "zoo", "hub", "serve", "--root", str(tmp / "hub"),
             "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning", *args],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    server = Server(f"http://127.0.0.1:{port}", tmp / "hub", proc, log)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"the server exited with {proc.returncode}:\n{log.read_text()}")
        try:
            httpx2.get(f"{server.url}/api/whoami-v2", timeout=1)
            return server
        except httpx2.TransportError:
            time.sleep(0.1)
    _stop(server)
    pytest.fail(f"the server did not answer within 30 s:\n{log.read_text()}")


def _stop(server: Server) -> None:
    server.proc.terminate()
    try:
        server.proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        server.proc.kill()
        server.proc.wait()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    tmp = tmp_path_factory.mktemp("hubserver")
    (tmp / "tokens.txt").write_text(f"# test tokens\n\n{WRITE} alice write\n{READ} bob read\n")
    srv = _start(tmp, "--tokens", str(tmp / "tokens.txt"), "--page-size", str(PAGE))
    yield srv
    _stop(srv)


_counter = iter(range(10_000))


def new_repo(server: Server, private: bool = False) -> str:
    repo_id = f"alice/repo{next(_counter)}"
    server.api().create_repo(repo_id, private=private)
    return repo_id


def upload(server: Server, repo_id: str, files: dict[str, bytes], message: str = "upload",
           revision: str | None = None) -> str:
    ops = [CommitOperationAdd(path, data) for path, data in files.items()]
    return server.api().create_commit(repo_id, ops, commit_message=message,
                                      revision=revision).oid


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """README.md, config.json, a nested folder and a 3 MB binary."""
    root = tmp_path / "upload"
    (root / "nested" / "deeper").mkdir(parents=True)
    (root / "README.md").write_text("---\nlicense: mit\n---\n# A model\n")
    (root / "config.json").write_text('{"units": 32}')
    (root / "nested" / "a.txt").write_text("a")
    (root / "nested" / "deeper" / "b.txt").write_text("b")
    (root / "nested" / "with space é.txt").write_text("unicode and a space")
    (root / "nested" / "empty.txt").write_bytes(b"")
    (root / "weights.bin").write_bytes(os.urandom(3 * 1024 * 1024))
    return root


def local_files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes()
            for p in sorted(root.rglob("*")) if p.is_file()}


def test_upload_folder_and_downloads_are_byte_identical(server: Server, folder: Path,
                                                        tmp_path: Path) -> None:
    api = server.api()
    url = api.create_repo("alice/roundtrip")
    assert url == f"{server.url}/alice/roundtrip" and url.repo_id == "alice/roundtrip"
    assert api.create_repo("alice/roundtrip", exist_ok=True).repo_id == "alice/roundtrip"
    with pytest.raises(HfHubHTTPError) as err:
        api.create_repo("alice/roundtrip")
    assert err.value.response.status_code == 409
    info = api.upload_folder(repo_id="alice/roundtrip", folder_path=folder, commit_message="v1")
    expected = local_files(folder)
    assert sorted(api.list_repo_files("alice/roundtrip")) == sorted([".gitattributes",
                                                                     *expected])
    for path, data in expected.items():
        got = hf_hub_download("alice/roundtrip", path, endpoint=server.url, token=WRITE,
                              cache_dir=tmp_path / "cache")
        assert Path(got).read_bytes() == data, path
    snap = Path(snapshot_download("alice/roundtrip", endpoint=server.url, token=WRITE,
                                  cache_dir=tmp_path / "snap"))
    assert snap.name == info.oid
    assert {k: v for k, v in local_files(snap).items() if k != ".gitattributes"} == expected
    model = api.model_info("alice/roundtrip", files_metadata=True)
    assert model.sha == info.oid and model.private is False
    by_name = {s.rfilename: s for s in model.siblings}
    assert by_name["weights.bin"].size == 3 * 1024 * 1024
    assert by_name["weights.bin"].blob_id == git_sha1(expected["weights.bin"])
    assert model.last_modified is not None and model.last_modified.tzinfo is not None
    assert api.file_exists("alice/roundtrip", "nested/deeper/b.txt")
    assert api.whoami()["name"] == "alice"
    assert api.whoami(token=READ)["auth"]["accessToken"]["role"] == "read"
    # an unchanged re-upload is skipped by the client (preupload returned the same sha1)
    api.upload_folder(repo_id="alice/roundtrip", folder_path=folder, commit_message="again")
    assert len(api.list_repo_commits("alice/roundtrip")) == 2


def test_tree_listing_pagination_and_last_commits(server: Server) -> None:
    api, repo = server.api(), new_repo(server)
    first = upload(server, repo, {"a.txt": b"1", "d/x.txt": b"2", "d/e/y.txt": b"3"}, "one")
    second = upload(server, repo, {"d/e/y.txt": b"33", "z.txt": b"4"}, "two\n\nmore words")
    entries = list(api.list_repo_tree(repo, recursive=True))
    assert sorted(e.path for e in entries) == [".gitattributes", "a.txt", "d", "d/e",
                                               "d/e/y.txt", "d/x.txt", "z.txt"]
    assert {e.path: e.blob_id for e in entries if hasattr(e, "blob_id")}["d/e/y.txt"] == \
        git_sha1(b"33")
    assert sorted(e.path for e in api.list_repo_tree(repo)) == [".gitattributes", "a.txt",
                                                                "d", "z.txt"]
    assert sorted(e.path for e in api.list_repo_tree(repo, "d")) == ["d/e", "d/x.txt"]
    assert [e.path for e in api.list_repo_tree(repo, "d/e", revision=first)] == ["d/e/y.txt"]
    for missing in ("nope", "a.txt"):  # a file is not a folder: the client lists the parent
        with pytest.raises(EntryNotFoundError):
            list(api.list_repo_tree(repo, missing))
    expanded = {e.path: e.last_commit for e in api.list_repo_tree(repo, recursive=True,
                                                                  expand=True)}
    assert expanded["a.txt"].oid == first and expanded["d/x.txt"].oid == first
    assert expanded["d/e/y.txt"].oid == second and expanded["d"].oid == second
    assert expanded["z.txt"].title == "two"
    # the next-page link is absolute and pinned to the resolved commit
    r = httpx2.get(f"{server.url}/api/models/{repo}/tree/main", params={"recursive": "true"})
    assert len(r.json()) == PAGE
    assert r.headers["link"].startswith(f"<{server.url}/api/models/{repo}/tree/{second}?")
    assert r.headers["link"].endswith('>; rel="next"')
    infos = api.get_paths_info(repo, ["a.txt", "d", "missing.txt"], revision=first)
    assert [(i.path, type(i).__name__) for i in infos] == [("a.txt", "RepoFile"),
                                                          ("d", "RepoFolder")]
    commits = api.list_repo_commits(repo)  # 3 commits over pages of 2
    assert [c.commit_id for c in commits][:2] == [second, first]
    assert [c.title for c in commits] == ["two", "one", "initial commit"]
    assert commits[0].message == "more words" and commits[0].authors == ["alice"]


def test_branches_tags_and_revision_pinning(server: Server, tmp_path: Path) -> None:
    api, repo = server.api(), new_repo(server)
    old = upload(server, repo, {"w.bin": b"old"}, "old")
    api.create_tag(repo, tag="v1")
    api.create_branch(repo, branch="feature/x", revision=old)  # '/' in a path segment
    api.create_branch(repo, branch="feature/x", exist_ok=True)
    new = upload(server, repo, {"w.bin": b"new"}, "new")
    on_branch = upload(server, repo, {"w.bin": b"branch"}, "on branch", revision="feature/x")
    refs = api.list_repo_refs(repo)
    assert {b.name: b.target_commit for b in refs.branches} == {"main": new,
                                                                "feature/x": on_branch}
    assert {t.name: t.target_commit for t in refs.tags} == {"v1": old}

    def read(revision: str) -> bytes:
        return Path(hf_hub_download(repo, "w.bin", revision=revision, endpoint=server.url,
                                    token=WRITE, cache_dir=tmp_path / "c")).read_bytes()

    assert (read(old), read("v1"), read("main"), read(new)) == (b"old", b"old", b"new", b"new")
    assert read("feature/x") == b"branch"
    assert api.model_info(repo, revision="v1").sha == old
    with pytest.raises(HfHubHTTPError) as err:
        api.create_tag(repo, tag="v1")
    assert err.value.response.status_code == 409
    api.create_tag(repo, tag="v1", revision=old, exist_ok=True)
    api.delete_tag(repo, tag="v1")
    api.delete_branch(repo, branch="feature/x")
    assert not api.revision_exists(repo, "v1") and not api.revision_exists(repo, "feature/x")
    with pytest.raises(RevisionNotFoundError):
        hf_hub_download(repo, "w.bin", revision="nope", endpoint=server.url, token=WRITE,
                        cache_dir=tmp_path / "c2")
    with pytest.raises(HfHubHTTPError) as err:
        api.delete_branch(repo, branch="main")
    assert err.value.response.status_code == 403


def test_delete_file_and_folder_in_a_commit(server: Server) -> None:
    api, repo = server.api(), new_repo(server)
    upload(server, repo, {"keep.txt": b"k", "gone.txt": b"g", "dir/a": b"a", "dir/b/c": b"c"})
    api.create_commit(repo, [CommitOperationDelete("gone.txt"),
                             CommitOperationDelete("dir/")], commit_message="prune")
    assert sorted(api.list_repo_files(repo)) == [".gitattributes", "keep.txt"]
    api.delete_file("keep.txt", repo)
    assert api.list_repo_files(repo) == [".gitattributes"]
    with pytest.raises(EntryNotFoundError):
        api.delete_file("never-there.txt", repo)


def test_missing_repos_files_and_revisions(server: Server, tmp_path: Path) -> None:
    api, repo = server.api(), new_repo(server)
    assert api.repo_exists(repo) and not api.repo_exists("alice/does-not-exist")
    assert not api.file_exists(repo, "nope.txt")
    assert not api.file_exists("alice/does-not-exist", "nope.txt")
    assert not api.revision_exists(repo, "no-such-branch")
    with pytest.raises(RepositoryNotFoundError):
        api.model_info("alice/does-not-exist")
    with pytest.raises(RepositoryNotFoundError):
        api.repo_info(repo, repo_type="dataset")
    with pytest.raises(EntryNotFoundError):
        hf_hub_download(repo, "nope.txt", endpoint=server.url, token=WRITE,
                        cache_dir=tmp_path / "c")
    api.delete_repo(repo)
    assert not api.repo_exists(repo)
    api.delete_repo(repo, missing_ok=True)


def test_private_repo_is_invisible_without_a_token(server: Server, tmp_path: Path) -> None:
    repo = new_repo(server, private=True)
    upload(server, repo, {"secret.txt": b"s3cret"})
    anonymous = server.api(token=False)
    assert not anonymous.repo_exists(repo)
    with pytest.raises(RepositoryNotFoundError):
        anonymous.model_info(repo)
    with pytest.raises(RepositoryNotFoundError):
        list(anonymous.list_repo_tree(repo))
    with pytest.raises(RepositoryNotFoundError):
        hf_hub_download(repo, "secret.txt", endpoint=server.url, token=False,
                        cache_dir=tmp_path / "anon")
    assert repo not in [m.id for m in anonymous.list_models(author="alice")]
    reader = server.api(token=READ)
    assert reader.model_info(repo).private is True
    assert repo in [m.id for m in reader.list_models(author="alice")]
    got = hf_hub_download(repo, "secret.txt", endpoint=server.url, token=READ,
                          cache_dir=tmp_path / "bob")
    assert Path(got).read_bytes() == b"s3cret"


def test_wrong_token_and_read_only_token(server: Server) -> None:
    repo = new_repo(server)
    for call in (lambda: server.api(WRONG).model_info(repo),
                 lambda: server.api(WRONG).whoami(),
                 lambda: server.api(False).create_repo("alice/anon")):
        with pytest.raises(HfHubHTTPError) as err:
            call()
        assert err.value.response.status_code == 401
    assert "not in the server's token table" in _error(
        lambda: server.api(WRONG).model_info(repo))
    reader = server.api(READ)
    for call in (lambda: reader.create_repo("bob/mine"),
                 lambda: reader.upload_file(path_or_fileobj=b"x", path_in_repo="x.txt",
                                            repo_id=repo),
                 lambda: reader.create_branch(repo, branch="dev")):
        with pytest.raises(HfHubHTTPError) as err:
            call()
        assert err.value.response.status_code == 403 and "read-only" in str(err.value)
    assert reader.create_repo(repo, exist_ok=True).repo_id == repo  # exists: fine to read
    assert server.api().list_repo_files(repo) == [".gitattributes"]


def _error(call: Callable[[], object]) -> str:
    try:
        call()
    except HfHubHTTPError as e:
        return str(e)
    raise AssertionError("no error")


def test_invalid_paths_and_raw_protocol_errors(server: Server) -> None:
    repo, auth = new_repo(server), {"Authorization": f"Bearer {WRITE}"}
    upload(server, repo, {"ok.txt": b"ok"})
    base = f"{server.url}/api/models/{repo}"

    def commit(*lines: str, query: str = "") -> httpx2.Response:
        header = '{"key": "header", "value": {"summary": "raw"}}'
        body = "\n".join([header, *lines]) + "\n"
        return httpx2.post(f"{base}/commit/main{query}", content=body, headers=auth)

    for bad in ("../evil", "/abs", "a\\b", ".git/config", "a/../../evil", "x\x00y"):
        r = commit(json.dumps({"key": "file", "value": {"path": bad, "content": "eA==",
                                                        "encoding": "base64"}}))
        assert r.status_code == 400 and "invalid path" in r.json()["error"], (bad, r.text)
    for bad in ("..%2F..%2Fetc%2Fpasswd", "a%00b", "a%5Cb", "%2Fetc%2Fpasswd"):
        r = httpx2.get(f"{server.url}/{repo}/resolve/main/{bad}")
        assert r.status_code == 400 and "invalid path" in r.json()["error"], bad
    r = httpx2.get(f"{base}/tree/main/..%2F..")
    assert r.status_code == 400
    r = httpx2.post(f"{base}/preupload/main", json={"files": [{"path": "../x", "size": 1}]},
                    headers=auth)
    assert r.status_code == 400
    r = commit('{"key": "lfsFile", "value": {"path": "w", "algo": "sha256", "oid": "00"}}')
    assert r.status_code == 400 and "LFS" in r.json()["error"]
    r = commit('{"key": "file", "value": {"path": "a", "content": "not base64!"}}')
    assert r.status_code == 400 and "base64" in r.json()["error"]
    assert commit(query="?create_pr=1").status_code == 400
    assert "evil" not in {p.name for p in server.root.parent.rglob("*")}
    assert server.api().list_repo_files(repo) == [".gitattributes", "ok.txt"]
    r = httpx2.post(f"{server.url}/api/validate-yaml", json={"content": "x", "repoType": "model"})
    assert r.status_code == 200 and r.json() == {"errors": [], "warnings": []}
    assert httpx2.get(f"{server.url}/api/agent-harnesses").status_code == 404
    r = httpx2.get(f"{server.url}/api/not-an-endpoint")
    assert r.status_code == 404 and "zoo hub serve" in r.json()["error"]


def test_stale_parent_commit_is_refused(server: Server) -> None:
    api, repo = server.api(), new_repo(server)
    first = upload(server, repo, {"f": b"1"})
    second = upload(server, repo, {"f": b"2"})
    with pytest.raises(HfHubHTTPError) as err:
        api.create_commit(repo, [CommitOperationAdd("f", b"3")], commit_message="stale",
                          parent_commit=first)
    assert err.value.response.status_code == 412
    assert "branch moved" in str(err.value) and second in str(err.value)
    assert api.model_info(repo).sha == second
    third = api.create_commit(repo, [CommitOperationAdd("f", b"3")], commit_message="ok",
                              parent_commit=second[:7]).oid  # a short id of the head
    assert api.model_info(repo).sha == third


def test_concurrent_commits_to_one_branch_all_land(server: Server) -> None:
    api, repo = server.api(), new_repo(server)
    barrier, errors = threading.Barrier(2), []

    def writer(name: str) -> None:
        try:
            barrier.wait()
            for i in range(4):
                HfApi(endpoint=server.url, token=WRITE).upload_file(
                    path_or_fileobj=f"{name}{i}".encode(), path_in_repo=f"{name}/{i}.txt",
                    repo_id=repo, commit_message=f"{name} {i}")
        except Exception as e:  # any failure, reported by the assert below
            errors.append(e)

    threads = [threading.Thread(target=writer, args=(n,)) for n in ("left", "right")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    files = api.list_repo_files(repo)
    assert sorted(files) == sorted([".gitattributes", *(f"{n}/{i}.txt" for n in
                                                         ("left", "right") for i in range(4))])
    assert len(api.list_repo_commits(repo)) == 1 + 8


def test_range_requests_and_download_headers(server: Server) -> None:
    repo, data = new_repo(server), os.urandom(100_000)
    sha = upload(server, repo, {"blob.bin": data})
    url = f"{server.url}/{repo}/resolve/main/blob.bin"
    head = httpx2.head(url)
    assert head.status_code == 200 and head.headers["x-repo-commit"] == sha
    assert head.headers["etag"] == f'"{git_sha1(data)}"'
    assert head.headers["content-length"] == str(len(data))
    assert head.headers["accept-ranges"] == "bytes"
    r = httpx2.get(url, headers={"Range": "bytes=10-19"})
    assert r.status_code == 206 and r.content == data[10:20]
    assert r.headers["content-range"] == f"bytes 10-19/{len(data)}"
    r = httpx2.get(url, headers={"Range": "bytes=99990-"})
    assert r.status_code == 206 and r.content == data[99990:]
    assert httpx2.get(url, headers={"Range": f"bytes={len(data)}-"}).status_code == 416
    missing = httpx2.head(f"{server.url}/{repo}/resolve/main/missing.bin")
    assert missing.status_code == 404 and missing.headers["x-repo-commit"] == sha
    assert missing.headers["x-error-code"] == "EntryNotFound"
    fs = HfFileSystem(endpoint=server.url, token=WRITE, block_size=4096)
    with fs.open(f"{repo}/blob.bin", "rb") as f:
        f.seek(50_000)
        assert f.read(10_000) == data[50_000:60_000]
    assert fs.cat(f"{repo}/blob.bin") == data
    assert fs.info(f"{repo}/blob.bin")["size"] == len(data)
    with fs.open(f"{repo}/written/by-fs.txt", "wb") as f:  # preupload + commit
        f.write(b"through HfFileSystem")
    fs.invalidate_cache()
    assert fs.cat(f"{repo}/written/by-fs.txt") == b"through HfFileSystem"
    assert fs.ls(f"{repo}/written", detail=False) == [f"{repo}/written/by-fs.txt"]
    fs.rm(f"{repo}/written/by-fs.txt")
    assert not HfApi(endpoint=server.url, token=WRITE).file_exists(repo, "written/by-fs.txt")


def test_offline_mode_reads_the_cache(server: Server, tmp_path: Path) -> None:
    repo = new_repo(server)
    upload(server, repo, {"config.json": b'{"offline": true}'})
    cache = tmp_path / "cache"
    hf_hub_download(repo, "config.json", endpoint=server.url, token=WRITE, cache_dir=cache)
    code = ("from huggingface_hub import hf_hub_download\n"
            f"p = hf_hub_download({repo!r}, 'config.json', endpoint={server.url!r}, "
            f"cache_dir={str(cache)!r})\n"
            "print(open(p).read())")
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "HF_HOME": str(tmp_path / "hfhome")}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                         text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == '{"offline": true}'


def test_hf_cli_upload_and_download(server: Server, folder: Path, tmp_path: Path) -> None:
    env = {**os.environ, "HF_ENDPOINT": server.url, "HF_TOKEN": WRITE,
           "HF_HOME": str(tmp_path / "hfhome")}

    def hf(*args: str) -> str:
        out = subprocess.run([str(HF_CLI), *args], env=env, capture_output=True, text=True,
                             timeout=120)
        assert out.returncode == 0, out.stdout + out.stderr
        return out.stdout

    hf("upload", "alice/cli", str(folder), ".", "--commit-message", "from the cli")
    hf("upload", "alice/cli", str(folder / "config.json"), "extra/config.json",
       "--revision", "dev")  # creates the branch
    hf("download", "alice/cli", "--local-dir", str(tmp_path / "out"))
    got = {k: v for k, v in local_files(tmp_path / "out").items()
           if not k.startswith(".cache/") and k != ".gitattributes"}
    assert got == local_files(folder)
    out = hf("download", "alice/cli", "extra/config.json", "--revision", "dev",
             "--cache-dir", str(tmp_path / "c"))
    one = next(line.split("path:")[-1].strip() for line in out.splitlines()
               if line.rstrip().endswith("extra/config.json"))
    assert Path(one).read_bytes() == (folder / "config.json").read_bytes()
    assert "/snapshots/" in one  # from the cache, at the dev branch's commit


def test_server_without_tokens_is_read_only_and_limits_bodies(server: Server,
                                                              tmp_path: Path) -> None:
    repo = new_repo(server)
    upload(server, repo, {"f.txt": b"public"})
    # a second server process on the same hub directory, without tokens, 1 MiB bodies
    (tmp_path / "hub").symlink_to(server.root)
    other = _start(tmp_path, "--max-body", "1M")
    try:
        api = HfApi(endpoint=other.url, token="whatever-the-client-has")
        assert api.list_repo_files(repo) == [".gitattributes", "f.txt"]  # token ignored
        with pytest.raises(HfHubHTTPError) as err:
            api.upload_file(path_or_fileobj=b"x", path_in_repo="x.txt", repo_id=repo)
        assert err.value.response.status_code == 401 and "--tokens" in str(err.value)
        with httpx2.Client() as client:  # one kept-alive connection for all requests
            r = client.post(f"{other.url}/api/models/{repo}/commit/main",
                            content=b"x" * (2 << 20))
            assert r.status_code == 413 and "limit" in r.json()["error"]
            chunks = (b"x" * 65536 for _ in range(32))  # 2 MiB, chunked: no Content-Length
            r = client.post(f"{other.url}/api/validate-yaml", content=chunks)
            assert r.status_code == 413
            r = client.post(f"{other.url}/api/repos/create", json={"name": "n"})
            assert r.status_code == 401
            assert client.get(f"{other.url}/api/models/{repo}").json()["id"] == repo
    finally:
        _stop(other)


def test_token_table_parsing(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    table = TokenTable.parse("# c\n\n  tok-0123456 alice write \ntok-abcdefg bob read\n")
    assert len(table) == 2 and table.lookup("tok-abcdefg").role == "read"
    assert table.lookup("tok-nope") is None
    for text, message in [("tok-0123456 alice", "line 1: expected"),
                          ("# x\ntok-0123456 alice admin", "line 2: the role"),
                          ("tok-0123456 al/ice read", "invalid user"),
                          ("short alice read", "shorter than 8"),
                          ("# only a comment\n", "no tokens"),
                          ("tok-0123456 a read\n\ntok-0123456 b write", "line 3: the same "
                                                                        "token is already "
                                                                        "on line 1")]:
        with pytest.raises(HubError, match=message):
            TokenTable.parse(text, source="t.txt")
    env = TokenTable.load(env={"ZOO_HUB_TOKENS": "tok-0123456 a write; tok-abcdefg b read"})
    assert env is not None and len(env) == 2
    assert TokenTable.load(env={}) is None
    bad = tmp_path / "tokens.txt"
    bad.write_text("tok-0123456 alice write\n\ntok-abcdefg bob\n")
    assert zoo_main(["hub", "serve", "--root", str(tmp_path / "h"), "--tokens", str(bad)]) == 2
    assert f"{bad}, line 3" in capsys.readouterr().err


def test_missing_fastapi_names_the_extra(tmp_path: Path) -> None:
    code = ("import sys; sys.modules['fastapi'] = None\n"
            "from zoo.cli import main\n"
            f"sys.exit(main(['hub', 'serve', '--root', {str(tmp_path)!r}]))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                         text=True, timeout=60)
    assert out.returncode == 2 and "pip install 'zoo[hub]'" in out.stderr, out.stderr


def test_server_imports_no_framework() -> None:
    code = ("import sys, zoo.cli, zoo.hub.server.app, zoo.hub.server.serve\n"
            "print(sorted(m for m in ('torch', 'tensorflow') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                         text=True, timeout=60)
    assert out.returncode == 0 and out.stdout.strip() == "[]", out.stdout + out.stderr
