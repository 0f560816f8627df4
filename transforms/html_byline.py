"""Byline lines of an HTML article: the date/source/author lines around its title and right after its text,
handed to the metadata reader as header lines."""

from __future__ import annotations

from selectolax.lexbor import LexborNode

from transforms.html_containers import PageRules
from transforms.html_density import prose_weight
from transforms.html_text import Line, is_link_line, render_lines

TITLE_MARK = "\x00title"
_CONTENT_MARK = "\x00content"
_MAX_BYLINE_CHARS = 200
_TRAILER_LINES = 6


def _compact(text: str) -> str:
    return "".join(text.split())


def _ancestor_ids(node: LexborNode) -> list[int]:
    ids = []
    current: LexborNode | None = node
    while current is not None:
        ids.append(current.mem_id)
        current = current.parent
    return ids


def _common_ancestor(nodes: list[LexborNode]) -> LexborNode:
    chains = [_ancestor_ids(n) for n in nodes]
    shared = set(chains[0]).intersection(*map(set, chains[1:]))
    target = next(i for i in chains[0] if i in shared)
    current = nodes[0]
    while current.mem_id != target:
        current = current.parent
    return current


def inside(node: LexborNode, blocks: list[LexborNode]) -> bool:
    """True when ``node`` is one of ``blocks`` or sits inside one."""
    wanted = {b.mem_id for b in blocks}
    current: LexborNode | None = node
    while current is not None:
        if current.mem_id in wanted:
            return True
        current = current.parent
    return False


def split_at_title(rules: PageRules, lines: list[Line]) -> tuple[list[str], list[Line]]:
    """For a title shown inside the content block: (byline lines, body lines after the title and byline).

    Lines above the title are breadcrumbs or column names unless they carry a byline label.
    """
    at = next((i for i, line in enumerate(lines) if line.text == TITLE_MARK), None)
    if at is None:  # the title sits in a subtree left out of the text
        return [], lines
    header = [x.text for x in lines[:at]
              if rules.byline_label.search(x.text) and len(x.text) <= _MAX_BYLINE_CHARS]
    rest = lines[at + 1:]
    while rest and len(rest[0].text) <= _MAX_BYLINE_CHARS and (
            rules.byline_label.search(rest[0].text) or is_link_line(rest[0])
            or (rules.byline_date.search(rest[0].text) and not prose_weight(rest[0].text))):
        if not is_link_line(rest[0]):
            header.append(rest[0].text.replace("\t", " "))
        rest = rest[1:]
    return header, rest


def _title_line(lines: list[str], title: str | None) -> int:
    """Index of the last line showing the title (-1 when none does)."""
    wanted = _compact(title or "")
    if not wanted:
        return -1
    return max((i for i, line in enumerate(lines)
                if wanted in _compact(line) and len(_compact(line)) <= 2 * len(wanted)), default=-1)


def byline_lines(rules: PageRules, title: str | None, title_node: LexborNode | None,
                 content: list[LexborNode], skip: frozenset[int]) -> list[str]:
    """Short lines around the title (shown outside the content) and after the text stating dates, sources
    and the like. The region searched is the common ancestor of title and content, or a few levels above
    the content when the title element is unknown."""
    if not content:
        return []
    anchors = content + ([title_node] if title_node is not None else [])
    region = _common_ancestor(anchors)
    if title_node is None or region.mem_id == content[0].mem_id:
        region = content[0]
        for _ in range(3):
            if region.parent is None or region.tag in ("body", "html"):
                break
            region = region.parent
    # content is in page order, so its last block gives the last marker: the lines after it are not needed
    marks = {n.mem_id: _CONTENT_MARK for n in content}
    rendered = render_lines([region], skip, marks, stop_after=content[-1].mem_id, lines_after=_TRAILER_LINES)
    lines = [line.text for line in rendered]
    first = lines.index(_CONTENT_MARK) if _CONTENT_MARK in lines else len(lines)
    last = len(lines) - 1 - lines[::-1].index(_CONTENT_MARK) if _CONTENT_MARK in lines else len(lines)
    shown = _title_line(lines[:first], title)
    at_page_level = region.tag in ("body", "html")
    if shown < 0:
        shown = max(-1, first - 4)
    labelled = rules.byline_label.search
    above = [] if at_page_level else [x for x in lines[:max(shown, 0)] if labelled(x)]
    before = above + [x for x in lines[shown + 1:first] if labelled(x) or rules.byline_date.search(x)]
    after = [x for x in lines[last + 1: last + 1 + _TRAILER_LINES] if labelled(x)]
    return [x.replace("\t", " ") for x in before + after
            if not x.startswith("\x00") and len(x) <= _MAX_BYLINE_CHARS]
