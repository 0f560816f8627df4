"""PageFacts (transforms/html_selectors.py) leaves a selector out of a page's queries only when it matches no
element there: class and id selectors match without case on pages in quirks mode."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from selectolax.lexbor import LexborHTMLParser

from transforms.html_containers import page_rules
from transforms.html_meta import _HEADINGS
from transforms.html_selectors import PageFacts
from transforms.html_strip import _HIDDEN
from transforms.parse_budget import check_parse_budget

_ELEMENTS = st.sampled_from(
    [
        "<div class='trs_editor'>",
        "<div class='TRS_Editor view'>",
        "<div ID='ucap-content'>",
        "<div id='Zoom'>",
        "<td class='Title'>",
        "<h2 class='main-Tit'>",
        "<p id='biaoti_1'>",
        "<span hidden>",
        "<div style='DISPLAY: none'>",
        "<nav>",
        "<footer class='foot'>",
        "<div role=navigation>",
        "<div class='bshare-custom icon'>",
        "<table><tr><td id='qrcode'>",
        "<div class='article-content'>",
        "<div class>",
        "<p>",
        "示例县",
    ]
)


@settings(max_examples=50, deadline=None)
@given(st.booleans(), st.lists(_ELEMENTS, max_size=12))
def test_a_selector_left_out_matches_nothing(standards: bool, elements: list[str]) -> None:
    html = ("<!DOCTYPE html>" if standards else "") + "<html><body>" + "".join(elements) + "</body></html>"
    tree = LexborHTMLParser(html)
    facts = PageFacts(tree, check_parse_budget(html))
    rules = page_rules()
    selectors = [
        *rules.containers,
        *rules.chrome_selectors,
        *_HIDDEN,
        *_HEADINGS,
        "div > p",
        "[class]",
        "tbody",
    ]
    kept = facts.keep(selectors)
    for selector in selectors:
        if selector not in kept:
            assert not tree.css(selector), selector


def test_selectors_the_page_cannot_match_are_left_out() -> None:
    html = "<html><body><div class='TRS_Editor'><p>示例县</p></div></body></html>"
    facts = PageFacts(LexborHTMLParser(html), check_parse_budget(html))
    assert facts.keep(["#zoom", ".trs_editor", "nav", "tbody", "[role=banner]", "div p", "[class*=TRS]"]) == [
        ".trs_editor",  # quirks mode: class names match without case
        "tbody",  # an element the parser may add without its tag in the markup
        "div p",  # not a simple selector: always kept
        "[class*=TRS]",
    ]
