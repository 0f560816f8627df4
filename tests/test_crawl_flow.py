"""The real Prefect scrape flow against the simulated internet (flows/sim_internet.py) at small N: discovery
and fetching overlap (a site's reports are fetched while others are still being walked), the servers' own
log shows no host asked sooner than its spacing or twice at once across the run's tasks, every report is
archived once with the bytes served, a dead site and the injected faults are reported without stopping the
run, and nothing is connected to or looked up outside 127.0.0.0/8."""

from __future__ import annotations

import asyncio
import hashlib
import ipaddress
import json
import re
import socket
import sys
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from flows.archive import Archive
from flows.fetch import AsyncFetcher
from flows.pipeline import scrape
from flows.sim_internet import RunningInternet, SimSite, serve_internet, violations
from flows.sources import Politeness, Site, parse_sources
from flows.summary import RunSummary
from nianbao.settings import ConfigError

pytestmark = pytest.mark.usefixtures("prefect_harness")

SITES = 20
TWIN_OF, TWIN_LISTING = 4, "twin/index.html"
POLITENESS: dict[str, Any] = {
    "user_agent": "nianbao-test/1 (simulated flow)",
    "delay_seconds": 0.1,
    "backoff_seconds": 0.05,
    "timeout_seconds": 5,
    "retries": 4,
    "max_retry_after_seconds": 5,
}


class _NetworkLedger:
    """Every socket connect and name lookup this process makes while recording (an audit hook: hooks cannot
    be removed, so it records only between start and stop)."""

    def __init__(self) -> None:
        self.connects: list[Any] = []
        self.lookups: list[Any] = []
        self.on = False
        sys.addaudithook(self._hook)

    def _hook(self, event: str, args: tuple[Any, ...]) -> None:
        if not self.on:
            return
        if event == "socket.connect":
            self.connects.append(args[1])
        elif event == "socket.getaddrinfo":
            self.lookups.append(args[0])


@dataclass
class Run:
    net: RunningInternet
    state: Any
    log: Path
    archive: Archive
    network: _NetworkLedger
    dead: Site


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Run]:
    folder = tmp_path_factory.mktemp("sim-flow")
    log = folder / "requests.jsonl"
    network = _NetworkLedger()
    with (
        pytest.MonkeyPatch.context() as patch,
        serve_internet(
            SITES, log, seed=7, latency=[0.005, 0.03], fault_rate=[0.01, 0.05], crawl_delay_share=0.0
        ) as net,
    ):
        sites = net.crawl_sites()
        dead = sites[0].model_copy(
            update={"id": "sim-dead", "base_url": f"http://dead.county.sim:{net.port}/"}
        )
        # another site on a host the simulation serves, in another batch (task) than its owner: one gate
        twin = sites[TWIN_OF].model_copy(
            update={
                "id": "sim-twin",
                "listings": (sites[TWIN_OF].listings[0].model_copy(update={"path": TWIN_LISTING}),),
            }
        )
        patch.setenv("NIANBAO_CONFIG", str(net.config_folder(folder / "config", POLITENESS, [dead, twin])))
        network.on = True
        try:
            state = scrape(
                archive=str(folder / "archive"), warehouse=str(folder / "w.duckdb"), return_state=True
            )
        finally:
            network.on = False
    yield Run(net, state, log, Archive(folder / "archive"), network, dead)


def _rows(log: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]


def _is_report(sim: SimSite, path: str) -> bool:
    return path in sim.report_paths.values()


def test_sites_are_fetched_while_others_are_still_being_discovered(run: Run) -> None:
    by_host = {sim.host: sim for sim in run.net.sites}
    rows = [r for r in _rows(run.log) if r["host"] in by_host and r["path"] != "/robots.txt"]
    first_report = min(r["arrived"] for r in rows if _is_report(by_host[r["host"]], r["path"]))
    last_listing = max(r["done"] for r in rows if not _is_report(by_host[r["host"]], r["path"]))
    assert first_report < last_listing


def test_no_host_saw_requests_closer_than_its_spacing_across_the_runs_tasks(run: Run) -> None:
    rows = _rows(run.log)
    hosts = {r["host"] for r in rows}
    assert {sim.host for sim in run.net.sites} <= hosts
    twin_host = run.net.sites[TWIN_OF].host  # asked by two tasks: its own site's and the twin's
    assert any(r["host"] == twin_host and r["path"] == f"/{TWIN_LISTING}" for r in rows)
    spacing = dict.fromkeys(hosts, POLITENESS["delay_seconds"])
    assert violations(run.log, spacing) == []


def test_every_report_is_archived_once_with_the_bytes_served(run: Run) -> None:
    assert run.state.is_completed(), run.state.message
    summary: RunSummary = run.state.result().summary
    rows = [row for row in run.archive.manifest() if row.sha256]
    counts = Counter(row.url for row in rows)
    expected = {
        f"{sim.site(run.net.port).base_url.rstrip('/')}{path}": (sim, year)
        for sim in run.net.sites
        for year, path in sim.report_paths.items()
    }
    assert set(counts) == set(expected) and set(counts.values()) == {1}
    assert summary.fetched == len(expected) and summary.failed == 0
    for row in rows:
        sim, year = expected[row.url]
        assert row.sha256 == hashlib.sha256(sim.report_body(year)).hexdigest(), row.url
        assert row.year == year and row.site == f"sim-{sim.number:05d}"


def test_faults_and_a_dead_site_are_reported_not_fatal(run: Run) -> None:
    statuses = Counter(r["status"] for r in _rows(run.log))
    assert statuses[503] + statuses[500] > 0  # faults were served (and retried)
    summary: RunSummary = run.state.result().summary
    dead = [r for r in summary.rejects if r.input.startswith(run.dead.base_url or "")]
    assert dead and {r.stage for r in dead} == {"discover"}, summary.rejects
    assert "HTTP 404" in dead[0].reason


def test_nothing_is_connected_to_or_looked_up_outside_loopback(run: Run) -> None:
    inet = [address for address in run.network.connects if isinstance(address, tuple)]
    assert any(port == run.net.port for _, port, *_ in inet)  # the crawl's connections were seen
    assert all(ipaddress.ip_address(host).is_loopback for host, *_ in inet), inet
    assert not [name for name in run.network.lookups if name and str(name).endswith(".sim")]
    for name in run.network.lookups:
        if name:
            assert all(
                ipaddress.ip_address(info[4][0]).is_loopback for info in socket.getaddrinfo(name, None)
            ), name


def test_a_pinned_address_must_be_an_ip_address() -> None:
    listing = {"path": "l/", "kind": "law_based_government_annual_report", "title_pattern": "报告"}
    site = {
        "id": "x",
        "name": "示例县",
        "region_code": "990121",
        "base_url": "http://a.example/",
        "listings": [listing],
    }
    assert parse_sources({"sites": [{**site, "addresses": ["127.0.0.1"]}]}).sites[0].pins == {
        "a.example": ("127.0.0.1",)
    }
    with pytest.raises(ConfigError, match=re.escape("'a.example.org' is not an IP address")):
        parse_sources({"sites": [{**site, "addresses": ["a.example.org"]}]})


def test_a_pinned_private_address_is_refused_unless_the_site_allows_it() -> None:
    policy = Politeness(user_agent="nianbao-test/1", delay_seconds=0.0, retries=0)

    async def reason(private_ok: set[str]) -> str | None:
        async with AsyncFetcher(
            {"pinned.example": policy}, private_ok=private_ok, pins={"pinned.example": ["127.0.0.1"]}
        ) as fetcher:
            return (await fetcher.fetch("http://pinned.example/robots.txt")).reason

    refused = asyncio.run(reason(set()))
    assert refused is not None and "resolves to loopback address 127.0.0.1" in refused
    allowed = asyncio.run(reason({"pinned.example"}))  # then it is connected to (on port 80, refused)
    assert "resolves to" not in (allowed or "")
