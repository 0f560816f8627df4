"""Which catalog rule claims each quantity mention of a batch: the first (best) rule whose tests all hold.

A rule is a unit set plus regex tests on context columns (transforms/catalog.py RULE_FIELDS). Each regex runs
once per distinct string of its column in the batch (polars, Rust regex), not once per row: the short
columns repeat a lot (受理, 审结 …) and a sentence repeats once per quantity in it. Rules are then tried best
first, each only on the rows whose unit it accepts and that no better rule has claimed yet, and a rule's
tests only on the rows that passed its earlier tests (numpy over row numbers).

A test on a missing value (no number-first phrase, no 分别 item) fails, and so does its negation.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import polars as pl

from transforms.catalog import Rule

# A `left` test also reads the number-first phrase and a 分别 list's own item: one set of distinct strings.
LEFT_SOURCES = ("left", "phrase", "paired")


# A column with at most this many distinct strings is tested on all of them at once when a rule's first test
# reads it (then the rows whose string passes are looked up); a longer one row by row (lazily).
WHOLE_COLUMN_MAX = 4096


class RuleTests:
    """The batch's test results, per distinct string, and each row's index into them.

    A rule's first test, on a column of few distinct strings (left, noun, before), runs on all of them and
    yields the rows holding a passing string; its other tests run only on the distinct strings of those
    rows (and a first test on a column of many strings only on those of the rows the rule may claim). Each
    regex runs at most once per distinct string, and a rule costs about as much as the rows it reaches."""

    def __init__(self, frame: pl.DataFrame, rules: Sequence[Rule]) -> None:
        columns = dict.fromkeys(column for rule in rules for column, _ in rule.match + rule.exclude)
        self.values: dict[str, pl.Series] = {}  # column -> its distinct strings
        # (column, pattern) -> per distinct string: 1 holds, 0 fails, -1 not tested yet; then a 0 (missing)
        self.results: dict[tuple[str, str], np.ndarray] = {}
        self.index: dict[str, np.ndarray] = {}  # source column -> row's distinct value number
        self.present: dict[str, np.ndarray] = {}  # source column -> row has a value
        self.by_value: dict[str, tuple[np.ndarray, np.ndarray]] = {}  # source -> rows by value, bounds
        for column in columns:
            sources = LEFT_SOURCES if column == "left" else (column,)
            values = pl.concat([frame[source] for source in sources]).drop_nulls().unique()
            distinct = pl.DataFrame({"value": values}).with_row_index("id")
            self.values[column] = values
            missing = distinct.height  # a missing value points past the end, at a failed test
            for source in sources:
                rows = frame.select(pl.col(source).alias("value")).join(
                    distinct, on="value", how="left", maintain_order="left"
                )["id"]
                self.index[source] = rows.fill_null(missing).to_numpy()
                self.present[source] = rows.is_not_null().to_numpy()

    def _known(self, column: str, pattern: str) -> np.ndarray:
        known = self.results.get((column, pattern))
        if known is None:
            known = np.full(len(self.values[column]) + 1, -1, dtype=np.int8)
            known[-1] = 0
            self.results[(column, pattern)] = known
        return known

    def _holds(self, column: str, pattern: str, ids: np.ndarray) -> np.ndarray:
        """Whether the test holds on each of the distinct values `ids` (a missing value: no)."""
        known = self._known(column, pattern)
        untested = ids[known[ids] < 0]
        if untested.size:
            untested = np.unique(untested)
            known[untested] = self.values[column].gather(untested).str.contains(pattern).to_numpy()
        return known[ids] > 0

    def _rows_holding(self, column: str, pattern: str, source: str) -> np.ndarray:
        """The rows whose `source` string passes the test (on `column`'s strings), tested on all of them."""
        known = self._known(column, pattern)
        untested = np.flatnonzero(known < 0)
        if untested.size:
            known[untested] = self.values[column].gather(untested).str.contains(pattern).to_numpy()
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

    def _holding(self, rule: Rule, rows: np.ndarray | None, claimable: np.ndarray, left: str) -> np.ndarray:
        """The rows where every test of the rule holds (its `left` tests read on column `left`), among the
        rows the rule may claim (`claimable`; `rows`: those rows, or None when not listed yet)."""
        tests = list(rule.match)
        if rows is None:
            column, pattern = tests.pop(0)
            rows = self._rows_holding(column, pattern, left if column == "left" else column)
            rows = rows[claimable[rows]]
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
        unit_ok: dict[tuple[str, ...], np.ndarray] = {}
        for position, rule in enumerate(rules):
            if rule.units not in unit_ok:
                unit_ok[rule.units] = tried & units.is_in(list(rule.units)).to_numpy()
            passes = [left]
            if left == "left" and any(column == "left" for column, _ in rule.match):
                passes.append("phrase")
            for source in passes:
                claimable = unit_ok[rule.units] & (winner < 0)
                column = rule.match[0][0]
                whole = len(self.values[column]) <= WHOLE_COLUMN_MAX
                listed = None if whole else np.flatnonzero(claimable)
                winner[self._holding(rule, listed, claimable, source)] = position
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
