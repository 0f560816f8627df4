"""The links of one list page: its <a> elements, those inside Hanweb CDATA records, and its 下一页 links."""

from __future__ import annotations

import re
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from urllib.parse import urldefrag, urljoin

from selectolax.lexbor import LexborHTMLParser

CDATA = re.compile(r"<!\[CDATA\[(.*?)\]\]>", re.DOTALL)
_SPACE = re.compile(r"\s+")
_NOT_PAGES = ("javascript:", "mailto:", "tel:", "#")


@dataclass(frozen=True, slots=True)
class ListedLink:
    """An <a> found on a list page: absolute URL and its title (title attribute, else text)."""

    url: str
    title: str


def listed_links(html: str, page_url: str) -> list[ListedLink]:
    """All links on a list page, including those of Hanweb CDATA records."""
    tree = LexborHTMLParser(html)
    links = list(_anchors(tree, page_url))
    for script in tree.css('script[type="text/xml"]'):
        for record in CDATA.findall(script.text(deep=True) or ""):
            links.extend(_anchors(LexborHTMLParser(record), page_url))
    return links


def fragment_links(fragments: Collection[str], page_url: str) -> list[ListedLink]:
    """The links of HTML fragments (the CDATA records a Hanweb dataproxy answers with)."""
    return [link for fragment in fragments for link in _anchors(LexborHTMLParser(fragment), page_url)]


def next_page_urls(html: str, page_url: str, texts: Collection[str]) -> list[str]:
    """hrefs of links whose text is a 'next page' label (下一页)."""
    tree = LexborHTMLParser(html)
    found = []
    for node in tree.css("a[href]"):
        label = _SPACE.sub("", node.text(deep=True) or "")
        href = (node.attributes.get("href") or "").strip()
        if label in texts and href and not href.lower().startswith(_NOT_PAGES):
            found.append(urldefrag(urljoin(page_url, href))[0])
    return found


def page_title(html: str) -> str:
    """The page's <title> text, whitespace compacted."""
    node = LexborHTMLParser(html).css_first("title")
    return _SPACE.sub(" ", node.text(deep=True) if node else "").strip()


def _anchors(tree: LexborHTMLParser, page_url: str) -> Iterator[ListedLink]:
    for node in tree.css("a[href]"):
        href = (node.attributes.get("href") or "").strip()
        if not href or href.lower().startswith(_NOT_PAGES):
            continue
        title = (node.attributes.get("title") or "").strip() or (node.text(deep=True) or "")
        yield ListedLink(urldefrag(urljoin(page_url, href))[0], _SPACE.sub(" ", title).strip())
