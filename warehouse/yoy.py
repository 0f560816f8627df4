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
# indicator_yoy (migration 007) for one code, regions and years, ordered; the region filter may come first (a
# previous value is always of the same region), the year filters only after the previous-year join.
_ANSWER = """
WITH c AS MATERIALIZED (
    SELECT region_code, kind, scope, report_year, value, unit
    FROM picked_values
    WHERE code_key = md5_number_lower($code) AND code = $code
        AND ($regions IS NULL OR list_contains($regions, region_code))
)
SELECT
    c.region_code,
    g.name AS region_name,
    c.report_year,
    c.value,
    p.value AS previous_value,
    c.value - p.value AS change,
    CASE WHEN p.value <> 0 THEN round(100 * (c.value - p.value) / abs(p.value), 2) END AS change_pct,
    c.unit,
    c.scope,
    c.kind
FROM c
LEFT JOIN c AS p
    ON p.region_code = c.region_code AND p.kind = c.kind
    AND coalesce(p.scope, '') = coalesce(c.scope, '') AND p.report_year = c.report_year - 1
LEFT JOIN region_names AS g ON g.code = c.region_code
WHERE ($from IS NULL OR c.report_year >= $from) AND ($to IS NULL OR c.report_year <= $to)
ORDER BY c.region_code, c.kind, c.scope NULLS FIRST, c.report_year
"""


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

    The view's rows are computed here from picked_values directly (the same joins as indicator_yoy, migration
    007): the code's rows are read once (code_key beside the code, so only they are read) into a CTE that the
    previous-year join reads twice, instead of the view's two scans of the table, and the indicator's 中文名,
    the same on every row, is added here rather than joined per row. tests/test_warehouse_picks.py checks
    these rows against the view's and the window's."""
    codes = resolve_regions(con, regions) if regions else None
    # execute(), not sql(): a relation with parameters is materialised once more before .pl()
    rows = con.execute(_ANSWER, {"code": code, "regions": codes, "from": from_year, "to": to_year}).pl()
    named = con.execute("SELECT name_zh FROM indicators WHERE code = $code", {"code": code}).fetchall()
    if rows.is_empty() and not named and not _has_facts(con, code):
        raise WarehouseError(
            f"unknown indicator code {code!r} (not in the catalog and no facts; see `nianbao catalog`)"
        )
    name = named[0][0] if named else None
    return rows.with_columns(code=pl.lit(code, pl.String), indicator_name=pl.lit(name, pl.String)).select(
        YOY_COLUMNS
    )


def _has_facts(con: duckdb.DuckDBPyConnection, code: str) -> bool:
    return bool(con.execute("SELECT EXISTS (FROM facts WHERE code = $code)", {"code": code}).fetchall()[0][0])


def _like_prefix(name: str) -> str:
    return re.sub(r"([%_\\])", r"\\\1", name) + "_"
