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


class RuleTests:
    """The batch's test results, per distinct string, and each row's index into them."""

    def __init__(self, frame: pl.DataFrame, rules: Sequence[Rule]) -> None:
        patterns: dict[str, dict[str, None]] = {}
        for rule in rules:
            for column, pattern in rule.match + rule.exclude:
                patterns.setdefault(column, {})[pattern] = None
        self.results: dict[tuple[str, str], np.ndarray] = {}  # (column, pattern) -> bool per distinct value
        self.index: dict[str, np.ndarray] = {}  # source column -> row's distinct value number
        self.present: dict[str, np.ndarray] = {}  # source column -> row has a value
        for column, found in patterns.items():
            sources = LEFT_SOURCES if column == "left" else (column,)
            values = pl.concat([frame[source] for source in sources]).drop_nulls().unique()
            distinct = pl.DataFrame({"value": values}).with_row_index("id")
            missing = distinct.height  # a missing value points past the end, at a failed test
            tested = distinct.select(
                pl.col("value").str.contains(pattern).alias(str(i)) for i, pattern in enumerate(found)
            )
            for pattern, result in zip(found, tested.iter_columns(), strict=True):
                self.results[(column, pattern)] = np.append(result.to_numpy(), False)
            for source in sources:
                rows = frame.select(pl.col(source).alias("value")).join(
                    distinct, on="value", how="left", maintain_order="left"
                )["id"]
                self.index[source] = rows.fill_null(missing).to_numpy()
                self.present[source] = rows.is_not_null().to_numpy()

    def _holding(self, rule: Rule, rows: np.ndarray, left: str) -> np.ndarray:
        """The rows (of `rows`) where every test of the rule holds, its `left` tests read on column `left`."""
        for column, pattern in rule.match:
            source = left if column == "left" else column
            rows = rows[self.results[(column, pattern)][self.index[source][rows]]]
            if not rows.size:
                return rows
        for column, pattern in rule.exclude:
            source = left if column == "left" else column
            passed = ~self.results[(column, pattern)][self.index[source][rows]] & self.present[source][rows]
            rows = rows[passed]
            if not rows.size:
                return rows
        return rows

    def first_rules(self, rules: Sequence[Rule], units: pl.Series, rows: np.ndarray, left: str) -> np.ndarray:
        """Per row, the position of the first rule that holds among `rules` (-1 where none does), trying only
        `rows`. With left="left", a rule with a `left` test also holds when its tests hold on the phrase."""
        winner = np.full(len(units), -1, dtype=np.int32)
        unit_rows: dict[tuple[str, ...], np.ndarray] = {}
        for position, rule in enumerate(rules):
            if rule.units not in unit_rows:
                unit_rows[rule.units] = rows[units.gather(rows).is_in(list(rule.units)).to_numpy()]
            open_rows = unit_rows[rule.units]
            open_rows = open_rows[winner[open_rows] < 0]
            winner[self._holding(rule, open_rows, left)] = position
            if left == "left" and any(column == "left" for column, _ in rule.match):
                open_rows = open_rows[winner[open_rows] < 0]
                winner[self._holding(rule, open_rows, "phrase")] = position
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
