"""The parse budget (transforms/parse_budget.py): the counting shortcut clears a page only when the tag
scan would, so pages of many shallow elements pass and the depth limit holds to the element."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from transforms.parse_budget import OverParseBudgetError, check_parse_budget


def _page(depth: int, leaves: int) -> str:
    """``depth`` nested divs around ``leaves`` links and spans (leaf elements: text only) at the bottom,
    each link inside a span: the deepest element (a link) sits at depth + 4, under html and body."""
    inner = "".join(
        f'<span class="s"><a href="/art/{n}.html">示例县通知{n}</a></span>' for n in range(leaves)
    )
    return f"<html><body>{'<div>' * depth}{inner}{'</div>' * depth}</body></html>"


@pytest.mark.parametrize("depth", [16, 17])
def test_the_depth_limit_holds_to_the_element_under_many_leaves(
    use_settings: Callable[..., Path], depth: int
) -> None:
    use_settings(max_html_depth="20")
    page = _page(depth, leaves=50)  # 2 (html, body) + depth divs + span + a
    if depth + 4 > 20:
        with pytest.raises(OverParseBudgetError, match=r"ingest\.max_html_depth"):
            check_parse_budget(page)
    else:
        check_parse_budget(page)


def test_many_shallow_elements_are_within_the_budget(use_settings: Callable[..., Path]) -> None:
    use_settings(max_html_depth="20")
    check_parse_budget(_page(3, leaves=500))  # a thousand start tags that can nest, never deeper than 7


def test_elements_left_open_count_as_nested(use_settings: Callable[..., Path]) -> None:
    use_settings(max_html_depth="20")
    with pytest.raises(OverParseBudgetError, match=r"ingest\.max_html_depth"):
        check_parse_budget("<html><body>" + "<span>示例县" * 25 + "</body></html>")


def test_the_tag_limit_counts_tags_not_angle_brackets(use_settings: Callable[..., Path]) -> None:
    use_settings(max_html_tags="100")
    check_parse_budget("<p>" + "1 < 2 " * 200 + "</p>")
    with pytest.raises(OverParseBudgetError, match=r"ingest\.max_html_tags"):
        check_parse_budget("<p>x</p>" * 60)


def test_the_counting_reads_the_tag_names_of_the_page() -> None:
    page = (
        "<HTML><body><!-- <Span> --><DIV class=a><p>示例县</p>"
        "<script>var t = '<b>';</script></DIV></body></html>"
    )
    assert check_parse_budget(page) == frozenset({"html", "body", "span", "div", "p", "script", "b"})


def test_no_tag_names_when_the_scan_decides(use_settings: Callable[..., Path]) -> None:
    use_settings(max_html_depth="20")
    # 40 shallow blocks of three levels: more start tags than the depth limit after two leaf deletions, so
    # the scan measures the page (5 deep) and clears it
    page = "<html><body>" + "<div><span>示<b>例</b>县</span></div>" * 40 + "</body></html>"
    assert check_parse_budget(page) is None
