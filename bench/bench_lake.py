"""DuckLake against the DuckDB file: load time, YoY through the view, a reader's query latency while a load
runs in another process, and two loaders at once against one after the other (`python -m bench lake`)."""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from warehouse.load import load_frames
from warehouse.synthetic import fictional_region_codes, synthetic_batch
from warehouse.yoy import yoy_frame

PROJECT = Path(__file__).resolve().parents[1]
REGIONS = fictional_region_codes(60)
YEARS = range(2015, 2025)
FACTS = 40
LOADER = """
import sys, time
from warehouse.load import load_frames
from warehouse.synthetic import synthetic_batch
regions = sys.argv[2].split(",")
started = time.perf_counter()
load_frames(synthetic_batch(regions, range(2015, 2025), facts_per_report=40), sys.argv[1])
print(time.perf_counter() - started, flush=True)
"""


def _load_seconds(path: Path, regions: list[str]) -> float:
    started = time.perf_counter()
    load_frames(synthetic_batch(regions, YEARS, facts_per_report=FACTS), path)
    return time.perf_counter() - started


def _yoy_ms(path: Path) -> float:
    times = []
    for _ in range(5):
        started = time.perf_counter()
        yoy_frame("reconsideration.accepted", warehouse=path)
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def _loaders(path: Path, parts: list[list[str]]) -> list[subprocess.Popen[str]]:
    return [subprocess.Popen([sys.executable, "-c", LOADER, str(path), ",".join(p)], cwd=PROJECT,
                             stdout=subprocess.PIPE, text=True) for p in parts]


def _wait(procs: list[subprocess.Popen[str]]) -> list[float]:
    out = []
    for proc in procs:
        text, _ = proc.communicate(timeout=600)
        if proc.returncode:
            raise RuntimeError("a loader failed")
        out.append(float(text.split()[-1]))
    return out


def main() -> dict[str, float]:
    figures: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name in ("duckdb", "ducklake"):
            path = Path(tmp) / f"w.{name}"
            load_frames(synthetic_batch(REGIONS[:1], [2014], facts_per_report=1), path)  # created, migrated
            figures[f"{name}_load_s"] = round(_load_seconds(path, REGIONS[:20]), 3)
            figures[f"{name}_yoy_ms"] = round(_yoy_ms(path), 1)
        lake = Path(tmp) / "w.ducklake"
        # a reader querying in a loop while another process loads 20 regions x 10 years
        (loader,) = _loaders(lake, [REGIONS[20:40]])
        latencies = []
        while loader.poll() is None:
            started = time.perf_counter()
            yoy_frame("reconsideration.accepted", warehouse=lake)
            latencies.append((time.perf_counter() - started) * 1000)
        (with_reader,) = _wait([loader])
        figures["lake_load_with_reader_s"] = round(with_reader, 3)
        figures["lake_reader_queries_during_load"] = len(latencies)
        median = statistics.median(latencies) if latencies else 0.0
        figures["lake_reader_median_ms_during_load"] = round(median, 1)
        started = time.perf_counter()
        each = _wait(_loaders(lake, [REGIONS[40:50], REGIONS[50:60]]))
        figures["lake_two_loaders_wall_s"] = round(time.perf_counter() - started, 3)
        figures["lake_two_loaders_each_s"] = round(max(each), 3)
    for key, value in figures.items():
        print(f"{key:40s} {value}")
    return figures


if __name__ == "__main__":
    main()
