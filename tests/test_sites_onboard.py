"""`nianbao sites add` on each CMS variant of the FICTIONAL county's site (served on 127.0.0.1), then a real
Prefect backfill with the proposed entry: every report the generator published is found and loaded, with
pagination past the first page in each mode; `sites check` and `sites list` on the same sites."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from flows.onboard import default_site_id, site_name_from_title
from flows.pipeline import backfill
from flows.sample_pages import home_page, notice_page
from flows.sample_server import RunningSite, serve_site
from flows.sample_site import Resource, SampleSite
from flows.sample_variants import VARIANT_YEARS, VARIANTS, build_variant_site, disclosure_path
from nianbao.cli import main
from nianbao.settings import PROJECT_ROOT
from warehouse.query import run_query

FAST: dict[str, Any] = {"delay_seconds": 0.0, "backoff_seconds": 0.01, "timeout_seconds": 2.0, "retries": 1}
# Pagination past the first page in each variant's request log: a path answered at least n times (20 items,
# 4 a page: TRS index_4.html is the 5th page; Hanweb's POST-only dataproxy gives records 5–16 and 17–20; the
# JSON API pages 1–5; the navigation-only column's list_5.html).
LATER_PAGES = {
    "trs": ("/zwgk/fzzf/index_4.html", 1),
    "hanweb": ("/module/web/jpage/dataproxy.jsp", 2),
    "json": ("/gkmlpt/api/all/88", 5),
    "nav": ("/xxgk/fzzfndbg/list_5.html", 1),
}
LAW_KIND, DISCLOSURE_KIND = "law_based_government_annual_report", "gov_info_disclosure_annual_report"
MODES = {"trs": "trs", "hanweb": "hanweb", "json": "json", "nav": "links"}


@pytest.fixture()
def config_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A temporary copy of config/ (without proposals) used through $NIANBAO_CONFIG."""
    folder = tmp_path / "config"
    shutil.copytree(PROJECT_ROOT / "config", folder, ignore=shutil.ignore_patterns("sources.d"))
    with monkeypatch.context() as patch:
        patch.setenv("NIANBAO_CONFIG", str(folder))
        yield folder


def _add(served: RunningSite, site_id: str, *extra: str) -> int:
    return main(
        [
            "sites",
            "add",
            "--home",
            served.base_url,
            "--region",
            "990121",
            "--id",
            site_id,
            "--allow-private",
            "--delay",
            "0",
            *extra,
        ]
    )


@pytest.mark.usefixtures("prefect_harness")
@pytest.mark.parametrize("variant", VARIANTS)
def test_sites_add_proposes_an_entry_whose_backfill_finds_every_report(
    variant: str, config_copy: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    site = build_variant_site(variant)  # type: ignore[arg-type]
    # what the generator published, per kind (the navigation-only variant has a 政府信息公开年报 column too)
    published = {LAW_KIND: set(site.report_paths.values())}
    if variant == "nav":
        published[DISCLOSURE_KIND] = {disclosure_path(year) for year in VARIANT_YEARS}
    site_id = f"shili-{variant}"
    archive, warehouse = str(tmp_path / "archive"), str(tmp_path / "nianbao.duckdb")
    with serve_site(site) as served:
        assert _add(served, site_id) == 0
        said = capsys.readouterr().out
        proposal = yaml.safe_load((config_copy / "sources.d" / f"{site_id}.yaml").read_text(encoding="utf-8"))
        [entry] = proposal["sites"]
        assert entry["allow_private_addresses"] is True and entry["region_code"] == "990121"
        assert sorted(listing["kind"] for listing in entry["listings"]) == sorted(published)
        assert {listing["mode"] for listing in entry["listings"]} == {MODES[variant]}
        assert "chosen: 2 report title(s) on its first page (years 2023–2024)" in said

        assert main(["sites", "check", site_id, "--delay", "0"]) == 0
        checked = capsys.readouterr().out
        assert "2 report(s) on the first page (years 2023–2024)" in checked
        assert f"CMS {MODES[variant]}" in checked

        served.clear_log()
        state = backfill(
            regions=[site_id], politeness=FAST, archive=archive, warehouse=warehouse, return_state=True
        )
        assert not state.is_failed(), state.message
        seen = served.seen
    summary = state.result()
    every = set().union(*published.values())
    assert summary.found == len(every) and summary.fetched == len(every)
    assert every <= {r.path for r in seen if r.status == 200}
    path, times = LATER_PAGES[variant]
    assert sum(1 for r in seen if r.path == path and r.status == 200) >= times, f"{variant}: {path}"
    loaded = run_query(
        "SELECT kind, list(report_year ORDER BY report_year) AS years FROM reports "
        "WHERE region_code = '990121' GROUP BY kind",
        warehouse,
    )
    assert dict(zip(loaded["kind"], loaded["years"].to_list(), strict=True)) == {
        kind: list(VARIANT_YEARS) for kind in published
    }

    assert main(["sites", "list", "--archive", archive]) == 0
    [row] = [line for line in capsys.readouterr().out.splitlines() if line.startswith(site_id)]
    assert row.split()[-4:] == [str(len(every)), "0", "0", "2015–2024"]


def test_sites_check_diagnoses_what_is_wrong_without_a_traceback(
    config_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    site = build_variant_site("trs")
    with serve_site(site) as served:
        law = r"(\d{4})\s*年度?.{0,8}?法治政府建设.{0,12}报告"
        entry = {
            "id": "shili-broken",
            "name": "示例县（虚构）",
            "region_code": "990121",
            "base_url": served.base_url,
            "allow_private_addresses": True,
            "listings": [
                {"path": p, "kind": "law_based_government_annual_report", "title_pattern": law}
                for p in (
                    "zwgk/fzzf/index.html",
                    "xwdt/index.html",
                    "zwgk/gone/index.html",
                    "admin/list.html",
                    "gkmlpt/empty/index.html",
                )
            ],
        }
        (config_copy / "sources.d").mkdir()
        (config_copy / "sources.d" / "broken.yaml").write_text(
            yaml.safe_dump({"sites": [entry]}, allow_unicode=True), encoding="utf-8"
        )
        assert main(["sites", "check", "shili-broken", "--delay", "0"]) == 1
    out = capsys.readouterr()
    blocks = out.out.split("shili-broken  ")[1:]
    assert "5 report(s)" not in out.out and "2 report(s) on the first page" in blocks[0]
    assert "none is a report" in blocks[1] and "title does not match the report pattern" in blocks[1]
    assert "HTTP 404" in blocks[2] and "moved" in blocks[2]
    assert "robots.txt" in blocks[3]
    assert "1 of 5 listing(s) list reports" in out.out
    assert "Traceback" not in out.out + out.err

    assert main(["sites", "check", "no-such-site"]) == 2
    assert "no site with id or region code no-such-site" in capsys.readouterr().err

    entry.update(id="shili-offline", base_url="http://127.0.0.1:1/", listings=entry["listings"][:1])
    (config_copy / "sources.d" / "offline.yaml").write_text(
        yaml.safe_dump({"sites": [entry]}, allow_unicode=True), encoding="utf-8"
    )
    assert main(["sites", "check", "shili-offline", "--delay", "0"]) == 1
    out = capsys.readouterr()
    assert "the host did not answer" in out.out and "Traceback" not in out.out + out.err


def test_sites_add_says_why_when_a_site_has_no_report_column(
    config_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    day = "Mon, 10 Mar 2025 09:30:00 GMT"
    news = {
        f"/news/{n}.html": Resource(
            notice_page(f"示例县召开第{n}次常务会议", "2025-03-10").encode(), "text/html; charset=utf-8", day
        )
        for n in range(3)
    }
    links = [(p, f"第{n}条新闻") for n, p in enumerate(news)] + [("/about.html", "走进示例")]
    home = Resource(home_page(links).encode(), "text/html; charset=utf-8", day)
    bare = SampleSite({"/": home, "/index.html": home, **news})
    with serve_site(bare) as served:
        assert _add(served, "shili-bare") == 1
        out = capsys.readouterr()
        assert "no report column found" in out.err and "pages read" not in out.err
        assert "none of the" in out.err and "Traceback" not in out.out + out.err
        assert (
            main(
                [
                    "sites",
                    "add",
                    "--home",
                    served.base_url + "missing.html",
                    "--region",
                    "990121",
                    "--allow-private",
                    "--delay",
                    "0",
                ]
            )
            == 1
        )
        assert "no page could be read" in capsys.readouterr().err
    html = "text/html; charset=utf-8"
    column = Resource(home_page([("/news/0.html", "示例县召开第0次常务会议")]).encode(), html, day)
    named = SampleSite(
        {
            "/": Resource(
                home_page([("/fzzf/index.html", "法治政府建设")]).encode(), "text/html; charset=utf-8", day
            ),
            "/fzzf/index.html": column,
            **news,
        }
    )
    with serve_site(named) as served:
        assert _add(served, "shili-named") == 1
        out = capsys.readouterr()
    assert "not chosen: 0 report title(s) on its first page" in out.out
    assert "1 column(s) named like report columns list no report title" in out.err
    assert not (config_copy / "sources.d").exists()


def test_sites_add_refuses_to_overwrite_and_a_bad_proposal_names_its_file(
    config_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with serve_site(build_variant_site("nav")) as served:
        assert _add(served, "shili-nav") == 0
        assert _add(served, "shili-nav") == 2
        assert "exists already" in capsys.readouterr().err
        assert _add(served, "shili-nav", "--force") == 0
        assert _add(served, "sample") == 2  # the id of the bundled sample site in sources.yaml
        assert "is taken already" in capsys.readouterr().err
    bad = config_copy / "sources.d" / "typo.yaml"
    bad.write_text(
        "sites:\n  - id: typo\n    name: x\n    region_code: '99012'\n    base_url: http://x.example/\n"
        "    listings: [{path: a, kind: law_based_government_annual_report, title_pattern: a}]\n",
        encoding="utf-8",
    )
    assert main(["sites", "list"]) == 2
    assert "sources.d/typo.yaml: site 'typo': region_code" in capsys.readouterr().err


def test_proposed_id_and_name_come_from_host_and_title() -> None:
    assert default_site_id("https://www.shili.gov.cn/", "990121") == "shili"
    assert default_site_id("http://127.0.0.1:8080/", "990121") == "r990121"
    assert site_name_from_title("首页_示例县人民政府（虚构示例站点）") == "示例县人民政府（虚构示例站点）"
    assert site_name_from_title("示例县政务服务网 - 首页") == "示例县政务服务网"


def test_sub_columns_of_a_report_column_are_surveyed_before_other_links(
    config_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A 法治政府建设 column split into per-year sub-columns, behind a menu, with many news links competing
    for a small page budget: the sub-columns are read first and each becomes a listing."""
    day, kind = "Mon, 10 Mar 2025 09:30:00 GMT", "text/html; charset=utf-8"

    def page(links: list[tuple[str, str]]) -> Resource:
        return Resource(home_page(links).encode(), kind, day)

    news = [(f"/news/{n}.html", f"示例县召开第{n}次常务会议") for n in range(8)]
    years = (2022, 2023, 2024)
    resources = {
        "/": page([*news, ("/xxgk/index.html", "政府信息公开")]),
        "/xxgk/index.html": page([("/xxgk/fzzf/index.html", "法治政府建设")]),
        "/xxgk/fzzf/index.html": page([(f"/xxgk/fzzf/{y}/index.html", f"{y}年度") for y in years]),
    }
    for y in years:
        report = (f"/xxgk/fzzf/{y}/t{y}.html", f"示例县人民政府关于{y}年度法治政府建设情况的报告")
        notice = (f"/xxgk/fzzf/{y}/n{y}.html", f"{y}年普法工作要点")
        resources[f"/xxgk/fzzf/{y}/index.html"] = page([report, notice])
    resources.update({path: page([]) for path, _ in news})
    settings = config_copy / "sites.yaml"
    settings.write_text(
        settings.read_text(encoding="utf-8").replace("max_pages: 60", "max_pages: 7"), encoding="utf-8"
    )
    with serve_site(SampleSite(resources)) as served:
        assert _add(served, "shili-years", "--dry-run") == 0
    out = capsys.readouterr().out
    assert "surveyed 7 page(s)" in out and "/news/" not in out
    assert [line.split("path: ")[1] for line in out.splitlines() if "path: " in line] == [
        f"xxgk/fzzf/{y}/index.html" for y in years
    ]
