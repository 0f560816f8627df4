"""Byline lines of an HTML article: the date/source/author lines around its title and right after its text,
handed to the metadata reader as header lines."""

from __future__ import annotations

import re

from selectolax.lexbor import LexborNode

from transforms.html_containers import PageRules
from transforms.html_density import prose_weight
from transforms.html_text import Line, compact, is_link_line, render_lines

TITLE_MARK = "\x00title"
_CONTENT_MARK = "\x00content"
_MAX_BYLINE_CHARS = 200
_TRAILER_LINES = 6
_BOX_LEVELS = 2  # how far above the title's block a metadata box (索引号/发布机构/文号 table) is looked for
_BOX_SIBLINGS = 3
_BOX_MIN_FIELDS = 2  # a box states several fields; one labelled line above the article is a banner
_LABEL_CELL = re.compile(r"[:：]\s*$")
_LABEL_CELL_CHARS = 8
_MAX_VALUE_CHARS = 60


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


def field_lines(text: str) -> list[str]:
    """A byline line as metadata lines: table cells 'label：' + 'value' pair up, one field per line (index
    tables of 信息公开 pages put four fields in a row; a label followed by another label has no value and is
    left out); a line without cells stays as it is."""
    if "\t" not in text:
        return [text]
    cells = [c.strip() for c in text.split("\t") if c.strip()]
    out: list[str] = []
    i = 0
    while i < len(cells):
        cell = cells[i]
        if not _LABEL_CELL.search(cell):
            out.append(cell)
        elif i + 1 < len(cells) and not _LABEL_CELL.search(cells[i + 1]):
            out.append(cell + cells[i + 1])
            i += 1
        i += 1
    return out


def with_colons(rules: PageRules, text: str) -> str:
    """A table row whose label cells carry no colon (索引号 | 990121-… | 发布机构 | …) with the colon added
    to each cell that is only a byline label or an index-table field name, so that the row reads as
    labelled fields."""
    if "\t" not in text:
        return text
    cells = text.split("\t")
    for i, cell in enumerate(cells):
        bare = compact(cell)
        if 0 < len(bare) <= _LABEL_CELL_CHARS and not _LABEL_CELL.search(bare):
            hit = rules.byline_label.search(bare + "：")
            if rules.index_label.fullmatch(bare) or (hit is not None and hit.end() == len(bare) + 1):
                cells[i] = cell.strip() + "："
    return "\t".join(cells)


def pair_labels(rules: PageRules, lines: list[str]) -> list[str]:
    """Lines where a byline label printed alone (a <dt>索引号：</dt> or a label <div>) is joined with
    the short value printed on the line below it (its <dd>), as one labelled line."""
    out: list[str] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        below = lines[i + 1] if i + 1 < len(lines) else ""
        if (
            _LABEL_CELL.search(line)
            and len(compact(line)) <= _LABEL_CELL_CHARS + 1
            and rules.byline_label.search(line)
            and below
            and not below.startswith("\x00")
            and not _LABEL_CELL.search(below)
            and len(below) <= _MAX_VALUE_CHARS
        ):
            out.append(line + below)
            i += 2
            continue
        out.append(line)
        i += 1
    return out


def _fields(lines: list[str]) -> list[str]:
    return [f for line in lines for f in field_lines(line)]


def _element_siblings_before(node: LexborNode) -> list[LexborNode]:
    found: list[LexborNode] = []
    current = node.prev
    while current is not None and len(found) < _BOX_SIBLINGS:
        if current.tag and current.tag[0] != "-":
            found.append(current)
        current = current.prev
    return found[::-1]


def _prints_more_than(node: LexborNode, limit: int) -> bool:
    """Whether the element prints more than ``limit`` characters, whitespace aside, reading its text nodes
    only until it does (a menu decides at its first items)."""
    total = 0
    for inner in node.traverse(include_text=True, skip_empty=True):
        if inner.is_text_node:
            total += len(compact(inner.text_content or ""))
            if total > limit:
                return True
    return False


def metadata_box(rules: PageRules, anchor: LexborNode, skip: frozenset[int]) -> list[str]:
    """Labelled lines of a metadata box (an index table or field list) placed just before ``anchor``'s
    block: the element siblings before ``anchor`` or before one of its parents, up to a few levels. A box
    must state several fields, in a few lines (an element printing more than containers.yaml's
    metadata_box_max_chars is a menu or a list, never rendered for a box); at the page's top level (a flat
    template: masthead, crumbs, box and article as children of <body>) one field more, so that a banner
    with a date and a counter is never taken for one."""
    current: LexborNode | None = anchor
    for _ in range(_BOX_LEVELS + 1):
        if current is None or current.tag in ("body", "html"):
            return []
        parent = current.parent
        if parent is None:
            return []
        top = parent.tag in ("body", "html")
        for sibling in _element_siblings_before(current):
            if _prints_more_than(sibling, rules.box_max_chars):  # a menu or a list: no box
                continue
            lines = pair_labels(rules, [with_colons(rules, x.text) for x in render_lines([sibling], skip)])
            labelled = [x for x in lines if rules.byline_label.search(x) and len(x) <= _MAX_BYLINE_CHARS]
            if len(_fields(labelled)) >= _BOX_MIN_FIELDS + top:
                return labelled
        if top:
            return []
        current = parent
    return []


def split_at_title(rules: PageRules, lines: list[Line]) -> tuple[list[str], list[Line]]:
    """For a title shown inside the content block: (byline lines, body lines after the title and byline).

    Lines above the title are breadcrumbs or column names unless they carry a byline label.
    """
    at = next((i for i, line in enumerate(lines) if line.text == TITLE_MARK), None)
    if at is None:  # the title sits in a subtree left out of the text
        return [], lines
    above = pair_labels(rules, [with_colons(rules, x.text) for x in lines[:at]])
    header = [x for x in above if rules.byline_label.search(x) and len(x) <= _MAX_BYLINE_CHARS]
    rest = lines[at + 1 :]
    while (
        rest
        and len(rest[0].text) <= _MAX_BYLINE_CHARS
        and (
            rules.byline_label.search(rest[0].text)
            or is_link_line(rest[0])
            or (rules.byline_date.search(rest[0].text) and not prose_weight(rest[0].text))
        )
    ):
        if not is_link_line(rest[0]):
            header.append(rest[0].text)
        rest = rest[1:]
    return _fields(header), rest


def _title_line(lines: list[str], title: str | None) -> int:
    """Index of the last line showing the title (-1 when none does)."""
    wanted = compact(title or "")
    if not wanted:
        return -1
    return max(
        (
            i
            for i, line in enumerate(lines)
            if wanted in compact(line) and len(compact(line)) <= 2 * len(wanted)
        ),
        default=-1,
    )


def byline_lines(
    rules: PageRules,
    title: str | None,
    title_node: LexborNode | None,
    content: list[LexborNode],
    skip: frozenset[int],
) -> list[str]:
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
    lines = pair_labels(rules, [with_colons(rules, line.text) for line in rendered])
    first = lines.index(_CONTENT_MARK) if _CONTENT_MARK in lines else len(lines)
    last = len(lines) - 1 - lines[::-1].index(_CONTENT_MARK) if _CONTENT_MARK in lines else len(lines)
    shown = _title_line(lines[:first], title)
    at_page_level = region.tag in ("body", "html")
    if shown < 0:
        shown = max(-1, first - 4)
    labelled = rules.byline_label.search
    above = [] if at_page_level else [x for x in lines[: max(shown, 0)] if labelled(x)]
    before = above + [x for x in lines[shown + 1 : first] if labelled(x) or rules.byline_date.search(x)]
    after = [x for x in lines[last + 1 : last + 1 + _TRAILER_LINES] if labelled(x)]
    if not above and not at_page_level:
        above = metadata_box(rules, region, skip)
        before = above + before
    return _fields([x for x in before + after if not x.startswith("\x00") and len(x) <= _MAX_BYLINE_CHARS])
