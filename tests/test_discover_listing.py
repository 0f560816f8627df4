"""Discovery: list pages (TRS and Hanweb CDATA), pagination, title patterns, years, and skip reasons."""

from __future__ import annotations

from flows.discover import (
    ListedLink,
    ReportLink,
    Skipped,
    classify,
    discover_site,
    listed_links,
    next_page_urls,
    report_year,
)
from flows.fetch import Fetcher
from flows.sample_server import serve_site
from flows.sample_site import SampleSiteSpec, build_sample_site
from flows.sources import Listing, Politeness, Site

LAW = r"(\d{4})\s*年度?.{0,8}?法治政府建设.{0,12}报告"
LISTING = Listing(path="fzzf/index.html", kind="law_based_government_annual_report", title_pattern=LAW)
SITE = Site(
    id="shili",
    name="示例县人民政府",
    region_code="990121",
    base_url="http://127.0.0.1:9/",
    listings=(LISTING,),
    extra_hosts=("www.shili.example",),
)
FAST = Politeness(delay_seconds=0.0, backoff_seconds=0.0, timeout_seconds=2)

HANWEB = """<html><body><div id="div9901"><script type="text/xml"><datastore>
<nextgroup><![CDATA[<a href="/module/web/jpage/dataproxy.jsp?page=1">下一组</a>]]></nextgroup>
<recordset>
<record><![CDATA[<li><a href="/art/2021/3/2/art_9901_1.html"
 title="示例县2020年法治政府建设年度报告">示例县2020年…</a></li>]]></record>
<record><![CDATA[<li><a href="/art/2021/1/5/art_9901_2.html"
 title="关于印发2021年普法工作要点的通知">关于印发…</a></li>]]></record>
</recordset></datastore></script></div></body></html>"""


def test_hanweb_cdata_records_are_links() -> None:
    links = listed_links(HANWEB, "http://127.0.0.1:9/col/col9901/index.html")
    by_url = {link.url: link.title for link in links}
    assert by_url["http://127.0.0.1:9/art/2021/3/2/art_9901_1.html"] == "示例县2020年法治政府建设年度报告"
    assert "http://127.0.0.1:9/art/2021/1/5/art_9901_2.html" in by_url


def test_title_attribute_wins_over_clipped_text_and_next_links_are_found() -> None:
    html = (
        '<ul><li><a href="./202503/t1.html" title="示例县人民政府关于2024年度法治政府建设情况的报告">'
        "示例县人民政府关于2024年度…</a></li></ul>"
        '<a href="index_1.html">下一页</a><a href="#">下一页</a>'
    )
    page = "http://127.0.0.1:9/fzzf/index.html"
    [report, following] = listed_links(html, page)
    assert report.title == "示例县人民政府关于2024年度法治政府建设情况的报告"
    assert report.url == "http://127.0.0.1:9/fzzf/202503/t1.html"
    assert next_page_urls(html, page, ("下一页",)) == ["http://127.0.0.1:9/fzzf/index_1.html"]
    assert following.title == "下一页"


def test_year_comes_from_the_pattern_group() -> None:
    assert report_year("示例县人民政府关于2023年度法治政府建设情况的报告", LISTING) == 2023
    assert report_year("示例县 2022 年法治政府建设年度报告", LISTING) == 2022


def test_classify_says_why_a_link_is_skipped() -> None:
    seen: set[str] = set()
    page = "http://127.0.0.1:9/fzzf/index.html"

    def verdict(url: str, title: str, years: tuple[int, ...] | None = None) -> ReportLink | Skipped:
        return classify(ListedLink(url, title), SITE, LISTING, page, years, seen)

    kept = verdict("http://127.0.0.1:9/a.html", "示例县2024年度法治政府建设情况报告")
    assert isinstance(kept, ReportLink) and kept.year == 2024 and kept.listing == page
    again = verdict("http://127.0.0.1:9/a.html", "示例县2024年度法治政府建设情况报告")
    assert again.reason == "already listed"
    assert (
        verdict("http://127.0.0.1:9/n.html", "关于开展普法活动的通知").reason
        == "title does not match the report pattern"
    )
    assert (
        verdict("http://elsewhere.example/x.html", "示例县2024年度法治政府建设情况报告").reason
        == "off-site link (elsewhere.example)"
    )
    assert (
        verdict("http://127.0.0.1:9/b.html", "示例县2019年度法治政府建设情况报告", (2024,)).reason
        == "year 2019 not requested"
    )
    extra_host = verdict("http://www.shili.example/c.html", "示例县2023年度法治政府建设情况报告")
    assert isinstance(extra_host, ReportLink)


def test_discovery_walks_pagination_and_both_cms_columns() -> None:
    spec = SampleSiteSpec(page_size=2)
    site = build_sample_site(spec)
    with serve_site(site) as served:
        sample = Site(
            id="sample",
            name="示例县",
            region_code="990121",
            base_url=served.base_url,
            sample=True,
            listings=(
                Listing(
                    path="fzzf/index.html",
                    kind=LISTING.kind,
                    title_pattern=LAW,
                    pagination={"template": "fzzf/index_{n}.html"},
                ),
                Listing(path="col/col9901/index.html", kind=LISTING.kind, title_pattern=LAW),
            ),
        )
        with Fetcher({f"127.0.0.1:{served.port}": FAST}, private_ok=[f"127.0.0.1:{served.port}"]) as fetcher:
            found = discover_site(sample, fetcher)
            only_2022 = discover_site(sample, fetcher, years=[2022])
    assert sorted(link.year for link in found.links) == sorted(spec.years)
    assert {link.url.removeprefix(served.base_url.rstrip("/")) for link in found.links} == set(
        site.report_paths.values()
    )
    assert found.pages_read >= 4  # three TRS list pages (page size 2, six items) and the Hanweb column
    assert not found.failures
    skipped_notices = {
        s.url.removeprefix(served.base_url.rstrip("/"))
        for s in found.skipped
        if s.reason == "title does not match the report pattern"
    }
    assert set(site.notice_paths) <= skipped_notices
    assert [link.year for link in only_2022.links] == [2022]


def test_an_unreachable_list_page_is_a_failure_with_its_reason() -> None:
    with serve_site(build_sample_site()) as served:
        broken = Site(
            id="sample",
            name="示例县",
            region_code="990121",
            base_url=served.base_url,
            listings=(Listing(path="nowhere/index.html", kind=LISTING.kind, title_pattern=LAW),),
        )
        with Fetcher({f"127.0.0.1:{served.port}": FAST}, private_ok=[f"127.0.0.1:{served.port}"]) as fetcher:
            found = discover_site(broken, fetcher)
    assert found.links == []
    assert [(f.url.endswith("nowhere/index.html"), f.reason) for f in found.failures] == [(True, "HTTP 404")]
