"""picked_values and the indicator_yoy built on it (migration 006) give what the window over indicator_values
gave (migration 003), on a real file and a real DuckLake, through reloads, a newer version of a report,
reprocessing and a page that moves to another year; several values per report, ties, NULLs and scopes."""

from __future__ import annotations

from pathlib import Path

import duckdb
import polars as pl

from transforms.frames import FACT_SCHEMA
from warehouse.batch import FrameBatch
from warehouse.connection import open_read_only
from warehouse.load import load_frames
from warehouse.picks import code_key
from warehouse.synthetic import KIND, synthetic_batch
from warehouse.yoy import YOY_COLUMNS, percent_change, yoy_rows

REGIONS = ["990121", "992000"]
YEARS = [2016, 2017, 2018, 2019]

# indicator_yoy as migration 003 defined it: a lag() window over indicator_values.
OLD_YOY = """
WITH with_previous AS (
    SELECT *, lag(report_year) OVER series AS previous_year_loaded,
        lag(value) OVER series AS previous_value_loaded
    FROM indicator_values
    WINDOW series AS (PARTITION BY region_code, kind, code, coalesce(scope, '') ORDER BY report_year)
)
SELECT region_code, region_name, kind, code, indicator_name, scope, report_year, value, unit,
    CASE WHEN previous_year_loaded = report_year - 1 THEN previous_value_loaded END AS previous_value,
    value - previous_value AS change,
    CASE WHEN previous_value <> 0 THEN round(100 * (value - previous_value) / abs(previous_value), 2) END
        AS change_pct,
    n_values, report_id
FROM with_previous
"""


def _batch(regions: list[str], years: list[int], revision: int = 0) -> FrameBatch:
    """Synthetic reports plus, in each, a code stated by scope, a code stated several times (ties on the
    value broken by position, a value without position, different units), a code with a NULL value and a code
    whose scope is '' in some years and NULL in others."""
    batch = synthetic_batch(regions, years, facts_per_report=3, revision=revision)
    rows = []
    for doc, year in batch.reports.select("doc", "report_year").iter_rows():
        base = float(year % 7 + revision)
        rows += [
            (doc, "mediation.committees", base + 10, None, "个", None, "村", "村级调解委员会", 20, 23),
            (doc, "mediation.committees", base, None, "个", None, "乡镇", "乡镇调解委员会", 30, 33),
            (doc, "mediation.committees", base * 3, None, "个", None, None, "调解委员会", 40, 43),
            (doc, "litigation.cases", base + 1, None, "件", None, None, "应诉案件", 60, 62),
            (doc, "litigation.cases", base + 1, None, "起", "more_than", None, "诉讼案件", 50, 52),
            (doc, "litigation.cases", base + 1, None, "宗", None, None, "行政案件", None, None),
            (doc, "litigation.cases", base - (doc % 3) * 2, None, "件", None, None, "其他案件", 70, 72),
            (doc, "enforcement.fines", None, None, "元", None, None, "罚款若干", 80, 82),
            (doc, "enforcement.fines", 0.0 if doc % 2 else None, None, "元", None, None, "罚款", 90, 92),
            # an '' scope in odd years beside a NULL one: one series to the view (coalesce), two to an order
            (doc, "hearings.held", base, None, "次", None, "" if year % 2 else None, "听证", 100, 102),
        ]
    rows = [(*row, f"全年{row[7]}。") for row in rows]
    extra = pl.DataFrame(rows, schema=FACT_SCHEMA, orient="row")
    return FrameBatch(batch.reports, batch.sections, batch.quantities, pl.concat([batch.facts, extra]))


def _with_reports(batch: FrameBatch, reports: pl.DataFrame) -> FrameBatch:
    return FrameBatch(reports, batch.sections, batch.quantities, batch.facts)


def _assert_same_as_the_window(path: Path) -> None:
    with open_read_only(path) as con:
        new = con.execute("SELECT * EXCLUDE (code_key) FROM indicator_yoy ORDER BY ALL").pl()
        old = con.execute(f"SELECT * FROM ({OLD_YOY}) ORDER BY ALL").pl()
        stale = con.execute(
            "SELECT count(*) FROM picked_values WHERE report_id NOT IN (SELECT report_id FROM reports)"
        ).fetchall()[0][0]
        wrong_keys = con.execute(
            "SELECT count(*) FROM picked_values WHERE code_key IS DISTINCT FROM md5_number_lower(code)"
        ).fetchall()[0][0]
        by_code = {
            code: yoy_rows(con, code)
            for (code,) in con.execute("SELECT DISTINCT code FROM picked_values").fetchall()
        }
    for code, rows in by_code.items():  # the public function: the view's rows of the code, in its order
        expected = old.filter(pl.col("code") == code).select(YOY_COLUMNS)
        assert rows.equals(expected.sort("region_code", "kind", "scope", "report_year", nulls_last=False))
    assert wrong_keys == 0
    assert new.schema == old.schema
    assert new.height == old.height > 0
    assert new.equals(old), pl.concat([new, old]).unique(keep="none")
    assert stale == 0


def _picked(path: Path, code: str, report_id: str) -> list[tuple]:
    with open_read_only(path) as con:
        return con.execute(
            "SELECT value, unit, n_values FROM indicator_yoy WHERE code = $code AND report_id = $id",
            {"code": code, "id": report_id},
        ).fetchall()


def test_yoy_from_picked_values_equals_the_window_over_indicator_values(
    tmp_path: Path, backend_file: str
) -> None:
    path = tmp_path / backend_file
    first = _batch(REGIONS, YEARS)
    load_frames(first, path)
    _assert_same_as_the_window(path)
    assert _picked(path, "litigation.cases", f"990121:{KIND}:2017") == [(2.0, "起", 4)], (
        "largest value, then the first stated"
    )
    assert load_frames(first, path).skipped == len(REGIONS) * len(YEARS)  # unchanged: nothing written

    # a newer version of 示例县 2018 from another page published later, and a page now read as another year
    page = first.reports.filter((pl.col("region_code") == "992000") & (pl.col("report_year") == 2019))["path"]
    both = _batch(["990121", "992000"], [2018, 2020], revision=3)  # docs 0 and 3 are wanted
    keep = pl.Series([0, 3], dtype=pl.UInt32)
    reports = both.reports.with_columns(
        path=pl.Series(["pages/newer.html", "", "", page[0]]), published_at=pl.lit("2021-04-30")
    )
    summary = load_frames(
        FrameBatch(
            *(
                frame.filter(pl.col("doc").is_in(keep.implode()))
                for frame in (reports, both.sections, both.quantities, both.facts)
            )
        ),
        path,
    )
    assert (summary.loaded, summary.replaced) == (1, 1)
    _assert_same_as_the_window(path)
    with open_read_only(path) as con:
        years = con.execute(
            "SELECT DISTINCT report_year FROM picked_values WHERE region_code = '992000' ORDER BY 1"
        ).fetchall()
    assert years == [(2016,), (2017,), (2018,), (2020,)]

    # reprocessing: the first pages read again by a newer extractor
    reread = _with_reports(first, first.reports.with_columns(extractor_version=pl.lit("9.9.9+rules")))
    assert load_frames(reread, path).replaced
    _assert_same_as_the_window(path)


def _loaded_then_taken_back(path: Path, *statements: str) -> Path:
    """A warehouse loaded with the test batch, then taken back to an older schema by `statements`."""
    load_frames(_batch(REGIONS, YEARS), path)
    con = duckdb.connect(str(path))
    for statement in statements:
        con.execute(statement)
    con.close()
    return path


def test_a_warehouse_loaded_before_picked_values_gets_them_on_upgrade(tmp_path: Path) -> None:
    path = _loaded_then_taken_back(  # schema 5: no picked_values yet
        tmp_path / "w.duckdb", "DROP TABLE picked_values", "DELETE FROM schema_version WHERE version >= 6"
    )
    _assert_same_as_the_window(path)  # opening migrates, filling picked_values from indicator_values


def test_a_warehouse_loaded_before_code_key_gets_it_on_upgrade(tmp_path: Path) -> None:
    path = _loaded_then_taken_back(  # schema 6: picked_values without code_key
        tmp_path / "w.duckdb",
        "DROP VIEW indicator_yoy",
        "ALTER TABLE picked_values DROP COLUMN code_key",
        "DELETE FROM schema_version WHERE version >= 7",
    )
    _assert_same_as_the_window(path)  # opening migrates, filling code_key


def test_code_key_is_duckdbs_md5_number_lower() -> None:
    codes = ["reconsideration.accepted", "gov_info.申请.收到", "", "a'b"]
    con = duckdb.connect()
    expected = [con.execute("SELECT md5_number_lower(?)", [code]).fetchall()[0][0] for code in codes]
    assert [code_key(code) for code in codes] == expected


def test_percent_change_rounds_as_duckdb_does() -> None:
    """Halves, decimal halves whose double is not one, -0.0, NULL, a zero previous value, and percents so
    large that x * 100 is not finite (DuckDB then keeps x)."""
    change = [1.005, 2.675, 0.285, -1.005, 0.125, -0.125, 1.0049999999999999, 3.0, 1e306, -0.0, None, 1.0]
    previous = [100.0, 100.0, 100.0, 100.0, 100.0, 100.0, 100.0, 7.0, 10.0, 5.0, 4.0, 0.0]
    frame = pl.DataFrame({"change": change, "previous": previous})
    expected = duckdb.sql(
        "SELECT CASE WHEN previous <> 0 THEN round(100 * change / abs(previous), 2) END AS p FROM frame"
    ).pl()["p"]
    ours = frame.select(p=percent_change(pl.col("change"), pl.col("previous")))["p"]
    assert ours.to_list() == expected.to_list()
