"""Model cards as safe HTML: Markdown rendered without raw HTML, then sanitised.

Two independent layers, so one mistake does not open the page to a card's script:
markdown-it renders with ``html=False`` (a ``<script>`` in the card becomes text), and nh3
(the Rust ``ammonia`` sanitiser) keeps only the tags, attributes and URL schemes listed
below. Relative links and images point into the repo at the commit shown.

Example:
    >>> render_card("![loss](plots/loss.png) <script>x()</script>", "/zoo/cnn", "4948bf4c").html
    Markup('<p><img src="/zoo/cnn/raw/4948bf4c/plots/loss.png" alt="loss"> &lt;script&gt;...')
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote, unquote, urlsplit

import nh3
from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markupsafe import Markup

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "del", "em", "h1", "h2", "h3", "h4", "h5",
    "h6", "hr", "i", "img", "li", "ol", "p", "pre", "s", "strong", "sub", "sup", "table",
    "tbody", "td", "th", "thead", "tr", "ul",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "img": {"src", "alt", "title"},
                      "code": {"class"}, "ol": {"start"}}
URL_SCHEMES = {"http", "https", "mailto"}
#: markdown token -> (attribute holding the URL, page route of a relative target)
REPO_LINKS = {"image": ("src", "raw"), "link_open": ("href", "blob")}


def _is_relative(url: str) -> bool:
    parts = urlsplit(url)
    return not (parts.scheme or parts.netloc or url.startswith(("/", "#", "?")))


@dataclass(frozen=True)
class RenderedCard:
    """The card as HTML, and the repo files it shows as images (the page's plot gallery
    leaves those out instead of showing them twice)."""

    html: Markup
    images: frozenset[str]


def _repo_links(state: StateCore) -> None:
    """Point relative links and images at the repo's files at the commit shown (a core rule:
    it runs after inline parsing, when every link and image is a token). The page's values
    come in ``state.env``, so one parser serves every request."""
    env = state.env
    for block in state.tokens:
        for token in block.children or []:
            if token.type not in REPO_LINKS:
                continue
            attr, route = REPO_LINKS[token.type]
            url = str(token.attrGet(attr) or "")
            if url and _is_relative(url):
                path, _, anchor = url.partition("#")
                path = path.removeprefix("./")
                if token.type == "image":
                    env["images"].add(unquote(path))
                target = f"{env['repo_url']}/{route}/{env['commit']}/{quote(path)}"
                token.attrSet(attr, target + (f"#{anchor}" if anchor else ""))


PARSER = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable(
    ["table", "strikethrough"])
PARSER.core.ruler.push("repo_links", _repo_links)


def sanitize(html: str) -> str:
    """Only :data:`ALLOWED_TAGS` / :data:`ALLOWED_ATTRIBUTES` and http(s)/mailto URLs survive;
    ``<script>`` and ``<style>`` are dropped with their content.
    Example: ``sanitize('<img src=x onerror=alert(1)>')  # '<img src="x">'``"""
    return nh3.clean(html, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES,
                     url_schemes=URL_SCHEMES, link_rel="noopener noreferrer nofollow",
                     clean_content_tags={"script", "style"})


def render_card(body: str, repo_url: str, commit: str) -> RenderedCard:
    """The card's Markdown body (front matter already removed) as sanitised HTML for a
    template; ``repo_url`` is the page path of the repo (``/zoo/cnn``)."""
    env = {"repo_url": repo_url, "commit": commit, "images": set()}
    html = sanitize(PARSER.render(body, env))
    return RenderedCard(Markup(html), frozenset(env["images"]))  # noqa: S704 (sanitised above)
