"""The parse budget of an HTML page, checked by one linear scan before the tree parser sees it.

The parser's cost grows with the square of the nesting depth (100,000 nested divs take seconds, a million
never finish), so a page over ingest.max_html_depth or ingest.max_html_tags (config/settings.yaml) is
refused with its reason before parsing. The depth is measured the way a parser builds the tree, roughly: an
end tag closes the innermost open element of its name and everything opened inside it; void elements and
elements whose end tag may be left out (p, li, td, option, …) never add depth.

That scan costs a Python step per tag, so it runs only when a cheap bound computed by C-level counting
cannot clear the page: the tags are at most the page's "<" characters, and the depth at most the start tags
whose name can add depth — after deleting, at most twice, the leaf elements of the page (a start tag, text
without "<", its end tag: each such element is opened and closed with nothing inside, so it adds one level
at most for as long as it is open, counted as one per deletion round).
"""

from __future__ import annotations

import re
from collections import Counter

from nianbao.bounds import bounds
from transforms.errors import ExtractError

_TAG = re.compile(r"<!--|<(/?)([A-Za-z][A-Za-z0-9:-]*)(?:\s[^<>]*)?(/?)>")
# Elements whose content holds no tags, up to their own end tag.
_RAW_END = {
    name: re.compile(f"</{name}", re.IGNORECASE)
    for name in ("script", "style", "textarea", "title", "xmp", "plaintext")
}
# Elements that never hold children, and those a parser closes by itself when a sibling starts.
_FLAT = frozenset(
    [
        "area",
        "base",
        "br",
        "col",
        "embed",
        "hr",
        "img",
        "input",
        "link",
        "meta",
        "param",
        "source",
        "track",
        "wbr",
        "basefont",
        "bgsound",
        "frame",
        "keygen",
        "p",
        "li",
        "dt",
        "dd",
        "tr",
        "td",
        "th",
        "option",
        "optgroup",
        "thead",
        "tbody",
        "tfoot",
        "colgroup",
        "caption",
        "rb",
        "rt",
        "rtc",
        "rp",
    ]
)


_DEPTHLESS = _FLAT | frozenset(_RAW_END)
# Elements the parser makes without their start tag in the markup: a page's elements all have one of these
# names or a start tag name the page holds.
IMPLIED_TAGS = frozenset(("html", "head", "body", "tbody", "tr", "colgroup", "p", "br", "img"))
_START_NAME = re.compile(r"<([A-Za-z][A-Za-z0-9:-]*)")
_LEAF = re.compile(r"<([A-Za-z][A-Za-z0-9:-]*)(?:\s[^<>]*)?>[^<]*</\1(?:\s[^<>]*)?>")
_LEAF_ROUNDS = 2


class OverParseBudgetError(ExtractError):
    """The page would cost the HTML parser more than the configured budget."""


def check_parse_budget(html: str) -> frozenset[str] | None:
    """Raise OverParseBudgetError when the page has too many tags or nests elements too deeply.

    Returns the names (lowercased) of the start tags the page holds anywhere (in comments and scripts too),
    when the counting shortcut read them: the parser makes no element of another name but IMPLIED_TAGS (html,
    head, body, tbody, tr, colgroup; p, br or img for a stray </p>, </br> or an <image>), so a walk
    looking only for elements of names not among them can be left out. None when the tag scan decided (it
    does not read every name the parser takes for a tag).
    """
    limits = bounds().ingest
    names = _surely_within(html, limits.max_html_tags, limits.max_html_depth)
    if names is None:
        _scan(html, limits.max_html_tags, limits.max_html_depth)
    return names


def _surely_within(html: str, max_tags: int, max_depth: int) -> frozenset[str] | None:
    """The page's start tag names when counting alone shows it within both limits (None: the scan decides)."""
    if len(html) > max_tags and html.count("<") > max_tags:  # (fewer characters than the limit: fewer "<")
        return None
    text = html
    names: frozenset[str] = frozenset()
    for rounds in range(_LEAF_ROUNDS + 1):
        if rounds:
            text = _LEAF.sub("", text)
        starts = Counter(_START_NAME.findall(text))
        if not rounds:
            names = frozenset(name.lower() for name in starts)
        if sum(n for name, n in starts.items() if name.lower() not in _DEPTHLESS) + rounds <= max_depth:
            return names
    return None


def _scan(html: str, max_tags: int, max_depth: int) -> None:
    stack: list[str] = []
    open_count: dict[str, int] = {}
    tags = 0
    position = 0
    while match := _TAG.search(html, position):
        position = match.end()
        if match.group(0) == "<!--":  # skip the comment (to the end of the page when unclosed)
            end = html.find("-->", position)
            position = len(html) if end < 0 else end + 3
            continue
        tags += 1
        if tags > max_tags:
            raise OverParseBudgetError(
                f"over the parse budget: more than {max_tags:,} tags "
                "(ingest.max_html_tags in config/settings.yaml)"
            )
        closing, name, self_closing = match.group(1), match.group(2).lower(), match.group(3)
        if name in _RAW_END and not closing:
            end = _RAW_END[name].search(html, position)
            position = end.start() if end else len(html)
            continue
        if name in _FLAT or self_closing:
            continue
        if not closing:
            stack.append(name)
            open_count[name] = open_count.get(name, 0) + 1
            if len(stack) > max_depth:
                raise OverParseBudgetError(
                    f"over the parse budget: elements nested more than {max_depth:,} deep "
                    "(ingest.max_html_depth in config/settings.yaml)"
                )
        elif open_count.get(name):
            while stack:
                top = stack.pop()
                open_count[top] -= 1
                if top == name:
                    break
