"""`nianbao catalog --unclaimed` on a real warehouse that `nianbao load` filled from fictional 示例县
reports."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from nianbao.cli import main

# Three years of one fictional county. No code claims 新建法治文化阵地 (处) or 举办…法治骨干研修班 (期);
# reconsideration.accepted claims 受理行政复议案件, so it must not be listed.
REPORTS = {
    2021: "全年受理行政复议案件12件。全年共新建法治文化阵地12处,举办3期法治骨干研修班。",
    2022: "全年受理行政复议案件15件。新建法治文化阵地8处。一是举办2期法治骨干研修班。",
    2023: "2023年新建法治文化阵地达到15处。全年受理行政复议案件9件。",
}


def _capture(year: int, body: str) -> str:
    return (
        f"示例县{year}年法治政府建设情况报告\n发布时间:{year + 1}-03-01\n来源:示例县人民政府\n"
        f"{year}年,示例县(虚构县,本文数字均为合成数据)坚持依法行政,现将有关情况报告如下:\n"
        f"一、主要举措和成效\n{body}\n示例县人民政府\n{year + 1}年2月20日\n"
    )


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("unclaimed")
    for year, body in REPORTS.items():
        (folder / f"shili-{year}-law.txt").write_text(_capture(year, body), encoding="utf-8")
    path = folder / "warehouse.duckdb"
    assert main(["load", str(folder), "--warehouse", str(path)]) == 0
    return path


def test_unclaimed_phrases_most_reports_first(warehouse: Path, capsys: pytest.CaptureFixture[str]) -> None:
    capsys.readouterr()
    assert main(["catalog", "--unclaimed", "--warehouse", str(warehouse), "--json"]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [(r["phrase"], r["unit"], r["reports"], r["mentions"]) for r in rows] == [
        ("新建法治文化阵地", "处", 3, 3),
        ("举办法治骨干研修班", "期", 2, 2),
    ]
    assert rows[0]["example"] == "全年共新建法治文化阵地12处,举办3期法治骨干研修班"
    assert rows[0]["example_report"] == "990121:law_based_government_annual_report:2021"


def test_unclaimed_table_csv_and_limit(warehouse: Path, capsys: pytest.CaptureFixture[str]) -> None:
    capsys.readouterr()
    assert main(["catalog", "--unclaimed", "--warehouse", str(warehouse), "--limit", "1", "--csv"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "phrase,unit,reports,mentions,example,example_report"
    assert len(lines) == 2 and lines[1].startswith("新建法治文化阵地,处,3,3,")
    assert main(["catalog", "--unclaimed", "--warehouse", str(warehouse)]) == 0
    table = capsys.readouterr().out
    assert "举办法治骨干研修班" in table and "受理行政复议案件" not in table


def test_missing_warehouse_is_one_line_and_no_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "nowhere" / "warehouse.duckdb"
    assert main(["catalog", "--unclaimed", "--warehouse", str(missing)]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "no warehouse here" in err and str(missing) in err
    assert not missing.exists() and not missing.parent.exists()


def test_warehouse_options_need_unclaimed(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["catalog", "--limit", "5"]) == 2
    assert "go with --unclaimed" in capsys.readouterr().err


def test_bad_limit_is_one_line(warehouse: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["catalog", "--unclaimed", "--warehouse", str(warehouse), "--limit", "0"]) == 1
    assert "--limit must be at least 1" in capsys.readouterr().err


def test_catalog_csv_carries_definitions(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["catalog", "--csv", "--domain", "legal_exam"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].endswith(",definition,neighbours")
    assert [line.split(",")[0] for line in lines[1:]] == ["legal_exam.participants", "legal_exam.rate"]
