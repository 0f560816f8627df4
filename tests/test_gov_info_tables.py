"""The 信息公开 template tables: the same exact facts from every form a report comes in, the template's own
arithmetic checked and stored per report, a table that does not add up flagged in a view."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from flows.sample_disclosure import (
    REQUEST_COLUMNS,
    disclosure_blocks,
    disclosure_figures,
    disclosure_html,
    disclosure_text,
    disclosure_title,
)
from flows.sample_docs import docx_bytes, ofd_bytes, pdf_bytes
from ingest.pages import ingest_files
from nianbao.settings import ConfigError
from transforms.catalog import load_catalog
from transforms.extract import extract_pages
from transforms.gov_info_tables import catalog_entries, table_rules
from transforms.model import Page, Report
from warehouse.query import run_query

YEAR = 2023


def forms(year: int, wrong_total: bool = False) -> dict[str, bytes]:
    blocks, title = disclosure_blocks(year, wrong_total), disclosure_title(year)
    return {
        "html": disclosure_html(year, wrong_total).encode(),
        "lines": disclosure_text(year, "lines", wrong_total).encode(),
        "pipes": disclosure_text(year, "pipes", wrong_total).encode(),
        "pdf": pdf_bytes(blocks, title),
        "docx": docx_bytes(blocks, title),
        "ofd": ofd_bytes(blocks, title),
    }


def table_facts(report: Report) -> set[tuple[str, str | None, float]]:
    return {(i.code, i.scope, i.value) for i in report.indicators if " | " in i.evidence}


def test_every_form_gives_the_same_exact_facts() -> None:
    items = forms(YEAR)
    reports = extract_pages([Page(name, data) for name, data in items.items()]).reports
    assert all(r.ok and r.kind == "gov_info_disclosure_annual_report" for r in reports)
    expected = table_facts(reports[0])
    rows = {row.code for t in table_rules().tables for row in t.rows}
    assert {code for code, _, _ in expected} == rows - {"gov_info.requests_other_handling"}  # the 2019 row
    for name, report in zip(items, reports, strict=True):
        assert table_facts(report) == expected, name
        assert report.table_checks and all(c["ok"] for c in report.table_checks), name
    f = disclosure_figures(YEAR)
    assert ("gov_info.requests_new", "总计", float(sum(f.new))) in expected
    assert ("gov_info.requests_new", "自然人", float(f.new[0])) in expected
    assert ("gov_info.requests_carried_over", REQUEST_COLUMNS[1], float(f.carried_over[1])) in expected
    assert ("gov_info.review_litigation_after", "总计", float(f.review[14])) in expected
    fees = f.proactive["行政事业性收费"][0]
    assert ("gov_info.proactive_fees", "本年收费金额", round(fees * 10000, 6)) in expected


def test_a_wrong_total_fails_the_checks_in_every_form() -> None:
    for name, data in forms(YEAR, wrong_total=True).items():
        report = extract_pages([Page(name, data)]).reports[0]
        failed = {(c["check_id"], c["scope"]) for c in report.table_checks if not c["ok"]}
        assert failed == {
            ("requests_balance", "总计"),
            ("requests_results_total", "总计"),
            ("requests_row_totals", "gov_info.requests_handled_total"),
        }, name


def test_flagged_in_the_warehouse_not_silently_true(tmp_path: Path) -> None:
    good = tmp_path / "good.html"
    good.write_text(disclosure_html(2022), encoding="utf-8")
    bad = tmp_path / "bad.pdf"
    bad.write_bytes(pdf_bytes(disclosure_blocks(2023, wrong_total=True), disclosure_title(2023)))
    warehouse = tmp_path / "w.duckdb"
    summary = ingest_files([good, bad], warehouse)
    assert (summary.loaded, summary.rejected) == (2, 0)
    flags = run_query("SELECT report_year, table_id, failed, problems FROM gov_info_flags", warehouse).rows()
    assert [(y, t, n) for y, t, n, _ in flags] == [(2023, "requests", 3)]
    assert "38 ≠ 39" in flags[0][3] or "≠" in flags[0][3]
    status = run_query(
        "SELECT report_year, adds_up FROM gov_info_table_status WHERE table_id = 'requests' ORDER BY 1",
        warehouse,
    ).rows()
    assert status == [(2022, True), (2023, False)]
    values = run_query(
        "SELECT DISTINCT report_year, adds_up FROM gov_info_table_values "
        "WHERE code = 'gov_info.requests_new' ORDER BY 1",
        warehouse,
    ).rows()
    assert values == [(2022, True), (2023, False)]
    # loading the corrected report replaces the flag
    bad.write_bytes(pdf_bytes(disclosure_blocks(2023), disclosure_title(2023)))
    ingest_files([bad], warehouse)
    assert run_query("SELECT count(*) FROM gov_info_flags", warehouse).rows() == [(0,)]


def test_an_incomplete_row_is_a_failed_check_and_gives_no_facts() -> None:
    lines = disclosure_text(YEAR, "pipes").splitlines()
    at = next(i for i, line in enumerate(lines) if line.startswith("| 2.重复申请 |"))
    cells = lines[at].split(" | ")
    lines[at] = " | ".join([cells[0], "", *cells[2:]])  # the 自然人 cell left empty
    text = "\n".join(lines)
    report = extract_pages([Page("cut.txt", text.encode())]).reports[0]
    assert "gov_info.requests_unhandled_repeat" not in {c for c, _, _ in table_facts(report)}
    assert any(c["check_id"] == "complete" and not c["ok"] for c in report.table_checks)


def test_table_codes_join_the_catalog() -> None:
    codes = {i.code for i in load_catalog().indicators}
    assert {e.code for e in catalog_entries()} <= codes
    assert "gov_info.applications" in codes  # the text-rule codes stay


def test_a_check_naming_an_unknown_row_is_a_config_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "config"
    shutil.copytree(Path(__file__).resolve().parents[1] / "config", config)
    path = config / "gov_info_tables.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace(
            "right: [gov_info.requests_handled_total]", "right: [gov_info.requests_nowhere]"
        ),
        encoding="utf-8",
    )
    monkeypatch.setenv("NIANBAO_CONFIG", str(config))
    with pytest.raises(ConfigError, match=r"gov_info_tables\.yaml.*requests_nowhere"):
        table_rules()


def test_the_2019_template_with_one_other_handling_row_adds_up() -> None:
    """Before 2021 （六）其他处理 was one row; its three sub-rows are optional and it stands in for them."""
    lines = disclosure_text(YEAR, "pipes").splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("| （六）其他处理"))
    sub_rows = [[int(c) for c in line.strip("| ").split(" | ")[1:]] for line in lines[start + 1 : start + 4]]
    merged = [sum(column) for column in zip(*sub_rows, strict=True)]
    lines[start : start + 4] = ["| （六）其他处理 | " + " | ".join(map(str, merged)) + " |"]
    report = extract_pages([Page("2019.txt", "\n".join(lines).encode())]).reports[0]
    facts = table_facts(report)
    assert ("gov_info.requests_other_handling", "总计", float(merged[-1])) in facts
    assert not {c for c, _, _ in facts} & {"gov_info.requests_other", "gov_info.requests_other_no_fee"}
    assert report.table_checks and all(c["ok"] for c in report.table_checks)
