"""The views on a real file: year-over-year with gaps, scopes and repeats; coverage; latest reports."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from transforms.frames import FACT_SCHEMA
from warehouse.batch import FrameBatch
from warehouse.errors import WarehouseError
from warehouse.load import load_frames
from warehouse.query import run_query
from warehouse.synthetic import synthetic_batch
from warehouse.yoy import yoy_frame

CODE = "reconsideration.accepted"
# 示例县 reports for 2017, 2018 and 2020 (2019 missing), with chosen values.
VALUES = {2017: 7.0, 2018: 9.0, 2020: 4.0}


@pytest.fixture()
def warehouse(tmp_path: Path) -> Path:
    path = tmp_path / "w.duckdb"
    batch = synthetic_batch(["990121"], list(VALUES), facts_per_report=0)
    docs = {year: doc for doc, year in batch.reports.select("doc", "report_year").iter_rows()}
    rows = [(docs[y], CODE, v, None, "件", None, None, f"受理行政复议案件{v:g}件") for y, v in VALUES.items()]
    rows += [  # two committees' counts in 2018 and 2020, and the same code stated twice in 2017
        (docs[2018], "mediation.committees", 12.0, None, "个", None, "村", "村级调解委员会12个"),
        (docs[2018], "mediation.committees", 3.0, None, "个", None, "乡镇", "乡镇调解委员会3个"),
        (docs[2020], "mediation.committees", 15.0, None, "个", None, "村", "村级调解委员会15个"),
        (docs[2017], "litigation.cases", 2.0, None, "件", None, None, "行政应诉案件2件"),
        (docs[2017], "litigation.cases", 5.0, None, "件", "more_than", None, "行政诉讼5件以上"),
    ]
    facts = pl.DataFrame(rows, schema=FACT_SCHEMA, orient="row")
    load_frames(FrameBatch(batch.reports, batch.sections, batch.quantities, facts), path)
    return path


def test_yoy_gives_null_for_a_gap_year_not_the_value_two_years_earlier(warehouse: Path) -> None:
    frame = yoy_frame(CODE, warehouse=warehouse)
    rows = frame.select("report_year", "value", "previous_value", "change", "change_pct").rows()
    assert rows == [
        (2017, 7.0, None, None, None),
        (2018, 9.0, 7.0, 2.0, 28.57),
        (2020, 4.0, None, None, None),
    ]


def test_year_filter_keeps_the_previous_value_of_the_first_year_shown(warehouse: Path) -> None:
    frame = yoy_frame(CODE, ["示例县"], from_year=2018, to_year=2018, warehouse=warehouse)
    assert frame.select("region_name", "report_year", "previous_value").rows() == [("示例县", 2018, 7.0)]
    assert yoy_frame(CODE, ["990121", "示例"], warehouse=warehouse).height == 3


def test_scopes_are_separate_series_and_repeats_take_the_largest(warehouse: Path) -> None:
    committees = yoy_frame("mediation.committees", warehouse=warehouse)
    assert committees.select("scope", "report_year", "value", "previous_value").rows() == [
        ("乡镇", 2018, 3.0, None), ("村", 2018, 12.0, None), ("村", 2020, 15.0, None),
    ]
    cases = yoy_frame("litigation.cases", warehouse=warehouse)
    assert cases.select("report_year", "value").rows() == [(2017, 5.0)]
    assert cases["unit"].to_list() == ["件"]


def test_unknown_region_or_code_is_a_clear_error(warehouse: Path) -> None:
    with pytest.raises(WarehouseError, match="no region named '不存在县'"):
        yoy_frame(CODE, ["不存在县"], warehouse=warehouse)
    with pytest.raises(WarehouseError, match=r"unknown indicator code 'no\.such_code'"):
        yoy_frame("no.such_code", warehouse=warehouse)


def test_coverage_shows_the_missing_year(warehouse: Path) -> None:
    frame = run_query("SELECT report_year, loaded, n_facts FROM coverage WHERE region_code = '990121'",
                      warehouse)
    assert frame.rows() == [(2017, True, 3), (2018, True, 3), (2019, False, 0), (2020, True, 2)]


def test_latest_reports_and_indicator_values(warehouse: Path) -> None:
    latest = run_query("SELECT region_name, report_year FROM latest_reports", warehouse)
    assert latest.rows() == [("示例县", 2020)]
    values = run_query(
        f"SELECT region_name, report_year, value, evidence FROM indicator_values WHERE code = '{CODE}' "
        "ORDER BY report_year", warehouse)
    assert values.rows()[0] == ("示例县", 2017, 7.0, "受理行政复议案件7件")
