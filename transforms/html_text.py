"""Render an HTML subtree as the lines a reader sees: blocks and <br> break lines, table rows become
tab-separated lines, non-text elements are skipped, attributes (alt, title) are never read.

Hidden elements (display:none, hidden) are removed from the tree before rendering (see html_strip).
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass, field

from selectolax.lexbor import LexborNode

BLOCK_TAGS = frozenset(
    (
        "address",
        "article",
        "aside",
        "blockquote",
        "center",
        "dd",
        "details",
        "dialog",
        "div",
        "dl",
        "dt",
        "fieldset",
        "figcaption",
        "figure",
        "footer",
        "form",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "hr",
        "li",
        "main",
        "nav",
        "ol",
        "p",
        "pre",
        "section",
        "summary",
        "table",
        "tbody",
        "thead",
        "tfoot",
        "tr",
        "ul",
        "caption",
        "body",
        "html",
    )
)
SKIP_TAGS = frozenset(
    (
        "script",
        "style",
        "noscript",
        "template",
        "textarea",
        "select",
        "option",
        "button",
        "iframe",
        "svg",
        "object",
        "embed",
        "input",
        "head",
        "title",
        "meta",
        "link",
        "canvas",
        "audio",
        "video",
        "map",
        "area",
    )
)
_DATA_CELL_CHARS = 200  # a longer cell is page layout: its paragraphs stay lines of their own
_SENTENCE_END = re.compile(r"[。！？!?；;]")
_CELL_GAP = re.compile(r" *\t[ \t]*")
_ASCII_SPACES = " \t\r\n\f\v"
_SPACES = re.compile(r"[ \t\r\n\f\v\xa0\u200b\ufeff]+")


@dataclass(slots=True)
class Line:
    """One rendered line and how many of its characters are link text."""

    text: str
    link_chars: int = 0


@dataclass(slots=True)
class _Writer:
    lines: list[Line] = field(default_factory=list)
    parts: list[str] = field(default_factory=list)
    link_chars: int = 0
    link_depth: int = 0
    pre_depth: int = 0
    cell_depth: int = 0
    skip_ids: frozenset[int] = frozenset()
    placeholders: dict[int, str] = field(default_factory=dict)
    stop_after: int | None = None
    lines_after: int = 0
    stop_at: int = sys.maxsize
    marked: bool = False  # some subtree is skipped or replaced by a placeholder

    def text(self, value: str) -> None:
        if self.pre_depth and "\n" in value:
            first, *rest = value.split("\n")
            self.text(first)
            for piece in rest:
                self.flush()
                self.text(piece)
            return
        if not value.strip(_ASCII_SPACES):  # blank (most text nodes between tags): one space at most
            if value and self.parts:
                self.parts.append(" ")
            return
        # (every _SPACES character but the space is unprintable; a single-character find is the cheaper test)
        if not value.isprintable() or (" " in value and "  " in value):
            value = _SPACES.sub(" ", value)
        if value.strip() or (self.parts and value):
            self.parts.append(value)
            if self.link_depth:
                self.link_chars += len(value.strip())

    def line(self, value: str) -> None:
        """text(value) then flush(), on an empty line outside <pre>."""
        if self.pre_depth:
            self.text(value)
            self.flush()
            return
        if not value.isprintable() or (" " in value and "  " in value):
            value = _SPACES.sub(" ", value)
        text = value.strip()
        if text:
            self.lines.append(Line(text, len(text) if self.link_depth else 0))
            if len(self.lines) >= self.stop_at:
                raise _Enough

    def cell(self) -> None:
        if self.parts and "".join(self.parts).strip():
            self.parts.append("\t")

    def flush(self) -> None:
        if not self.parts:
            return
        if self.cell_depth:
            self.parts.append(" ")
            return
        text = "".join(self.parts).strip()
        if "\t" in text:
            text = _CELL_GAP.sub("\t", text)
        if text:
            self.lines.append(Line(text, min(self.link_chars, len(text))))
            if len(self.lines) >= self.stop_at:
                raise _Enough
        self.parts.clear()
        self.link_chars = 0

    def placeholder(self, key: int) -> None:
        self.flush()
        self.lines.append(Line(self.placeholders[key]))
        if key == self.stop_after:
            self.stop_at = len(self.lines) + self.lines_after
            if len(self.lines) >= self.stop_at:
                raise _Enough


class _Enough(Exception):
    """Raised inside the walk once the lines asked for are all complete."""


def _walk(node: LexborNode, out: _Writer) -> None:
    parts, lines = out.parts, out.lines  # (flush clears parts in place)
    # (the depths stay as they are during this walk: a nested _visit restores them; and without marks no
    # placeholder ever sets a line to stop at)
    plain, linked = not (out.marked or out.cell_depth or out.pre_depth), out.link_depth
    for child in node.iter(include_text=True):
        tag = child.tag
        if tag == "-text":
            if child.is_empty_text_node and not out.pre_depth:  # (lexbor's test, without reading the text)
                if parts:  # blank (most text nodes between tags): one space at most, as text() does
                    parts.append(" ")
                continue
            value = child.text_content or ""
            if out.pre_depth or value.strip(_ASCII_SPACES):
                out.text(value)
            elif value and parts:  # (blank with a character lexbor does not call white space: \v)
                parts.append(" ")
        elif plain and tag in _PLAIN_BLOCKS:
            # _visit of a block outside cells and <pre>, inlined: most lines of a page are paragraphs
            if parts:
                out.flush()
            only = child.first_child
            if only is not None and only.next is None and only.is_text_node:  # one text: out.line(text)
                value = only.text_content or ""
                if not value.isprintable() or (" " in value and "  " in value):
                    value = _SPACES.sub(" ", value)
                text = value.strip()
                if text:
                    lines.append(Line(text, len(text) if linked else 0))
                continue
            _walk(child, out)
            if parts:
                out.flush()
        elif tag and tag[0] != "-" and tag not in SKIP_TAGS:
            _visit(child, tag, out)


_BR, _CELL, _LINK, _PRE, _BLOCK = 1, 2, 3, 4, 5
_KINDS = {**dict.fromkeys(BLOCK_TAGS, _BLOCK), "br": _BR, "td": _CELL, "th": _CELL, "a": _LINK, "pre": _PRE}
_PLAIN_BLOCKS = frozenset(tag for tag, kind in _KINDS.items() if kind == _BLOCK)


def _visit(element: LexborNode, tag: str, out: _Writer) -> None:
    if out.marked:
        key = element.mem_id
        if key in out.skip_ids:
            return
        if key in out.placeholders:
            out.placeholder(key)
            return
    kind = _KINDS.get(tag)
    if kind is None:
        _walk(element, out)
    elif kind == _BLOCK:
        if out.parts:
            out.flush()
        only = element.first_child
        if only is not None and only.next is None and only.is_text_node:  # a paragraph of one text: no walk
            if out.parts or out.cell_depth:  # (a data cell: a flush keeps its line open)
                out.text(only.text_content or "")
            else:
                out.line(only.text_content or "")
                return
        else:
            _walk(element, out)
        if out.parts:
            out.flush()
    elif kind == _BR:
        out.flush()
    elif kind == _CELL:
        out.cell()
        data_cell = not _text_longer_than(element, _DATA_CELL_CHARS) and element.css_first("table") is None
        out.cell_depth += data_cell
        _walk(element, out)
        out.cell_depth -= data_cell
    elif kind == _LINK:
        out.link_depth += 1
        _walk(element, out)
        out.link_depth -= 1
    else:
        out.flush()
        out.pre_depth += 1
        _walk(element, out)
        out.pre_depth -= 1
        out.flush()


def _text_longer_than(element: LexborNode, limit: int) -> bool:
    """len(element.text()) > limit, reading its text nodes only until they are longer (a cell holding a
    whole article decides at its first paragraphs)."""
    total = 0
    for node in element.traverse(include_text=True, skip_empty=False):
        if node.is_text_node:
            total += len(node.text_content or "")
            if total > limit:
                return True
    return False


def render_lines(
    nodes: list[LexborNode],
    skip_ids: frozenset[int] = frozenset(),
    placeholders: dict[int, str] | None = None,
    *,
    stop_after: int | None = None,
    lines_after: int = 0,
) -> list[Line]:
    """The visible lines of ``nodes`` in order.

    Subtrees whose mem_id is in ``skip_ids`` are left out; a subtree whose mem_id is a key of
    ``placeholders`` is replaced by one line holding the mapped marker text. With ``stop_after`` (a key of
    ``placeholders``), rendering ends once ``lines_after`` lines follow that marker: the lines returned are
    then the first ones of the full rendering.
    """
    out = _Writer(
        skip_ids=skip_ids,
        placeholders=placeholders or {},
        stop_after=stop_after,
        lines_after=lines_after,
        marked=bool(skip_ids or placeholders),
    )
    try:
        for node in nodes:
            out.flush()
            tag = node.tag
            if tag and tag[0] != "-" and tag not in SKIP_TAGS:
                _visit(node, tag, out)
        out.flush()
    except _Enough:
        pass
    return out.lines


def is_link_line(line: Line) -> bool:
    """A line that is mostly link text and ends no sentence: a menu entry, a related-article title."""
    return line.link_chars * 2 >= len(line.text) and not _SENTENCE_END.search(line.text)


def compact(text: str) -> str:
    """The text with every whitespace character removed, to compare or measure what is printed."""
    return "".join(text.split())


def flat_text(node: LexborNode) -> str:
    """A short element's visible text on one line (inline pieces joined by single spaces)."""
    return " ".join(line.text.replace("\t", " ") for line in render_lines([node]))
