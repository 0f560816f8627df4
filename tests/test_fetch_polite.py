"""Polite fetching against a local sample server: retries only on transient failures, backoff that never
speeds up, Retry-After, robots.txt, conditional GETs, caps, and redirects kept on configured hosts."""

from __future__ import annotations

import gzip
import zlib
from collections.abc import Iterator

import pytest

from flows.fetch import Fetcher
from flows.politeness import HostGate, retry_after_seconds
from flows.sample_server import Fault, RunningSite, serve_site
from flows.sample_site import SampleSite, SampleSiteSpec, build_sample_site
from flows.sources import Politeness

FAST = Politeness(
    user_agent="nianbao-test/1 (fictional sample)",
    delay_seconds=0.01,
    backoff_seconds=0.01,
    timeout_seconds=0.5,
    retries=2,
    max_retry_after_seconds=60,
)


class SleepLog:
    """Stands in for time.sleep: records each wait and returns at once (tests check what, not how long)."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


@pytest.fixture(scope="module")
def site() -> SampleSite:
    return build_sample_site(SampleSiteSpec(robots_disallow=("/fzzf/202403/",)))


@pytest.fixture()
def served(site: SampleSite) -> Iterator[RunningSite]:
    with serve_site(site) as running:
        yield running


def _key(served: RunningSite) -> str:
    return f"127.0.0.1:{served.port}"


def _fetcher(served: RunningSite, policy: Politeness = FAST, sleep: SleepLog | None = None) -> Fetcher:
    """A fetcher for the test server only (a loopback address, so allowed private addresses)."""
    return Fetcher({_key(served): policy}, private_ok=[_key(served)], sleep=sleep or SleepLog())


def _hits(served: RunningSite, path: str) -> list[int]:
    return [seen.status for seen in served.seen if seen.path == path]


def _url(served: RunningSite, path: str) -> str:
    return served.base_url + path.lstrip("/")


def test_500_then_200_is_retried_once(served: RunningSite, site: SampleSite) -> None:
    path = site.report_paths[2024]
    served.plan.add(path, Fault("status", 500))
    with _fetcher(served) as fetcher:
        result = fetcher.fetch(_url(served, path))
    assert (result.outcome, result.status, result.attempts) == ("fetched", 200, 2)
    assert result.body == site.resources[path].body
    assert _hits(served, path) == [500, 200]


def test_read_timeout_is_retried(served: RunningSite, site: SampleSite) -> None:
    path = site.report_paths[2022]
    served.plan.add(path, Fault("slow", seconds=1.5))
    with _fetcher(served) as fetcher:
        result = fetcher.fetch(_url(served, path))
    assert result.outcome == "fetched"
    assert result.attempts == 2


def test_429_waits_for_retry_after_and_slows_the_host(served: RunningSite, site: SampleSite) -> None:
    path = site.report_paths[2019]
    served.plan.add(path, Fault("status", 429, headers=(("Retry-After", "30"),)))
    sleep = SleepLog()
    with _fetcher(served, sleep=sleep) as fetcher:
        result = fetcher.fetch(_url(served, path))
        gate = fetcher.gate(_key(served))
    assert result.outcome == "fetched" and result.attempts == 2
    assert max(sleep.waits) >= 29  # the next slot honoured Retry-After
    assert gate.delay >= FAST.delay_seconds  # and the host did not get faster


def test_retry_after_longer_than_allowed_gives_up(served: RunningSite, site: SampleSite) -> None:
    path = site.report_paths[2019]
    served.plan.add(path, Fault("status", 503, headers=(("Retry-After", "86400"),)))
    with _fetcher(served) as fetcher:
        result = fetcher.fetch(_url(served, path))
    assert result.outcome == "failed" and "Retry-After" in (result.reason or "")
    assert _hits(served, path) == [503]


def test_truncated_body_is_retried_then_fails(served: RunningSite, site: SampleSite) -> None:
    path = site.report_paths[2020]
    served.plan.always[path] = Fault("truncate")
    with _fetcher(served) as fetcher:
        result = fetcher.fetch(_url(served, path))
    assert result.outcome == "failed"
    assert "truncated" in (result.reason or "")
    assert result.attempts == FAST.retries + 1
    assert len(_hits(served, path)) == FAST.retries + 1


def test_404_is_not_retried(served: RunningSite) -> None:
    with _fetcher(served) as fetcher:
        result = fetcher.fetch(_url(served, "/fzzf/missing.html"))
    assert (result.outcome, result.status, result.reason, result.attempts) == ("failed", 404, "HTTP 404", 1)
    assert _hits(served, "/fzzf/missing.html") == [404]


def test_redirect_to_another_host_is_refused(served: RunningSite, site: SampleSite) -> None:
    path = site.report_paths[2024]
    elsewhere = f"http://localhost:{served.port}{path}"
    served.plan.add(path, Fault("redirect", 302, location=elsewhere))
    with _fetcher(served) as fetcher:
        result = fetcher.fetch(_url(served, path))
    assert result.outcome == "failed"
    assert result.reason == "redirect to host 'localhost' is not a configured host"
    assert _hits(served, path) == [302]


def test_redirect_on_the_same_host_is_followed(served: RunningSite, site: SampleSite) -> None:
    old = "/old/report.html"
    served.plan.add(old, Fault("redirect", 301, location=site.report_paths[2024]))
    with _fetcher(served) as fetcher:
        result = fetcher.fetch(_url(served, old))
    assert result.outcome == "fetched"
    assert result.final_url == _url(served, site.report_paths[2024])
    assert result.url == _url(served, old)


def test_robots_disallow_means_no_request(served: RunningSite, site: SampleSite) -> None:
    path = site.report_paths[2023]  # under /fzzf/202403/, disallowed by this site's robots.txt
    with _fetcher(served) as fetcher:
        result = fetcher.fetch(_url(served, path))
    assert (result.outcome, result.reason) == ("failed", "disallowed by robots.txt")
    assert _hits(served, path) == []
    assert _hits(served, "/robots.txt") == [200]


def test_crawl_delay_raises_the_hosts_floor() -> None:
    site = build_sample_site()
    robots = b"User-agent: *\nCrawl-delay: 7\n"
    site.resources["/robots.txt"] = type(site.resources["/robots.txt"])(robots, "text/plain", "x")
    with serve_site(site) as served, _fetcher(served) as fetcher:
        fetcher.fetch(_url(served, site.report_paths[2024]))
        assert fetcher.gate(_key(served)).delay >= 7


def test_conditional_get_answers_unchanged(served: RunningSite, site: SampleSite) -> None:
    path = site.report_paths[2022]
    with _fetcher(served) as fetcher:
        first = fetcher.fetch(_url(served, path))
        again = fetcher.fetch(
            _url(served, path), etag=first.headers["etag"], last_modified=first.headers["last-modified"]
        )
    assert again.outcome == "unchanged" and again.status == 304 and again.body is None
    last = [s for s in served.seen if s.path == path][-1]
    assert last.headers["if-none-match"] == first.headers["etag"]
    assert last.headers["if-modified-since"] == first.headers["last-modified"]


def test_polite_user_agent_is_sent(served: RunningSite, site: SampleSite) -> None:
    with _fetcher(served) as fetcher:
        fetcher.fetch(_url(served, site.report_paths[2024]))
    assert {s.headers["user-agent"] for s in served.seen} == {FAST.user_agent}


def test_size_caps_on_the_wire_and_after_decompression(served: RunningSite, site: SampleSite) -> None:
    path = site.report_paths[2024]
    with _fetcher(served, FAST.merged({"max_bytes": 1000})) as fetcher:
        assert "cap" in (fetcher.fetch(_url(served, path)).reason or "")
    bomb = gzip.compress(b"0" * 2_000_000)
    served.plan.add(path, Fault("body", body=bomb, headers=(("Content-Encoding", "gzip"),)))
    with _fetcher(served, FAST.merged({"max_decompressed_bytes": 100_000})) as fetcher:
        result = fetcher.fetch(_url(served, path))
    assert result.outcome == "failed"
    assert "decompressed body exceeds" in (result.reason or "")


def test_only_http_and_configured_hosts(served: RunningSite) -> None:
    with _fetcher(served) as fetcher:
        assert fetcher.fetch("ftp://127.0.0.1/x").reason == "scheme 'ftp' is not http(s)"
        assert fetcher.fetch("file:///etc/passwd").reason == "scheme 'file' is not http(s)"
        other = fetcher.fetch(f"http://localhost:{served.port}/")
        assert other.reason == "host 'localhost' is not a configured host"
    assert served.seen == []


def test_gate_slows_down_on_errors_and_recovers_only_to_its_base() -> None:
    now = [0.0]
    waits: list[float] = []
    gate = HostGate(1.0, 8.0, sleep=waits.append, clock=lambda: now[0])
    delays = []
    for _ in range(5):
        gate.failed()
        delays.append(gate.delay)
    assert delays == sorted(delays) and delays[-1] == 8.0  # doubles up to the cap, never down on errors
    for _ in range(20):
        gate.succeeded()
    assert gate.delay == 1.0
    with gate.slot():
        pass
    with gate.slot():
        pass
    assert waits and waits[-1] >= 1.0  # two requests at the same instant are spaced by the delay


def test_retry_after_parses_seconds_and_dates() -> None:
    assert retry_after_seconds("120") == 120
    assert retry_after_seconds("Wed, 21 Oct 2015 07:28:00 GMT", now=1445412480.0 - 60) == pytest.approx(60)
    assert retry_after_seconds("soon") is None


def test_stacked_gzip_layers_are_refused_before_inflating(served: RunningSite, site: SampleSite) -> None:
    """A few hundred bytes of gzip-in-gzip stand for hundreds of megabytes: refused, never inflated."""
    path = site.report_paths[2024]
    bomb = gzip.compress(gzip.compress(b"\0" * 50_000_000))
    served.plan.add(path, Fault("body", body=bomb, headers=(("Content-Encoding", "gzip, gzip"),)))
    with _fetcher(served, FAST.merged({"max_decompressed_bytes": 100_000})) as fetcher:
        result = fetcher.fetch(_url(served, path))
    assert result.outcome == "failed"
    assert "unsupported Content-Encoding 'gzip, gzip'" in (result.reason or "")


@pytest.mark.parametrize("wbits", [zlib.MAX_WBITS, -zlib.MAX_WBITS, zlib.MAX_WBITS | 16])
def test_deflate_and_gzip_bodies_are_inflated(served: RunningSite, site: SampleSite, wbits: int) -> None:
    path = site.report_paths[2024]
    packer = zlib.compressobj(wbits=wbits)
    packed = packer.compress(site.resources[path].body) + packer.flush()
    coding = "gzip" if wbits > zlib.MAX_WBITS else "deflate"  # deflate: zlib-wrapped or raw, both seen
    served.plan.add(path, Fault("body", body=packed, headers=(("Content-Encoding", coding),)))
    with _fetcher(served) as fetcher:
        result = fetcher.fetch(_url(served, path))
    assert result.outcome == "fetched" and result.body == site.resources[path].body


def test_an_error_answer_never_relaxes_the_hosts_pace(served: RunningSite, site: SampleSite) -> None:
    path = site.report_paths[2024]
    served.plan.add(path, Fault("status", 503))
    with _fetcher(served, FAST.merged({"retries": 0})) as fetcher:
        fetcher.fetch(_url(served, path))
        slowed = fetcher.gate(_key(served)).delay
        assert slowed > FAST.delay_seconds
        assert fetcher.fetch(_url(served, "/fzzf/missing.html")).status == 404
        assert fetcher.gate(_key(served)).delay >= slowed


def test_unreachable_robots_txt_refuses_the_host_and_says_why(served: RunningSite, site: SampleSite) -> None:
    served.plan.always["/robots.txt"] = Fault("status", 503)
    with _fetcher(served, FAST.merged({"retries": 0})) as fetcher:
        result = fetcher.fetch(_url(served, site.report_paths[2024]))
    assert result.outcome == "failed"
    assert result.reason == (
        "disallowed by robots.txt (robots.txt unreachable: HTTP 503 (gave up after 1 attempts))"
    )
    assert _hits(served, site.report_paths[2024]) == []


def test_a_request_queued_behind_a_429_waits_for_its_retry_after(
    served: RunningSite, site: SampleSite
) -> None:
    """Two threads, one host, one slot: the host's penalty is set before the waiting thread gets the slot."""
    import threading
    import time

    waits: dict[str, list[float]] = {}

    def sleep(seconds: float) -> None:
        waits.setdefault(threading.current_thread().name, []).append(seconds)

    first, second = site.report_paths[2024], site.report_paths[2022]
    served.plan.add(first, Fault("status", 429, headers=(("Retry-After", "30"),), seconds=0.4))
    with Fetcher({_key(served): FAST}, private_ok=[_key(served)], sleep=sleep) as fetcher:
        fetcher.robots(_url(served, first))  # robots.txt first, so both threads go straight to their pages
        one = threading.Thread(target=fetcher.fetch, args=(_url(served, first),), name="one")
        two = threading.Thread(target=fetcher.fetch, args=(_url(served, second),), name="two")
        one.start()
        time.sleep(0.15)  # "one" holds the slot, waiting for its slow 429
        two.start()
        one.join(10)
        two.join(10)
    assert [s.status for s in served.seen if s.path in (first, second)][:2] == [429, 200]
    assert max(waits.get("two", [0.0])) >= 29
