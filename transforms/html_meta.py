"""Government-site meta tags (ArticleTitle, PubDate, ContentSource, …) and the article title of a page."""

from __future__ import annotations

import re

from selectolax.lexbor import LexborHTMLParser, LexborNode

from transforms.html_text import flat_text

_TITLE_SPLIT = re.compile(r"\s*(?:_|\||｜|--|—|-|–)\s*")
_SPACES = re.compile(r"\s+")
_HEADING_SELECTOR = (
    "h1,h2,h3,[class*=tit],[class*=Tit],[class*=TIT],[id*=tit],[id*=Tit],[class*=biaoti],[class*=headline]"
)
_TITLE_META = ("articletitle", "og:title", "title", "dc.title")


def read_meta_tags(tree: LexborHTMLParser) -> dict[str, str]:
    """All named meta tags (name= or property=), names lowercased; the first non-empty value wins."""
    found: dict[str, str] = {}
    for node in tree.css("meta[name],meta[property]"):
        attrs = node.attributes
        name = (attrs.get("name") or attrs.get("property") or "").strip().lower()
        content = _SPACES.sub(" ", attrs.get("content") or "").strip()
        if name and content and name not in found:
            found[name] = content
    return found


def _compact(text: str) -> str:
    return _SPACES.sub("", text)


def page_title(tree: LexborHTMLParser) -> str:
    """The text of <title> on one line ('' when absent)."""
    node = tree.css_first("title")
    return _SPACES.sub(" ", node.text() if node else "").strip()


def find_title(tree: LexborHTMLParser, meta: dict[str, str]) -> tuple[str | None, LexborNode | None]:
    """The article title and the element showing it (None when it only comes from meta or <title>).

    A heading counts when its text is part of the page's <title> or ArticleTitle meta (sites write
    '<article title>_<column>_<site>' into <title>); otherwise the longest plausible heading wins, then the
    meta title, then the first segment of <title>.
    """
    window = page_title(tree)
    meta_title = next((meta[k] for k in _TITLE_META if meta.get(k)), None)
    references = [_compact(t) for t in (meta_title, window) if t]
    best: tuple[int, LexborNode] | None = None
    fallback: tuple[int, LexborNode] | None = None
    for node in tree.css(_HEADING_SELECTOR):
        if node.tag in ("title", "meta", "body", "html", "head"):
            continue
        compact = _compact(node.text(deep=True))
        if not 4 <= len(compact) <= 120:
            continue
        if any(compact in ref for ref in references):
            if best is None or len(compact) > best[0]:
                best = (len(compact), node)
        elif node.tag == "h1" and fallback is None and node.css_first("a") is None:
            fallback = (len(compact), node)
    if best is not None:
        return flat_text(best[1]), best[1]
    if meta_title:
        return meta_title, None
    if fallback is not None:
        return flat_text(fallback[1]), fallback[1]
    if window:
        head = _TITLE_SPLIT.split(window)[0].strip()
        return (head or window), None
    return None, None
