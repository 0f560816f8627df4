"""DuckLake against the DuckDB file (`python -m bench lake`): load and YoY cost on three backends — the
DuckDB file, a lake with an SQLite catalog and local Parquet, and a team's lake (PostgreSQL catalog, Parquet
on an S3-compatible server, both started on 127.0.0.1 by bench/lake_servers.py; skipped, saying why, when
their programs are missing) — then, on each lake, a reader's queries while another process loads, and two
loaders at once against one after the other.

The machine is shared, so costs are CPU seconds (time.process_time of this process, plus the servers' CPU
read with psutil for the team's lake) and their ratios; wall times are printed too, but on a shared machine
they say little. The batch loaded is built before its load is timed."""

from __future__ import annotations

import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import psutil

from bench.lake_servers import missing_servers, postgres_cluster, s3_server
from warehouse.connection import open_read_only
from warehouse.load import load_frames
from warehouse.synthetic import fictional_region_codes, synthetic_batch
from warehouse.yoy import yoy_frame

PROJECT = Path(__file__).resolve().parents[1]
REGIONS = fictional_region_codes(60)
YEARS = range(2015, 2025)
FACTS = 40
YOY_SQL = "SELECT * FROM indicator_yoy WHERE code = 'reconsideration.accepted' ORDER BY ALL"
LOADER = """
import sys, time
from warehouse.connection import open_read_only
from warehouse.load import load_frames
from warehouse.synthetic import synthetic_batch
regions = sys.argv[2].split(",")
started = time.perf_counter()
load_frames(synthetic_batch(regions, range(2015, 2025), facts_per_report=40), sys.argv[1])
print(time.perf_counter() - started, flush=True)
"""


def _cpu(pids: list[int]) -> float:
    """CPU seconds of this process and the given server processes (with their ended children)."""
    total = time.process_time()
    for pid in pids:
        times = psutil.Process(pid).cpu_times()
        total += times.user + times.system + times.children_user + times.children_system
    return total


def _measure(action: Callable[[], object], pids: list[int]) -> tuple[float, float, float]:
    """(wall seconds, CPU seconds of this process, CPU seconds with the servers') of one call."""
    own, cpu, wall = time.process_time(), _cpu(pids), time.perf_counter()
    action()
    return time.perf_counter() - wall, time.process_time() - own, _cpu(pids) - cpu


def _yoy(path: str) -> None:
    yoy_frame("reconsideration.accepted", warehouse=path)


def _loaders(path: str, parts: list[list[str]]) -> list[subprocess.Popen[str]]:
    return [
        subprocess.Popen(
            [sys.executable, "-c", LOADER, path, ",".join(p)], cwd=PROJECT, stdout=subprocess.PIPE, text=True
        )
        for p in parts
    ]


def _wait(procs: list[subprocess.Popen[str]]) -> list[float]:
    out = []
    for proc in procs:
        text, _ = proc.communicate(timeout=600)
        if proc.returncode:
            raise RuntimeError("a loader failed")
        out.append(float(text.split()[-1]))
    return out


@contextmanager
def _team_lake(tmp: Path) -> Iterator[tuple[str, list[int]]]:
    """A team's lake on local servers, nianbao's config and environment pointed at it: (location, pids)."""
    with ExitStack() as stack:
        pg = stack.enter_context(postgres_cluster())
        s3 = stack.enter_context(s3_server())
        pg.create_database("bench")
        s3.create_bucket("nianbao")
        config = tmp / "config"
        shutil.copytree(PROJECT / "config", config)
        settings = (config / "settings.yaml").read_text(encoding="utf-8")
        settings = re.sub(r"(?m)^(\s*data_path:)\s*\S+", r"\1 s3://nianbao/bench/", settings)
        settings = re.sub(r"(?m)^(\s*endpoint:)\s*\S+", rf"\1 {s3.endpoint}", settings)
        (config / "settings.yaml").write_text(settings, encoding="utf-8")
        saved = {
            key: os.environ.get(key)
            for key in ("NIANBAO_CONFIG", "PGPASSWORD", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY")
        }
        os.environ.update(
            NIANBAO_CONFIG=str(config),
            PGPASSWORD=pg.password,
            AWS_ACCESS_KEY_ID="bench",
            AWS_SECRET_ACCESS_KEY="bench-secret",
        )
        try:
            yield pg.location("bench"), [pg.pid, s3.pid]
        finally:
            for key, value in saved.items():
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value


def _figures(name: str, path: str, pids: list[int], figures: dict[str, float]) -> None:
    """Load, YoY and concurrency figures of one backend, under keys prefixed with its name."""
    load_frames(synthetic_batch(REGIONS[:1], [2014], facts_per_report=1), path)  # created, migrated
    _yoy(path)  # the first open of this process checks the extension files
    batch = synthetic_batch(REGIONS[:20], YEARS, facts_per_report=FACTS)
    wall, own, cpu = _measure(lambda: load_frames(batch, path), pids)
    figures[f"{name}_load_wall_s"] = round(wall, 3)
    figures[f"{name}_load_cpu_s"] = round(cpu, 3)
    figures[f"{name}_load_facts_per_cpu_s"] = round(20 * len(YEARS) * FACTS / cpu)
    if pids:
        figures[f"{name}_load_client_cpu_s"] = round(own, 3)
    runs = [_measure(lambda: _yoy(path), pids) for _ in range(5)]
    figures[f"{name}_yoy_wall_ms"] = round(statistics.median(w for w, _, _ in runs) * 1000, 1)
    figures[f"{name}_yoy_cpu_ms"] = round(statistics.median(c for _, _, c in runs) * 1000, 1)
    if pids:
        figures[f"{name}_yoy_client_cpu_ms"] = round(statistics.median(c for _, c, _ in runs) * 1000, 1)
    with open_read_only(path) as con:  # the same query on a connection kept open (a notebook, the explorer)
        runs = [_measure(lambda: con.execute(YOY_SQL).fetchall(), pids) for _ in range(5)]
    figures[f"{name}_yoy_open_connection_cpu_ms"] = round(statistics.median(c for _, _, c in runs) * 1000, 1)
    if name == "duckdb":
        return
    # a reader querying in a loop while another process loads 20 regions x 10 years
    (loader,) = _loaders(path, [REGIONS[20:40]])
    latencies = []
    while loader.poll() is None:
        started = time.perf_counter()
        _yoy(path)
        latencies.append((time.perf_counter() - started) * 1000)
    _wait([loader])
    figures[f"{name}_reader_queries_during_load"] = len(latencies)
    median = statistics.median(latencies) if latencies else 0.0
    figures[f"{name}_reader_median_ms_during_load"] = round(median, 1)
    started = time.perf_counter()
    each = _wait(_loaders(path, [REGIONS[40:50], REGIONS[50:60]]))
    both = time.perf_counter() - started
    figures[f"{name}_two_loaders_wall_over_sum_of_each"] = round(both / sum(each), 2)


def main() -> dict[str, float]:
    figures: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as tmp:
        _figures("duckdb", str(Path(tmp) / "w.duckdb"), [], figures)
        _figures("ducklake", str(Path(tmp) / "w.ducklake"), [], figures)
        why = missing_servers()
        if why:
            print(f"team lake (PostgreSQL + S3) skipped: {why}")
        else:
            with _team_lake(Path(tmp)) as (location, pids):
                _figures("team", location, pids, figures)
    for name in ("ducklake", "team"):  # CPU ratios: wall times on a shared machine are noise
        if f"{name}_load_cpu_s" in figures:
            for what in ("load_cpu_s", "yoy_cpu_ms", "yoy_open_connection_cpu_ms"):
                ratio = figures[f"{name}_{what}"] / figures[f"duckdb_{what}"]
                figures[f"{name}_{what.removesuffix('_s').removesuffix('_ms')}_vs_duckdb"] = round(ratio, 1)
    for key, value in figures.items():
        print(f"{key:45s} {value}")
    return figures


if __name__ == "__main__":
    main()
