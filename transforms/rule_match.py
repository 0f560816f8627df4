r"""Which catalog rule claims each quantity mention of a batch: the first (best) rule whose tests all hold.

A rule is a unit set plus regex tests on context columns (transforms/catalog.py RULE_FIELDS). Each regex runs
once per distinct string of its column in the batch, not once per row: the short columns repeat a lot (受理,
审结 …) and a sentence repeats once per quantity in it. Rules are then tried best first, each only on the
rows whose unit it accepts and that no better rule has claimed yet, and a rule's tests only on the rows that
passed its earlier tests (numpy over row numbers).

The rules are Rust regexes (they also run in polars: continuation, scopes). A test runs them with Python's re
where both engines give the same answer — a pattern of literals, classes, \d and \s, groups, alternation,
repetition, ^ and $ (`portable`), on a string of the Basic Multilingual Plane without a newline or \x1c-\x1f
(where the two engines' \d, \s, . and $ agree, tests/test_rule_match.py), or on any string when the pattern
has none of \d, \s, . and $ (`reads_any_text_alike`) — and in polars otherwise, or on many strings at once. A
polars call costs ~50 µs (the pattern compiled again, the work handed to its thread pool) against ~1 µs for a
short string in re, and a batch runs several hundred tests.

A test on a missing value (no number-first phrase, no 分别 item) fails, and so does its negation.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable, Sequence
from functools import cache
from re import _constants as _sre  # the standard library's regex parser (Python 3.11+)
from re import _parser as _parse
from typing import Any

import numpy as np
import polars as pl

from transforms.catalog import Rule
from transforms.quantities import ascending_distinct

# A `left` test also reads the number-first phrase and a 分别 list's own item: one set of distinct strings.
LEFT_SOURCES = ("left", "phrase", "paired")


# A column with at most this many distinct strings is tested on all of them at once when a rule's first test
# reads it (then the rows whose string passes are looked up); a longer one row by row (lazily).
WHOLE_COLUMN_MAX = 4096

# Columns numbered per row, not per distinct string: the context (160 characters around each number) is
# nearly unique per row, so numbering its strings would cost more than the repeated tests it saves.
ROW_COLUMNS = ("context",)
# From this many strings of such a column on, a test runs in polars: one call (~100 µs) against ~1.5 µs per
# ~100-character string to read it into Python and search it there.
ROW_TESTS_IN_POLARS = 128
# From this many distinct strings of any other column on (a rule's first test on all of a large batch's
# `left` strings), a test runs in polars too: callgrind on the synth batch's rules, 866 M instructions with
# every such test in Python, 615 M from 1,024 strings on.
STRING_TESTS_IN_POLARS = 1024


# Where Python's re and polars' Rust regex may read a portable pattern differently: . and $ at a newline,
# \s at \x1c-\x1f, \d at the digits of scripts newer than Python's Unicode tables (all past the BMP).
RUST_ONLY_TEXT = re.compile("[\n\x1c-\x1f\U00010000-\U0010ffff]")
_SAME_CATEGORIES = (
    _sre.CATEGORY_DIGIT,
    _sre.CATEGORY_NOT_DIGIT,
    _sre.CATEGORY_SPACE,
    _sre.CATEGORY_NOT_SPACE,
)
_SAME_AT = (_sre.AT_BEGINNING, _sre.AT_END, _sre.AT_BEGINNING_STRING)
_REPEATS = (_sre.MAX_REPEAT, _sre.MIN_REPEAT)


def _same_in_both(items: Any) -> bool:
    """Whether a parsed pattern holds only constructs Python's re and Rust's regex read alike."""
    for op, value in items:
        if op in (_sre.LITERAL, _sre.NOT_LITERAL, _sre.ANY):
            continue
        if op is _sre.IN:
            ok = all(
                kind in (_sre.LITERAL, _sre.RANGE, _sre.NEGATE)
                or (kind is _sre.CATEGORY and v in _SAME_CATEGORIES)
                for kind, v in value
            )
        elif op is _sre.CATEGORY:
            ok = value in _SAME_CATEGORIES
        elif op is _sre.AT:
            ok = value in _SAME_AT
        elif op is _sre.BRANCH:
            ok = all(_same_in_both(branch) for branch in value[1])
        elif op is _sre.SUBPATTERN:
            _, add_flags, del_flags, inner = value
            ok = not add_flags and not del_flags and _same_in_both(inner)
        elif op in _REPEATS:
            ok = _same_in_both(value[2])
        else:  # back-references, look-around, atomic groups …: Rust has none; flags, \w, \b: read apart
            ok = False
        if not ok:
            return False
    return True


@cache
def portable(pattern: str) -> Callable[[str], re.Match[str] | None] | None:
    """The pattern's search in Python's re, when it reads as in Rust's regex (else None). Rust's nested and
    set-operation classes ([a[b]], [[:alpha:]], &&, --) are Python's literal brackets and ampersands: Python
    warns of the operations, _nested_class finds the brackets."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", FutureWarning)
        try:
            tree = _parse.parse(pattern)
            compiled = re.compile(pattern)
        except (re.error, FutureWarning):
            return None
    if tree.state.flags & ~_sre.SRE_FLAG_UNICODE or not _same_in_both(tree) or _nested_class(pattern):
        return None
    return compiled.search


def _blind_to_rust_only_text(items: Any) -> bool:
    r"""Whether a portable parsed pattern holds none of ., $, \d, \s, \D, \S: the constructs the two engines
    read differently on RUST_ONLY_TEXT (literals, ranges and their negations are code points in both)."""
    for op, value in items:
        if op is _sre.ANY or op is _sre.CATEGORY or (op is _sre.AT and value == _sre.AT_END):
            return False
        if op is _sre.IN:
            ok = all(kind is not _sre.CATEGORY for kind, _ in value)
        elif op is _sre.BRANCH:
            ok = all(_blind_to_rust_only_text(branch) for branch in value[1])
        elif op is _sre.SUBPATTERN:
            ok = _blind_to_rust_only_text(value[3])
        elif op in _REPEATS:
            ok = _blind_to_rust_only_text(value[2])
        else:
            ok = True
        if not ok:
            return False
    return True


@cache
def reads_any_text_alike(pattern: str) -> bool:
    """Whether a portable pattern gives Rust's answer in Python's re on every string, RUST_ONLY_TEXT too."""
    return portable(pattern) is not None and _blind_to_rust_only_text(_parse.parse(pattern))


def _nested_class(pattern: str) -> bool:
    """Whether a character class holds a [ (Rust: a nested class or [:alpha:]; Python: a bracket)."""
    inside = escaped = False
    for at, char in enumerate(pattern):
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif not inside:
            inside = char == "["
            start = at
        elif char == "[":
            return True
        elif char == "]" and at > start + 1 and pattern[start + 1 : at] != "^":
            inside = False
    return False


class RuleTests:
    """The batch's test results, per distinct string, and each row's index into them.

    A rule's first test, on a column of few distinct strings (left, noun, before), runs on all of them and
    yields the rows holding a passing string; its other tests run only on the distinct strings of those
    rows (and a first test on a column of many strings only on those of the rows the rule may claim). Each
    regex runs at most once per distinct string, and a rule costs about as much as the rows it reaches. A
    string is read from polars into Python only when a test first reaches it: most of the long columns'
    strings (sentence, clause, context) are never tested."""

    def __init__(self, frame: pl.DataFrame, rules: Sequence[Rule]) -> None:
        columns = dict.fromkeys(column for rule in rules for column, _ in rule.match + rule.exclude)
        # column -> its distinct strings (a polars Series), read into Python only where a test needs them
        self.distinct: dict[str, pl.Series] = {}
        self.values: dict[str, list[str | None]] = {}  # column -> the distinct strings read so far
        self.read: dict[str, np.ndarray] = {}  # column -> per distinct string: read into values yet
        # (column, pattern) -> per distinct string: 1 holds, 0 fails, -1 not tested yet; then a 0 (missing)
        self.results: dict[tuple[str, str], np.ndarray] = {}
        self.index: dict[str, np.ndarray] = {}  # source column -> row's distinct value number
        self.present: dict[str, np.ndarray] = {}  # source column -> row has a value
        self.by_value: dict[str, tuple[np.ndarray, np.ndarray]] = {}  # source -> rows by value, bounds
        # column -> per distinct string read: RUST_ONLY_TEXT in it (1), not (0), not looked at yet (-1)
        self.rust_only: dict[str, np.ndarray] = {}
        self.never: dict[str, np.ndarray] = {}  # column -> numbers of no string (a missing value)
        for column in columns:
            if column in ROW_COLUMNS:
                self._per_row(column, frame[column])
                continue
            sources = LEFT_SOURCES if column == "left" else (column,)
            strings = pl.concat([frame[source] for source in sources])
            distinct = strings.drop_nulls().unique()
            ids = (
                pl.DataFrame({"value": strings})
                .join(
                    distinct.to_frame("value").with_row_index("id"),
                    on="value",
                    how="left",
                    maintain_order="left",
                )
                .get_column("id")
            )
            # a missing value points past the end, at a failed test
            index = ids.fill_null(distinct.len()).to_numpy()
            present = ids.is_not_null().to_numpy()
            self._distinct(column, distinct, np.zeros(0, dtype=np.int64))
            for n, source in enumerate(sources):
                self.index[source] = index[n * frame.height : (n + 1) * frame.height]
                self.present[source] = present[n * frame.height : (n + 1) * frame.height]

    def _per_row(self, column: str, strings: pl.Series) -> None:
        """Each row's string its own distinct value (a missing one is never tested)."""
        present = strings.is_not_null().to_numpy()
        self._distinct(column, strings, np.flatnonzero(~present))
        self.index[column] = np.where(present, np.arange(strings.len()), strings.len())
        self.present[column] = present

    def _distinct(self, column: str, distinct: pl.Series, never: np.ndarray) -> None:
        self.distinct[column] = distinct
        self.values[column] = [None] * distinct.len()
        self.read[column] = np.zeros(distinct.len(), dtype=bool)
        self.rust_only[column] = np.full(distinct.len(), -1, dtype=np.int8)
        self.never[column] = never

    def _strings(self, column: str, ids: np.ndarray) -> list[str | None]:
        """The column's distinct strings, with those of `ids` (ascending) read from polars."""
        values, read = self.values[column], self.read[column]
        missing = ids[~read[ids]]
        if missing.size:
            part = self.distinct[column]
            if missing.size == len(values):
                values[:] = part.to_list()
            else:
                part = part.gather(missing)
                for i, value in zip(missing.tolist(), part.to_list(), strict=True):
                    values[i] = value
            read[missing] = True
        return values

    def _rust_only(self, column: str, ids: np.ndarray) -> np.ndarray:
        """Whether RUST_ONLY_TEXT is in each of the column's distinct strings `ids` (read already)."""
        flags, values = self.rust_only[column], self.values[column]
        unseen = ids[flags[ids] < 0]
        if unseen.size:
            flags[unseen] = np.fromiter(
                (RUST_ONLY_TEXT.search(values[i]) is not None for i in unseen.tolist()),  # type: ignore[arg-type]
                dtype=bool,
                count=unseen.size,
            )
        return flags[ids] > 0

    def _known(self, column: str, pattern: str) -> np.ndarray:
        known = self.results.get((column, pattern))
        if known is None:
            known = np.full(len(self.values[column]) + 1, -1, dtype=np.int8)
            known[-1] = 0
            known[self.never[column]] = 0
            self.results[(column, pattern)] = known
        return known

    def _test(self, column: str, pattern: str, ids: np.ndarray) -> np.ndarray:
        """The test on the distinct strings `ids` (ascending) of the column: in Python's re where it reads as
        in Rust, but in polars on many strings (many long per-row ones of ROW_COLUMNS), never read into
        Python then."""
        search = portable(pattern)
        in_polars = ROW_TESTS_IN_POLARS if column in ROW_COLUMNS else STRING_TESTS_IN_POLARS
        if search is None or ids.size >= in_polars:
            rust = ids
            result = np.zeros(ids.size, dtype=bool)
        else:
            values = self._strings(column, ids)
            result = np.fromiter(
                (search(values[i]) is not None for i in ids.tolist()), dtype=bool, count=ids.size
            )
            rust = ids[:0] if reads_any_text_alike(pattern) else ids[self._rust_only(column, ids)]
        if rust.size:
            strings = self.distinct[column]
            if rust.size < strings.len():
                strings = strings.gather(rust)
            result[np.searchsorted(ids, rust)] = strings.str.contains(pattern).to_numpy()
        return result

    def _holds(self, column: str, pattern: str, ids: np.ndarray) -> np.ndarray:
        """Whether the test holds on each of the distinct values `ids` (a missing value: no)."""
        known = self._known(column, pattern)
        untested = ids[known[ids] < 0]
        if untested.size:
            untested = ascending_distinct(untested, known.size)
            known[untested] = self._test(column, pattern, untested)
        return known[ids] > 0

    def _rows_holding(self, column: str, pattern: str, source: str) -> np.ndarray:
        """The rows whose `source` string passes the test (on `column`'s strings), tested on all of them."""
        known = self._known(column, pattern)
        untested = np.flatnonzero(known < 0)
        if untested.size:
            known[untested] = self._test(column, pattern, untested)
        if source not in self.by_value:
            index = self.index[source]
            order = np.argsort(index, kind="stable")
            self.by_value[source] = order, np.searchsorted(index[order], np.arange(len(known) + 1))
        order, bounds = self.by_value[source]
        passing = np.flatnonzero(known > 0)
        firsts, counts = bounds[passing], bounds[passing + 1] - bounds[passing]
        total = int(counts.sum())
        if not total:
            return order[:0]
        starts = np.repeat(firsts - (np.cumsum(counts) - counts), counts)
        return order[starts + np.arange(total)]

    def _holding(
        self, rule: Rule, rows: np.ndarray | None, unit_ok: np.ndarray, winner: np.ndarray, left: str
    ) -> np.ndarray:
        """The rows where every test of the rule holds (its `left` tests read on column `left`), among the
        rows the rule may claim (its unit, no winner yet; `rows`: those rows, or None when not listed yet)."""
        tests = list(rule.match)
        if rows is None:
            column, pattern = tests.pop(0)
            rows = self._rows_holding(column, pattern, left if column == "left" else column)
            rows = rows[unit_ok[rows] & (winner[rows] < 0)]
        for column, pattern in tests:
            if not rows.size:
                return rows
            source = left if column == "left" else column
            rows = rows[self._holds(column, pattern, self.index[source][rows])]
        for column, pattern in rule.exclude:
            if not rows.size:
                return rows
            source = left if column == "left" else column
            passed = ~self._holds(column, pattern, self.index[source][rows]) & self.present[source][rows]
            rows = rows[passed]
        return rows

    def first_rules(self, rules: Sequence[Rule], units: pl.Series, rows: np.ndarray, left: str) -> np.ndarray:
        """Per row, the position of the first rule that holds among `rules` (-1 where none does), trying only
        `rows`. With left="left", a rule with a `left` test also holds when its tests hold on the phrase."""
        winner = np.full(len(units), -1, dtype=np.int32)
        tried = np.zeros(len(units), dtype=bool)
        tried[rows] = True
        unit_sets = list(dict.fromkeys(rule.units for rule in rules))
        accepted = units.to_frame("unit").select(
            pl.col("unit").is_in(list(accepts)).alias(str(n)) for n, accepts in enumerate(unit_sets)
        )  # one polars call for every unit set
        unit_ok = {accepts: tried & accepted[str(n)].to_numpy() for n, accepts in enumerate(unit_sets)}
        for position, rule in enumerate(rules):
            passes = [left]
            if left == "left" and any(column == "left" for column, _ in rule.match):
                passes.append("phrase")
            ok = unit_ok[rule.units]
            for source in passes:
                column = rule.match[0][0]
                whole = len(self.values[column]) <= WHOLE_COLUMN_MAX
                listed = None if whole else np.flatnonzero(ok & (winner < 0))
                winner[self._holding(rule, listed, ok, winner, source)] = position
        return winner


def claiming_rules(frame: pl.DataFrame, rules: Sequence[Rule]) -> pl.Series:
    """Per row of `frame` (a unit column, the context columns the rules read, and `paired`), the position
    in `rules` of the rule that claims it (null where none does): a value of a 分别 list with its own item
    (`paired`) first, else as any other value."""
    tests = RuleTests(frame, rules)
    units = frame["unit"]
    everywhere = np.arange(frame.height)
    winner = tests.first_rules(rules, units, everywhere, "left")
    paired = everywhere[frame["paired"].is_not_null().to_numpy()]
    if paired.size:
        by_item = tests.first_rules(rules, units, paired, "paired")
        winner = np.where(by_item >= 0, by_item, winner)
    return pl.Series("rule", winner, dtype=pl.Int32).set(pl.Series(winner < 0), None)
