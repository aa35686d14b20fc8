"""`zoo hub serve` under load and abuse: 8 concurrent uploaders and 32 concurrent
downloaders (a fixed count of requests) lose no commit and serve no wrong byte; malformed
NDJSON, huge headers, traversal paths and wrong tokens get errors, and the server stays up."""

from __future__ import annotations

import hashlib
import json
import os
import socket
from concurrent.futures import ThreadPoolExecutor

import httpx2
import pytest
from huggingface_hub import CommitOperationAdd, HfApi, hf_hub_download
from test_hub_server import READ, WRITE, WRONG, Server, _start, _stop

pytestmark = [pytest.mark.hub, pytest.mark.slow]
UPLOADERS, COMMITS_EACH, DOWNLOADERS, FILES = 8, 3, 32, 4


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("loadserver")
    (tmp / "tokens.txt").write_text(f"{WRITE} alice write\n{READ} bob read\n")
    srv = _start(tmp, "--tokens", str(tmp / "tokens.txt"))
    yield srv
    _stop(srv)


def test_concurrent_uploaders_and_downloaders(server: Server, tmp_path):
    api = HfApi(endpoint=server.url, token=WRITE)
    api.create_repo("alice/read")
    api.create_repo("alice/write")
    blobs = {f"w{i}.bin": os.urandom(256 * 1024) for i in range(FILES)}
    api.create_commit("alice/read", [CommitOperationAdd(p, d) for p, d in blobs.items()],
                      commit_message="seed")
    want = {p: hashlib.sha256(d).hexdigest() for p, d in blobs.items()}

    def uploader(u: int) -> list[str]:
        client = HfApi(endpoint=server.url, token=WRITE)
        return [client.create_commit(
            "alice/write", [CommitOperationAdd(f"u{u}/c{c}.bin", os.urandom(32 * 1024))],
            commit_message=f"uploader {u} commit {c}").oid for c in range(COMMITS_EACH)]

    def downloader(d: int) -> dict[str, str]:
        cache = tmp_path / f"cache{d}"
        return {p: hashlib.sha256(open(hf_hub_download(
            "alice/read", p, endpoint=server.url, token=READ, cache_dir=cache), "rb").read()
        ).hexdigest() for p in blobs}

    with ThreadPoolExecutor(UPLOADERS + DOWNLOADERS) as pool:
        ups = [pool.submit(uploader, u) for u in range(UPLOADERS)]
        downs = [pool.submit(downloader, d) for d in range(DOWNLOADERS)]
        commits = [c for f in ups for c in f.result(timeout=300)]
        hashes = [f.result(timeout=300) for f in downs]
    assert all(h == want for h in hashes)
    history = {c.commit_id for c in api.list_repo_commits("alice/write")}
    assert set(commits) <= history and len(history) == UPLOADERS * COMMITS_EACH + 1
    files = set(api.list_repo_files("alice/write"))
    assert {f"u{u}/c{c}.bin" for u in range(UPLOADERS) for c in range(COMMITS_EACH)} <= files


def test_bad_input_gets_errors_and_the_server_stays_up(server: Server):
    api = HfApi(endpoint=server.url, token=WRITE)
    api.create_repo("alice/abuse", exist_ok=True)
    base = f"{server.url}/api/models/alice/abuse"
    auth = {"Authorization": f"Bearer {WRITE}", "Content-Type": "application/x-ndjson"}
    header = json.dumps({"key": "header", "value": {"summary": "x"}})
    bodies = [
        "this is not json\n",                                      # not NDJSON at all
        json.dumps({"key": "file", "value": {"path": "a", "content": "eA=="}}) + "\n",  # no header
        header + "\n" + '{"key": "file", "value": {"path": "a"}}\n',  # no content
        header + "\n" + '{"key": "nonsense", "value": {}}\n',      # unknown line kind
        header + "\n" + json.dumps({"key": "file", "value": {
            "path": "../../etc/passwd", "content": "eA==", "encoding": "base64"}}) + "\n",
        "[1, 2, 3]\n",
    ]
    for body in bodies:
        r = httpx2.post(f"{base}/commit/main", content=body, headers=auth, timeout=30)
        assert 400 <= r.status_code < 500, (body, r.status_code, r.text)
    r = httpx2.post(f"{base}/commit/main", content=bodies[0],
                    headers={**auth, "Authorization": f"Bearer {WRONG}"}, timeout=30)
    assert r.status_code == 401
    # a 1 MB header: refused (or the connection closed), never a crash
    try:
        r = httpx2.get(f"{server.url}/api/whoami-v2", headers={"X-Huge": "a" * (1 << 20)},
                       timeout=30)
        assert r.status_code >= 400
    except httpx2.TransportError:
        pass
    with socket.create_connection(("127.0.0.1", int(server.url.rsplit(":", 1)[1]))) as s:
        s.sendall(b"GARBAGE / HTTP/9.9\r\n\r\n")  # not HTTP
        s.recv(1024)
    assert server.proc.poll() is None
    assert api.whoami()["name"] == "alice"
    assert api.list_repo_files("alice/abuse") == [".gitattributes"]


def test_behind_a_reverse_proxy_links_name_the_public_address(tmp_path):
    """What README's nginx block relies on: Host and X-Forwarded-Proto from 127.0.0.1 make
    the absolute pagination links point at the public address."""
    srv = _start(tmp_path, "--tokens", str(_tokens(tmp_path)), "--page-size", "1")
    try:
        api = HfApi(endpoint=srv.url, token=WRITE)
        api.create_repo("alice/proxied")
        api.create_commit("alice/proxied", [CommitOperationAdd("a", b"a"),
                                            CommitOperationAdd("b", b"b")], commit_message="2")
        r = httpx2.get(f"{srv.url}/api/models/alice/proxied/tree/main",
                       headers={"Host": "models.example.org", "X-Forwarded-Proto": "https"})
        assert r.status_code == 200
        assert r.headers["link"].startswith("<https://models.example.org/api/models/"), r.headers
    finally:
        _stop(srv)


def _tokens(tmp_path):
    path = tmp_path / "tokens.txt"
    path.write_text(f"{WRITE} alice write\n")
    return path
