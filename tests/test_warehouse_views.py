"""The views on a real file and a real DuckLake: year-over-year with gaps, scopes and repeats; coverage;
latest reports."""

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


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory, backend_file: str) -> Path:
    """One warehouse per backend for the module: the tests only read it (read-only connections)."""
    path = tmp_path_factory.mktemp("views") / backend_file
    batch = synthetic_batch(["990121"], list(VALUES), facts_per_report=0)
    docs = {year: doc for doc, year in batch.reports.select("doc", "report_year").iter_rows()}
    rows = [
        (docs[y], CODE, v, None, "件", None, None, f"受理行政复议案件{v:g}件", 8, 10)
        for y, v in VALUES.items()
    ]
    rows += [  # two committees' counts in 2018 and 2020, and the same code stated twice in 2017
        (docs[2018], "mediation.committees", 12.0, None, "个", None, "村", "村级调解委员会12个", 20, 23),
        (docs[2018], "mediation.committees", 3.0, None, "个", None, "乡镇", "乡镇调解委员会3个", 40, 42),
        (docs[2020], "mediation.committees", 15.0, None, "个", None, "村", "村级调解委员会15个", 20, 23),
        (docs[2017], "litigation.cases", 2.0, None, "件", None, None, "行政应诉案件2件", 30, 32),
        (docs[2017], "litigation.cases", 5.0, None, "件", "more_than", None, "行政诉讼5件以上", 50, 52),
        # an 项 count under a code counting people, and a x10 jump (2017 → 2018)
        (docs[2017], "enforcement.personnel", 30.0, None, "项", None, None, "执法人员30项", 60, 63),
        (docs[2017], "enforcement.fines", 12000.0, None, "元", None, None, "罚款1.2万元", 70, 75),
        (docs[2018], "enforcement.fines", 150000.0, None, "元", None, None, "罚款15万元", 70, 74),
    ]
    rows = [(*row, f"全年{row[7]}。") for row in rows]
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


def test_scopes_are_separate_series_and_repeats_take_the_largest_stating_how_many(warehouse: Path) -> None:
    committees = yoy_frame("mediation.committees", warehouse=warehouse)
    assert committees.select("scope", "report_year", "value", "previous_value").rows() == [
        ("乡镇", 2018, 3.0, None),
        ("村", 2018, 12.0, None),
        ("村", 2020, 15.0, None),
    ]
    cases = yoy_frame("litigation.cases", warehouse=warehouse)
    assert cases.select("report_year", "value").rows() == [(2017, 5.0)]
    assert cases["unit"].to_list() == ["件"]
    picked = run_query(
        "SELECT value, n_values, values_stated, pick_rule, sentence FROM indicator_values "
        "WHERE code = 'litigation.cases'",
        warehouse,
    )
    assert picked.rows()[0][:3] == (5.0, 2, [2.0, 5.0])
    assert picked["pick_rule"][0].startswith("largest")
    assert picked["sentence"][0] == "全年行政诉讼5件以上。"


def test_review_lists_foreign_units_jumps_and_conflicts_with_evidence(warehouse: Path) -> None:
    review = run_query(
        "SELECT check_name, code, report_year, value, detail, sentence FROM review ORDER BY check_name, code",
        warehouse,
    )
    assert review.select("check_name", "code", "report_year").rows() == [
        ("conflicting_values", "litigation.cases", 2017),
        ("jump_x10", "enforcement.fines", 2018),
        ("unit_outside_family", "enforcement.personnel", 2017),
    ]
    assert review["sentence"].to_list() == ["全年行政诉讼5件以上。", "全年罚款15万元。", "全年执法人员30项。"]
    assert "2, 5" in review["detail"][0] and "x12.5" in review["detail"][1]
    assert "people" in review["detail"][2]


def test_fact_offsets_index_the_body(fixtures_dir: Path, tmp_path: Path) -> None:
    from ingest.pages import ingest_files

    path = tmp_path / "w.duckdb"
    ingest_files(sorted((fixtures_dir / "warehouse").glob("*.txt")), path)
    rows = run_query(
        "SELECT f.sentence, substr(r.body, f.start + 1, f.end - f.start) AS text, f.value FROM facts AS f "
        "JOIN reports AS r USING (report_id) WHERE f.start IS NOT NULL",
        path,
    ).rows()
    assert rows
    for sentence, text, _value in rows:
        assert text and text in sentence


def test_unknown_region_or_code_is_a_clear_error(warehouse: Path) -> None:
    with pytest.raises(WarehouseError, match="no region named '不存在县'"):
        yoy_frame(CODE, ["不存在县"], warehouse=warehouse)
    with pytest.raises(WarehouseError, match=r"unknown indicator code 'no\.such_code'"):
        yoy_frame("no.such_code", warehouse=warehouse)


def test_coverage_shows_the_missing_year(warehouse: Path) -> None:
    frame = run_query(
        "SELECT report_year, loaded, n_facts FROM coverage WHERE region_code = '990121'", warehouse
    )
    assert frame.rows() == [(2017, True, 5), (2018, True, 4), (2019, False, 0), (2020, True, 2)]


def test_latest_reports_and_indicator_values(warehouse: Path) -> None:
    latest = run_query("SELECT region_name, report_year FROM latest_reports", warehouse)
    assert latest.rows() == [("示例县", 2020)]
    values = run_query(
        f"SELECT region_name, report_year, value, evidence FROM indicator_values WHERE code = '{CODE}' "
        "ORDER BY report_year",
        warehouse,
    )
    assert values.rows()[0] == ("示例县", 2017, 7.0, "受理行政复议案件7件")
