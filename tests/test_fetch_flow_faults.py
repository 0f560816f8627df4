"""Fetch faults through a real Prefect backfill of the sample site on 127.0.0.1: one bad redirect fails one
page and the run goes on; a fetch task that outlives its timeout fails its pages (nothing half-stored); no
credential or cookie reaches the manifest, the warehouse, the summary, the artifacts or the logs."""

from __future__ import annotations

import hashlib
import logging
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from flows.archive import Archive
from flows.pipeline import backfill
from flows.sample_server import Fault, RunningSite, serve_site
from flows.sample_site import Resource, SampleSite, build_sample_site
from flows.summary import RunSummary
from nianbao.settings import PROJECT_ROOT
from warehouse.query import run_query

pytestmark = pytest.mark.usefixtures("prefect_harness")

FAST: dict[str, Any] = {"delay_seconds": 0.0, "backoff_seconds": 0.01, "timeout_seconds": 10.0, "retries": 0}
SECRETS = ("SECRET-PASSWORD", "reader:", "SECRET-COOKIE-VALUE")


@pytest.fixture()
def paths(tmp_path: Path) -> dict[str, str]:
    return {"archive": str(tmp_path / "archive"), "warehouse": str(tmp_path / "nianbao.duckdb")}


def _backfill(served: RunningSite, paths: dict[str, str]) -> Any:
    return backfill(
        regions=["sample"], base_urls={"sample": served.base_url}, politeness=FAST, return_state=True, **paths
    )


def _base(served: RunningSite) -> str:
    return served.base_url.rstrip("/")


def test_a_redirect_to_mailto_fails_its_page_and_the_backfill_goes_on(paths: dict[str, str]) -> None:
    site = build_sample_site()
    p = site.report_paths
    with serve_site(site) as served:
        served.plan.always[p[2024]] = Fault("redirect", 302, location="mailto:office@example.invalid")
        served.plan.always[p[2023]] = Fault("redirect", 302, location="https:relative")
        state = _backfill(served, paths)
    assert not state.is_failed(), state.message
    summary: RunSummary = state.result()
    rejects = {r.input.removeprefix(_base(served)): r.reason for r in summary.rejects if r.stage == "fetch"}
    assert rejects[p[2024]] == "redirect to scheme 'mailto' (mailto:office@example.invalid) is not http(s)"
    assert rejects[p[2023]] == "redirect to 'https:relative' has no usable host and port"
    loaded = run_query("SELECT report_year FROM reports ORDER BY 1", paths["warehouse"])
    assert loaded["report_year"].to_list() == [2019, 2020, 2022]
    rows = list(Archive(paths["archive"]).manifest())  # the manifest was written, failures included
    assert len(rows) == 5 and sum(row.sha256 is not None for row in rows) == 3


def _fetch_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, **values: float) -> None:
    """Use a config copy whose `fetch:` settings have these values (for the rest of the test)."""
    folder = tmp_path / "config"
    shutil.copytree(PROJECT_ROOT / "config", folder)
    settings = yaml.safe_load((folder / "settings.yaml").read_text(encoding="utf-8"))
    settings["fetch"].update(values)
    (folder / "settings.yaml").write_text(yaml.safe_dump(settings), encoding="utf-8")
    monkeypatch.setenv("NIANBAO_CONFIG", str(folder))


def test_a_fetch_task_past_its_timeout_fails_its_pages_with_the_reason(
    paths: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _fetch_settings(tmp_path, monkeypatch, task_timeout_seconds=2)
    site = build_sample_site()
    with serve_site(site) as served:
        for path in site.report_paths.values():  # each page answers in 1.5 s: the chunk needs 7.5 s
            served.plan.always[path] = Fault("slow", seconds=1.5)
        state = _backfill(served, paths)
    assert state.is_failed() and "nothing could be loaded" in (state.message or "")
    rejects = run_query("SELECT stage, reason FROM rejects", paths["warehouse"])
    assert rejects.height == 5 and set(rejects["stage"]) == {"fetch"}
    assert all(r.startswith("fetch task failed: Task run exceeded timeout of 2") for r in rejects["reason"])
    archive = Archive(paths["archive"])
    recorded = {row.sha256 for row in archive.manifest()}
    stored = {p.name for p in (Path(paths["archive"]) / "objects").glob("*/*")}
    assert stored == recorded - {None}  # every stored body has its manifest row


class _Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())


@pytest.fixture()
def run_logs() -> Iterator[_Records]:
    """Every message the flow and task run loggers emit (at INFO, whatever PREFECT_LOGGING_LEVEL says)."""
    records = _Records()
    loggers = [logging.getLogger(name) for name in ("prefect.flow_runs", "prefect.task_runs")]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.addHandler(records)
        logger.setLevel(logging.INFO)
    try:
        yield records
    finally:
        for logger, level in zip(loggers, levels, strict=True):
            logger.removeHandler(records)
            logger.setLevel(level)


def test_a_capped_crawl_delay_is_logged_and_the_run_goes_on(
    paths: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, run_logs: _Records
) -> None:
    _fetch_settings(tmp_path, monkeypatch, max_crawl_delay_seconds=0.01)
    site = build_sample_site()
    robots = site.resources["/robots.txt"]
    site.resources["/robots.txt"] = Resource(
        b"User-agent: *\nCrawl-delay: 999999999\n", robots.content_type, robots.last_modified
    )
    with serve_site(site) as served:
        state = _backfill(served, paths)
    assert not state.is_failed(), state.message
    assert state.result().loaded == 5
    assert (
        f"http://127.0.0.1:{served.port}: robots.txt Crawl-delay 999999999 s capped at 0.01 s "
        "(fetch.max_crawl_delay_seconds)"
    ) in run_logs.lines


def _with_credentials(site: SampleSite, port: int, years: tuple[int, ...]) -> None:
    """Rewrite the TRS list page so the reports of `years` are linked with user:password@ in their URLs."""
    listing = "/fzzf/index.html"
    for page in [p for p in site.resources if p.startswith("/fzzf/index")]:
        resource = site.resources[page]
        html = resource.body.decode("utf-8")
        for year in years:
            path = site.report_paths[year]
            html = html.replace(
                f'href="{path.removeprefix("/fzzf/")}"',
                f'href="http://reader:SECRET-PASSWORD@127.0.0.1:{port}{path}"',
            )
        site.resources[page] = Resource(html.encode("utf-8"), resource.content_type, resource.last_modified)
    assert "SECRET-PASSWORD" in "".join(
        site.resources[p].body.decode() for p in site.resources if p.startswith(listing.rsplit("/", 1)[0])
    )


def _dump_warehouse(warehouse: str) -> str:
    names = run_query(
        "SELECT table_name FROM information_schema.tables WHERE table_type = 'BASE TABLE'", warehouse
    )["table_name"].to_list()
    return "\n".join(
        str(run_query(f'SELECT * FROM "{name}"', warehouse).rows()) for name in names if name != "regions"
    )


def test_no_credentials_or_cookies_reach_manifest_warehouse_summary_artifacts_or_logs(
    paths: dict[str, str], run_logs: _Records
) -> None:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterFlowRunId

    site = build_sample_site()
    p = site.report_paths
    with serve_site(site) as served:
        _with_credentials(site, served.port, (2024, 2023))
        served.plan.always[p[2023]] = Fault("status", 404)  # a reject whose input had credentials
        served.plan.always[p[2022]] = Fault(
            "body",
            body=site.resources[p[2022]].body,
            headers=(("Set-Cookie", "sid=SECRET-COOKIE-VALUE; Path=/"),),
        )
        served.plan.always[p[2020]] = Fault(
            "redirect", 302, location=f"http://reader:SECRET-PASSWORD@127.0.0.1:{served.port}{p[2019]}"
        )
        state = _backfill(served, paths)
        sent = [s.headers for s in served.seen]
    assert not state.is_failed(), state.message
    summary: RunSummary = state.result()
    assert {r.input.removeprefix(_base(served)) for r in summary.rejects if r.stage == "fetch"} == {p[2023]}
    assert all("authorization" not in h and "cookie" not in h for h in sent)

    manifest = "".join(f.read_text(encoding="utf-8") for f in (Path(paths["archive"]) / "manifest").glob("*"))
    assert p[2024] in manifest and p[2022] in manifest  # the pages are there, without their secrets
    flow_run_id = state.state_details.flow_run_id
    with get_client(sync_client=True) as client:
        artifacts = client.read_artifacts(
            artifact_filter=ArtifactFilter(flow_run_id=ArtifactFilterFlowRunId(any_=[flow_run_id]))
        )
    places = {
        "manifest": manifest,
        "warehouse": _dump_warehouse(paths["warehouse"]),
        "summary": summary.describe() + summary.markdown("backfill"),
        "logs": "\n".join(run_logs.lines),
        "artifacts": "\n".join(str(a.data) for a in artifacts),
    }
    assert p[2023] in places["logs"] and p[2023] in places["artifacts"]  # the reject is logged and listed
    for where, text in places.items():
        for secret in SECRETS:
            assert secret not in text, f"{secret!r} found in the {where}"
    _assert_content_addressed(Path(paths["archive"]))


def _assert_content_addressed(root: Path) -> None:
    """Every archive file is a manifest file or objects/<sha[:2]>/<sha> of its own bytes: no path comes
    from a URL."""
    for path in (p for p in root.rglob("*") if p.is_file()):
        relative = path.relative_to(root).parts
        if relative[0] == "manifest":
            assert len(relative) == 2 and relative[1].endswith(".jsonl")
            continue
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        assert relative == ("objects", digest[:2], digest), relative
