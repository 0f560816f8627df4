"""Reports published as attachments, through real Prefect flow runs against the sample site on 127.0.0.1:
document links followed from report pages and listings, archived beside their page, read by their bytes,
loaded with the page's 发布时间 and 来源; an unreadable attachment is a reject and its page loads instead."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from flows.archive import Archive
from flows.attachments import ATTACHMENTS_KEY, PARENT_KEY, attachment_links
from flows.discover import ReportLink
from flows.pipeline import backfill, ingest
from flows.sample_attachments import attachment_page, doc_number
from flows.sample_disclosure import disclosure_figures
from flows.sample_docs import scanned_pdf_bytes
from flows.sample_pages import published_on, report_title, trs_report_page
from flows.sample_server import Fault, RunningSite, serve_site
from flows.sample_site import SampleSiteSpec, build_sample_site
from flows.summary import RunSummary
from warehouse.query import run_query

pytestmark = pytest.mark.usefixtures("prefect_harness")

FAST: dict[str, Any] = {"delay_seconds": 0.01, "backoff_seconds": 0.01, "timeout_seconds": 2.0, "retries": 1}
SPEC = SampleSiteSpec(
    years=(2019, 2022, 2023, 2024),
    attachments=((2019, "docx"), (2022, "pdf"), (2024, "ofd")),
    disclosure=((2022, "pdf"), (2023, "html")),
)
LAW = "law_based_government_annual_report"


def _backfill(served: RunningSite, tmp_path: Path) -> Any:
    return backfill(
        regions=["sample"],
        base_urls={"sample": served.base_url},
        politeness=FAST,
        archive=str(tmp_path / "archive"),
        warehouse=str(tmp_path / "w.duckdb"),
        return_state=True,
    )


def _rows(sql: str, tmp_path: Path) -> list[tuple]:
    return run_query(sql, tmp_path / "w.duckdb").rows()


def test_attachment_links_name_the_report() -> None:
    report = ReportLink(
        "http://h/fzzf/a.html", "示例县2022年度法治政府建设情况报告", 2022, LAW, "sample", "l"
    )
    page = attachment_page(2022, "P1.pdf", "pdf").replace(
        "</div></div>",
        '<p><a href="stats.xls">附件2：执法统计表.xls</a><a href="P0.pdf">2021年度法治政府'
        '建设情况的报告.pdf</a><a href="/download?id=7">附件：示例县2022年度法治政府建设情况报告</a>'
        "</p></div></div>",
    )
    found = [link.url for link in attachment_links(page, "http://h/fzzf/a.html", report)]
    assert found == ["http://h/fzzf/P1.pdf", "http://h/download?id=7"]


def test_each_format_end_to_end_through_the_flows(tmp_path: Path) -> None:
    site = build_sample_site(SPEC)
    with serve_site(site) as served:
        state = _backfill(served, tmp_path)
        base = served.base_url.rstrip("/")
    assert not state.is_failed(), state.message
    summary: RunSummary = state.result()
    assert (summary.found, summary.fetched, summary.loaded, summary.rejected) == (6, 9, 6, 0)

    manifest = {row.url.removeprefix(base): row for row in Archive(tmp_path / "archive").latest().values()}
    for year, fmt in SPEC.attachments:
        page = site.report_paths[year]
        documents = [path for path, row in manifest.items() if row.extra.get(PARENT_KEY) == base + page]
        assert len(documents) == 1 and documents[0].endswith(f".{fmt}")
        assert manifest[page].extra[ATTACHMENTS_KEY] == base + documents[0]

    law = _rows(
        f"SELECT report_year, url, published_at, source, doc_number FROM reports WHERE kind = '{LAW}' "
        "ORDER BY 1",
        tmp_path,
    )
    by_year = {year: rest for year, *rest in law}
    for year, fmt in SPEC.attachments:
        url, published, source, number = by_year[year]
        y, m, d = published_on(year)
        assert url.endswith(f".{fmt}")
        assert published.startswith(f"{y}-{m:02d}-{d:02d}")  # from the page
        assert source == "示例县司法局"  # from the page
        assert number == doc_number(year)  # from the document
    assert not by_year[2023][0].endswith((".pdf", ".docx", ".ofd"))  # an ordinary HTML report page

    cells = _rows(
        "SELECT report_year, scope, value, adds_up FROM gov_info_table_values "
        "WHERE code = 'gov_info.requests_new' AND scope = '总计' ORDER BY 1",
        tmp_path,
    )
    assert cells == [(y, "总计", float(sum(disclosure_figures(y).new)), True) for y in (2022, 2023)]

    # a reload reads no body already loaded: a page whose attachments are all loaded is neither read nor
    # loaded in their place (the bodies are gone, yet nothing is rejected and the page is not counted)
    shutil.rmtree(tmp_path / "archive" / "objects")
    again: RunSummary = ingest(archive=str(tmp_path / "archive"), warehouse=str(tmp_path / "w.duckdb"))
    assert (again.ingested, again.skipped, again.loaded, again.rejected) == (6, 6, 0, 0)


def test_an_unreadable_attachment_is_a_reject_and_its_page_loads(tmp_path: Path) -> None:
    """A full-text report page that also links its PDF: the scanned PDF is a reject, the page loads."""
    spec = SampleSiteSpec(years=(2022, 2023), attachments=((2022, "pdf"),))
    site = build_sample_site(spec)
    page = site.report_paths[2022]
    document = next(p for p in site.resources if p.endswith(".pdf"))
    link = f'<p>附件：<a href="{document}">{report_title(2022)}.pdf</a></p>'
    full_text = trs_report_page(2022).replace('<div class="tools">', link + '<div class="tools">')
    with serve_site(site) as served:
        served.plan.always[page] = Fault("body", body=full_text.encode())
        served.plan.always[document] = Fault("body", body=scanned_pdf_bytes())
        state = _backfill(served, tmp_path)
    assert not state.is_failed(), state.message
    rejects = _rows("SELECT input, stage, reason FROM rejects", tmp_path)
    assert [(i.endswith(".pdf"), s) for i, s, _ in rejects] == [(True, "extract")]
    assert "scanned PDF: no text layer" in rejects[0][2]
    loaded = _rows(f"SELECT report_year, url FROM reports WHERE kind = '{LAW}' ORDER BY 1", tmp_path)
    assert [year for year, _ in loaded] == [2022, 2023]
    assert loaded[0][1].endswith(".html")  # the page itself, as the fallback
