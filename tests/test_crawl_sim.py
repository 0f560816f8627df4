"""The async crawl against the simulated internet (flows/sim_internet.py) at small N: every site's reports
are found and fetched through one AsyncFetcher, and the servers' own log shows no host ever asked sooner
than its spacing (robots Crawl-delay included) or more than once at a time — faults and retries included."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from flows.crawl import CrawlEngine, SiteCrawl
from flows.fetch import AsyncFetcher
from flows.fetch_limits import FetchLimits
from flows.sim_internet import RunningInternet, serve_internet, sim_resolver, violations
from flows.sources import Politeness

SPACING = 0.3
POLICY = Politeness(
    user_agent="nianbao-test/1 (simulated crawl)",
    delay_seconds=SPACING,
    backoff_seconds=0.1,
    timeout_seconds=5,
    retries=3,
    max_retry_after_seconds=5,
)
SITES = 10
Crawled = tuple[RunningInternet, list[SiteCrawl], Path]


def _fetcher(net: RunningInternet, in_flight: int = 16) -> AsyncFetcher:
    keys = {key for site in net.crawl_sites() for key in site.authorities}
    return AsyncFetcher(
        dict.fromkeys(keys, POLICY),
        private_ok=keys,
        limits=FetchLimits(max_in_flight=in_flight),
        resolver=sim_resolver,
    )


@pytest.fixture(scope="module")
def crawled(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Crawled]:
    log = tmp_path_factory.mktemp("sim") / "requests.jsonl"
    with (
        serve_internet(
            SITES, log, seed=3, latency=[0.01, 0.05], fault_rate=[0.02, 0.1], crawl_delay_share=0.3
        ) as net,
        CrawlEngine(_fetcher(net)) as engine,
    ):
        crawls = engine.crawl(net.crawl_sites())
    yield net, crawls, log


def test_every_sites_reports_are_found_and_fetched(crawled: Crawled) -> None:
    net, crawls, _ = crawled
    assert {s.style for s in net.sites} == {"trs", "hanweb", "json", "nav", "sample"}
    for sim, crawl in zip(net.sites, crawls, strict=True):
        assert crawl.error is None and crawl.discovery is not None
        assert crawl.discovery.failures == [], sim
        assert sorted(link.year for link, _ in crawl.pages) == list(sim.years), sim
        assert all(result.ok and result.body for _, result in crawl.pages), sim


def test_no_host_ever_saw_requests_closer_than_its_spacing(crawled: Crawled) -> None:
    net, _, log = crawled
    rows = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]
    assert {row["host"] for row in rows} == {s.host for s in net.sites}
    assert any(row["status"] >= 500 for row in rows)  # faults were played, and retried politely
    spacing = {s.host: max(SPACING, s.crawl_delay or 0.0) for s in net.sites}
    assert any(s.crawl_delay for s in net.sites)
    assert violations(log, spacing) == []


def test_the_log_check_catches_a_host_asked_too_soon_or_twice_at_once(tmp_path: Path) -> None:
    log = tmp_path / "log.jsonl"
    rows = [
        ("a.sim", 0.0, 0.1),
        ("a.sim", 0.35, 0.4),
        ("b.sim", 0.0, 0.5),
        ("b.sim", 0.2, 0.6),
        ("c.sim", 0.0, 0.1),
        ("c.sim", 1.0, 1.1),
    ]
    log.write_text(
        "".join(
            json.dumps({"host": h, "path": "/", "status": 200, "arrived": a, "done": d}) + "\n"
            for h, a, d in rows
        ),
        encoding="utf-8",
    )
    found = violations(log, {"a.sim": 1.0, "b.sim": 0.1, "c.sim": 1.0})
    assert [(v.host, v.what.split(" ")[0]) for v in found] == [("a.sim", "two"), ("b.sim", "a")]


def test_a_name_outside_the_simulation_does_not_resolve() -> None:
    async def fetch() -> str | None:
        async with AsyncFetcher({"example.org": POLICY}, resolver=sim_resolver) as fetcher:
            return (await fetcher.fetch("http://example.org/")).reason

    reason = asyncio.run(fetch())
    assert reason is not None and "cannot resolve host 'example.org'" in reason
    with pytest.raises(OSError):
        sim_resolver("s00001.county.sim.example.org", 80)
    assert sim_resolver("s00001.county.sim", 80) == ["127.0.0.1"]


def test_the_global_cap_bounds_requests_in_flight(tmp_path: Path) -> None:
    """Eight hosts, cap 2: the server never has more than two requests under way at once."""
    log = tmp_path / "log.jsonl"
    with serve_internet(
        8, log, seed=5, latency=[0.2, 0.2], fault_rate=[0.0, 0.0], crawl_delay_share=0.0
    ) as net:

        async def robots_of_all() -> None:
            async with _fetcher(net, in_flight=2) as fetcher:
                await asyncio.gather(*(fetcher.robots(site.base_url or "") for site in net.crawl_sites()))

        asyncio.run(robots_of_all())
    rows = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]
    assert len(rows) == 8
    events = sorted([(r["arrived"], 1) for r in rows] + [(r["done"], -1) for r in rows])
    level, peak = 0, 0
    for _, step in events:
        level += step
        peak = max(peak, level)
    assert peak == 2
