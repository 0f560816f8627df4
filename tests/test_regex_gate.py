"""transforms/regex_gate.py: the keywords read off a regex, and a gated alternation answering as the plain
alternation does (on the capture chrome rules and every line of the fixtures)."""

from __future__ import annotations

import random
import re
from pathlib import Path

from nianbao.settings import load_config
from transforms.regex_gate import (
    FirstCharSearch,
    GatedAlternation,
    GatedPattern,
    KeywordScan,
    _keywords,
    leading_chars,
    leading_strings,
)
from transforms.rulebook import any_of

FIXTURES = Path(__file__).parent / "fixtures"


def test_keywords_are_what_every_match_holds() -> None:
    assert _keywords(r".{0,30}(?:屏幕)?分辨率.{0,30}") == {"分辨率"}
    assert _keywords(r"(?:扫一扫|扫码|扫描二维码).{0,9}") == {"扫一扫", "扫码", "扫描二维码"}
    assert _keywords(r"(?:星期|周)[一二]") == {"星期一", "星期二", "周一", "周二"}
    assert _keywords(r"[|｜\s]{2,}") is None
    assert _keywords(r".{2,60}?[.…]{3,}\s*\d{1,3}") == {a + b + c for a in ".…" for b in ".…" for c in ".…"}
    assert _keywords(r"(?:ab){2}c") == {"ababc"}
    assert _keywords(r"(?i:icp)备案") == {"备案"}  # a part read case-insensitively gives none
    assert _keywords(r"(?:关于)?") is None


def test_a_line_without_keywords_is_tried_against_the_other_branches() -> None:
    gated = GatedAlternation([r".{0,10}版权所有.{0,10}", r"[|｜\s]{2,}", r"目\s*录"])
    assert gated.fullmatch("示例县人民政府 版权所有")
    assert gated.fullmatch("| |")
    assert gated.fullmatch("目 录")
    assert not gated.fullmatch("示例县全年受理行政复议案件12件。")


def test_the_chrome_rules_answer_as_their_alternation_on_every_fixture_line() -> None:
    patterns = [str(p) for p in load_config("capture_chrome.yaml")["lines"]]
    gated, plain = GatedAlternation(patterns), re.compile(any_of(patterns))
    lines = {
        line.strip()
        for path in FIXTURES.rglob("*")
        if path.suffix in (".txt", ".html")
        for line in path.read_text(encoding="utf-8", errors="replace").splitlines()
    }
    assert len(lines) > 1000
    assert sum(plain.fullmatch(line) is not None for line in lines) > 50
    for line in lines:
        assert gated.fullmatch(line) == (plain.fullmatch(line) is not None), line


def test_a_gated_pattern_finds_what_its_regex_finds() -> None:
    speaker = r"(?:^|(?<=\s))[\u4e00-\u9fff]{0,14}?(?:县长|区长)\s*(?P<name>[\u4e00-\u9fff]{2,4})$"
    gated, plain = GatedPattern(speaker), re.compile(speaker)
    for line in ("示例县人民政府县长 张三", "代县长 李四", "全县各级干部认真落实", "县 长 王五"):
        found, expected = gated.search(line), plain.search(line)
        assert (found and found.group("name")) == (expected and expected.group("name"))
    assert gated.search("示例县人民政府县长 张三").group("name") == "张三"


def test_leading_chars_are_what_every_match_starts_with() -> None:
    assert leading_chars(r"第(?P<n>[一二])部分") == {"第"}
    assert leading_chars(r"(?:[(（]|第)?[一二]、") == {"(", "（", "第", "一", "二"}
    assert leading_chars(r"(?=\d)[0-3]x") == {"0", "1", "2", "3"}
    assert leading_chars(r"\s*一") is None  # a class of every space
    assert leading_chars(r"[^。]x") is None
    assert leading_chars(r"(?:关于)?") is None  # may match nothing
    assert leading_chars(r"(?i:a)b") is None


def test_a_keyword_scan_finds_every_keyword_overlapping_ones_too() -> None:
    scan = KeywordScan(["主办", "主办单位", "单位", "版权所有"])
    assert scan.found("本站主办单位：示例县") == {"主办", "主办单位", "单位"}
    assert scan.found("示例县全年受理行政复议案件12件。") == frozenset()


def test_a_gated_alternation_answers_with_the_keywords_a_caller_found() -> None:
    patterns = [r".{0,10}版权所有.{0,10}", r"(?:主办单位|主办)\s*[:：].{0,20}", r"目\s*录"]
    gated, plain = GatedAlternation(patterns), re.compile(any_of(patterns))
    scan = KeywordScan(gated.keywords)
    for line in ("主办单位：示例县人民政府", "示例县 版权所有", "目 录", "主办：", "全县主办活动12场。"):
        assert gated.fullmatch(line, scan.found(line)) == (plain.fullmatch(line) is not None), line
        assert gated.fullmatch(line) == (plain.fullmatch(line) is not None), line


def test_a_gated_substitution_leaves_what_its_regex_leaves() -> None:
    trailing = r"(?:\s+|\s*[(（]\s*(?=(?:19|20)\d{2}-\d{2}-\d{2}[)）]$))(?:19|20)\d{2}-\d{2}-\d{2}[)）]?$"
    gated, plain = GatedPattern(trailing, common_keywords=True), re.compile(trailing)
    for line in (
        "示例县2022年法治政府建设情况报告 2023-03-01",
        "示例县法治政府建设情况报告（2023-03-01）",
        "无日期的标题",
    ):
        assert gated.sub("", line) == plain.sub("", line), line
    assert gated.sub("", "示例县报告 2023-03-01") == "示例县报告"


def test_a_first_char_search_finds_what_its_regex_finds() -> None:
    owner = r"(?:主办单位|网站主办|主办|版权所有)\s*[:：]?\s*(?P<owner>[\u4e00-\u9fff]{2,24})"
    searched, plain = FirstCharSearch(owner), re.compile(owner)
    texts = (
        "网上办事 主办 2024 网站主办：示例县人民政府办公室 版权所有" * 500,  # (a page's length)
        "主办单位主办：示例县人民政府",
        "<p>网站地图</p> 无主办者",
        "",
    )
    for text in texts:
        found, expected = searched.search(text), plain.search(text)
        assert (found and found.span()) == (expected and expected.span()), text
    assert searched.search(texts[0]).group("owner") == "示例县人民政府办公室"
    assert searched.search("网" * 20_000) is None
    assert searched.search("主要" * 10_000 + "版权所有：示例县人民政府").group("owner") == "示例县人民政府"


def test_leading_strings_are_what_every_match_starts_with() -> None:
    assert leading_strings(r"(?:主办单位|网站主办|主办)\s*[:：]") == {"主办单位", "网站主办", "主办"}
    assert leading_strings(r"(?=\d)第[一二]部分") == {"第一部分", "第二部分"}
    assert leading_strings(r"关于(?:\d+)?") == {"关于"}
    assert leading_strings(r"(?:关于|)报告") == {"关于报告", "报告"}
    assert leading_strings(r"(?:[(（]|第)?[一二]、") is None  # an optional opening spells no fixed string
    assert leading_strings(r"\s*一") is None
    assert leading_strings(r"(?i:a)b") is None


def test_a_keyword_scan_of_lines_finds_what_scans_of_each_line_find() -> None:
    scan = KeywordScan(["主办", "主办单位", "版权所有", "上一篇"])
    lines = ["标题", "主办单位：示例县", "全年办理案件12件。", "版权所有 主办", "上一篇", "主"]
    expected = {i: scan.found(line) for i, line in enumerate(lines) if i >= 1 and scan.found(line)}
    assert scan.found_in_lines(lines, 1) == expected
    assert set(expected) == {1, 3, 4}
    assert scan.found_in_lines(["无", "关键词"]) == {}


def test_the_whole_page_scan_agrees_with_the_line_scans_on_random_lines() -> None:
    # one-character words, words sharing their first two characters, a character beyond U+FFFF in the text
    # and inside a word (a word starting with one is left to the regex scan: the second list)
    for words in (
        ["主办", "主办单位", "办单", "版权所有", "上一篇", "·", "›", "字𠀋", "ab"],
        ["𠀋字", "主办"],
    ):
        scan = KeywordScan(words)
        alphabet = "主办单位版权所有上一篇·›𠀋字ab 。"
        rng = random.Random(7)
        for _ in range(300):
            lines = ["".join(rng.choices(alphabet, k=rng.randint(0, 12))) for _ in range(rng.randint(1, 6))]
            start = rng.randint(0, len(lines) - 1)
            expected = {i: scan.found(lines[i]) for i in range(start, len(lines)) if scan.found(lines[i])}
            assert scan.found_in_lines(lines, start) == expected, lines
