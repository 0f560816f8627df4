"""A national crawl, simulated: N FICTIONAL sites on loopback (flows/sim_internet.py: one server process,
per-site latency 50–800 ms, a few percent of faults, some robots Crawl-delays), crawled with the configured
politeness (1 s spacing, concurrency 1 per host) and global cap (fetch.max_in_flight) by one AsyncFetcher.

Figures (bench/results/crawl.json; bench/results/scale.json takes the first three):
- crawl_hosts: N (1,000 × NIANBAO_BENCH_SCALE, which `make bench-quick` sets to 0.1; NIANBAO_CRAWL_HOSTS
  sets it outright);
- crawl_pages_per_s: requests answered per second while at least 90 % of the hosts still had work (the
  steady state the target speaks of: min(global cap, hosts ÷ spacing)); the whole run's rate, ramp-up and
  the last slow sites included, is `pages_per_s_whole_run`;
- crawl_per_host_violations: hosts that, by the server's own log, were ever asked sooner than their
  spacing or more than once at a time (must be 0).
Where the time goes: the CPU seconds of the crawler (its event-loop thread, and the discovery threads
that parse list pages) and of the server against the wall time, each host's cycle between two requests
(latency, spacing, the crawler's own lag); with NIANBAO_CRAWL_PROFILE=1 also the top functions of the
loop thread (cProfile, which about doubles the loop's CPU cost, so the figures are then lower).

Then the real `scrape` flow on a fresh simulated internet of the same size (a config holding only the
simulated sites, their names pinned to 127.0.0.1; the project's politeness), the flow_* figures:
requests/s while busy as above, reports/s over the whole run, Prefect's share of the wall time outside
any task run (its temporary API server's start-up measured apart), hosts breaching their spacing by the
servers' log (must be 0), reports archived (each once) against those served, faults the servers played
against those left failing and the pages the run reported failed, and the CPU seconds of this process
(the crawler, Prefect's client included), of the simulated servers and of Prefect's API server.
NIANBAO_CRAWL_PARTS=engine or =flow runs only one of the two.
"""

from __future__ import annotations

import cProfile
import io
import itertools
import json
import os
import pstats
import resource
import statistics
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

from flows.crawl import CrawlEngine
from flows.fetch import AsyncFetcher
from flows.fetch_limits import load_fetch_limits
from flows.sim_internet import serve_internet, sim_resolver, violations
from flows.sources import load_sources

TARGET_PAGES_PER_S = 300


def _hosts() -> int:
    if os.environ.get("NIANBAO_CRAWL_HOSTS"):
        return int(os.environ["NIANBAO_CRAWL_HOSTS"])
    return max(1, round(1000 * float(os.environ.get("NIANBAO_BENCH_SCALE", "1"))))


def _busy_rate(rows: list[dict[str, Any]], hosts: int) -> tuple[float, float]:
    """Requests per second from the first request until 10 % of the hosts had made their last one."""
    last = sorted(max(r["done"] for r in rows if r["host"] == h) for h in {r["host"] for r in rows})
    start = min(r["arrived"] for r in rows)
    until = last[max(0, hosts // 10 - 1)]
    answered = sum(1 for r in rows if r["done"] <= until)
    return answered / max(until - start, 1e-9), until - start


def main() -> dict[str, Any]:
    """The engine alone (the first figures), then the real scrape flow (the flow_* figures), on the same
    simulated internet drawn afresh; NIANBAO_CRAWL_PARTS=engine or =flow runs one of them."""
    parts = os.environ.get("NIANBAO_CRAWL_PARTS", "engine,flow").split(",")
    figures = engine_run(_hosts()) if "engine" in parts else {"crawl_hosts": _hosts()}
    if "flow" in parts:
        figures.update(flow_run(_hosts()))
    return figures


def engine_run(hosts: int) -> dict[str, Any]:
    """The crawl engine alone (flows/crawl.py: one AsyncFetcher, discovery threads), no Prefect."""
    politeness = load_sources().politeness
    limits = load_fetch_limits()
    with tempfile.TemporaryDirectory(prefix="nianbao-crawl-") as folder:
        log = Path(folder) / "requests.jsonl"
        children_before = resource.getrusage(resource.RUSAGE_CHILDREN)
        with serve_internet(hosts, log) as net:
            sites = net.crawl_sites()
            keys = {key for site in sites for key in site.authorities}
            fetcher = AsyncFetcher(
                dict.fromkeys(keys, politeness), private_ok=keys, limits=limits, resolver=sim_resolver
            )
            profile = cProfile.Profile() if os.environ.get("NIANBAO_CRAWL_PROFILE") else None
            with CrawlEngine(fetcher) as engine:
                loop_cpu0 = engine.run(_enable(profile))
                cpu0, wall0 = time.process_time(), time.perf_counter()
                crawls = engine.crawl(sites)
                wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
                loop_cpu = engine.run(_disable(profile)) - loop_cpu0
        server_cpu = _cpu(resource.getrusage(resource.RUSAGE_CHILDREN)) - _cpu(children_before)
        rows = _log_rows(log)
        spacing = {s.host: max(politeness.delay_seconds, s.crawl_delay or 0.0) for s in net.sites}
        broken = violations(log, spacing, politeness.concurrency_per_host)
    busy_rate, busy_seconds = _busy_rate(rows, hosts)
    reports = sum(len(c.pages) for c in crawls)
    fetched = sum(1 for c in crawls for _, r in c.pages if r.ok)
    expected = sum(len(s.years) for s in net.sites)
    ideal = sum(1 / (max(politeness.delay_seconds, s.crawl_delay or 0.0) + s.latency) for s in net.sites)
    statuses = Counter(str(r["status"]) for r in rows)
    figures: dict[str, Any] = {
        "crawl_hosts": hosts,
        "crawl_pages_per_s": round(busy_rate, 1),
        "crawl_per_host_violations": len({v.host for v in broken}),
        "target_pages_per_s": TARGET_PAGES_PER_S,
        "ratio_to_target": round(busy_rate / TARGET_PAGES_PER_S, 2),
        "busy_seconds": round(busy_seconds, 1),
        "pages_per_s_whole_run": round(len(rows) / wall, 1),
        "wall_seconds": round(wall, 1),
        "requests_answered": len(rows),
        "statuses": dict(sorted(statuses.items())),
        "reports_expected": expected,
        "reports_found": reports,
        "reports_fetched": fetched,
        "site_failures": sum(1 for c in crawls if c.error or (c.discovery and c.discovery.failures)),
        "ideal_pages_per_s": round(
            min(ideal, limits.max_in_flight / (sum(s.latency for s in net.sites) / hosts)), 1
        ),
        "spacing_seconds": politeness.delay_seconds,
        "max_in_flight": limits.max_in_flight,
        "crawler_cpu_seconds": round(cpu, 1),
        "crawler_cpu_share_of_wall": round(cpu / wall, 2),
        "crawler_cpu_ms_per_request": round(1000 * cpu / max(len(rows), 1), 2),
        "loop_thread_cpu_seconds": round(loop_cpu, 1),
        "discovery_threads_cpu_seconds": round(cpu - loop_cpu, 1),
        "server_cpu_seconds": round(server_cpu, 1),
        "cpus": os.cpu_count(),
        "load_average_1min_after": round(os.getloadavg()[0], 1),
        "per_host_cycle_seconds": _cycle(rows, spacing, {s.host: s.latency for s in net.sites}),
        "loop_thread_profile": _top(profile) if profile is not None else "set NIANBAO_CRAWL_PROFILE=1",
        "violations_sample": [f"{v.host}: {v.what}" for v in broken[:5]],
    }
    print(
        f"crawl of {hosts} simulated hosts: {busy_rate:.0f} pages/s while busy "
        f"({busy_rate / TARGET_PAGES_PER_S:.2f}× the {TARGET_PAGES_PER_S}/s target; "
        f"ideal {figures['ideal_pages_per_s']}/s), "
        f"{figures['pages_per_s_whole_run']}/s over the whole {wall:.0f} s run; {len(rows)} requests, "
        f"{fetched}/{expected} reports; crawler CPU {cpu:.0f} s, server CPU {server_cpu:.0f} s; "
        f"hosts breaching their spacing: {figures['crawl_per_host_violations']}",
        flush=True,
    )
    return figures


async def _enable(profile: cProfile.Profile | None) -> float:
    """Profile the engine's loop thread (cProfile profiles the thread that enables it); its CPU time."""
    if profile is not None:
        profile.enable()
    return time.thread_time()


async def _disable(profile: cProfile.Profile | None) -> float:
    if profile is not None:
        profile.disable()
    return time.thread_time()


def _cycle(
    rows: list[dict[str, Any]], spacing: dict[str, float], latency: dict[str, float]
) -> dict[str, float]:
    """Where a host's time goes between two of its requests, by the server log (medians over hosts' gaps):
    the answer's latency, the spacing, and the crawler's own lag beyond the spacing (queueing for the CPU
    or the global cap, parsing, backoff after errors)."""
    by_host: dict[str, list[tuple[float, float]]] = {}
    for row in rows:
        by_host.setdefault(row["host"], []).append((row["arrived"], row["done"]))
    lags = sorted(
        after - done - spacing[host]
        for host, spans in by_host.items()
        for (_, done), (after, _) in itertools.pairwise(sorted(spans))
    )
    if not lags:
        return {}
    return {
        "latency_mean": round(statistics.fmean(latency.values()), 3),
        "spacing": round(statistics.fmean(spacing.values()), 3),
        "crawler_lag_median": round(lags[len(lags) // 2], 3),
        "crawler_lag_p90": round(lags[int(len(lags) * 0.9)], 3),
    }


def _cpu(usage: resource.struct_rusage) -> float:
    return usage.ru_utime + usage.ru_stime


def _top(profile: cProfile.Profile, count: int = 15) -> list[str]:
    out = io.StringIO()
    pstats.Stats(profile, stream=out).sort_stats("tottime").print_stats(count)
    lines = [line.rstrip() for line in out.getvalue().splitlines()]
    start = next((i for i, line in enumerate(lines) if line.lstrip().startswith("ncalls")), 0)
    return [line for line in lines[start:] if line.strip()][: count + 1]


def flow_run(hosts: int) -> dict[str, Any]:
    """The real `scrape` flow (flows/pipeline.py: a crawl task per batch of sites on one crawl engine) on
    a config holding only the simulated sites, with the project's politeness; Prefect's temporary API
    server is started first (a warm-up run) and its start-up kept apart."""
    from flows.archive import Archive
    from flows.pipeline import scrape

    startup = _prefect_startup()
    politeness = load_sources().politeness
    with tempfile.TemporaryDirectory(prefix="nianbao-crawl-flow-") as folder:
        root = Path(folder)
        log = root / "requests.jsonl"
        children_before = resource.getrusage(resource.RUSAGE_CHILDREN)
        with serve_internet(hosts, log) as net:
            config = net.config_folder(root / "config")
            before = os.environ.get("NIANBAO_CONFIG")
            os.environ["NIANBAO_CONFIG"] = str(config)
            server = _prefect_server()
            server_cpu0 = _cpu_of(server)
            try:
                cpu0, wall0 = time.process_time(), time.perf_counter()
                with ThreadCpu() as threads:
                    state = scrape(
                        archive=str(root / "archive"), warehouse=str(root / "w.duckdb"), return_state=True
                    )
                wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
            finally:
                if before is None:
                    os.environ.pop("NIANBAO_CONFIG", None)
                else:
                    os.environ["NIANBAO_CONFIG"] = before
            prefect_server_cpu = _cpu_of(server) - server_cpu0
        sim_cpu = _cpu(resource.getrusage(resource.RUSAGE_CHILDREN)) - _cpu(children_before)
        rows = _log_rows(log)
        spacing = {s.host: max(politeness.delay_seconds, s.crawl_delay or 0.0) for s in net.sites}
        broken = violations(log, spacing, politeness.concurrency_per_host)
        archived = Counter(row.url for row in Archive(root / "archive").manifest() if row.sha256)
    if state.is_failed():
        raise RuntimeError(f"the scrape flow failed: {state.message}")
    summary = state.result().summary
    expected = {
        f"http://{sim.host}:{net.port}{path}" for sim in net.sites for path in sim.report_paths.values()
    }
    inside = _inside_tasks(state.state_details.flow_run_id)
    busy_rate, busy_seconds = _busy_rate(rows, hosts)
    faults = _faults(rows)
    figures: dict[str, Any] = {
        "flow_hosts": hosts,
        "flow_pages_per_s": round(busy_rate, 1),
        "flow_busy_seconds": round(busy_seconds, 1),
        "flow_reports_per_s_whole_run": round(summary.fetched / wall, 1),
        "flow_wall_seconds": round(wall, 1),
        "flow_prefect_overhead_share": round(1 - inside / wall, 4),
        "flow_prefect_startup_seconds": round(startup, 1),
        "flow_per_host_violations": len({v.host for v in broken}),
        "flow_requests_answered": len(rows),
        "flow_reports_expected": len(expected),
        "flow_reports_archived": len(expected & set(archived)),
        "flow_reports_archived_twice": sum(1 for url in expected if archived[url] > 1),
        "flow_faults": {**faults, "run_failed_pages": summary.failed, "run_rejects": len(summary.rejects)},
        "flow_crawler_cpu_seconds": round(cpu, 1),
        "flow_crawler_cpu_s_per_1000_requests": round(1000 * cpu / max(len(rows), 1), 2),
        "flow_crawler_cpu_s_per_1000_reports": round(1000 * cpu / max(summary.fetched, 1), 2),
        "flow_crawler_cpu_share_of_wall": round(cpu / wall, 2),
        "flow_crawler_cpu_seconds_by_thread": threads.by_role(),
        "flow_sim_servers_cpu_seconds": round(sim_cpu, 1),
        "flow_prefect_server_cpu_seconds": round(prefect_server_cpu, 1),
        "flow_load_average_1min_after": round(os.getloadavg()[0], 1),
        "flow_violations_sample": [f"{v.host}: {v.what}" for v in broken[:5]],
    }
    print(
        f"scrape flow on {hosts} simulated hosts: {busy_rate:.0f} requests/s while busy, "
        f"{figures['flow_reports_per_s_whole_run']} reports/s over the whole {wall:.0f} s run; "
        f"{figures['flow_reports_archived']}/{len(expected)} reports archived; Prefect outside tasks "
        f"{figures['flow_prefect_overhead_share']:.1%} of wall; crawler CPU {cpu:.0f} s "
        f"({figures['flow_crawler_cpu_s_per_1000_requests']} s per 1,000 requests), simulated servers "
        f"{sim_cpu:.0f} s, Prefect server {prefect_server_cpu:.0f} s; faults played {faults['played']}, "
        f"left failing {faults['left_failing']}, pages the run failed {summary.failed}; hosts breaching "
        f"their spacing: {figures['flow_per_host_violations']}",
        flush=True,
    )
    return figures


class ThreadCpu:
    """CPU seconds of this process's threads while the block runs, by role (thread name): the crawl
    engine's event loop, the discovery threads, the flow's task threads (storing pages) and the rest
    (the flow's own thread, Prefect's log and event workers). Read from /proc every half second, so a
    thread that ends keeps its last reading (it misses at most its last half second)."""

    ROLES = (
        ("crawl-loop", "event loop (fetching)"),
        ("discover", "discovery threads (list pages)"),
        ("ThreadPoolExecutor", "task threads (crawl tasks: storing pages)"),
    )

    def __init__(self) -> None:
        self._start: dict[int, float] = {}
        self._last: dict[int, float] = {}
        self._names: dict[int, str] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="bench-thread-cpu", daemon=True)

    def __enter__(self) -> ThreadCpu:
        self._start = self._read()
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()
        self._read()

    def _read(self) -> dict[int, float]:
        import psutil

        names = {t.native_id: t.name for t in threading.enumerate() if t.native_id is not None}
        times = {t.id: t.user_time + t.system_time for t in psutil.Process().threads()}
        self._names.update({tid: names[tid] for tid in times if tid in names})
        self._last.update(times)
        return times

    def _run(self) -> None:
        while not self._stop.wait(0.5):
            self._read()

    def by_role(self) -> dict[str, float]:
        out: dict[str, float] = {}
        for tid, seconds in self._last.items():
            name = self._names.get(tid, "")
            if name == "bench-thread-cpu":
                continue
            role = next(
                (label for prefix, label in self.ROLES if name.startswith(prefix)),
                "flow thread, Prefect's workers, other",
            )
            out[role] = out.get(role, 0.0) + seconds - self._start.get(tid, 0.0)
        return {role: round(seconds, 1) for role, seconds in sorted(out.items(), key=lambda kv: -kv[1])}


def _log_rows(log: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]


def _faults(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Faults the servers played (by kind), how many were asked again and answered, how many URLs were
    left failing (their last answer a fault: what the run must report)."""
    last: dict[tuple[str, str], str | None] = {}
    for row in sorted(rows, key=lambda r: r["arrived"]):
        last[row["host"], row["path"]] = row.get("fault")
    kinds = Counter(row["fault"] for row in rows if row.get("fault"))
    left = sum(1 for fault in last.values() if fault)
    return {"played": sum(kinds.values()), "by_kind": dict(sorted(kinds.items())), "left_failing": left}


def _inside_tasks(flow_run_id: Any) -> float:
    """Seconds of the flow run's wall time during which at least one of its task runs was running."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId

    with get_client(sync_client=True) as client:
        runs = client.read_task_runs(flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[flow_run_id])))
    spans = sorted(
        (r.start_time.timestamp(), r.end_time.timestamp()) for r in runs if r.start_time and r.end_time
    )
    covered, reach = 0.0, float("-inf")
    for start, end in spans:
        if end > reach:
            covered += end - max(start, reach)
            reach = end
    return covered


def _prefect_startup() -> float:
    """A trivial flow run: starts Prefect's temporary API server (when none is configured); its seconds."""
    from prefect import flow

    @flow(name="bench-crawl-warm-up")
    def warm_up() -> None:
        return None

    started = time.perf_counter()
    warm_up()
    return time.perf_counter() - started


def _prefect_server() -> Any:
    """Prefect's temporary API server process (a child of this one), if it runs."""
    import psutil

    for proc in psutil.Process().children(recursive=True):
        try:
            if "prefect.server" in " ".join(proc.cmdline()) or "uvicorn" in " ".join(proc.cmdline()):
                return proc
        except psutil.Error:
            continue
    return None


def _cpu_of(proc: Any) -> float:
    if proc is None:
        return 0.0
    times = proc.cpu_times()
    return times.user + times.system + times.children_user + times.children_system
