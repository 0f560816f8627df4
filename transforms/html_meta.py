"""Government-site meta tags (ArticleTitle, PubDate, ContentSource, …) and the article title of a page."""

from __future__ import annotations

import re

from selectolax.lexbor import LexborHTMLParser, LexborNode

from transforms.html_selectors import PageFacts
from transforms.html_text import compact, flat_text

# '<article>_<column>_<site>' separators; a dash between digits is a span of years (2016—2020), not one
_TITLE_SPLIT = re.compile(r"\s*(?:_|\||｜|--|(?<!\d)[—\-–]|[—\-–](?!\d))\s*")
_SPACES = re.compile(r"\s+")
_HEADING_TAGS = ("h1", "h2", "h3")
_HEADING_ATTRS = (
    "[class*=tit]",
    "[class*=Tit]",
    "[class*=TIT]",
    "[id*=tit]",
    "[id*=Tit]",
    "[class*=biaoti]",
    "[class*=headline]",
)
_HEADINGS = (*_HEADING_TAGS, *_HEADING_ATTRS)
_HEADING_SELECTOR = ",".join(_HEADINGS)
TITLE_META = ("articletitle", "og:title", "title", "dc.title")
_MIN_NEARBY_TITLE = 8
_LEAF_BLOCKS = frozenset(("p", "div", "td", "th", "h1", "h2", "h3", "h4", "center", "strong", "b", "font"))
_BLOCK_CHILDREN = "div,p,table,ul,ol,li,dl,h1,h2,h3,h4,h5,h6,br"
_NOT_TITLE_END = frozenset("。：:；;，,")


def read_meta_tags(tree: LexborHTMLParser, facts: PageFacts | None = None) -> dict[str, str]:
    """All named meta tags (name= or property=), names lowercased; the first non-empty value wins.
    ``facts``: the page's PageFacts, which read the meta tags' attributes already."""
    found: dict[str, str] = {}
    # (one type selector walks faster than two with attributes)
    tags = facts.meta_attributes if facts is not None else [node.attributes for node in tree.css("meta")]
    for attrs in tags:
        name = (attrs.get("name") or attrs.get("property") or "").strip().lower()
        content = _SPACES.sub(" ", attrs.get("content") or "").strip()
        if name and content and name not in found:
            found[name] = content
    return found


def page_title(tree: LexborHTMLParser) -> str:
    """The text of <title> on one line ('' when absent)."""
    return head_title(tree)[0]


def head_title(tree: LexborHTMLParser) -> tuple[str, bool]:
    """page_title, and whether it stays the same when elements of <body> are removed (its element sits in
    <head>, or the page has none)."""
    node = tree.css_first("title")
    if node is None:
        return "", True
    parent = node.parent
    return _SPACES.sub(" ", node.text()).strip(), parent is not None and parent.tag == "head"


def find_title(
    tree: LexborHTMLParser,
    meta: dict[str, str],
    facts: PageFacts | None = None,
    window: str | None = None,
) -> tuple[str | None, LexborNode | None]:
    """The article title and the element showing it (None when it only comes from meta or <title>).

    A heading counts when its text is part of the page's <title> or ArticleTitle meta (sites write
    '<article title>_<column>_<site>' into <title>); otherwise the longest plausible heading wins, then the
    meta title, then the first segment of <title>. ``facts`` (what the page's elements hold, when known)
    leaves the heading selectors that can match nothing out of the query; ``window``, when given, is
    page_title(tree).
    """
    if window is None:
        window = page_title(tree)
    meta_title = next((meta[k] for k in TITLE_META if meta.get(k)), None)
    references = [compact(t) for t in (meta_title, window) if t]
    best: tuple[int, LexborNode] | None = None
    fallback: tuple[int, LexborNode] | None = None
    present = _HEADINGS if facts is None else facts.keep(_HEADINGS)
    for node in tree.css(",".join(present)) if present else ():
        if node.tag in ("title", "meta", "body", "html", "head"):
            continue
        printed = compact(node.text(deep=True))
        if not 4 <= len(printed) <= 120:
            continue
        if any(printed in ref for ref in references):
            if best is None or len(printed) > best[0]:
                best = (len(printed), node)
        elif node.tag == "h1" and fallback is None and node.css_first("a") is None:
            fallback = (len(printed), node)
    if best is not None:
        return flat_text(best[1]), best[1]
    if meta_title:
        return meta_title, None
    if fallback is not None:
        return flat_text(fallback[1]), fallback[1]
    if window:
        return title_head(window), None
    return None, None


def title_head(window: str) -> str:
    """The first segment of a page <title> ('<article>_<column>_<site>'), or all of it."""
    return _TITLE_SPLIT.split(window)[0].strip() or window


def has_meta_title(meta: dict[str, str]) -> bool:
    """True when a meta tag states the article title."""
    return any(meta.get(k) for k in TITLE_META)


def heading_before(root: LexborNode, anchor: LexborNode, skip: re.Pattern[str]) -> LexborNode | None:
    """The article title shown above ``anchor`` on templates whose <title> is only the site name: the last
    element before ``anchor`` in page order that is a heading (h1-h3, a *tit*/biaoti class or id) or a leaf
    text block, has no link, the length of a title, no sentence end, and no text matching ``skip`` (byline
    labels, breadcrumbs). Inline emphasis (<strong><font size=5>) is unwrapped by then, so old table
    layouts show their title as a plain cell."""
    headings = {n.mem_id for n in root.css(_HEADING_SELECTOR)}
    found: LexborNode | None = None
    stop = anchor.mem_id
    for node in root.traverse():
        key = node.mem_id
        if key == stop:
            return found
        tag = node.tag
        if key not in headings and (tag not in _LEAF_BLOCKS or node.css_first(_BLOCK_CHILDREN) is not None):
            continue
        text = node.text(deep=True)
        printed = compact(text)
        if (
            _MIN_NEARBY_TITLE <= len(printed) <= 120
            and printed[-1] not in _NOT_TITLE_END
            and node.css_first("a") is None
            and not skip.search(text)
        ):
            found = node
    return found
