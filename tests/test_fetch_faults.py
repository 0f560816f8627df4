"""The fetcher against a hostile server on 127.0.0.1 (tests/faults_http.py): every fault ends as a result
with a reason, within the configured bounds, and never as an exception out of Fetcher.fetch."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from faults_http import CONCATENATED_PARTS, REDIRECT_TARGETS, ROBOTS, FaultServer, probe, serve_faults

from flows.fetch import Fetcher
from flows.fetch_limits import FetchLimits, load_fetch_limits, parse_fetch_limits
from flows.sample_server import Fault, serve_site
from flows.sample_site import build_sample_site
from flows.sources import Politeness
from nianbao.settings import ConfigError

FAST = Politeness(
    user_agent="nianbao-test/1 (fictional sample)",
    delay_seconds=0.0,
    backoff_seconds=0.01,
    timeout_seconds=2.0,
    retries=2,
    max_retry_after_seconds=5,
)
NO_RETRY = FAST.merged({"retries": 0})


def _fetcher(
    server: FaultServer, policy: Politeness = FAST, limits: FetchLimits | None = None, private: bool = True
) -> Fetcher:
    key = server.authority
    return Fetcher({key: policy}, private_ok=[key] if private else [], limits=limits, sleep=lambda _: None)


@pytest.fixture()
def faults() -> Iterator[FaultServer]:
    with serve_faults(interval=0.5, max_seconds=8) as server:
        yield server


@pytest.mark.parametrize("route", sorted(REDIRECT_TARGETS))
def test_a_redirect_without_a_usable_host_is_a_failure_with_a_reason(faults: FaultServer, route: str) -> None:
    with _fetcher(faults) as fetcher:
        result = fetcher.fetch(faults.url(route))
        control = fetcher.fetch(faults.url("ok"))
    assert result.outcome == "failed" and result.reason
    if route != "redirect-http-nohost":  # "http:foo" is relative to an http page: /foo, which is a 404
        assert "redirect to" in result.reason
    assert control.outcome == "fetched"  # the fetcher goes on


def test_robots_txt_redirecting_to_mailto_counts_as_absent() -> None:
    with serve_faults(robots="redirect-mailto") as server, _fetcher(server) as fetcher:
        result = fetcher.fetch(server.url("ok"))
    assert result.outcome == "fetched"


@pytest.mark.parametrize("route", ["trickle-headers", "trickle-body"])
def test_a_trickling_server_is_cut_off_at_the_download_deadline(faults: FaultServer, route: str) -> None:
    limits = FetchLimits(download_deadline_seconds=2)
    started = time.monotonic()
    with _fetcher(faults, NO_RETRY, limits) as fetcher:
        result = fetcher.fetch(faults.url(route))
    elapsed = time.monotonic() - started
    assert result.outcome == "failed"
    assert result.reason == "download took longer than the 2 s deadline"
    assert elapsed < 4, f"held for {elapsed:.1f} s"
    assert result.attempts == 1  # a deadline is not a reason to try again


@pytest.mark.parametrize("robots", ["timeout", "trickle"])
def test_robots_txt_that_never_answers_refuses_the_host_within_the_bounds(robots: str) -> None:
    limits = FetchLimits(download_deadline_seconds=2)
    started = time.monotonic()
    with serve_faults(robots=robots, max_seconds=8) as server, _fetcher(server, NO_RETRY, limits) as fetcher:
        result = fetcher.fetch(server.url("ok"))
        hits = server.hits("ok")
    assert time.monotonic() - started < 4
    assert result.outcome == "failed" and "robots.txt unreachable" in (result.reason or "")
    assert hits == 0


def test_a_huge_crawl_delay_is_capped_and_said() -> None:
    limits = FetchLimits(max_crawl_delay_seconds=5)
    with serve_faults(robots="crawl-delay-huge") as server, _fetcher(server, limits=limits) as fetcher:
        result = fetcher.fetch(server.url("ok"))
        gate = fetcher.gate(server.authority)
        notices = list(fetcher.notices)
    assert result.outcome == "fetched"
    assert gate.delay == 5 and gate.base_delay == 5
    assert notices == [
        f"http://{server.authority}: robots.txt Crawl-delay 999999999 s capped at 5 s "
        "(fetch.max_crawl_delay_seconds)"
    ]


def test_a_redirect_to_another_port_of_the_same_host_is_refused(faults: FaultServer) -> None:
    with _fetcher(faults) as fetcher:
        result = fetcher.fetch(faults.url("redirect-other-port"))
    assert result.outcome == "failed"
    port = faults.decoy_port
    assert result.reason == f"redirect to port {port} of host '127.0.0.1' is not a configured port"
    assert faults.decoy_hits == 0


def test_a_redirect_loop_ends(faults: FaultServer) -> None:
    with _fetcher(faults) as fetcher:
        result = fetcher.fetch(faults.url("redirect-loop"))
    assert (result.outcome, result.reason) == ("failed", "too many redirects")
    assert faults.hits("redirect-loop") == FAST.max_redirects + 1


def test_every_gzip_member_is_decoded(faults: FaultServer) -> None:
    with _fetcher(faults) as fetcher:
        result = fetcher.fetch(faults.url("gzip-concatenated"))
    assert result.outcome == "fetched"
    assert result.body == b"".join(CONCATENATED_PARTS)


def test_concatenated_gzip_members_share_the_decompressed_cap(faults: FaultServer) -> None:
    cap = len(CONCATENATED_PARTS[0]) + 5  # the first member fits, the second does not
    with _fetcher(faults, FAST.merged({"max_decompressed_bytes": cap})) as fetcher:
        result = fetcher.fetch(faults.url("gzip-concatenated"))
    assert result.outcome == "failed" and "decompressed body exceeds" in (result.reason or "")


def test_a_gzip_bomb_stops_at_the_cap(faults: FaultServer) -> None:
    with _fetcher(faults, FAST.merged({"max_decompressed_bytes": 1_000_000})) as fetcher:
        result = fetcher.fetch(faults.url("gzip-bomb"))
    assert result.outcome == "failed"
    assert "decompressed body exceeds the 1000000-byte cap" in (result.reason or "")


@pytest.mark.parametrize("route", ["header-huge", "header-many", "header-count"])
def test_oversize_headers_are_a_permanent_failure(faults: FaultServer, route: str) -> None:
    limits = FetchLimits(max_header_count=200, max_header_bytes=65536)
    with _fetcher(faults, limits=limits) as fetcher:
        result = fetcher.fetch(faults.url(route))
    assert result.outcome == "failed"
    assert (result.reason or "").startswith(("response headers too large", "response headers exceed"))
    assert result.attempts == 1 and faults.hits(route) == 1  # not retried


def test_a_connection_reset_is_retried_then_reported(faults: FaultServer) -> None:
    with _fetcher(faults) as fetcher:
        result = fetcher.fetch(faults.url("reset"))
    assert result.outcome == "failed" and "gave up after 3 attempts" in (result.reason or "")
    assert faults.hits("reset") == FAST.retries + 1


def test_loopback_is_refused_unless_the_site_allows_private_addresses(faults: FaultServer) -> None:
    with _fetcher(faults, private=False) as fetcher:
        refused = fetcher.fetch(faults.url("ok"))
    assert refused.outcome == "failed"
    assert "resolves to loopback address 127.0.0.1" in (refused.reason or "")
    assert faults.hits("ok") == 0 and faults.hits("robots.txt") == 0  # not even robots.txt was asked
    with _fetcher(faults, private=True) as fetcher:
        assert fetcher.fetch(faults.url("ok")).outcome == "fetched"


def test_a_redirect_to_a_name_resolving_to_loopback_is_checked_again() -> None:
    """127.0.0.1:port may be private (configured so); localhost:port is configured but not allowed private:
    the redirect's host is resolved and refused before any connection."""
    site = build_sample_site()
    with serve_site(site) as served:
        path = site.report_paths[2024]
        served.plan.add(path, Fault("redirect", 302, location=f"http://localhost:{served.port}{path}"))
        mine, other = f"127.0.0.1:{served.port}", f"localhost:{served.port}"
        with Fetcher({mine: FAST, other: FAST}, private_ok=[mine], sleep=lambda _: None) as fetcher:
            result = fetcher.fetch(served.base_url + path.lstrip("/"))
        seen = [s.path for s in served.seen]
    assert result.outcome == "failed"
    assert "host 'localhost' resolves to loopback address" in (result.reason or "")
    assert seen.count(path) == 1  # only the first request; the redirect target was never connected to


def test_credentials_in_a_url_are_neither_sent_nor_kept_and_cookies_are_dropped(faults: FaultServer) -> None:
    secret_url = f"http://reader:SECRET-PASSWORD@{faults.authority}/set-cookie"
    with _fetcher(faults) as fetcher:
        first = fetcher.fetch(secret_url)
        again = fetcher.fetch(faults.url("set-cookie"))
    assert first.outcome == again.outcome == "fetched"
    kept = repr((first.url, first.final_url, first.headers, again.headers))
    assert "SECRET-PASSWORD" not in kept and "reader" not in kept
    assert "set-cookie" not in first.headers and "SECRET-COOKIE-VALUE" not in kept
    assert first.headers["content-type"].startswith("text/html")


def test_the_sent_requests_carry_no_authorization_or_cookie() -> None:
    site = build_sample_site()
    with serve_site(site) as served:
        path = site.report_paths[2024]
        served.plan.always[path] = Fault(
            "body", body=site.resources[path].body, headers=(("Set-Cookie", "sid=SECRET-COOKIE-VALUE"),)
        )
        key = f"127.0.0.1:{served.port}"
        with Fetcher({key: FAST}, private_ok=[key], sleep=lambda _: None) as fetcher:
            url = f"http://reader:SECRET-PASSWORD@{key}{path}"
            fetcher.fetch(url)
            fetcher.fetch(url)
        sent = [s.headers for s in served.seen]
    assert sent and all("authorization" not in h and "cookie" not in h for h in sent)


@pytest.mark.chaos
def test_every_fault_route_ends_as_expected_within_the_deadline(faults: FaultServer, chaos_ledger) -> None:
    """Each fault class once (three rounds under `make chaos`), as the chaos table lists them: an outcome,
    never an exception or a hang; a good page fetched after each round shows the fetcher goes on."""
    limits = FetchLimits(download_deadline_seconds=2)
    rounds = 3 if chaos_ledger.long else 1
    probes = []
    with _fetcher(faults, FAST.merged({"max_decompressed_bytes": 1_000_000}), limits) as fetcher:
        for _ in range(rounds):
            probes.extend(probe(faults, fetcher))
            assert fetcher.fetch(faults.url("ok")).outcome == "fetched"
    for p in probes:
        chaos_ledger.record("fetch", p.fault_class, lost=0, note=f"{p.route}: {p.outcome}")
    unexpected = [p for p in probes if not p.as_expected]
    assert not unexpected, unexpected
    assert all(p.reason for p in probes if p.outcome == "failed")
    assert max(p.seconds for p in probes) < 2 * (FAST.retries + 1) + 1


@pytest.mark.chaos
@pytest.mark.parametrize("robots", [mode for mode in ROBOTS if mode != "allow"])
def test_every_robots_fault_leaves_the_fetcher_answering_within_its_bounds(robots: str, chaos_ledger) -> None:
    """What robots.txt does for a whole host (timeouts, trickles, redirects, 503, a huge Crawl-delay): every
    fetch of the host ends within the bounds with an outcome, and the fault is listed in the chaos table."""
    limits = FetchLimits(download_deadline_seconds=2, max_crawl_delay_seconds=1)
    started = time.monotonic()
    with serve_faults(robots=robots, max_seconds=8) as server, _fetcher(server, NO_RETRY, limits) as fetcher:
        result = fetcher.fetch(server.url("ok"))
    assert result.outcome in ("fetched", "failed") and time.monotonic() - started < 6
    chaos_ledger.record("fetch", f"robots.txt {robots}", note=f"page {result.outcome}")


def test_fetch_bounds_come_from_settings_and_are_validated() -> None:
    shipped = load_fetch_limits()
    assert shipped.download_deadline_seconds > 0 and shipped.max_crawl_delay_seconds > 0
    assert parse_fetch_limits(None) == FetchLimits()
    with pytest.raises(ConfigError, match=r"fetch\.max_header_bytes"):
        parse_fetch_limits({"max_header_bytes": 10_000_000})  # past what the HTTP parser can honour
    with pytest.raises(ConfigError, match=r"fetch\.deadline"):
        parse_fetch_limits({"deadline": 3})
