"""The demo's wall time and Prefect's share of it: the same backfill of the sample site with Prefect flows
and tasks, and with the very same functions called directly (no Prefect), in one process; plus `nianbao
demo` as a user runs it (a fresh process: imports, ephemeral Prefect server, HTTP, transforms, DuckDB)."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")

REPEATS = 3
SITE = "sample"


def _with_prefect(base_url: str, folder: Path, politeness: dict[str, Any] | None = None) -> float:
    from flows.pipeline import backfill

    started = time.perf_counter()
    state = backfill(
        regions=[SITE],
        base_urls={SITE: base_url},
        archive=str(folder / "archive"),
        warehouse=str(folder / "w.duckdb"),
        politeness=politeness,
        return_state=True,
    )
    elapsed = time.perf_counter() - started
    if state.is_failed():
        raise RuntimeError(state.message)
    return elapsed


def _without_prefect(base_url: str, folder: Path, politeness: dict[str, Any] | None = None) -> float:
    """backfill's steps through the same task functions (.fn), with no flow or task runs."""
    from flows.archive import Archive
    from flows.crawl import CrawlEngine
    from flows.pipeline import (
        INGEST_BATCH,
        BatchLedger,
        build_async_fetcher,
        crawl_task,
        ingest_task,
        load_rows,
        resolve_sites,
    )
    from flows.progress import ProgressBar

    started = time.perf_counter()
    sites = resolve_sites([SITE], {SITE: base_url})
    store = Archive(folder / "archive")
    previous = store.latest()
    ledger = BatchLedger(sites)
    with CrawlEngine(build_async_fetcher(sites, politeness)) as engine:
        crawl_task.fn(ledger, engine, None, store, previous, ProgressBar(None, None))
    rows = [
        row
        for scraped in ledger.sites
        for row, outcome, _ in scraped.fetched()
        if outcome != "failed" and row.sha256
    ]
    loaded = load_rows(rows, store, str(folder / "w.duckdb"), INGEST_BATCH, read_batch=ingest_task.fn).loaded
    elapsed = time.perf_counter() - started
    if loaded != len(rows) or not rows:
        raise RuntimeError(f"plain run loaded {loaded} of {len(rows)} pages")
    return elapsed


def _cli_demo(folder: Path) -> float:
    folder.mkdir(parents=True)
    started = time.perf_counter()
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "nianbao.cli",
            "demo",
            "--warehouse",
            str(folder / "w.duckdb"),
            "--archive",
            str(folder / "archive"),
        ],
        capture_output=True,
        text=True,
        cwd=folder,
        timeout=600,
        check=False,
    )
    elapsed = time.perf_counter() - started
    if done.returncode != 0 or "Try next" not in done.stdout:
        raise RuntimeError(f"nianbao demo failed: {done.stdout[-500:]} {done.stderr[-500:]}")
    return elapsed


def _compare(spec: Any, root: Path, label: str, politeness: dict[str, Any] | None) -> tuple[float, float]:
    """Median seconds of REPEATS backfills with Prefect and without, each into a fresh warehouse."""
    from flows.sample_server import serve_site
    from flows.sample_site import build_sample_site

    with serve_site(build_sample_site(spec)) as served:
        prefect_runs = [
            _with_prefect(served.base_url, root / f"{label}-prefect-{i}", politeness) for i in range(REPEATS)
        ]
        plain_runs = [
            _without_prefect(served.base_url, root / f"{label}-plain-{i}", politeness) for i in range(REPEATS)
        ]
    return statistics.median(prefect_runs), statistics.median(plain_runs)


def main() -> dict[str, Any]:
    from flows.sample_server import serve_site
    from flows.sample_site import SampleSiteSpec, build_sample_site

    figures: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="nianbao-bench-demo-") as tmp:
        root = Path(tmp)
        figures["cli_demo_seconds"] = round(_cli_demo(root / "cli"), 2)
        print(f"nianbao demo (fresh process, ephemeral Prefect): {figures['cli_demo_seconds']:.2f} s wall")
        with serve_site(build_sample_site()) as served:
            first = _with_prefect(served.base_url, root / "prefect-first")
        with_prefect, plain = _compare(SampleSiteSpec(), root, "demo", None)
        large = SampleSiteSpec(years=tuple(range(1975, 2025)), page_size=10)
        large_prefect, large_plain = _compare(large, root, "large", {"delay_seconds": 0.0})
    overhead = with_prefect - plain
    figures.update(
        {
            "first_prefect_backfill_seconds": round(first, 2),
            "prefect_backfill_seconds_median": round(with_prefect, 3),
            "plain_backfill_seconds_median": round(plain, 3),
            "prefect_overhead_seconds": round(overhead, 3),
            "prefect_share_of_backfill": round(overhead / with_prefect, 3),
            "overhead_share_of_cli_demo": round(1 - plain / figures["cli_demo_seconds"], 3),
            "large_site_reports": len(large.years),
            "large_prefect_backfill_seconds_median": round(large_prefect, 3),
            "large_plain_backfill_seconds_median": round(large_plain, 3),
            "large_prefect_share": round((large_prefect - large_plain) / large_prefect, 3),
            "repeats": REPEATS,
        }
    )
    print(f"first backfill with Prefect in this process (starts the temporary API): {first:.2f} s")
    print(
        f"backfill of the sample site, median of {REPEATS}: with Prefect {with_prefect:.3f} s, "
        f"same functions without Prefect {plain:.3f} s"
    )
    share = figures["prefect_share_of_backfill"]
    print(f"Prefect overhead {overhead:.3f} s = {share:.0%} of a warm backfill")
    print(
        f"{len(large.years)}-report site, no politeness delay: with Prefect {large_prefect:.3f} s, without "
        f"{large_plain:.3f} s; Prefect share {figures['large_prefect_share']:.0%}"
    )
    print(
        f"all but the work itself (imports, temporary Prefect API, flow runs) = "
        f"{figures['overhead_share_of_cli_demo']:.0%} of `nianbao demo`"
    )
    return figures
