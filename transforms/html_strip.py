"""HTML page → StrippedPage: government meta tags, then a known CMS container or the text-density fallback
for the body, plus the byline lines near the title. Non-article pages raise NotAReportError.

Widget and footer lines left at the very start or end of the text are trimmed with the same line rules as
text captures (config/capture_chrome.yaml, via transforms.capture_strip.is_chrome_line).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from itertools import accumulate
from operator import attrgetter

from selectolax.lexbor import LexborHTMLParser, LexborNode

from transforms.capture_strip import is_chrome_line
from transforms.errors import NotAReportError
from transforms.html_byline import TITLE_MARK, byline_lines, field_lines, inside, metadata_box, split_at_title
from transforms.html_containers import PageRules, known_containers, page_rules
from transforms.html_density import DensityRules, choose_content, prose_weight
from transforms.html_meta import (
    TITLE_META,
    find_title,
    has_meta_title,
    head_title,
    heading_before,
    read_meta_tags,
    title_head,
)
from transforms.html_selectors import PageFacts
from transforms.html_text import SKIP_TAGS, Line, compact, flat_text, is_link_line, render_lines
from transforms.metadata import plausible_title
from transforms.model import StrippedPage

_HTML_START = re.compile(
    r"\A(?:\ufeff)?\s*(?:<!--.*?-->\s*|<\?xml[^>]*>\s*)*<(?:!doctype\s+html|html|head|body|meta|title)\b",
    re.IGNORECASE | re.DOTALL,
)
_TAG = re.compile(r"<(?:div|p|table|span|a|br|script|td|li)\b[^>]*>", re.IGNORECASE)
_INLINE_TAGS = frozenset(
    (
        "span",
        "font",
        "strong",
        "b",
        "em",
        "i",
        "u",
        "small",
        "big",
        "sup",
        "sub",
        "label",
        "ins",
        "s",
        "strike",
        "mark",
        "cite",
        "abbr",
        "q",
        "tt",
        "nobr",
    )
)
_REMOVED_TAGS = SKIP_TAGS - {"head"}
_SORTED_TAGS = _REMOVED_TAGS | _INLINE_TAGS
_HIDDEN = (
    "[hidden]",
    '[style*="display:none" i]',
    '[style*="display: none" i]',
    '[style*="visibility:hidden" i]',
    '[style*="visibility: hidden" i]',
)
_RECORD = re.compile(r"<record[\s>]", re.IGNORECASE)
_HANWEB_RECORDS = 3
_ARTICLE_MIN_PROSE = 100  # a page with a data list is still an article when its text has this much prose
_LIST_LINK_SHARE = 0.5
_LIST_MAX_PROSE = 300
_LEADING_BYLINES = 3
_MAX_BYLINE_CHARS = 200
_BOX_FIELDS = 2
_TEXT = attrgetter("text")
_LINK_CHARS = attrgetter("link_chars")


def looks_like_html(text: str) -> bool:
    """True when the text is an HTML document rather than a plain-text capture."""
    if _HTML_START.match(text[:4096]):
        return True
    head = text[:8192]
    return len(_TAG.findall(head)) >= 5 and head.count("<") > head.count("\n") / 4


def strip_html(
    text: str,
    url: str | None = None,
    *,
    use_known_containers: bool = True,
    utf8: bytes | None = None,
    tag_names: frozenset[str] | None = None,
) -> StrippedPage:
    """The article of an HTML page without site chrome; raises NotAReportError for non-article pages.

    ``use_known_containers=False`` skips the container table (to exercise the density fallback). ``utf8``,
    when given, must be ``text`` encoded as UTF-8 (Decoded.utf8): it is parsed without encoding ``text``.
    ``tag_names``, when given, must hold the name of every start tag in ``text`` (what check_parse_budget
    returns): looking for elements of the names not among them is then left out.
    """
    if not text or text.isspace():  # (not text.strip(), without copying the page)
        raise NotAReportError("empty page")
    rules = page_rules()
    tree = LexborHTMLParser(text if utf8 is None else utf8)
    records = _data_list_records(tree) if tag_names is None or "script" in tag_names else 0
    facts = PageFacts(tree, tag_names)
    meta = read_meta_tags(tree, facts)
    window_title, title_stays = head_title(tree)
    inline = _remove_chrome(tree, rules, facts)
    # a title meta tag stating only the column's or site's name (ArticleTitle = 法治政府建设) names no article
    titled = {key: value for key, value in meta.items() if key not in TITLE_META or plausible_title(value)}
    title, title_node = find_title(tree, titled, facts, window_title if title_stays else None)
    while title_node is not None and title_node.tag in _INLINE_TAGS:
        title_node = title_node.parent
    body = tree.body
    if body is None:
        raise NotAReportError("page has no body")
    for node in reversed(inline):  # innermost first, so paragraphs are one text
        node.unwrap()  # a no-op on the elements removed with their chrome
    found = None
    if use_known_containers:
        found = known_containers(tree, tuple(facts.keep(rules.selectors_for(url))))
    content: list[LexborNode] = []
    lines: list[Line] = []
    if found:
        content = found
        lines = render_lines(content)
        if _chars(lines) < 10 and sum(prose_weight(line.text) for line in lines) == 0:
            content, lines = [], []
    skip: frozenset[int] = frozenset()
    if not content:
        choice = choose_content(body, DensityRules(rules.chrome_words, rules.furniture_words))
        if choice is not None:
            content, skip = choice.blocks, choice.skip_ids
            lines = render_lines(content, skip)
    if title_node is None and content and not has_meta_title(titled) and _names_site(rules, window_title):
        nearby = heading_before(body, content[0], rules.not_title)
        if nearby is not None:
            title, title_node = flat_text(nearby), nearby
    if title_node is not None and inside(title_node, content):
        lines = render_lines(content, skip, {title_node.mem_id: TITLE_MARK})
        header_lines, lines = split_at_title(rules, lines)
        if len(header_lines) < _BOX_FIELDS:
            header_lines = metadata_box(rules, content[0], skip) + header_lines
    else:
        header_lines = byline_lines(rules, title, title_node, content, skip)
    if records >= _HANWEB_RECORDS and _prose(lines, _ARTICLE_MIN_PROSE) < _ARTICLE_MIN_PROSE:
        raise NotAReportError(f'list page: {records} records in a <script type="text/xml"> data list')
    _reject_non_article(rules, window_title, body, lines)
    # (a line without link text is never a link line)
    texts = _trim_chrome_edges(rules, [x.text for x in lines if not x.link_chars or not is_link_line(x)])
    leading, body_lines = _leading_bylines(rules, texts)
    if leading and not body_lines:
        raise NotAReportError("page has no text beyond its byline")
    return StrippedPage(
        body_lines=body_lines,
        header_lines=header_lines + leading,
        meta_tags=meta,
        title_hint=title,
        is_html=True,
    )


def _names_site(rules: PageRules, window_title: str) -> bool:
    """True when the page <title> (its first segment) is only the site's or a column's name."""
    parts = title_head(window_title).split()
    return not parts or all(rules.site_title.search(part) for part in parts)


def _leading_bylines(rules: PageRules, lines: list[str]) -> tuple[list[str], list[str]]:
    """Byline lines (发布时间：… 来源：…) that open the text, when the template puts them in a sibling of the
    text: they go to the header lines."""
    at = 0
    while (
        at < min(len(lines), _LEADING_BYLINES)
        and len(lines[at]) <= _MAX_BYLINE_CHARS
        and "。" not in lines[at]  # (before the label pattern, which costs more)
        and rules.byline_label.search(lines[at])
    ):
        at += 1
    return [f for line in lines[:at] for f in field_lines(line)], lines[at:]


def _trim_chrome_edges(rules: PageRules, lines: list[str]) -> list[str]:
    """Drop widget, editor and footer lines (the capture chrome rules) at the start and end of the text, and
    a related-articles block closing it; inside the text every line stays."""
    start, end = 0, len(lines)
    while start < end and is_chrome_line(lines[start]):
        start += 1
    # a related-articles heading: the last one among the closing lines that hold no more than the share of the
    # text (the first line aside), each searched by one C-level map
    tail = lines[end - 1 : start : -1]  # (from the end)
    within = bisect_right(
        list(accumulate(map(len, tail))), rules.related_tail_share * sum(map(len, lines[start:end]))
    )
    hits = list(map(rules.related_heading.search, tail[:within]))
    if any(hits):
        end -= 1 + next(at for at, hit in enumerate(hits) if hit)
    while end > start and is_chrome_line(lines[end - 1]):
        end -= 1
    return lines[start:end]


def _data_list_records(tree: LexborHTMLParser) -> int:
    """Items of Hanweb data lists (<record> CDATA inside <script type="text/xml">): a page made of them
    with little text of its own is a list page; an article page may carry one for its related links."""
    return sum(len(_RECORD.findall(node.text())) for node in tree.css('script[type="text/xml"]'))


def _remove_chrome(tree: LexborHTMLParser, rules: PageRules, facts: PageFacts) -> list[LexborNode]:
    """Drop non-text elements, hidden elements and the configured widgets; return the inline formatting
    elements of the body in page order (to unwrap once the title has been found).

    Without the page's tag names (``facts.tag_names``), one walk over the body sorts elements by tag
    (cheaper than a lexbor selector list of some forty tags); with them, one selector list of the removed
    and inline tags the page holds finds them (none: no walk). The hidden and widget selectors that can
    match nothing on the page are left out (``facts``). Removal only unlinks, so a node inside an already
    removed subtree is harmless.
    """
    body = tree.body
    if body is None:
        return []
    removed: list[LexborNode] = []
    inline: list[LexborNode] = []
    tag_names = facts.tag_names
    if tag_names is None:
        for node in body.traverse():
            tag = node.tag
            if tag in _REMOVED_TAGS:
                removed.append(node)
            elif tag in _INLINE_TAGS:
                inline.append(node)
    else:
        wanted = sorted(tag_names & _SORTED_TAGS)
        for node in body.css(",".join(wanted)) if wanted else ():
            (removed if node.tag in _REMOVED_TAGS else inline).append(node)
    chrome = facts.keep([*_HIDDEN, *rules.chrome_selectors])
    if chrome:
        removed.extend(body.css(",".join(chrome)))
    for node in removed:
        node.decompose()
    return inline


def _reject_non_article(rules: PageRules, window_title: str, body: LexborNode, lines: list[Line]) -> None:
    chars = _chars(lines)
    if chars <= rules.not_found_max_chars:
        page_text = body.text(deep=True)
        if len(compact(page_text)) <= rules.not_found_max_chars:
            hit = rules.not_found.search(window_title) or rules.not_found.search(page_text)
            if hit:
                raise NotAReportError(f"error page served as a document: {hit.group(0)!r}")
    if not lines:
        links = len(body.css("a"))
        if links >= 10:
            raise NotAReportError(f"list page: {links} links and no running text")
        raise NotAReportError("page has no text content")
    link_chars = sum(map(_LINK_CHARS, lines))
    if link_chars >= _LIST_LINK_SHARE * chars and _prose(lines, _LIST_MAX_PROSE) < _LIST_MAX_PROSE:
        link_lines = sum(1 for line in lines if is_link_line(line))
        raise NotAReportError(f"list page: {link_lines} of {len(lines)} lines are links")
    if not _prose(lines, 1) and len(compact("".join(map(_TEXT, lines)))) < 10:
        raise NotAReportError("page has no text content")


def _chars(lines: list[Line]) -> int:
    """Characters of the lines' text (of their join)."""
    return sum(map(len, map(_TEXT, lines)))


def _prose(lines: list[Line], enough: int) -> int:
    """Prose characters of the lines that are not links, counted until there are ``enough``."""
    total = 0
    for line in lines:
        if total >= enough:
            break
        if not is_link_line(line):
            total += prose_weight(line.text)
    return total
