"""`make chaos`: several backfill rounds over a large sample site with seeded random faults (127.0.0.1 only).

Invariants: retries stay bounded, a page with at most `retries` transient faults still loads, every other
page is a reject with a reason, robots.txt is never crossed, the warehouse holds one report per year, and a
final clean round loads every year.
"""

from __future__ import annotations

import os
import random
from pathlib import Path
from typing import Any

import pytest
from chaos_ledger import ChaosLedger

from flows.pipeline import backfill
from flows.sample_pages import not_found_page
from flows.sample_server import Fault, FaultPlan, serve_site
from flows.sample_site import SampleSiteSpec, build_sample_site
from flows.summary import RunSummary
from warehouse.query import run_query

pytestmark = pytest.mark.chaos

RETRIES = 2
POLITENESS: dict[str, Any] = {
    "delay_seconds": 0.005,
    "backoff_seconds": 0.01,
    "timeout_seconds": 0.8,
    "retries": RETRIES,
    "max_retry_after_seconds": 5,
    "max_delay_seconds": 0.3,
}
YEARS = tuple(y for y in range(1985, 2025) if y != 2021)
ROUNDS = 3
DISALLOWED_YEAR = 2001


@pytest.fixture(autouse=True)
def _only_when_asked(request: pytest.FixtureRequest) -> None:
    """Skip unless selected with -m chaos; the Prefect harness starts only when the test will run."""
    if "chaos" not in (request.config.getoption("-m") or ""):
        pytest.skip("long fault run: `make chaos` (pytest -m chaos)")
    request.getfixturevalue("prefect_harness")


def _transient(rng: random.Random) -> Fault:
    return rng.choice(
        [
            Fault("status", 500),
            Fault("status", 502),
            Fault("status", 503),
            Fault("status", 408),
            Fault("status", 429, headers=(("Retry-After", str(rng.choice([0, 1]))),)),
            Fault("slow", seconds=1.2),
            Fault("truncate"),
        ]
    )


def _plan(
    rng: random.Random,
    paths: dict[int, str],
    lists: list[str],
    port: int,
    plan: FaultPlan,
    ledger: ChaosLedger,
) -> dict[int, str]:
    """Random faults per report; returns the expected fate per year ('load', 'fetch', 'extract')."""
    plan.queued.clear()
    plan.always.clear()
    fate: dict[int, str] = {}
    for year, path in paths.items():
        roll = rng.random()
        if year == DISALLOWED_YEAR:
            fate[year] = "fetch"
        elif roll < 0.08:
            plan.always[path] = Fault("body", body=not_found_page().encode())
            fate[year] = "extract"
            ledger.record("fetch", "404-as-200 (error page with status 200)")
        elif roll < 0.14:
            plan.always[path] = Fault("redirect", 302, location=f"http://localhost:{port}{path}")
            fate[year] = "fetch"
            ledger.record("fetch", "redirect off the configured host")
        else:
            faults = [_transient(rng) for _ in range(rng.choice([0, 0, 1, 2, 3]))]
            plan.add(path, *faults)
            fate[year] = "load" if len(faults) <= RETRIES else "fetch"
            for fault in faults:
                label = f"HTTP {fault.status}" if fault.kind == "status" else fault.kind
                ledger.record("fetch", f"transient: {label}")
    for page in lists:  # list pages fail once now and then; discovery retries them like any page
        if rng.random() < 0.3:
            plan.add(page, Fault("status", 503))
    return fate


def test_random_faults_stay_bounded_and_accounted_for(tmp_path: Path, chaos_ledger: ChaosLedger) -> None:
    spec = SampleSiteSpec(years=YEARS, page_size=2, robots_disallow=("/art/2002/",))
    site = build_sample_site(spec)
    lists = [p for p in site.resources if p.endswith("index.html") or "/index_" in p]
    paths = {"archive": str(tmp_path / "archive"), "warehouse": str(tmp_path / "w.duckdb")}
    rng = random.Random(int(os.environ.get("NIANBAO_CHAOS_SEED", "20260127")))
    with serve_site(site) as served:
        for round_no in range(ROUNDS + 1):
            clean = round_no == ROUNDS
            fate = (
                {y: ("fetch" if y == DISALLOWED_YEAR else "load") for y in YEARS}
                if clean
                else _plan(rng, site.report_paths, lists, served.port, served.plan, chaos_ledger)
            )
            if clean:
                served.plan.queued.clear()
                served.plan.always.clear()
            served.clear_log()
            state = backfill(
                regions=["sample"],
                base_urls={"sample": served.base_url},
                politeness=POLITENESS,
                return_state=True,
                **paths,
            )
            assert not state.is_failed(), state.message
            summary: RunSummary = state.result()
            base = served.base_url.rstrip("/")
            rejected = {r.input.removeprefix(base): r.stage for r in summary.rejects}
            reasons = {r.input.removeprefix(base): r.reason for r in summary.rejects}
            per_path: dict[str, int] = {}
            for seen in served.seen:
                per_path[seen.path] = per_path.get(seen.path, 0) + 1
            assert max(per_path.values()) <= RETRIES + 1
            assert per_path.get(site.report_paths[DISALLOWED_YEAR], 0) == 0
            for year, expected in fate.items():
                path = site.report_paths[year]
                if expected == "load":
                    assert path not in rejected, (round_no, year, rejected.get(path), reasons.get(path))
                else:
                    assert path in rejected, (round_no, year, expected)
                    stage = rejected[path]
                    assert (stage == "fetch") == (expected == "fetch"), (round_no, year, stage)
            counts = run_query(
                "SELECT count(*) AS n, count(DISTINCT report_year) AS years FROM reports", paths["warehouse"]
            )
            assert counts["n"][0] == counts["years"][0]
    loaded = run_query("SELECT report_year FROM reports ORDER BY 1", paths["warehouse"])
    assert loaded["report_year"].to_list() == [y for y in YEARS if y != DISALLOWED_YEAR]
