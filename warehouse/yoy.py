"""Year-over-year series of one indicator, for all regions or the ones named (by code or name)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

import duckdb
import polars as pl

from warehouse.connection import open_read_only
from warehouse.errors import WarehouseError

YOY_COLUMNS = (
    "code",
    "indicator_name",
    "region_code",
    "region_name",
    "report_year",
    "value",
    "previous_value",
    "change",
    "change_pct",
    "unit",
    "scope",
    "kind",
)
# The code's picks (code_key beside the code, so only its rows are read) with the region's current name, by
# region_code and report_year. That is the answer's order (region_code, kind, scope NULL first, report_year)
# wherever a region has one kind and scope for the code, as it mostly has; kind and scope in the sort key cost
# DuckDB ~7 M more instructions on the bench's 15,000 rows, so _in_answer_order sorts only when a region has
# several. The region filter may come first (a previous value is always of the same region), the year filters
# only keep the year before `from` for its previous value. The name is region_names' (migration 002) arg_max
# over regions, with only the name column: the view's three other arg_max columns cost more than the join.
_PICKS = """
SELECT c.region_code, g.name AS region_name, c.report_year, c.value, c.unit, c.scope, c.kind
FROM picked_values AS c
LEFT JOIN (SELECT code, arg_max(name, coalesce(valid_to, 9999)) AS name FROM regions GROUP BY code) AS g
    ON g.code = c.region_code
WHERE c.code_key = md5_number_lower($code) AND c.code = $code
    AND ($regions IS NULL OR list_contains($regions, c.region_code))
    AND ($from IS NULL OR c.report_year >= $from - 1) AND ($to IS NULL OR c.report_year <= $to)
ORDER BY c.region_code, c.report_year
"""
# a series: the rows of one region, kind and scope, a NULL scope the same as '' (as indicator_yoy joins them)
_SERIES = [pl.col("region_code"), pl.col("kind"), pl.col("scope").fill_null("")]


def resolve_regions(con: duckdb.DuckDBPyConnection, names: Sequence[str]) -> list[str]:
    """Region codes for 6-digit codes or names (current or former names; without an exact match, a name
    missing its last character, 东辽 for 东辽县, matches too)."""
    codes: list[str] = []
    for name in names:
        if re.fullmatch(r"\d{6}", name):
            codes.append(name)
            continue
        rows = con.execute("SELECT DISTINCT code FROM regions WHERE name = ? ORDER BY 1", [name]).fetchall()
        if not rows:
            rows = con.execute(
                "SELECT DISTINCT code FROM regions WHERE name LIKE ? ESCAPE '\\' ORDER BY code",
                [_like_prefix(name)],
            ).fetchall()
        if not rows:
            raise WarehouseError(f"no region named {name!r} (give its 6-digit code, or look in `regions`)")
        codes.extend(row[0] for row in rows)
    return codes


def yoy_frame(
    code: str,
    regions: Sequence[str] = (),
    from_year: int | None = None,
    to_year: int | None = None,
    warehouse: Path | str | None = None,
) -> pl.DataFrame:
    """yoy_rows on a read-only connection to the warehouse."""
    with open_read_only(warehouse) as con:
        return yoy_rows(con, code, regions, from_year, to_year)


def yoy_rows(
    con: duckdb.DuckDBPyConnection,
    code: str,
    regions: Sequence[str] = (),
    from_year: int | None = None,
    to_year: int | None = None,
) -> pl.DataFrame:
    """Rows of indicator_yoy for one code (YOY_COLUMNS), by region, kind, scope and year; previous values come
    from the whole series, before any year filter, so the first year shown still has its previous value.

    The view's rows are computed from picked_values directly: DuckDB reads the code's picks once, ordered, and
    the previous value is the row before when it is of the same series and year - 1 (a report is one per
    region, kind and year, a pick one per report, code and scope: the row the view's self-join finds, without
    the join and its second pass). The indicator's 中文名, the same on every row, is added here rather than
    joined per row. tests/test_warehouse_picks.py checks these rows against the view's and the window's."""
    codes = resolve_regions(con, regions) if regions else None
    # execute(), not sql(): a relation with parameters is materialised once more before .pl()
    picks = con.execute(_PICKS, {"code": code, "regions": codes, "from": from_year, "to": to_year}).pl()
    named = con.execute("SELECT name_zh FROM indicators WHERE code = $code", {"code": code}).fetchall()
    if picks.is_empty() and not named and not _has_facts(con, code):
        raise WarehouseError(
            f"unknown indicator code {code!r} (not in the catalog and no facts; see `nianbao catalog`)"
        )
    rows = _with_previous(_in_answer_order(picks))
    if from_year is not None:
        rows = rows.filter(pl.col("report_year") >= from_year)
    constant = [
        pl.Series("code", [code], pl.String),
        pl.Series("indicator_name", [named[0][0] if named else None], pl.String),
    ]
    return pl.DataFrame([*(column.new_from_index(0, rows.height) for column in constant), *rows]).select(
        YOY_COLUMNS
    )


def _in_answer_order(picks: pl.DataFrame) -> pl.DataFrame:
    """Picks ordered by region_code and report_year, in the answer's order: sorted again by kind and scope
    only when some region has more than one of them (its rows are contiguous, so two of them are adjacent)."""
    region = pl.col("region_code")
    other = (pl.col("kind") != pl.col("kind").shift(1)) | pl.col("scope").ne_missing(pl.col("scope").shift(1))
    if picks.select(((region == region.shift(1)) & other).any()).item():
        return picks.sort(["region_code", "kind", "scope", "report_year"], nulls_last=False)
    return picks


def _with_previous(picks: pl.DataFrame) -> pl.DataFrame:
    """previous_value, change and change_pct of picks in the answer's order, as indicator_yoy computes them.

    A series is contiguous in that order unless it holds both a NULL and an '' scope (one series to the view,
    two blocks to the order): then the rows are put in series order for the comparison and back afterwards."""
    mixed = picks.height > 0 and (picks["scope"] == "").any()
    rows = picks.with_row_index("answer_order").sort([*_SERIES, "report_year"]) if mixed else picks
    before = [key.shift(1) for key in (*_SERIES, pl.col("report_year") + 1)]
    same = pl.all_horizontal(
        key == previous for key, previous in zip((*_SERIES, pl.col("report_year")), before, strict=True)
    )
    rows = rows.with_columns(previous_value=pl.when(same).then(pl.col("value").shift(1)))
    change = pl.col("value") - pl.col("previous_value")
    rows = rows.with_columns(change=change, change_pct=percent_change(change, pl.col("previous_value")))
    return rows.sort("answer_order").drop("answer_order") if mixed else rows


def percent_change(change: pl.Expr, previous: pl.Expr) -> pl.Expr:
    """indicator_yoy's change_pct: `CASE WHEN previous <> 0 THEN round(100 * change / abs(previous), 2) END`,
    with DuckDB's round(x, 2) (std::round(x * 100) / 100: half away from zero; x itself where x * 100 is not
    finite, as polars does too); tests/test_warehouse_picks.py compares the two on halves and edge values."""
    percent = 100 * change / previous.abs()
    return pl.when(previous != 0).then(percent.round(2, mode="half_away_from_zero"))


def _has_facts(con: duckdb.DuckDBPyConnection, code: str) -> bool:
    return bool(con.execute("SELECT EXISTS (FROM facts WHERE code = $code)", {"code": code}).fetchall()[0][0])


def _like_prefix(name: str) -> str:
    return re.sub(r"([%_\\])", r"\\\1", name) + "_"
