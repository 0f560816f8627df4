"""The CSS selectors worth running on one page: lexbor matches every element against every selector of a
query, so a selector that can match no element of the page only costs a walk of the whole tree.

What decides is read once per parsed page (PageFacts): the start tag names the page holds (from the parse
budget's counting), the class and id values of its elements, and whether it has an element carrying some
other attribute. Only the simplest selectors are judged (a bare tag, .class, #id, [attribute] and
[attribute op value]); any other selector is always kept. The judgement errs on keeping: class and id values
are compared without case and as substrings, so a selector is left out only when no element can match it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache, lru_cache

from selectolax.lexbor import LexborHTMLParser

from transforms.parse_budget import IMPLIED_TAGS

_SIMPLE = re.compile(
    r"""(?P<tag>[a-z][a-z0-9]*)
    |(?P<mark>[#.])(?P<name>[A-Za-z0-9_-]+)
    |\[\s*(?P<attr>[A-Za-z_][A-Za-z0-9_-]*)\s*
      (?:[~|^$*]?=\s*(?:"(?P<dq>[^"\\]*)"|'(?P<sq>[^'\\]*)'|(?P<bare>[A-Za-z0-9_-]+))\s*(?:[iIsS]\s*)?)?\]""",
    re.VERBOSE,
)
_KEYED = ("class", "id")


_META = LexborHTMLParser("<meta>").css_first("meta").tag_id


class PageFacts:
    """What a parsed page's elements hold that simple selectors test, and its <meta> tags' attributes (read
    in the same walk of the tree)."""

    def __init__(self, tree: LexborHTMLParser, tag_names: frozenset[str] | None) -> None:
        """``tag_names``: every start tag name of the page's markup (check_parse_budget), or None (unknown:
        every bare tag selector is kept)."""
        self._tree = tree
        self.tag_names = tag_names
        self.meta_attributes: list[dict[str, str | None]] = []  # of each <meta>, in page order
        values: dict[str, list[str]] = {key: [] for key in _KEYED}
        for node in tree.css("meta,[class],[id]"):
            attrs = node.attributes
            if node.tag_id == _META:
                self.meta_attributes.append(attrs)
            for key in _KEYED:
                if key in attrs:
                    values[key].append(attrs[key] or "")
        self._values = {key: "\n".join(found).lower() for key, found in values.items()}
        self._present = {key: bool(found) for key, found in values.items()}

    def keep(self, selectors: Iterable[str]) -> list[str]:
        """The selectors, in order, without those that can match no element of the page."""
        tag_names, values, present = self.tag_names, self._values, self._present
        forms = _forms(tuple(selectors))
        self._look_up({form[1] for _, form in forms if form is not None and form[0] == "attr"} - set(present))
        kept = []
        for selector, form in forms:
            if form is None:
                kept.append(selector)
                continue
            kind, name, value = form
            if kind == "tag":
                if tag_names is None or name in tag_names or name in IMPLIED_TAGS:
                    kept.append(selector)
            elif present[name] and (value is None or name not in values or value in values[name]):
                kept.append(selector)
        return kept

    def _look_up(self, attrs: set[str]) -> None:
        """Record whether some element carries each attribute: one walk of the tree (up to the first element
        carrying one of them) settles those that element carries, and all when there is none (the usual
        answer for hidden, role, …); one walk each for the rest when the element spells none of them as
        asked (a foreign element's viewBox)."""
        tree, present = self._tree, self._present
        while len(attrs) > 1:
            found = tree.css_first(",".join(f"[{attr}]" for attr in sorted(attrs)))
            if found is None:
                present.update(dict.fromkeys(attrs, False))
                return
            carried = attrs.intersection(found.attributes)
            if not carried:
                break
            present.update(dict.fromkeys(carried, True))
            attrs = attrs - carried
        for attr in attrs:
            present[attr] = tree.css_first(f"[{attr}]") is not None


@lru_cache(maxsize=256)
def _forms(selectors: tuple[str, ...]) -> tuple[tuple[str, tuple[str, str, str | None] | None], ...]:
    """Each selector with its _form, read once per list of selectors (the lists are config: a few per run)."""
    return tuple((selector, _form(selector)) for selector in selectors)


@cache
def _form(selector: str) -> tuple[str, str, str | None] | None:
    """A simple selector as ("tag", name, None) or ("attr", attribute, lowercased value or None): .x is
    [class ~= x] and #x is [id = x]; None for any other selector."""
    simple = _SIMPLE.fullmatch(selector.strip())
    if simple is None:
        return None
    if simple["tag"]:
        return "tag", simple["tag"], None
    if simple["mark"]:
        return "attr", "id" if simple["mark"] == "#" else "class", simple["name"].lower()
    value = next((v for v in (simple["dq"], simple["sq"], simple["bare"]) if v is not None), None)
    return "attr", simple["attr"].lower(), None if value is None else value.lower()
