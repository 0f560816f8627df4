"""Rule tests run in Python's re only where it reads a pattern as polars' Rust regex does."""

from __future__ import annotations

import re

import polars as pl
import pytest

from transforms.catalog import Rule, load_catalog
from transforms.rule_match import RUST_ONLY_TEXT, claiming_rules, portable, reads_any_text_alike


def test_both_engines_agree_on_every_character_re_is_given() -> None:
    chars = [chr(c) for c in range(0x10000) if not 0xD800 <= c < 0xE000 and not RUST_ONLY_TEXT.match(chr(c))]
    series = pl.Series(chars, dtype=pl.Utf8)
    for piece in (r"\d", r"\D", r"\s", r"\S", ".", "[^,]", "a?$"):
        rust = series.str.contains(f"^{piece}$").to_list()
        python = re.compile(f"^{piece}$").search
        assert [python(c) is not None for c in chars] == rust, piece


@pytest.mark.parametrize(
    ("pattern", "anywhere"),
    [
        ("^[^,、]{0,6}(受理|审结)", True),
        ("[^a-z]x|\n", True),
        (r"\d", False),
        (r"[^\s]", False),
        ("a.b", False),
        ("a$", False),
    ],
)
def test_patterns_that_read_any_text_alike(pattern: str, anywhere: bool) -> None:
    """Without ., $, \\d, \\s the engines agree on RUST_ONLY_TEXT too, which is then not looked for."""
    assert reads_any_text_alike(pattern) is anywhere
    texts = ["\n", "\x1c,", "a\x1f", "受理\U00011f50", "\U0001f600x", ",\n", "审结"]
    rust = pl.Series(texts, dtype=pl.Utf8).str.contains(pattern).to_list()
    python = [re.search(pattern, text) is not None for text in texts]
    if anywhere:
        assert python == rust


@pytest.mark.parametrize(
    ("pattern", "same"),
    [
        (r"^(受理|审结)[^,]{0,6}\d+\s*件?$", True),
        ("[]、]$", True),
        (r"\w+", False),  # Unicode word characters differ (², combining marks)
        (r"\b审结", False),
        ("(?i)gdp", False),
        ("[[:digit:]]", False),  # Rust: a POSIX class; Python: a bracket
        ("a[b[c]]", False),  # Rust: a nested class
        ("[a&&b]", False),  # Rust: an intersection
    ],
)
def test_portable_patterns(pattern: str, same: bool) -> None:
    assert (portable(pattern) is not None) is same


def test_every_catalog_rule_runs_in_re() -> None:
    rules = load_catalog().rules
    assert all(portable(p) for rule in rules for _, p in rule.match + rule.exclude)


def test_tests_keep_the_rust_answer_where_the_engines_differ() -> None:
    kawi_digit = "\U00011f50"  # a digit to Rust's Unicode tables, not to Python 3.11's
    nouns = [f"第{kawi_digit}批", "案件²", "受理案件", "收到\x1c申请", "x"]
    frame = pl.DataFrame({"unit": ["件"] * len(nouns), "noun": nouns, "paired": [None] * len(nouns)})
    patterns = [r"\d", r"件\w", r"到\s申", "^受理"]
    rules = [Rule(i, f"t.r{i}", 0, ("件",), (("noun", p),), ()) for i, p in enumerate(patterns)]
    rust = [
        next((i for i, p in enumerate(patterns) if pl.Series([noun]).str.contains(p)[0]), None)
        for noun in nouns
    ]
    assert rust == [0, None, 3, None, None]  # re: 案件² has a word character after 件, \x1c is a space
    assert claiming_rules(frame, rules).to_list() == rust
