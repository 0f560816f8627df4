"""Scale figures (issue 10), written to bench/results/scale.json: ingest of a synthetic archive of realistic
30–100 KB pages on every core (worker processes, one writer) inside a Prefect flow with one task per batch;
its peak memory (the whole process tree), Prefect's share of the wall time, an unchanged reload, ingest time
against corpus size (PNG), the transform per core on 10 KB reports, the HTML path against decode + parse in
the same run, YoY from bench_warehouse and the crawl figures from h-async's bench/results/crawl.json.

NIANBAO_BENCH_SCALE=0.1 (make bench-quick) runs everything at a tenth of the size.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"
SCALE = float(os.environ.get("NIANBAO_BENCH_SCALE", "1"))  # 0.1: make bench-quick
SIZES = tuple(max(100, round(n * SCALE)) for n in (10_000, 30_000, 100_000))
BATCH = 250  # pages per task and transaction: 1000 peaks ~1.5 GB (frames of a batch held twice)
AIMS = {"ingest_seconds": 180.0 * SCALE, "ingest_peak_rss_mb": 1024.0, "prefect_overhead_share": 0.05,
        "transform_reports_per_s_per_core": 1000.0, "html_vs_parse_floor": 2.0, "reload_share": 0.05,
        "yoy_ms": 20.0}


class PeakRss:
    """Samples the resident memory of this process and all its children every 0.2 s; keeps the peak of
    the ingest (this process, the forkserver and the transform workers) and, apart, of Prefect's temporary
    API server (a child in ephemeral mode; a separate service in production), with the split at the peak."""

    def __init__(self) -> None:
        self.peak = 0
        self.server_peak = 0
        self.pss_peak = 0  # shared pages (the workers fork from one preloaded server) counted once
        self.split: dict[str, int] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> PeakRss:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        import psutil

        me = psutil.Process()
        while not self._stop.wait(0.2):
            split: dict[str, int] = {}
            server = pss = 0
            for proc in [me, *me.children(recursive=True)]:
                try:
                    memory, args = proc.memory_full_info(), " ".join(proc.cmdline())
                except psutil.Error:
                    continue
                rss = memory.rss
                if "prefect.server" in args:
                    server += rss
                    continue
                role = ("main" if proc.pid == me.pid else "other" if "resource_tracker" in args
                        else "forkserver" if "forkserver" in args and proc.ppid() == me.pid else "workers")
                split[role] = split.get(role, 0) + rss
                pss += memory.pss
            self.server_peak = max(self.server_peak, server)
            self.pss_peak = max(self.pss_peak, pss)
            if sum(split.values()) > self.peak:
                self.peak, self.split = sum(split.values()), split


def write_archive(count: int, root: Path) -> list[tuple[Path, object]]:
    """The first `count` synthetic pages as files (bytes only), with each page's hints."""
    from bench.synthetic_archive import page, region_codes

    codes = region_codes(count)
    root.mkdir(parents=True, exist_ok=True)
    out = []
    for number in range(count):
        path = root / f"{number:06d}.html"
        item = page(number, codes)
        if not path.exists():
            path.write_bytes(item.data)
        out.append((path, item.hints))
    return out


def _batches(files: list[tuple[Path, object]]) -> Iterator[list]:
    from transforms.model import Page

    for start in range(0, len(files), BATCH):
        yield [Page(name=str(path), data=path.read_bytes(), hints=hints)
               for path, hints in files[start:start + BATCH]]


def ingest_run(files: list[tuple[Path, object]], warehouse: Path) -> dict:
    """One Prefect flow run: a task per batch reads the batch from disk and ingests it (transform on the
    worker processes, load here). Returns wall time, time inside the tasks, peak RSS and counts."""
    from prefect import flow, task
    from prefect.cache_policies import NO_CACHE

    from ingest.pages import ingest_pages
    from ingest.workers import ProcessPool

    inside = [0.0]

    @task(name="bench-ingest-batch", cache_policy=NO_CACHE)
    def batch_task(pages: list, pool: ProcessPool) -> int:
        started = time.perf_counter()
        summary = ingest_pages(pages, warehouse, transformer=pool)
        inside[0] += time.perf_counter() - started
        return summary.loaded

    @flow(name="bench-ingest")
    def bench_ingest() -> int:
        loaded = 0
        with ProcessPool() as pool:
            for pages in _batches(files):
                loaded += batch_task(pages, pool)
        return loaded

    with PeakRss() as rss:
        started = time.perf_counter()
        loaded = bench_ingest()
        wall = time.perf_counter() - started
    return {"seconds": wall, "inside_tasks": inside[0], "peak_rss_mb": rss.peak / 1e6, "loaded": loaded,
            "peak_split_mb": {role: round(n / 1e6) for role, n in rss.split.items()},
            "prefect_server_peak_rss_mb": rss.server_peak / 1e6, "peak_pss_mb": rss.pss_peak / 1e6}


def prefect_startup() -> float:
    """A trivial first flow run in this process: starts Prefect's temporary API server (as each `nianbao
    ingest` without a Prefect server does); later runs of the curve then compare like with like."""
    from prefect import flow

    @flow(name="bench-warm-up")
    def warm_up() -> None:
        return None

    started = time.perf_counter()
    warm_up()
    return time.perf_counter() - started


def transform_per_core() -> float:
    """bench_transform's full transform on one pinned core (10 KB reports), reports/s."""
    env = {**os.environ, "POLARS_MAX_THREADS": "1", "RAYON_NUM_THREADS": "1"}
    child = subprocess.run([sys.executable, "-m", "bench.bench_transform", "--one-core"], env=env,
                           capture_output=True, text=True, check=True)
    return json.loads(child.stdout.strip().splitlines()[-1])["full_transform_reports_per_s"]


def html_vs_parse(files: list[tuple[Path, object]]) -> dict:
    """The HTML path (decode, parse budget, strip to the article's lines: transforms.document.strip_page)
    against its floor, decode + one selectolax parse, on the same realistic pages in the same run (CPU
    time); and the whole transform (metadata, quantities, indicators too) on them."""
    from selectolax.lexbor import LexborHTMLParser

    from transforms.decode import decode_bytes
    from transforms.document import strip_page
    from transforms.extract import extract_pages
    from transforms.model import Page

    pages = [Page(name=str(p), data=p.read_bytes(), hints=h) for p, h in files[:300]]
    extract_pages(pages[:10])

    def floor() -> None:
        for item in pages:
            LexborHTMLParser(decode_bytes(item.data, item.http_charset).text)

    def html_path() -> None:
        for item in pages:
            decoded = decode_bytes(item.data, item.http_charset)
            strip_page(decoded.text, utf8=decoded.utf8)

    floor_s, path_s, full_s = (_cpu(work) for work in (floor, html_path, lambda: extract_pages(pages)))
    return {"pages": len(pages), "floor_pages_per_s": len(pages) / floor_s,
            "html_path_pages_per_s": len(pages) / path_s, "full_pages_per_s": len(pages) / full_s,
            "ratio": path_s / floor_s}


def _cpu(work: Callable[[], object]) -> float:
    started = time.process_time()
    work()
    return time.process_time() - started


def _json(name: str) -> dict:
    path = RESULTS / f"{name}.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}


def plot(points: list[tuple[int, float]], out: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 4))
    xs, ys = zip(*points, strict=True)
    ax.plot(xs, ys, marker="o", label="measured")
    ax.plot([0, xs[-1]], [0, ys[-1]], linestyle=":", color="grey", label="linear through the largest")
    ax.set_xlabel("archived reports")
    ax.set_ylabel("ingest wall time (s)")
    ax.set_title(f"nianbao ingest on {os.cpu_count()} cores, synthetic 30–100 KB pages (scale {SCALE:g})")
    ax.legend()
    fig.tight_layout()
    fig.savefig(out, dpi=100)
    plt.close(fig)


def main() -> dict:
    from bench.synthetic_archive import fictional_config

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        os.environ["NIANBAO_CONFIG"] = str(fictional_config(SIZES[-1], root / "config"))
        try:
            started = time.perf_counter()
            files = write_archive(SIZES[-1], root / "archive")
            generate_s = time.perf_counter() - started
            startup_s = prefect_startup()
            curve = []
            for size in SIZES:
                run = ingest_run(files[:size], root / f"w{size}.duckdb")
                curve.append((size, run))
                print(f"ingest {size:,} reports: {run['seconds']:.1f} s, loaded {run['loaded']:,}, peak RSS "
                      f"{run['peak_rss_mb']:.0f} MB {run['peak_split_mb']} (+ Prefect's temporary server "
                      f"{run['prefect_server_peak_rss_mb']:.0f} MB)", flush=True)
            biggest = curve[-1][1]
            reload = ingest_run(files, root / f"w{SIZES[-1]}.duckdb")
            html = html_vs_parse(files)
        finally:
            os.environ.pop("NIANBAO_CONFIG", None)
    per_core = transform_per_core()
    crawl = _json("crawl")
    warehouse = _json("warehouse")
    figures = {
        "scale": SCALE,
        "crawl_hosts": crawl.get("crawl_hosts", crawl.get("hosts")),
        "crawl_pages_per_s": crawl.get("crawl_pages_per_s", crawl.get("pages_per_s")),
        "crawl_per_host_violations": crawl.get("crawl_per_host_violations", crawl.get("per_host_violations")),
        "ingest_reports": SIZES[-1],
        "ingest_loaded": biggest["loaded"],
        "ingest_seconds": round(biggest["seconds"], 1),
        "ingest_reports_per_s": round(SIZES[-1] / biggest["seconds"], 1),
        "ingest_peak_rss_mb": round(biggest["peak_rss_mb"]),
        "ingest_peak_rss_split_mb": biggest["peak_split_mb"],
        "ingest_peak_pss_mb": round(biggest["peak_pss_mb"]),
        "prefect_server_peak_rss_mb": round(biggest["prefect_server_peak_rss_mb"]),
        "prefect_overhead_share": round(1 - biggest["inside_tasks"] / biggest["seconds"], 4),
        "prefect_startup_s": round(startup_s, 1),  # not in ingest_seconds: see prefect_startup()
        "transform_reports_per_s_per_core": per_core,
        "html_vs_parse_floor": round(html["ratio"], 2),
        "html_path_pages_per_cpu_s": round(html["html_path_pages_per_s"], 1),
        "html_full_transform_pages_per_cpu_s": round(html["full_pages_per_s"], 1),
        "html_floor_pages_per_cpu_s": round(html["floor_pages_per_s"], 1),
        "yoy_ms": warehouse.get("yoy_view_ms"),
        "reload_share": round(reload["seconds"] / biggest["seconds"], 4),
        "curve": {str(size): round(run["seconds"], 1) for size, run in curve},
        "archive_generate_s": round(generate_s, 1),
        "cores": os.cpu_count(),
    }
    plot([(size, run["seconds"]) for size, run in curve], RESULTS / "scale_ingest.png")
    _print(figures, crawl, warehouse)
    return figures


def _print(figures: dict, crawl: dict, warehouse: dict) -> None:
    for key, value in figures.items():
        aim = AIMS.get(key)
        ratio = f"  (aim {aim:g}; ratio {value / aim:.2f})" if aim and isinstance(value, int | float) else ""
        print(f"{key:34s} {value}{ratio}")
    if not crawl:
        print("crawl figures: null — bench/results/crawl.json is absent (h-async's crawl bench writes it)")
    if not warehouse:
        print("yoy_ms: null — bench/results/warehouse.json is absent (bench_warehouse writes it)")
    print(f"plot: {RESULTS / 'scale_ingest.png'}")


if __name__ == "__main__":
    main()
