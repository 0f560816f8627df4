"""ingest end to end on fictional 示例县 captures: pages → transforms → warehouse → year over year."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from ingest.pages import ingest_files, ingest_pages
from transforms.extract import ExtractedBatch
from transforms.model import Page
from warehouse.checksum import table_checksums
from warehouse.query import run_query
from warehouse.yoy import yoy_frame

REPORT_2018 = "990121:law_based_government_annual_report:2018"


@pytest.fixture()
def captures(fixtures_dir: Path, tmp_path: Path) -> list[Path]:
    folder = tmp_path / "captures"
    shutil.copytree(fixtures_dir / "warehouse", folder)
    return sorted(folder.glob("*.txt"))


def test_captures_load_and_give_year_over_year_with_a_gap(captures: list[Path], tmp_path: Path) -> None:
    path = tmp_path / "w.duckdb"
    summary = ingest_files(captures, path)
    assert (summary.loaded, summary.rejected) == (3, 0), summary.describe()
    frame = yoy_frame("reconsideration.accepted", ["示例县"], warehouse=path)
    assert frame.select("report_year", "value", "previous_value").rows() == [
        (2017, 7.0, None),
        (2018, 9.0, 7.0),
        (2020, 4.0, None),
    ]


def test_an_edited_page_replaces_only_its_report(captures: list[Path], tmp_path: Path) -> None:
    path = tmp_path / "w.duckdb"
    ingest_files(captures, path)
    before = table_checksums(path, exclude_report=REPORT_2018)
    page_2018 = next(p for p in captures if "2018" in p.name)
    text = page_2018.read_text(encoding="utf-8")
    page_2018.write_text(text.replace("受理行政复议案件9件", "受理行政复议案件12件"), encoding="utf-8")
    summary = ingest_files(captures, path)
    assert (summary.loaded, summary.replaced, summary.skipped) == (0, 1, 2)
    assert table_checksums(path, exclude_report=REPORT_2018) == before
    accepted = run_query(
        f"SELECT value FROM facts WHERE report_id = '{REPORT_2018}' AND code = 'reconsideration.accepted'",
        path,
    )
    assert accepted.rows() == [(12.0,)]


def test_pages_in_memory_and_unchanged_pages_are_not_extracted_again(
    captures: list[Path], tmp_path: Path
) -> None:
    path = tmp_path / "w.duckdb"
    pages = [
        Page(name=f"http://127.0.0.1/{p.name}", data=p.read_bytes(), url=f"http://127.0.0.1/{p.name}")
        for p in captures
    ]
    assert ingest_pages(pages, path).loaded == 3
    assert run_query("SELECT count(*) FROM reports WHERE url LIKE 'http://127.0.0.1/%'", path).item() == 3
    again = ingest_pages(pages, path)
    assert (again.loaded, again.replaced, again.skipped, again.rejected) == (0, 0, 3, 0)
    empty = ingest_pages([Page(name="empty.html", data=b"")], path)
    assert (empty.rejected, empty.rejects[0].stage) == (1, "extract")


def test_a_page_that_crashes_the_transform_is_one_reject(
    captures: list[Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Fault injection: the batch transform raises on one page; the other pages still load."""
    import ingest.pages

    real_extract = ingest.pages.extract_pages

    def extract_or_crash(pages: list[Page], objects: bool = True) -> ExtractedBatch:
        if any(page.name == "crash.txt" for page in pages):
            raise RuntimeError("transform bug\nsecond line")
        return real_extract(pages, objects)

    monkeypatch.setattr(ingest.pages, "extract_pages", extract_or_crash)
    pages = [Page(name=p.name, data=p.read_bytes()) for p in captures]
    summary = ingest_pages([*pages, Page(name="crash.txt", data=b"whatever")], tmp_path / "w.duckdb")
    assert (summary.loaded, summary.rejected) == (3, 1)
    assert summary.rejects[0].reason == "extraction failed: RuntimeError: transform bug"


def test_an_unchanged_page_clears_its_earlier_fetch_reject(captures: list[Path], tmp_path: Path) -> None:
    """Loaded, then a fetch failed (a reject), then fetched unchanged: loaded, so the reject goes."""
    from warehouse.load import RejectRow, record_rejects

    path = tmp_path / "w.duckdb"
    ingest_files(captures, path)
    record_rejects(
        [
            RejectRow(str(captures[0]), "fetch", "HTTP 503 (gave up after 4 attempts)"),
            RejectRow("http://127.0.0.1/other.html", "fetch", "HTTP 404"),
        ],
        path,
    )
    again = ingest_files(captures, path)
    assert (again.loaded, again.skipped) == (0, 3)
    assert run_query("SELECT input FROM rejects", path).rows() == [("http://127.0.0.1/other.html",)]
