"""The pages of ``zoo hub serve`` in a real browser: headless Debian Chromium driven by
Playwright against the app served by uvicorn in a thread of this process.

What only a browser shows: search as you type swaps the results in without a page load and
updates the URL, the revision menu submits itself, the copy buttons fill the clipboard, the
login cookie is HttpOnly / SameSite=Lax as the browser stores it, and a hostile card or
commit message neither runs nor leaves a script, handler or ``javascript:`` link in the DOM.
The HTTP-level checks are in ``test_hub_web.py``; the hub is built by ``hub_pages.py``.

Screenshots of the index, a model page, its files and its history go to
``artifacts/screenshots/`` (or ``$ZOO_ARTIFACTS/screenshots``).

Needs ``/usr/bin/chromium`` (``make browser``, or ``apt-get install -y chromium
chromium-driver``): skipped without it, except under CI, where it fails.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import uvicorn
from hub_pages import PagesHub, Revision, build
from playwright.sync_api import Browser, BrowserContext, Page, expect, sync_playwright

from zoo.hub.local import LocalHub
from zoo.hub.server.app import create_app
from zoo.hub.server.auth import TokenTable
from zoo.hub.web.catalog import PAGE_SIZE
from zoo.hub.web.session import COOKIE

pytestmark = [pytest.mark.slow, pytest.mark.hub]
ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = Path("/usr/bin/chromium")
TOKEN, USER = "browser-test-token-1", "alice"
TIMEOUT_MS = 10_000
#: the only console error a page may log: a document or file that is meant to be a 404
EXPECTED_404 = "the server responded with a status of 404"
#: every element that only a failure of escaping or sanitising could put in a page
INJECTED_JS = """() => {
  const bad = [];
  for (const el of document.querySelectorAll("script")) {
    if (!(el.getAttribute("src") || "").startsWith("/-/static/")) bad.push(el.outerHTML);
  }
  for (const el of document.querySelectorAll("*")) {
    for (const attr of el.attributes) {
      const value = attr.value.trim().toLowerCase();
      if (attr.name.startsWith("on")) bad.push(`<${el.localName} ${attr.name}=...>`);
      else if (value.startsWith("javascript:")) bad.push(`<${el.localName} ${attr.name}=${value}>`);
    }
  }
  for (const el of document.querySelectorAll("iframe, object, embed, svg")) bad.push(el.outerHTML);
  return bad;
}"""


@dataclass(frozen=True)
class Site:
    url: str
    hub: PagesHub


@dataclass
class Tab:
    """One browser context and page, with what the page logged."""

    context: BrowserContext
    page: Page
    errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)
    loads: list[str] = field(default_factory=list)

    def rows(self) -> list[str]:
        """The repos of the index's result table, in order."""
        return self.page.locator("#results tr[data-repo]").evaluate_all(
            "rows => rows.map(r => r.dataset.repo)")

    def metrics(self) -> dict[str, dict[str, float]]:
        """The model page's metrics table: {backend: {metric: value}}, "—" cells left out."""
        table = self.page.locator("[data-testid=metrics] tr[data-backend]").evaluate_all(
            """rows => Object.fromEntries(rows.map(r => [r.dataset.backend, Object.fromEntries(
                 [...r.querySelectorAll("td[data-metric]")].map(
                   td => [td.dataset.metric, td.textContent.trim()]))]))""")
        return {backend: {name: float(text) for name, text in values.items() if text != "—"}
                for backend, values in table.items()}

    def shot(self, name: str, full_page: bool = True) -> Path:
        folder = Path(os.environ.get("ZOO_ARTIFACTS") or ROOT / "artifacts") / "screenshots"
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=full_page)
        return path


def query(url: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(url).query)


def assert_shows(tab: Tab, revision: Revision) -> None:
    """The model page shows ``revision``: commit id, metrics per backend, parity, snippets."""
    page = tab.page
    commit = page.locator("[data-testid=commit-id]")
    expect(commit).to_have_attribute("title", revision.commit)
    expect(commit).to_have_text(revision.commit[:12])
    # the fixture's values have 4 significant digits, as the table shows them; rel=1e-4 still
    # tells torch from tf (they differ in the 4th digit)
    shown = tab.metrics()
    assert shown.keys() == revision.metrics.keys()
    for backend, values in revision.metrics.items():
        assert shown[backend] == pytest.approx(values, rel=1e-4), backend
    diff = float(page.locator("[data-testid=max-abs-diff]").inner_text())
    assert diff == pytest.approx(revision.max_abs_diff, rel=1e-2)
    for slug in ("pytorch", "tensorflow", "cli", "huggingface-hub"):
        assert revision.commit in page.locator(f"#snippet-{slug}").inner_text(), slug


@pytest.fixture(scope="module", autouse=True)
def chromium() -> None:
    """Skip (fail under CI) before building anything when there is no browser."""
    if not CHROMIUM.exists():
        reason = (f"{CHROMIUM} not found: install Debian's Chromium with `make browser` or "
                  "`apt-get install -y chromium chromium-driver`")
        if os.environ.get("CI"):
            pytest.fail(reason + " (CI is set: the browser tests must run)")
        pytest.skip(reason)


@contextmanager
def serving(root: Path) -> Iterator[str]:
    """The app over the LocalHub at ``root`` on a free port of 127.0.0.1; yields its URL."""
    app = create_app(root, TokenTable.parse(f"{TOKEN} {USER} read"))
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True,
                              name="hub-pages-server")
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            pytest.fail("uvicorn did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """The app over the :mod:`hub_pages` hub."""
    hub = build(tmp_path_factory.mktemp("hub-pages") / "hub")
    with serving(hub.root) as url:
        yield Site(url, hub)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def tab(browser: Browser, site: Site) -> Iterator[Tab]:
    """A fresh context (no cookies) that may use the clipboard; at the end, the page must
    have logged no console error or uncaught exception but expected 404s."""
    context = browser.new_context(base_url=site.url, viewport={"width": 1280, "height": 900},
                                  permissions=["clipboard-read", "clipboard-write"])
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    tab = Tab(context, page)
    page.on("console", lambda m: tab.errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: tab.errors.append(f"uncaught: {e}"))

    def dialog(d) -> None:
        tab.dialogs.append(d.message)
        d.dismiss()

    page.on("dialog", dialog)
    page.on("load", lambda p: tab.loads.append(p.url))
    yield tab
    context.close()
    unexpected = [e for e in tab.errors if EXPECTED_404 not in e]
    assert not unexpected, f"console errors: {unexpected}"
    assert not tab.dialogs, f"dialogs opened: {tab.dialogs}"


def test_index_lists_the_public_repos(tab: Tab, site: Site) -> None:
    hub = site.hub
    tab.page.goto("/")
    expect(tab.page.locator("[data-testid=result-count]")).to_have_text(
        f"{len(hub.public)} models")
    rows = tab.rows()
    assert len(rows) == PAGE_SIZE and set(rows) <= set(hub.public)
    assert hub.private not in rows
    tab.shot("index")


def test_search_as_you_type_swaps_results_without_a_page_load(tab: Tab, site: Site) -> None:
    hub, page = site.hub, tab.page
    page.goto("/")
    loads = len(tab.loads)
    page.evaluate("window.__samePage = true")
    with page.expect_response(lambda r: urlsplit(r.url).path == "/-/results") as answer:
        page.locator("#search").press_sequentially("forecast", delay=20)
    assert answer.value.ok
    expect(page).to_have_url(re.compile(r"[?&]q=forecast(&|$)"))
    assert urlsplit(page.url).path == "/" and query(page.url)["q"] == ["forecast"]
    expect(page.locator("#results tr[data-repo]")).to_have_count(1)
    assert tab.rows() == [hub.torch_only]
    assert page.evaluate("window.__samePage") is True and len(tab.loads) == loads
    expect(page.locator("[data-testid=result-count]")).to_have_text("1 model")
    # the URL it wrote is the same search when opened (shareable, and survives a reload)
    page.reload()
    assert tab.rows() == [hub.torch_only]
    expect(page.locator("#search")).to_have_value("forecast")
    # a word that matches nothing empties the table
    page.locator("#search").fill("forecast nothing-is-called-this")
    expect(page.locator("#results .empty")).to_be_visible()
    assert tab.rows() == []


def test_filter_by_task_and_framework(tab: Tab, site: Site) -> None:
    hub, page = site.hub, tab.page
    page.goto("/")
    task = hub.tasks[hub.tf_only]
    page.select_option("select[name=task]", task)
    expect(page).to_have_url(re.compile(r"[?&]task="))
    assert query(page.url)["task"] == [task]
    assert set(tab.rows()) == {r for r in hub.public if hub.tasks[r] == task}

    page.select_option("select[name=task]", "")
    page.select_option("select[name=framework]", "PyTorch")
    expect(page).to_have_url(re.compile(r"[?&]framework=PyTorch(&|$)"))
    assert "task" not in query(page.url)
    torch = {r for r in hub.public if "PyTorch" in hub.frameworks[r]}
    assert hub.torch_only in torch and hub.tf_only not in torch
    assert set(tab.rows()) == torch

    page.select_option("select[name=framework]", "TensorFlow")
    expect(page).to_have_url(re.compile(r"[?&]framework=TensorFlow(&|$)"))
    tf = {r for r in hub.public if "TensorFlow" in hub.frameworks[r]}
    assert hub.tf_only in tf and hub.torch_only not in tf
    assert set(tab.rows()) == tf

    both = hub.tasks[hub.model]
    page.select_option("select[name=task]", both)
    expect(page).to_have_url(re.compile(r"[?&]task="))
    assert query(page.url)["task"] == [both] and query(page.url)["framework"] == ["TensorFlow"]
    assert set(tab.rows()) == {r for r in tf if hub.tasks[r] == both}


def test_pagination_walks_every_public_repo_once(tab: Tab, site: Site) -> None:
    hub, page = site.hub, tab.page
    page.goto("/")
    first = tab.rows()
    assert len(first) == PAGE_SIZE
    expect(page.locator("a[rel=prev]")).to_have_count(0)
    with page.expect_navigation():
        page.locator("a[rel=next]").click()
    assert query(page.url)["page"] == ["2"]
    second = tab.rows()
    expect(page.locator("a[rel=next]")).to_have_count(0)
    expect(page.locator("a[rel=prev]")).to_have_count(1)
    assert not set(first) & set(second)
    assert sorted(first + second) == sorted(hub.public)


def test_model_page_shows_metrics_per_backend_card_and_plots(tab: Tab, site: Site) -> None:
    hub, page = site.hub, tab.page
    response = page.goto(f"/{hub.model}")
    assert response is not None and response.status == 200
    csp = response.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert_shows(tab, hub.head)
    expect(page.locator("[data-testid=card] h1")).to_have_text(hub.model)
    # the card's own plot and the gallery's (the plot the card does not show) both load
    card_plot = page.locator("[data-testid=card] img")
    expect(card_plot).to_have_count(1)
    assert f"/raw/{hub.head.commit}/plots/loss.png" in card_plot.get_attribute("src")
    gallery = page.locator("[data-testid=plots] img")
    expect(gallery).to_have_count(1)
    assert gallery.get_attribute("alt") == "plots/accuracy.png"
    for image in (card_plot, gallery):
        image.scroll_into_view_if_needed()
        page.wait_for_function("img => img.complete && img.naturalWidth > 0",
                               arg=image.element_handle())
    options = page.locator("#rev-select option").evaluate_all("os => os.map(o => o.value)")
    assert {"main", hub.branch, hub.tag} <= set(options)
    tab.shot("model")


def test_copy_buttons_put_the_pinned_snippet_on_the_clipboard(tab: Tab, site: Site) -> None:
    hub, page = site.hub, tab.page
    page.goto(f"/{hub.model}")
    shown = page.locator("[data-testid=commit-id]").get_attribute("title")
    assert shown == hub.head.commit
    for slug in ("pytorch", "tensorflow", "cli", "huggingface-hub"):
        button = page.locator(f'button[data-copy="snippet-{slug}"]')
        expect(button).to_be_visible()  # hidden until the script runs
        page.evaluate("navigator.clipboard.writeText('')")
        button.click()
        expect(button).to_have_text("Copied")
        copied = page.evaluate("navigator.clipboard.readText()")
        assert copied == page.locator(f"#snippet-{slug}").text_content(), slug
        assert shown in copied, slug


def test_revision_menu_switches_to_the_tag(tab: Tab, site: Site) -> None:
    hub, page = site.hub, tab.page
    page.goto(f"/{hub.model}")
    assert_shows(tab, hub.head)
    with page.expect_navigation():
        page.select_option("#rev-select", hub.tag)  # no button press: the script submits
    assert urlsplit(page.url).path == f"/{hub.model}" and query(page.url) == {"rev": [hub.tag]}
    expect(page.locator("#rev-select")).to_have_value(hub.tag)
    assert_shows(tab, hub.v1)
    assert hub.head.commit not in page.locator("[data-testid=use-this-model]").inner_text()
    # v1 has no plot outside the card
    expect(page.locator("[data-testid=plots]")).to_have_count(0)
    # and back through the branch that points at the same commit
    with page.expect_navigation():
        page.select_option("#rev-select", "main")
    assert_shows(tab, hub.head)


def test_files_page_at_a_revision_lists_sizes_and_sha256(tab: Tab, site: Site) -> None:
    hub, page = site.hub, tab.page
    page.goto(f"/{hub.model}/files?rev={hub.tag}")
    expect(page.locator("[data-testid=commit-id]")).to_have_attribute("title", hub.v1.commit)
    listed = page.locator("[data-testid=files] tr[data-path]").evaluate_all(
        """rows => rows.map(r => [r.dataset.path, r.querySelector("td.num").title,
                                  r.querySelector("code.sha").textContent.trim()])""")
    assert {path: (size, sha) for path, size, sha in listed} == {
        path: (f"{size} bytes", sha) for path, (size, sha) in hub.v1.files.items()}
    assert set(hub.head.files) - set(hub.v1.files)  # the head's extra plot is not listed
    branches = page.locator("[data-testid=branches] li").all_inner_texts()
    tags = page.locator("[data-testid=tags] li").all_inner_texts()
    assert sorted(b.split()[0] for b in branches) == sorted(["main", hub.branch])
    assert [t.split() for t in tags] == [[hub.tag, hub.v1.commit[:12]]]
    page.goto(f"/{hub.model}/files")
    expect(page.locator("[data-testid=files] tr[data-path]")).to_have_count(len(hub.head.files))
    tab.shot("files")


def test_history_lists_commits_with_messages(tab: Tab, site: Site) -> None:
    hub, page = site.hub, tab.page
    page.goto(f"/{hub.model}/commits")
    items = page.locator("[data-testid=commits] li[data-commit]")
    ids = items.evaluate_all("items => items.map(i => i.dataset.commit)")
    assert ids == [hub.head.commit, hub.v1.commit]
    for item, revision in zip(items.all(), (hub.head, hub.v1), strict=True):
        assert item.locator(".title").inner_text() == revision.title
        description = revision.message.partition("\n")[2].strip()
        assert item.locator(".message").inner_text() == description
    tab.shot("history")


def test_private_repo_is_hidden_until_login_through_the_form(tab: Tab, site: Site) -> None:
    hub, page = site.hub, tab.page
    page.goto(f"/?q={hub.private}")
    expect(page.locator("[data-testid=result-count]")).to_have_text("0 models")
    page.goto("/")
    assert hub.private not in tab.rows()
    expect(page.locator("[data-testid=result-count]")).to_have_text(f"{len(hub.public)} models")
    response = page.goto(f"/{hub.private}")
    assert response is not None and response.status == 404
    expect(page.locator("[data-testid=error]")).to_be_visible()
    assert page.goto(f"/{hub.private}/files").status == 404

    page.goto("/-/login")
    page.locator("input[name=token]").fill(TOKEN)
    with page.expect_navigation():
        page.get_by_role("button", name="Log in").click()
    expect(page.locator("[data-testid=signed-in]")).to_have_text(USER)
    cookies = [c for c in tab.context.cookies() if c["name"] == COOKIE]
    assert len(cookies) == 1
    assert cookies[0]["httpOnly"] is True and cookies[0]["sameSite"] == "Lax"
    assert COOKIE not in page.evaluate("document.cookie")  # scripts cannot read it
    expect(page.locator("[data-testid=result-count]")).to_have_text(
        f"{len(hub.public) + 1} models")
    page.goto(f"/?q={hub.private}")
    assert tab.rows() == [hub.private]
    response = page.goto(f"/{hub.private}")
    assert response is not None and response.status == 200
    expect(page.locator("[data-testid=commit-id]")).to_be_visible()
    expect(page.locator("[data-testid=plots] img, [data-testid=card] img").first).to_be_visible()

    with page.expect_navigation():
        page.get_by_role("button", name="Log out").click()
    expect(page.locator("[data-testid=signed-in]")).to_have_count(0)
    assert not [c for c in tab.context.cookies() if c["name"] == COOKIE]
    assert page.goto(f"/{hub.private}").status == 404


def test_hostile_card_and_commit_message_neither_run_nor_inject(tab: Tab, site: Site) -> None:
    hub, page = site.hub, tab.page
    title = hub.evil_message.partition("\n")[0]
    urls = [f"/{hub.evil}", f"/{hub.evil}/commits", f"/{hub.evil}/diff",
            f"/{hub.evil}/blob/{hub.evil_commit}/README.md", f"/?q={hub.evil}"]
    for url in urls:
        response = page.goto(url)
        assert response is not None and response.status == 200, url
        page.wait_for_load_state("load")
        for element in page.locator("b, img, [data-testid=card] a").all():  # handlers fire
            if element.is_visible():
                element.hover()
        assert page.evaluate("typeof window.__xss") == "undefined", url
        injected = page.evaluate(INJECTED_JS)
        assert not injected, f"{url}: {injected}"
    assert not tab.dialogs
    # the hostile text is shown as text, not dropped
    page.goto(f"/{hub.evil}")
    assert "<script>window.__xss = 1</script>" in page.locator(
        "[data-testid=card]").inner_text()
    page.goto(f"/{hub.evil}/commits")
    assert page.locator(f'li[data-commit="{hub.evil_commit}"] .title').inner_text() == title


def test_every_page_works_without_javascript(browser: Browser, site: Site) -> None:
    """Search, filters, pages and the revision menu are plain forms and links: with the
    script off they still work (only the copy buttons stay hidden)."""
    hub = site.hub
    context = browser.new_context(base_url=site.url, java_script_enabled=False)
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    try:
        page.goto("/")
        page.locator("#search").fill("forecast")
        with page.expect_navigation():
            page.get_by_role("button", name="Apply").click()
        assert query(page.url)["q"] == ["forecast"]
        assert page.locator("#results tr[data-repo]").evaluate_all(
            "rows => rows.map(r => r.dataset.repo)") == [hub.torch_only]
        page.goto(f"/{hub.model}")
        expect(page.locator('button[data-copy="snippet-pytorch"]')).to_be_hidden()
        page.select_option("#rev-select", hub.tag)
        with page.expect_navigation():
            page.get_by_role("button", name="Show").click()
        expect(page.locator("[data-testid=commit-id]")).to_have_attribute("title",
                                                                          hub.v1.commit)
    finally:
        context.close()


def test_bundled_hub_pages_render_for_the_readme(tab: Tab, tmp_path: Path) -> None:
    """The shipped models' pages (what README's screenshot shows: docs/screenshots/
    hub-model-page.png is a copy of artifacts/screenshots/bundled-model.png)."""
    shutil.copytree(ROOT / "zoo" / "_bundled_hub", tmp_path / "hub")
    with serving(tmp_path / "hub") as url:
        tab.page.goto(f"{url}/")
        assert sorted(tab.rows()) == ["zoo/cnn", "zoo/seq2seq", "zoo/sine"]
        tab.shot("bundled-index", full_page=False)
        tab.page.goto(f"{url}/zoo/seq2seq")
        published = json.loads(LocalHub(tmp_path / "hub").read_bytes("zoo/seq2seq",
                                                                      "metrics.json"))
        assert tab.metrics() == published
        tab.shot("bundled-model", full_page=False)
