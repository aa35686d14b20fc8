"""The pages of ``zoo hub serve`` through HTTP (Starlette's TestClient, no browser): what each
page lists, privacy and the login cookie, escaping, headers, compare, and damaged repos.
The browser flows are in ``test_hub_web_browser.py``.
"""

from __future__ import annotations

import json
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pytest
from fastapi.testclient import TestClient
from safetensors.numpy import save

from zoo.hub.local import LocalHub
from zoo.hub.server.app import create_app
from zoo.hub.server.auth import TokenTable
from zoo.hub.web.catalog import PAGE_SIZE
from zoo.hub.web.metadata import count_parameters
from zoo.hub.web.session import COOKIE

pytestmark = pytest.mark.hub
BUNDLED = Path(__file__).resolve().parents[1] / "zoo" / "_bundled_hub"
WRITE, READ = "write-token-123", "read-token-456"
PAYLOADS = ('<script>window.__xss=1</script>', '<img src=x onerror="window.__xss=2">',
            '[x](javascript:window.__xss=3)', '<svg onload=alert(4)>')


def card(title: str, task: str, body: str = "") -> bytes:
    return (f"---\nlicense: mit\ndatasets:\n- toy\nmodel-index:\n- name: {title}\n  results:\n"
            f"  - task:\n      type: {task}\n    dataset:\n      name: Toy set\n      type: toy\n"
            f"    metrics: []\n---\n\n# {title}\n\nA {task} model for tests.\n\n{body}\n"
            ).encode()


def weights(**shapes: tuple[int, ...]) -> bytes:
    return save({k: np.zeros(s, np.float32) for k, s in shapes.items()})


def metrics(acc: float) -> bytes:
    return json.dumps({"torch": {"accuracy": acc, "loss": 0.5},
                       "tf": {"accuracy": acc, "loss": 0.5}}).encode()


@pytest.fixture
def hub_dir(tmp_path: Path) -> Path:
    root = tmp_path / "hub"
    shutil.copytree(BUNDLED, root)
    hub = LocalHub(root)
    hub.commit("team/vision", {
        "README.md": card("team/vision", "image-classification"),
        "metrics.json": metrics(0.5), "recipe.toml": b'[evaluate]\nmetric = "accuracy"\n',
        "model.safetensors": weights(**{"fc.weight": (3, 4), "bn.running_mean": (4,)}),
    }, "first training run")
    hub.create_tag("team/vision", "v1")
    hub.commit("team/vision", {"metrics.json": metrics(0.75),
                               "tf_model.safetensors": weights(**{"fc/kernel": (4, 3)})},
               "second run: better accuracy\n\nlonger lr schedule")
    hub.create_repo("team/secret", private=True)
    hub.commit("team/secret", {"README.md": card("team/secret", "translation"),
                               "plots/loss.png": hub.read_bytes("zoo/cnn", "plots/loss.png")},
               "private work")
    return root


def client(root: Path, tokens: bool = True) -> TestClient:
    table = TokenTable.parse(f"{WRITE} alice write\n{READ} bob read") if tokens else None
    return TestClient(create_app(root, table))


def rows(html: str) -> list[str]:
    return re.findall(r'<tr data-repo="([^"]+)"', html)


class Tags(HTMLParser):
    """Every start tag with its attributes: what a browser would build, not text."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def injected(html: str) -> list[str]:
    """Elements that only a failure of escaping or sanitising could have put in a page."""
    parser = Tags()
    parser.feed(html)
    bad = []
    for tag, attrs in parser.tags:
        if tag in ("script", "iframe", "object", "embed", "svg") and not (
                tag == "script" and (attrs.get("src") or "").startswith("/-/static/")):
            bad.append(f"<{tag} {attrs}>")
        bad += [f"<{tag} {name}=...>" for name in attrs if name.startswith("on")]
        bad += [f"<{tag} href={v}>" for k, v in attrs.items()
                if k in ("href", "src") and (v or "").strip().lower().startswith("javascript:")]
    return bad


def test_index_lists_every_public_repo_with_its_facts(hub_dir: Path) -> None:
    page = client(hub_dir).get("/")
    assert page.status_code == 200 and "text/html" in page.headers["content-type"]
    assert set(rows(page.text)) == {"zoo/cnn", "zoo/seq2seq", "zoo/sine", "team/vision"}
    row = page.text.split('data-repo="team/vision"')[1].split("</tr>")[0]
    # head metrics (not v1's), the recipe's metric, both frameworks, params without buffers
    assert "accuracy" in row and "<strong>0.75</strong>" in row
    assert "PyTorch" in row and "TensorFlow" in row and ">12<" in row
    assert "image-classification" in row


def test_parameter_count_reads_the_header_and_skips_batchnorm_buffers(hub_dir: Path) -> None:
    hub = LocalHub(hub_dir)
    assert count_parameters(hub, "team/vision", hub.get_commit("team/vision")) == 12
    cnn = hub.get_commit("zoo/cnn")
    assert count_parameters(hub, "zoo/cnn", cnn) == 889_834  # the card's own number


def test_search_filters_and_sort(hub_dir: Path) -> None:
    c = client(hub_dir)
    assert rows(c.get("/", params={"q": "seq2seq"}).text) == ["zoo/seq2seq"]
    assert rows(c.get("/", params={"q": "TEAM accuracy"}).text) == []  # every word must match
    assert rows(c.get("/", params={"q": "team tests"}).text) == ["team/vision"]
    assert rows(c.get("/", params={"task": "translation"}).text) == ["zoo/seq2seq"]
    both = set(rows(c.get("/", params={"framework": "TensorFlow"}).text))
    assert both == {"zoo/cnn", "zoo/seq2seq", "zoo/sine", "team/vision"}
    LocalHub(hub_dir).commit("team/torchonly", {"model.safetensors": weights(w=(2,))}, "t")
    assert "team/torchonly" not in rows(c.get("/", params={"framework": "TensorFlow"}).text)
    assert "team/torchonly" in rows(c.get("/", params={"framework": "PyTorch"}).text)
    index = c.get("/").text  # the default sort is the empty value: it stays out of URLs
    assert '<option value="" selected>updated</option>' in index
    by_name = rows(c.get("/", params={"sort": "name"}).text)
    assert by_name == sorted(by_name, key=str.lower)
    fragment = c.get("/-/results", params={"q": "sine"})
    assert rows(fragment.text) == ["zoo/sine"] and "<html" not in fragment.text


def test_pagination_past_fifty_repos(hub_dir: Path) -> None:
    hub = LocalHub(hub_dir)
    for i in range(PAGE_SIZE + 20):
        hub.commit(f"bulk/m{i:03d}", {"metrics.json": metrics(i / 100)}, "bulk")
    c = client(hub_dir)
    seen, number = [], 1
    while True:
        page = c.get("/", params={"q": "bulk", "sort": "name", "page": number})
        seen += rows(page.text)
        if 'rel="next"' not in page.text:
            break
        number += 1
    assert number == 2 and len(seen) == PAGE_SIZE + 20 == len(set(seen))
    assert seen == sorted(seen)
    assert rows(c.get("/", params={"q": "bulk", "page": 99}).text)  # clamped to the last page
    assert rows(c.get("/", params={"q": "bulk", "page": "x"}).text)  # not a 500


def test_private_repo_needs_a_token_and_says_nothing_about_itself(hub_dir: Path) -> None:
    c = client(hub_dir)
    assert "team/secret" not in c.get("/").text
    hidden, missing = c.get("/team/secret"), c.get("/team/nosuch")
    assert hidden.status_code == missing.status_code == 404
    assert hidden.text.replace("secret", "nosuch") == missing.text
    for path in ("/team/secret/files", "/team/secret/commits", "/team/secret/diff",
                 "/team/secret/raw/main/README.md", "/team/secret/blob/main/README.md"):
        assert c.get(path).status_code == 404, path
    assert "team/secret" in rows(c.get("/", headers={"Authorization": f"Bearer {READ}"}).text)
    assert c.get("/", headers={"Authorization": "Bearer not-a-token"}).status_code == 401


def test_login_cookie_is_httponly_samesite_and_reveals_private_repos(hub_dir: Path) -> None:
    c = client(hub_dir)
    bad = c.post("/-/login", data={"token": "wrong-token-000"}, follow_redirects=False)
    assert bad.status_code == 401 and "not in the server" in bad.text
    assert COOKIE not in c.cookies
    ok = c.post("/-/login", data={"token": READ, "next": "/team/secret"},
                follow_redirects=False)
    assert ok.status_code == 303 and ok.headers["location"] == "/team/secret"
    cookie = ok.headers["set-cookie"]
    assert f"{COOKIE}={READ}" in cookie and "HttpOnly" in cookie
    assert "samesite=lax" in cookie.lower() and "Path=/" in cookie
    page = c.get("/team/secret")
    assert page.status_code == 200 and 'data-testid="signed-in">bob<' in page.text
    # its card shows no image, so the run's plot is in the gallery, served through the cookie
    head = LocalHub(hub_dir).resolve("team/secret")
    assert 'data-testid="plots"' in page.text
    assert f'src="/team/secret/raw/{head}/plots/loss.png"' in page.text
    assert c.get("/team/secret/raw/main/README.md").status_code == 200
    assert "team/secret" in rows(c.get("/").text)
    c.post("/-/logout")
    assert c.get("/team/secret").status_code == 404
    # an open redirect after login would be a phishing aid
    away = c.post("/-/login", data={"token": READ, "next": "//evil.example/x"},
                  follow_redirects=False)
    assert away.headers["location"] == "/"


def test_a_token_removed_from_the_table_is_no_login(hub_dir: Path) -> None:
    c = client(hub_dir)
    c.post("/-/login", data={"token": READ})
    fresh = TestClient(create_app(hub_dir, TokenTable.parse(f"{WRITE} alice write")))
    fresh.cookies.set(COOKIE, READ)
    assert fresh.get("/").status_code == 200 and fresh.get("/team/secret").status_code == 404
    assert "nothing to log in to" in client(hub_dir, tokens=False).post(
        "/-/login", data={"token": READ}).text


def test_model_page_panel_and_snippets_pinned_to_the_commit(hub_dir: Path) -> None:
    hub, c = LocalHub(hub_dir), client(hub_dir)
    head, v1 = hub.resolve("team/vision", "main"), hub.resolve("team/vision", "v1")
    page = c.get("/team/vision").text
    assert f'title="{head}"' in page and 'data-metric="accuracy">0.75<' in page
    for slug in ("pytorch", "tensorflow", "cli", "huggingface-hub"):
        snippet = page.split(f'id="snippet-{slug}"')[1].split("</pre>")[0]
        assert head in snippet and "http://testserver" in snippet, slug
    old = c.get("/team/vision", params={"rev": "v1"}).text
    assert f'title="{v1}"' in old and 'data-metric="accuracy">0.5<' in old and head not in old
    cnn = c.get("/zoo/cnn").text
    parity = json.loads(hub.read_bytes("zoo/cnn", "parity.json"))
    assert f'data-testid="max-abs-diff">{parity["max_abs_diff"]:.2e}<' in cnn
    assert "/zoo/cnn/blob/" in cnn and "cnn-fashion-mnist" in cnn  # the recipe link
    for path, entry in hub.list_files("zoo/cnn").items():
        if path.endswith(".safetensors"):
            assert entry["sha256"] in cnn
    # the card's plots are images of this commit, shown once (the card has them all)
    assert cnn.count("/raw/") >= 3 and 'data-testid="plots"' not in cnn
    assert "export HF_TOKEN" in c.get("/team/secret", headers={
        "Authorization": f"Bearer {READ}"}).text


def test_files_history_and_refs(hub_dir: Path) -> None:
    hub, c = LocalHub(hub_dir), client(hub_dir)
    hub.create_branch("team/vision", "feature/x", revision="v1")
    files = c.get("/team/vision/files", params={"rev": "v1"}).text
    assert 'data-path="model.safetensors"' in files and "tf_model" not in files.split(
        'data-testid="branches"')[0]
    entry = hub.list_files("team/vision", "v1")["model.safetensors"]
    assert entry["sha256"] in files and "feature/x" in files and "v1" in files
    history = c.get("/team/vision/commits").text
    assert history.index("second run: better accuracy") < history.index("first training run")
    assert "longer lr schedule" in history
    assert c.get("/team/vision/commits", params={"page": 2}).status_code == 404
    slashed = c.get("/team/vision/blob/feature%2Fx/recipe.toml")
    assert slashed.status_code == 200 and "accuracy" in slashed.text
    assert c.get("/team/vision/files", params={"rev": "nope"}).status_code == 404


def test_compare_shows_changed_files_and_metadata_lines(hub_dir: Path) -> None:
    hub, c = LocalHub(hub_dir), client(hub_dir)
    v1, head = hub.resolve("team/vision", "v1"), hub.resolve("team/vision")
    page = c.get("/team/vision/diff", params={"from": v1, "to": head}).text
    assert re.search(r'<tr class="added"><td>added</td><td>tf_model.safetensors', page)
    assert re.search(r'<tr class="modified"><td>modified</td><td>metrics.json', page)
    removed = [line for line in re.findall(r'<span class="del">(.*?)</span>', page)]
    added = [line for line in re.findall(r'<span class="add">(.*?)</span>', page)]
    assert any("0.5" in line for line in removed) and any("0.75" in line for line in added)
    default = c.get("/team/vision/diff").text  # head against its parent
    assert "metrics.json" in default
    same = c.get("/team/vision/diff", params={"from": head, "to": head}).text
    assert "same files" in same


def test_everything_from_a_repo_is_escaped(hub_dir: Path) -> None:
    hub, c = LocalHub(hub_dir), client(hub_dir)
    body = "\n\n".join(PAYLOADS)
    hub.commit("evil/card", {"README.md": card("evil/card", "translation", body),
                             "notes <b onmouseover=alert(5)>.txt": b"<script>alert(6)</script>",
                             "metrics.json": metrics(0.1)},
               f"{PAYLOADS[0]} title\n\n{PAYLOADS[1]}")
    hub.commit("evil/card", {"metrics.json": metrics(0.2)}, "second <script>alert(7)</script>")
    cid = hub.resolve("evil/card")
    for path in ("/", "/?q=evil", "/evil/card", "/evil/card/files", "/evil/card/commits",
                 "/evil/card/diff", f"/evil/card/blob/{cid}/notes%20%3Cb%20onmouseover="
                 "alert(5)%3E.txt", "/-/results?q=%3Cscript%3E"):
        page = c.get(path)
        assert page.status_code == 200, path
        assert injected(page.text) == [], (path, injected(page.text))
        assert "<script>window" not in page.text and "<script>alert" not in page.text, path
    model = c.get("/evil/card").text
    assert "&lt;script&gt;window.__xss=1&lt;/script&gt;" in model  # shown as text
    assert "javascript:" not in model.split('data-testid="card"')[1].split("</article>")[0] \
        .replace("[x](javascript:", "")


def test_injection_check_catches_what_it_should() -> None:
    assert injected('<p>x</p><script src="/-/static/app.js"></script>') == []
    assert injected("<script>alert(1)</script>")
    assert injected('<img src="x" onerror="alert(1)">')
    assert injected('<a href=" JavaScript:alert(1)">x</a>')


def test_headers_and_raw_files_cannot_become_pages(hub_dir: Path) -> None:
    hub, c = LocalHub(hub_dir), client(hub_dir)
    page = c.get("/team/vision")
    csp = page.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert page.headers["x-content-type-options"] == "nosniff"
    hub.commit("team/vision", {"x.html": b"<script>alert(1)</script>",
                               "y.svg": b"<svg onload=alert(1)/>"}, "risky files")
    for path, expected in (("x.html", "application/octet-stream"),
                           ("y.svg", "application/octet-stream"),
                           ("metrics.json", "text/plain; charset=utf-8")):
        raw = c.get(f"/team/vision/raw/main/{path}")
        assert raw.headers["content-type"] == expected, path
        assert "sandbox" in raw.headers["content-security-policy"]
    png = c.get("/zoo/cnn/raw/main/plots/loss.png")
    assert png.headers["content-type"] == "image/png" and png.content[:4] == b"\x89PNG"
    cid = hub.resolve("zoo/cnn")
    assert "immutable" in c.get(f"/zoo/cnn/raw/{cid}/plots/loss.png").headers["cache-control"]
    assert "immutable" not in png.headers["cache-control"]  # main can move


def test_repos_without_zoo_files_or_commits_and_damaged_repos(hub_dir: Path) -> None:
    hub, c = LocalHub(hub_dir), client(hub_dir)
    hub.commit("hand/upload", {"README.md": b"no front matter\n\n---\n", "data.bin": b"\0\1"},
               "hf upload")
    hub.commit("hand/odd", {"README.md": b"---\nmodel-index: 5\ntags: 7\ndatasets: oddset\n"
                                         b"license: [1]\npipeline_tag: [x]\n---\n# odd\n",
                            "metrics.json": b'{"torch": 3, "tf": {"acc": "high"}}',
                            "parity.json": b"[1, 2]", "recipe.toml": b"not = [toml"},
               "front matter of every wrong shape")
    hub.create_repo("hand/empty")
    page = c.get("/hand/upload")
    assert page.status_code == 200 and "No metrics.json" in page.text
    assert "Binary file" in c.get("/hand/upload/blob/main/data.bin").text
    empty = c.get("/hand/empty")
    assert empty.status_code == 404 and "no commits yet" in empty.text
    assert c.get("/hand/odd").status_code == 200
    assert rows(c.get("/", params={"q": "oddset"}).text) == ["hand/odd"]  # datasets: oddset
    assert {"hand/upload", "hand/empty", "hand/odd"} <= set(rows(c.get("/").text))
    # a commit file edited on disk: that repo's page says so, the index still works
    head = hub.resolve("team/vision")
    commit_file = hub_dir / "repos" / "team" / "vision" / "commits" / f"{head}.json"
    commit_file.write_text(commit_file.read_text().replace("second run", "edited"))
    c2 = client(hub_dir)  # a new process: nothing cached
    index = c2.get("/")
    assert index.status_code == 200 and "zoo/cnn" in rows(index.text)
    broken = c2.get("/team/vision")
    assert broken.status_code >= 400 and "does not hash" in broken.text
    assert str(hub_dir) not in broken.text  # the server's directory is not disclosed


def test_metadata_cache_is_bounded_and_follows_new_commits(hub_dir: Path) -> None:
    from zoo.hub.server.auth import Caller
    from zoo.hub.web.catalog import Catalog

    hub = LocalHub(hub_dir)
    catalog = Catalog(hub, max_cached=2)
    assert catalog.warm() == len(hub.list_repos())
    assert len(catalog._cache) == 2  # noqa: SLF001 (the bound is the point)
    vision = {r.repo_id: r for r in catalog.rows(Caller())}["team/vision"]
    assert vision.meta.headline == ("accuracy", {"tf": 0.75, "torch": 0.75})
    hub.commit("team/vision", {"metrics.json": metrics(0.875)}, "third run")
    vision = {r.repo_id: r for r in catalog.rows(Caller())}["team/vision"]
    assert vision.meta.headline == ("accuracy", {"tf": 0.875, "torch": 0.875})
