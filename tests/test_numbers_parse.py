"""The numeral parser: Chinese, Arabic and mixed forms, with property tests over integers and any text."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from transforms.numbers import parse_number

DIGITS = "零一二三四五六七八九"
SMALL = ("", "十", "百", "千")


def group_to_chinese(group: int) -> str:
    """0 < group < 10000 in Chinese numerals, with 零 for inner gaps (一千零五)."""
    out, gap = "", False
    for power in (3, 2, 1, 0):
        digit = group // 10**power % 10
        if digit:
            if gap and out:
                out += "零"
            out += DIGITS[digit] + SMALL[power]
            gap = False
        else:
            gap = True
    return out


def to_chinese(n: int, short_ten: bool = False) -> str:
    """n in standard Chinese numerals (十二万零三百, 一亿零一万); short_ten writes 十 for a leading 一十."""
    if n == 0:
        return "零"
    text = ""
    for group, suffix in ((n // 10**8, "亿"), (n // 10**4 % 10**4, "万"), (n % 10**4, "")):
        if group:
            if text and group < 1000:
                text += "零"
            text += group_to_chinese(group) + suffix
    if short_ten and text.startswith("一十"):
        text = text[1:]
    return text


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("十三", 13),
        ("二百三十五", 235),
        ("两千", 2000),
        ("一万零五十", 10050),
        ("1.2万", 12000),
        ("3万4千", 34000),
        ("1,234.5", 1234.5),
        ("3751.9万", 37519000),
        ("2954.7亿", 295470000000),
        ("壹仟贰佰", 1200),
        ("十万零三百", 100300),
        ("一千零一万", 10010000),
        ("1亿2000万", 120000000),
        ("12.3456万", 123456),
        ("零", 0),
        ("二〇一九", 2019),
        ("三点五", 3.5),
        ("九十五点五", 95.5),
        ("三點五億", 350000000),
        ("二十点零五万", 200500),
    ],
)
def test_parses_known_forms(text: str, value: float) -> None:
    assert parse_number(text) == value


@pytest.mark.parametrize(
    "text", ["", "abc", "三5", "5三", "1,2,3", "个", "百分之", "点五", "三点", "三点五点六"]
)
def test_non_numerals_are_none(text: str) -> None:
    assert parse_number(text) is None


@settings(max_examples=400)
@given(st.integers(min_value=0, max_value=10**12 - 1), st.booleans())
def test_chinese_integers_parse_back(n: int, short_ten: bool) -> None:
    assert parse_number(to_chinese(n, short_ten)) == n


@settings(max_examples=300)
@given(st.integers(min_value=0, max_value=10**12 - 1))
def test_arabic_integers_parse_back(n: int) -> None:
    assert parse_number(str(n)) == n
    assert parse_number(f"{n:,}") == n


@settings(max_examples=300)
@given(
    st.integers(min_value=1, max_value=9999),
    st.integers(min_value=0, max_value=9999),
    st.integers(min_value=0, max_value=9999),
)
def test_arabic_with_scale_words_parse_back(yi: int, wan: int, rest: int) -> None:
    assert parse_number(f"{wan}万") == wan * 10**4
    assert parse_number(f"{yi}亿") == yi * 10**8
    assert parse_number(f"{yi}亿{wan}万{rest}") == yi * 10**8 + wan * 10**4 + rest
    assert parse_number(f"{wan / 10:g}万") == wan * 1000


@settings(max_examples=500)
@given(st.text())
def test_never_raises_on_any_text(text: str) -> None:
    value = parse_number(text)
    assert value is None or isinstance(value, float)


@settings(max_examples=300)
@given(st.text(alphabet="零〇一二两三四五六七八九十百千万亿0123456789.,余多个%", max_size=12))
def test_never_raises_on_numeral_soup(text: str) -> None:
    value = parse_number(text)
    assert value is None or value >= 0
