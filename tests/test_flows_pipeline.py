"""Real Prefect flow runs (one test harness per session) against the sample site served on 127.0.0.1:
a fault plan, idempotent re-runs with conditional GETs, reprocess after a catalog edit, failure states."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import polars as pl
import pytest
import yaml

from flows.pipeline import backfill, ingest, reprocess, scrape
from flows.sample_pages import not_found_page
from flows.sample_server import Fault, RunningSite, serve_site
from flows.sample_site import SampleSiteSpec, build_sample_site
from flows.summary import RunSummary
from nianbao.settings import PROJECT_ROOT
from warehouse.query import run_query

pytestmark = pytest.mark.usefixtures("prefect_harness")

FAST: dict[str, Any] = {"delay_seconds": 0.01, "backoff_seconds": 0.01, "timeout_seconds": 1.0, "retries": 2}


@pytest.fixture()
def paths(tmp_path: Path) -> dict[str, str]:
    return {"archive": str(tmp_path / "archive"), "warehouse": str(tmp_path / "nianbao.duckdb")}


def _backfill(
    served: RunningSite, paths: dict[str, str], years: list[int] | None = None, **extra: Any
) -> Any:
    return backfill(
        years=years,
        regions=["sample"],
        base_urls={"sample": served.base_url},
        politeness={**FAST, **extra},
        return_state=True,
        **paths,
    )


def _table(sql: str, warehouse: str) -> pl.DataFrame:
    return run_query(sql, warehouse)


def _snapshot(warehouse: str) -> dict[str, pl.DataFrame]:
    names = _table(
        "SELECT table_name FROM information_schema.tables WHERE table_type = 'BASE TABLE' ORDER BY 1",
        warehouse,
    )["table_name"].to_list()
    return {name: _table(f'SELECT * FROM "{name}" ORDER BY ALL', warehouse) for name in names}


def test_fault_plan_retries_rejects_and_loads_the_rest(paths: dict[str, str]) -> None:
    years = [y for y in range(2012, 2025) if y != 2021]
    spec = SampleSiteSpec(years=tuple(years), robots_disallow=("/art/2019/",))  # 2018's report sits there
    site = build_sample_site(spec)
    p = site.report_paths
    with serve_site(site) as served:
        served.plan.add(p[2024], Fault("status", 500))
        served.plan.add(p[2023], Fault("slow", seconds=2.5))
        served.plan.add(p[2022], Fault("status", 429, headers=(("Retry-After", "1"),)))
        served.plan.always[p[2020]] = Fault("truncate")
        served.plan.always[p[2019]] = Fault(
            "redirect", 302, location=f"http://localhost:{served.port}{p[2019]}"
        )
        served.plan.always[p[2017]] = Fault("body", body=not_found_page().encode())
        state = _backfill(served, paths, years)
        seen = served.seen
    assert not state.is_failed(), state.message
    summary: RunSummary = state.result()

    def statuses(path: str) -> list[int]:
        return [s.status for s in seen if s.path == path]

    assert statuses(p[2024]) == [500, 200]
    assert statuses(p[2022]) == [429, 200]
    assert len(statuses(p[2023])) == 2  # timed out once, then answered
    assert statuses(p[2020]) == [200] * (FAST["retries"] + 1)  # truncated each time, retried, gave up
    assert statuses(p[2019]) == [302]  # a redirect off the configured hosts is not followed
    assert statuses(p[2018]) == []  # robots.txt disallows it: never asked

    assert summary.found == len(years)
    assert summary.failed == 3
    base = served.base_url.rstrip("/")
    rejects = {(r.input.removeprefix(base), r.stage): r.reason for r in summary.rejects}
    assert "truncated" in rejects[(p[2020], "fetch")]
    assert rejects[(p[2019], "fetch")] == "redirect to host 'localhost' is not a configured host"
    assert rejects[(p[2018], "fetch")] == "disallowed by robots.txt"
    assert any(path == p[2017] and stage != "fetch" for path, stage in rejects)  # the 404-as-200 page

    stored = _table("SELECT input, stage, reason FROM rejects", paths["warehouse"])
    stored_inputs = {i.removeprefix(served.base_url.rstrip("/")) for i in stored["input"].to_list()}
    assert {p[2020], p[2019], p[2018], p[2017]} <= stored_inputs

    loaded = _table(
        "SELECT report_year FROM reports WHERE region_code = '990121' ORDER BY 1", paths["warehouse"]
    )["report_year"].to_list()
    assert loaded == [y for y in years if y not in (2020, 2019, 2018, 2017)]
    assert summary.loaded == len(loaded)


def test_backfill_twice_changes_nothing_and_refetches_conditionally(paths: dict[str, str]) -> None:
    site = build_sample_site()
    with serve_site(site) as served:
        first = _backfill(served, paths)
        assert not first.is_failed(), first.message
        before = _snapshot(paths["warehouse"])
        served.clear_log()
        second = _backfill(served, paths)
        seen = served.seen
    assert not second.is_failed(), second.message
    again: RunSummary = second.result()
    assert (again.found, again.fetched, again.unchanged, again.loaded, again.replaced) == (5, 0, 5, 0, 0)
    assert again.skipped == 5
    report_hits = [s for s in seen if s.path in set(site.report_paths.values())]
    assert len(report_hits) == 5
    assert all(
        s.status == 304 and "if-none-match" in s.headers and "if-modified-since" in s.headers
        for s in report_hits
    )
    after = _snapshot(paths["warehouse"])
    assert before.keys() == after.keys()
    for name in before:
        assert before[name].equals(after[name]), f"table {name} changed on the second backfill"


def test_scrape_then_ingest_without_network_and_artifacts(paths: dict[str, str]) -> None:
    site = build_sample_site()
    with serve_site(site) as served:
        scraped = scrape(regions=["sample"], base_urls={"sample": served.base_url}, politeness=FAST, **paths)
    assert scraped.summary.fetched == 5 and len(scraped.rows) == 5
    state = ingest(years=[2019, 2020], return_state=True, **paths)  # the server is gone: archive only
    assert not state.is_failed(), state.message
    summary: RunSummary = state.result()
    assert (summary.ingested, summary.loaded) == (2, 2)
    # a reload never reads a body the warehouse holds (its manifest sha256 is a loaded report's content):
    # with the bodies gone from the archive it still skips both pages, none an "archive unreadable" reject
    shutil.rmtree(Path(paths["archive"]) / "objects")
    again = ingest(years=[2019, 2020], return_state=True, **paths)
    assert not again.is_failed(), again.message
    reloaded: RunSummary = again.result()
    assert (reloaded.ingested, reloaded.skipped, reloaded.loaded, reloaded.rejected) == (2, 2, 0, 0)

    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey

    with get_client(sync_client=True) as client:
        found = client.read_artifacts(
            artifact_filter=ArtifactFilter(
                key=ArtifactFilterKey(any_=["nianbao-ingest-counts", "nianbao-ingest-summary"])
            )
        )
        scraped_found = client.read_artifacts(
            artifact_filter=ArtifactFilter(
                key=ArtifactFilterKey(any_=["nianbao-scrape-counts", "nianbao-scrape-summary"])
            )
        )
    assert {a.type for a in found} == {"table", "markdown"}
    assert {a.type for a in scraped_found} == {"table", "markdown"}, "scrape publishes its summary too"


def test_a_run_that_loads_nothing_fails(paths: dict[str, str]) -> None:
    site = build_sample_site()
    with serve_site(site) as served:
        for path in site.report_paths.values():
            served.plan.always[path] = Fault("status", 503)
        state = _backfill(served, paths, retries=0)
    assert state.is_failed()
    assert "nothing could be loaded" in (state.message or "")
    rejects = _table("SELECT stage, reason FROM rejects", paths["warehouse"])
    assert rejects.height == 5 and set(rejects["stage"]) == {"fetch"}


@pytest.fixture()
def config_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A temporary copy of config/ used through $NIANBAO_CONFIG, so a test can edit the rules."""
    folder = tmp_path / "config"
    shutil.copytree(PROJECT_ROOT / "config", folder)
    with monkeypatch.context() as patch:
        patch.setenv("NIANBAO_CONFIG", str(folder))
        yield folder


FACTS_SQL = (
    "SELECT r.report_year, f.code, f.value, f.scope, f.evidence FROM facts f "
    "JOIN reports r USING (report_id) ORDER BY ALL"
)


def test_reprocess_after_a_catalog_edit_changes_only_the_affected_facts(
    paths: dict[str, str], config_copy: Path
) -> None:
    with serve_site(build_sample_site()) as served:
        assert not _backfill(served, paths).is_failed()
    before = _table(FACTS_SQL, paths["warehouse"])
    codes = set(before["code"].to_list())
    assert codes, "the sample reports should give facts"
    dropped = "legal_advisors.count" if "legal_advisors.count" in codes else sorted(codes)[0]

    catalog_file = config_copy / "indicators.yaml"
    catalog = yaml.safe_load(catalog_file.read_text(encoding="utf-8"))
    catalog["indicators"] = [e for e in catalog["indicators"] if e["code"] != dropped]
    catalog_file.write_text(yaml.safe_dump(catalog, allow_unicode=True, sort_keys=False), encoding="utf-8")

    state = reprocess(**paths, return_state=True)
    assert not state.is_failed(), state.message
    assert state.result().replaced == 5
    after = _table(FACTS_SQL, paths["warehouse"])

    gone = before.join(after, on=before.columns, how="anti", nulls_equal=True)
    new = after.join(before, on=before.columns, how="anti", nulls_equal=True)
    assert gone.height > 0 and set(gone["code"]) == {dropped}
    # any new row is the same quantity claimed by another code now that `dropped` is gone
    dropped_evidence = set(gone["evidence"].to_list())
    assert set(new["evidence"].to_list()) <= dropped_evidence
