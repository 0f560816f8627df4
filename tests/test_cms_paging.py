"""The CMS paging rules: TRS createPageHTML, Hanweb datastore + dataproxy (POST, GET fallback), JSON list APIs
read off one answer, detection from markup, the Fetcher's POST under robots.txt, and config/sources.d."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from flows.cms_detect import detect_mode
from flows.cms_hanweb import hanweb_column, parse_datastore, proxy_requests
from flows.cms_json import infer_api, template_of
from flows.cms_trs import trs_paging
from flows.discover import discover_site
from flows.fetch import Fetcher
from flows.sample_server import serve_site
from flows.sample_site import SampleSiteSpec, build_sample_site
from flows.sample_variants import VARIANT_YEARS, build_variant_site
from flows.sources import HanwebPaging, Listing, Politeness, Site, load_sources
from flows.urls import authority_key
from nianbao.settings import PROJECT_ROOT, ConfigError
from transforms.version import extractor_version

FAST = Politeness(delay_seconds=0.0, backoff_seconds=0.0, timeout_seconds=2, retries=0)
LAW = r"(\d{4})\s*年度?.{0,8}?法治政府建设.{0,12}报告"
COLUMN = "http://127.0.0.1:9/col/col4521/index.html"


def _fetcher(served) -> Fetcher:
    """A fetcher allowed on the local server's host and port, loopback included."""
    key = authority_key(served.base_url)
    return Fetcher({key: FAST}, private_ok=[key])


def _page(variant: str, path: str) -> str:
    return build_variant_site(variant).resources[path].body.decode("utf-8")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("script", "total", "urls"),
    [
        ('createPageHTML(3, 0, "index", "shtml");', 3, ["index_1.shtml", "index_2.shtml"]),
        (
            "var currentPage = 0;\nvar countPage = 4//共多少页\n"
            "createPageHTML(countPage, currentPage, 'index', 'htm');",
            4,
            ["index_1.htm", "index_2.htm", "index_3.htm"],
        ),
        (
            "createPageHTML('page_div',16, 1,'index','html',318);",
            16,
            [f"index_{n}.html" for n in range(1, 5)],
        ),
        (
            "function createPageHTML(_nPageCount, _nCurrIndex, _sPageName, _sPageExt) {}\n"
            'createPageHTML(1, 0, "t20170310_9260562", "htm");',
            1,
            [],
        ),
    ],
)
def test_trs_page_count_gives_index_n_pages(script: str, total: int, urls: list[str]) -> None:
    paging = trs_paging(f"<html><body><script>{script}</script></body></html>")
    assert paging is not None and paging.total == total
    assert paging.page_urls("http://127.0.0.1:9/zwgk/fzzf/index.html", max_pages=5) == [
        f"http://127.0.0.1:9/zwgk/fzzf/{u}" for u in urls
    ]
    assert trs_paging("<script>function createPageHTML(a, b, c, d) {}</script>") is None


def test_hanweb_form_comes_from_the_page_and_groups_follow_the_total() -> None:
    column = hanweb_column(_page("hanweb", "/col/col4521/index.html"), COLUMN, None)
    assert column is not None and len(column.first.records) == 4
    assert column.total == 20 and column.per_page == 4
    keys = ("col", "appid", "webid", "columnid", "unitid", "path", "permissiontype")
    assert {k: column.form[k] for k in keys} == {
        "col": "1",
        "appid": "1",
        "webid": "99",
        "columnid": "4521",
        "unitid": "30121",
        "path": "/",
        "permissiontype": "0",
    }
    posts = list(proxy_requests(column, COLUMN, None, max_requests=10))
    assert [r.url.split("?")[1] for r in posts] == [
        "startrecord=5&endrecord=16&perpage=4",
        "startrecord=17&endrecord=28&perpage=4",
    ]
    assert all(r.form == column.form for r in posts)
    gets = list(proxy_requests(column, COLUMN, HanwebPaging(method="get"), max_requests=10))
    assert [r.form for r in gets] == [None] * 4 and gets[-1].url.endswith("&page=5")
    assert "columnid=4521" in gets[0].url
    configured = hanweb_column(
        _page("hanweb", "/col/col4521/index.html"), COLUMN, HanwebPaging(per_page=10, form={"unitid": "7"})
    )
    assert configured is not None and configured.per_page == 10 and configured.form["unitid"] == "7"


def test_a_dataproxy_answer_is_a_datastore() -> None:
    answer = (
        '<?xml version="1.0" encoding="UTF-8"?><datastore><totalrecord>31</totalrecord><recordset>'
        '<record><![CDATA[<li><a href="/art/1.html">甲</a></li>]]></record></recordset></datastore>'
    )
    store = parse_datastore(answer)
    assert store is not None and store.total == 31
    assert store.records == ('<li><a href="/art/1.html">甲</a></li>',)
    assert parse_datastore("<html><body>no store</body></html>") is None


def test_a_json_api_is_read_off_one_answer() -> None:
    doc = {
        "code": 0,
        "data": {
            "total": 3,
            "nav": [{"name": "首页", "href": "/"}],
            "records": [
                {
                    "id": n,
                    "docTitle": f"示例县人民政府关于{y}年度法治政府建设情况的报告",
                    "docUrl": f"/a/{n}.html",
                    "meta": {"pubDate": f"{y + 1}-03-01"},
                }
                for n, y in enumerate((2021, 2022, 2023))
            ],
        },
    }
    inferred = infer_api(doc, "http://127.0.0.1:9/api/list?catId=7&pageNo=1&size=10")
    assert inferred is not None and inferred.items == 3 and inferred.total == 3
    api = inferred.api
    assert (api.items, api.title, api.link) == ("data.records", "docTitle", "docUrl")
    assert api.date == "meta.pubDate"
    assert api.url == "http://127.0.0.1:9/api/list?catId=7&pageNo={page}&size=10" and api.first_page == 1
    assert template_of("http://h/api/x?p=0") == ("http://h/api/x?p={page}", 0)
    assert template_of("http://h/api/all.json") == ("http://h/api/all.json", 1)
    assert infer_api({"rows": [{"a": 1}]}, "http://h/api") is None


@pytest.mark.parametrize(
    ("variant", "path", "mode"),
    [
        ("trs", "/zwgk/fzzf/index.html", "trs"),
        ("hanweb", "/col/col4521/index.html", "hanweb"),
        ("json", "/gkmlpt/fzzf/index.html", "json"),
        ("nav", "/xxgk/fzzfndbg/list.html", "links"),
    ],
)
def test_detection_reads_the_cms_from_the_markup(variant: str, path: str, mode: str) -> None:
    assert detect_mode(_page(variant, path), "http://127.0.0.1:9" + path).mode == mode


def test_hanweb_paging_falls_back_to_get_when_post_is_refused() -> None:
    site = build_variant_site("hanweb", hanweb_method="get")
    with serve_site(site) as served:
        entry = Site(
            id="shili",
            name="示例县",
            region_code="990121",
            base_url=served.base_url,
            listings=(
                Listing(
                    path="col/col4521/index.html",
                    title_pattern=LAW,
                    kind="law_based_government_annual_report",
                ),
            ),
        )
        with _fetcher(served) as fetcher:
            found = discover_site(entry, fetcher)
        proxy = [(r.status, r.path) for r in served.seen if "dataproxy" in r.path]
    assert sorted(link.year for link in found.links) == list(VARIANT_YEARS)
    assert proxy[0][0] == 405 and [s for s, _ in proxy[1:]] == [200] * 4  # one refused POST, then pages 2–5
    assert found.modes[served.base_url + "col/col4521/index.html"].startswith("hanweb: Hanweb datastore")


def test_a_post_obeys_robots_and_carries_its_form() -> None:
    with serve_site(build_variant_site("hanweb")) as served:
        with _fetcher(served) as fetcher:
            refused = fetcher.fetch(served.base_url + "admin/list.jsp", form={"a": "1"})
            proxy = served.base_url + "module/web/jpage/dataproxy.jsp?startrecord=1&endrecord=3"
            wrong = fetcher.fetch(proxy, form={"columnid": "1"})
            right = fetcher.fetch(proxy, form={"columnid": "4521", "webid": "99", "unitid": "30121"})
        paths = [r.path for r in served.seen]
    assert not refused.ok and "robots.txt" in (refused.reason or "") and "/admin/list.jsp" not in paths
    assert parse_datastore((wrong.body or b"").decode()).records == ()  # type: ignore[union-attr]
    assert len(parse_datastore((right.body or b"").decode()).records) == 3  # type: ignore[union-attr]


def test_sources_d_entries_join_sources_yaml(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "config"
    shutil.copytree(PROJECT_ROOT / "config", folder, ignore=shutil.ignore_patterns("sources.d"))
    monkeypatch.setenv("NIANBAO_CONFIG", str(folder))
    before = extractor_version()
    (folder / "sources.d").mkdir()
    entry = {
        "id": "shili-json",
        "name": "示例县",
        "region_code": "990121",
        "base_url": "http://127.0.0.1:9/",
        "listings": [
            {
                "path": "gkmlpt/fzzf/index.html",
                "kind": "law_based_government_annual_report",
                "title_pattern": LAW,
                "mode": "json",
                "json_api": {
                    "url": "gkmlpt/api/all/88?page={page}",
                    "items": "articles",
                    "title": "title",
                    "link": "url",
                },
            }
        ],
    }
    proposal = folder / "sources.d" / "shili-json.yaml"
    proposal.write_text(yaml.safe_dump({"sites": [entry]}, allow_unicode=True), encoding="utf-8")
    config = load_sources()
    assert extractor_version() == before  # a proposed site is not an extraction rule
    assert config.site("shili-json").listings[0].json_api.items == "articles"  # type: ignore[union-attr]
    assert config.site("bj-dongcheng").region_code == "110101"

    del entry["listings"][0]["json_api"]
    proposal.write_text(yaml.safe_dump({"sites": [entry]}, allow_unicode=True), encoding="utf-8")
    with pytest.raises(ConfigError, match=r"sources.d/shili-json.yaml: site 'shili-json': .*needs json_api"):
        load_sources()
    entry.update(
        id="sample",
        listings=[{"path": "a.html", "kind": "law_based_government_annual_report", "title_pattern": LAW}],
    )
    proposal.write_text(yaml.safe_dump({"sites": [entry]}, allow_unicode=True), encoding="utf-8")
    with pytest.raises(ConfigError, match="site id 'sample' appears twice"):
        load_sources()


def test_the_bundled_sample_site_is_paged_as_before_without_api_calls() -> None:
    site = build_sample_site(SampleSiteSpec(page_size=2))
    with serve_site(site) as served:
        sample = load_sources().site("sample").with_base_url(served.base_url)
        with _fetcher(served) as fetcher:
            found = discover_site(sample, fetcher)
        paths = [r.path for r in served.seen]
    assert sorted(link.year for link in found.links) == sorted(site.report_paths)
    # the 信息公开年报 column (flows/sample_attachments.py) is a plain list of links
    assert [mode.split(":")[0] for mode in found.modes.values()] == ["trs", "hanweb", "links"]
    assert "/fzzf/index_2.html" in paths  # createPageHTML(3, …): 2022–2024 and their notices, 2 a page
    assert not [p for p in paths if "dataproxy" in p]  # an empty nextgroup and no total: no further group
