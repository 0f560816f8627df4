"""Warehouse benchmark: load rate for 1.5M synthetic facts, YoY latency for one code, unchanged reload share.

References run in the same process: a bare Arrow insert of the same facts into an empty table (the floor
for any loader), and a bare scan of one code's facts (the floor for the YoY query). The machine's cores are
shared, so times are CPU time of this process (`time.process_time`, DuckDB's threads included) besides wall
time, and the YoY figures are also given as a ratio to the bare scan measured in the same run.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import duckdb
import polars as pl

from ingest.pages import ingest_pages
from warehouse import integrity
from warehouse import load as loader
from warehouse.batch import FrameBatch
from warehouse.connection import open_read_only
from warehouse.load import load_frames
from warehouse.synthetic import fictional_region_codes, synthetic_batch, synthetic_captures
from warehouse.yoy import yoy_frame, yoy_rows

REGIONS, YEARS, FACTS_PER_REPORT = 1500, range(2015, 2025), 100
REPORTS_PER_BATCH = 1000
CODE = "reconsideration.accepted"
CAPTURE_YEARS = range(1900, 2100)
PAIRED_BATCHES = 6  # batches loaded twice (with and without picked_values) for the loader's cost of it


def _batches(full: FrameBatch) -> list[FrameBatch]:
    """The full synthetic set cut into batches of REPORTS_PER_BATCH reports, as the flows would load it."""
    parts = []
    for start in range(0, full.reports.height, REPORTS_PER_BATCH):
        docs = pl.int_range(start, start + REPORTS_PER_BATCH, eager=True).cast(pl.UInt32).implode()

        def take(frame: pl.DataFrame, docs: pl.Series = docs) -> pl.DataFrame:
            return frame.filter(pl.col("doc").is_in(docs))

        frames = (full.reports, full.sections, full.quantities, full.facts)
        parts.append(FrameBatch(*(take(frame) for frame in frames)))
    return parts


def _timed(action: Callable[[], object]) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def _cpu_timed(action: Callable[[], object]) -> tuple[float, float]:
    """(wall seconds, CPU seconds of this process) of one run."""
    wall, cpu = time.perf_counter(), time.process_time()
    action()
    return time.perf_counter() - wall, time.process_time() - cpu


def _median_ms(action: Callable[[], object], runs: int = 7) -> float:
    return round(statistics.median(_timed(action) for _ in range(runs)) * 1000, 1)


def _median_cpu_ms(action: Callable[[], object], runs: int = 11) -> float:
    return round(statistics.median(_cpu_timed(action)[1] for _ in range(runs)) * 1000, 1)


def _load_all(batches: list[FrameBatch], path: Path) -> tuple[float, float]:
    def run() -> None:
        for batch in batches:
            load_frames(batch, path)

    return _cpu_timed(run)


def _open_verified(path: Path) -> None:
    """Open the file as a new process would: every block of every table read and checksummed."""
    integrity.forget_verified()
    with open_read_only(path):
        pass


def _picked_values_cpu_share(batches: list[FrameBatch], folder: Path) -> float:
    """The loader's extra CPU for picked_values (migration 006): the same batches loaded into two new files,
    alternating, one of them with the picks left out; returns with / without - 1."""
    keep = loader.insert_picked_values
    cpu = {True: 0.0, False: 0.0}
    try:
        for i, batch in enumerate(batches):
            for picks in (i % 2 == 0, i % 2 == 1):
                loader.insert_picked_values = keep if picks else (lambda *_: None)
                target = folder / f"paired-{picks}.duckdb"
                cpu[picks] += _cpu_timed(lambda b=batch, t=target: load_frames(b, t))[1]
    finally:
        loader.insert_picked_values = keep
    return cpu[True] / cpu[False] - 1


def main() -> dict:
    full = synthetic_batch(fictional_region_codes(REGIONS), YEARS, FACTS_PER_REPORT)
    batches = _batches(full)
    n_facts, n_reports = full.facts.height, full.reports.height
    yoy_sql = "SELECT * FROM indicator_yoy WHERE code = $code"  # what an SQL user writes, without code_key
    scan_sql = "SELECT * FROM facts WHERE code = $code"
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.duckdb"
        first, first_cpu = _load_all(batches, path)
        reload, reload_cpu = _load_all(batches, path)
        with open_read_only(path) as con:
            # execute(): con.sql() with parameters materialises the result once more before .pl()
            rows = con.execute(yoy_sql, {"code": CODE}).pl().height
            # the user's answer: the public function (warehouse/yoy.py) on an open connection, ordered frame
            yoy_answer_ms = _median_cpu_ms(lambda: yoy_rows(con, CODE))
            yoy_answer_wall_ms = _median_ms(lambda: yoy_rows(con, CODE))
            yoy_view_ms = _median_cpu_ms(lambda: con.execute(yoy_sql, {"code": CODE}).pl())
            scan_ms = _median_cpu_ms(lambda: con.execute(scan_sql, {"code": CODE}).pl())
            yoy_view_wall_ms = _median_ms(lambda: con.execute(yoy_sql, {"code": CODE}).pl())
            scan_wall_ms = _median_ms(lambda: con.execute(scan_sql, {"code": CODE}).pl())
        yoy_command_ms = _median_cpu_ms(lambda: yoy_frame(CODE, warehouse=path))
        verify_ms = _median_ms(lambda: _open_verified(path), runs=3)
        pages = synthetic_captures(CAPTURE_YEARS)
        pages_path = Path(tmp) / "pages.duckdb"
        ingest_pages(synthetic_captures([1899]), pages_path)  # warm up: regions, catalog, file
        pages_first = _timed(lambda: ingest_pages(pages, pages_path))
        pages_reload = _timed(lambda: ingest_pages(pages, pages_path))
        raw = duckdb.connect(str(Path(tmp) / "raw.duckdb"))
        raw.register("facts_arrow", full.facts.to_arrow())
        raw.execute("CREATE TABLE facts AS SELECT * FROM facts_arrow LIMIT 0")
        raw_insert = _timed(lambda: raw.execute("INSERT INTO facts SELECT * FROM facts_arrow"))
        raw.close()
        picks_share = _picked_values_cpu_share(batches[:PAIRED_BATCHES], Path(tmp))
        file_mb = path.stat().st_size / 1e6
    figures = {
        "facts": n_facts,
        "reports": n_reports,
        "batches": len(batches),
        "first_load_s": round(first, 2),
        "first_load_cpu_s": round(first_cpu, 2),
        "facts_per_s": round(n_facts / first),
        "facts_per_cpu_s": round(n_facts / first_cpu),
        "reference_bare_facts_insert_s": round(raw_insert, 3),
        "load_vs_bare_insert": round(first / raw_insert, 1),
        "reload_unchanged_s": round(reload, 3),
        "reload_unchanged_cpu_s": round(reload_cpu, 3),
        "reload_share_of_first_load": round(reload / first, 4),
        "reload_cpu_share_of_first_load": round(reload_cpu / first_cpu, 4),
        "pages": len(pages),
        "pages_first_load_s": round(pages_first, 3),
        "pages_reload_s": round(pages_reload, 3),
        "pages_reload_share": round(pages_reload / pages_first, 4),
        "yoy_rows": rows,
        "yoy_answer_ms": yoy_answer_ms,
        "yoy_answer_wall_ms": yoy_answer_wall_ms,
        "yoy_view_ms": yoy_view_ms,
        "yoy_view_wall_ms": yoy_view_wall_ms,
        "yoy_command_ms": yoy_command_ms,
        "reference_code_scan_ms": scan_ms,
        "reference_code_scan_wall_ms": scan_wall_ms,
        "yoy_view_vs_code_scan": round(yoy_view_ms / scan_ms, 2),
        "yoy_answer_vs_code_scan": round(yoy_answer_ms / scan_ms, 2),
        "open_with_storage_check_ms": verify_ms,
        "file_mb": round(file_mb, 1),
        "picked_values_load_cpu_share": round(picks_share, 3),
    }
    print(
        f"load: {n_facts:,} facts ({n_reports:,} reports, with sections and quantities) in {len(batches)} "
        f"batches: {first:.2f} s = {figures['facts_per_s']:,} facts/s (aim >= 100,000); "
        f"CPU {first_cpu:.2f} s = {figures['facts_per_cpu_s']:,} facts per CPU s; "
        f"bare insert of the facts alone {raw_insert:.3f} s "
        f"(load is {figures['load_vs_bare_insert']}x)"
    )
    print(
        f"reload, nothing changed: {reload:.3f} s = {reload / first:.1%} of the first load; "
        f"CPU {reload_cpu:.3f} s "
        f"= {reload_cpu / first_cpu:.1%} of the first load's CPU (aim < 5%)"
    )
    print(
        f"ingest of {len(pages)} fictional captures (extract + load): {pages_first:.3f} s; unchanged "
        f"reload (hashes only, nothing extracted) {pages_reload:.3f} s = {pages_reload / pages_first:.1%}"
    )
    print(
        f"opening the {file_mb:.0f} MB file with its storage check (every block read, as the first open "
        f"of each command does): {verify_ms} ms"
    )
    print(
        f"yoy {CODE} over all regions ({rows:,} rows), CPU medians: the answer (yoy_rows: ordered frame "
        f"with the 中文名) {yoy_answer_ms} ms (aim < 20 ms; wall {yoy_answer_wall_ms} ms) = "
        f"{figures['yoy_answer_vs_code_scan']}x the bare scan of the code's facts ({scan_ms} ms); the view "
        f"filtered on code alone {yoy_view_ms} ms, wall {yoy_view_wall_ms} ms against {scan_wall_ms} ms; "
        f"`nianbao yoy` path {yoy_command_ms} ms incl. opening the file"
    )
    print(
        f"picked_values (migration 006) costs the loader {picks_share:+.1%} CPU (paired loads of "
        f"{PAIRED_BATCHES} batches with and without it)"
    )
    return figures


if __name__ == "__main__":
    main()
