"""Scale figures (issue 10), written to bench/results/scale.json: ingest of a synthetic archive of realistic
30–100 KB pages on every core (worker processes transform batch N+1 while the one writer loads batch N,
ingest.run) inside a Prefect flow with one task per batch (it reads the batch, as the ingest flow's task
reads the archive); its peak memory (the whole process tree), the time Prefect adds, CPU time per process
role, an unchanged reload, ingest time against corpus size (PNG), the transform per core on 10 KB reports,
the HTML path against decode + parse in the same run, YoY from bench_warehouse and the crawl figures from
bench/results/crawl.json.

The curve's points are checkpoints of the largest run: the time at which the first 10 %, 20 %, … 100 % of
the reports were in the warehouse (one run from an empty warehouse, so a slowdown as the warehouse grows
shows as a bend), with this process's memory at each. NIANBAO_BENCH_SCALE=0.1 (make bench-quick) runs
everything at a tenth of the size and measures the transform per core with one run, not the best of three.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import psutil

    from transforms.model import Hints

RESULTS = Path(__file__).resolve().parent / "results"
SCALE = float(os.environ.get("NIANBAO_BENCH_SCALE", "1"))  # 0.1: make bench-quick
SIZES = tuple(max(100, round(n * SCALE)) for n in (10_000, 30_000, 100_000))
BATCH = 250  # pages per task and transaction
RUNS = 3 if SCALE >= 1 else 1  # runs of the one-core transform measure (the best counts)
AIMS = {
    "ingest_seconds": 180.0 * SCALE,
    "ingest_peak_rss_mb": 1024.0,
    "prefect_overhead_share": 0.05,
    "transform_reports_per_s_per_core": 1000.0,
    "html_vs_parse_floor": 2.0,
    "reload_share": 0.05,
    "yoy_ms": 20.0,
}


class PeakRss:
    """Samples the resident memory of this process and all its children every 0.2 s (PSS, which reads
    /proc/PID/smaps_rollup, every 5 s); keeps the peak of the ingest (this process, the forkserver and the
    transform workers) and, apart, of Prefect's temporary API server (a child in ephemeral mode; a separate
    service in production), with the split at the peak; the children's CPU time by role; its own CPU time
    (a cost of measuring, taken out of this process's figure)."""

    def __init__(self) -> None:
        self.peak = 0
        self.server_peak = 0
        self.pss_peak = 0  # shared pages (the workers fork from one preloaded server) counted once
        self.split: dict[str, int] = {}
        self.cpu: dict[int, tuple[str, float]] = {}  # child pid → (role, CPU seconds last seen)
        self.threads: dict[int, tuple[str, float]] = {}  # this process's thread id → (name, CPU seconds)
        self.own_cpu = 0.0
        self._before: dict[int, float] = {}
        self._threads_before: dict[int, float] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> PeakRss:
        import psutil

        for child in psutil.Process().children(recursive=True):  # running before: count from here
            with contextlib.suppress(psutil.Error):
                self._before[child.pid] = sum(child.cpu_times()[:2])
        self._threads()
        self._threads_before = {tid: seconds for tid, (_, seconds) in self.threads.items()}
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        """Every 0.2 s each known process's RSS (/proc/PID/statm: one short read); every second new children,
        the children's and this process's threads' CPU times; every 5 s PSS (smaps_rollup walks every
        mapping, the costly read). A process or thread's last second of CPU may be missed."""
        import psutil

        me = psutil.Process()
        roles: dict[int, tuple[psutil.Process, str, int]] = {
            me.pid: (me, "main", os.open(f"/proc/{me.pid}/statm", os.O_RDONLY))
        }
        page = os.sysconf("SC_PAGE_SIZE")
        tick = 0
        while not self._stop.wait(0.2):
            if tick % 5 == 0:
                self._threads()
                self._children(me, roles)
            split: dict[str, int] = {}
            server = pss = 0
            for pid, (proc, role, statm) in list(roles.items()):
                try:
                    rss = int(os.pread(statm, 64, 0).split()[1]) * page
                    if pid != me.pid and tick % 5 == 0:
                        self.cpu[pid] = (role, sum(proc.cpu_times()[:2]) - self._before.get(pid, 0.0))
                    if tick % 25 == 0 and role != "prefect_server":
                        pss += proc.memory_full_info().pss
                except (OSError, IndexError, psutil.Error):
                    os.close(statm)
                    del roles[pid]
                    continue
                if role == "prefect_server":
                    server += rss
                else:
                    split[role] = split.get(role, 0) + rss
            tick += 1
            self.server_peak = max(self.server_peak, server)
            self.pss_peak = max(self.pss_peak, pss)
            if sum(split.values()) > self.peak:
                self.peak, self.split = sum(split.values()), split
        for _, _, statm in roles.values():
            os.close(statm)
        self.own_cpu = time.thread_time()

    def _children(self, me: psutil.Process, roles: dict[int, tuple[psutil.Process, str, int]]) -> None:
        """New children of this process (any depth), each with its role and its statm kept open."""
        import psutil

        for child in me.children(recursive=True):
            if child.pid in roles:
                continue
            try:
                args = " ".join(child.cmdline())
                statm = os.open(f"/proc/{child.pid}/statm", os.O_RDONLY)
            except (OSError, psutil.Error):
                continue
            roles[child.pid] = (
                child,
                "prefect_server"
                if "prefect.server" in args
                else "other"
                if "resource_tracker" in args
                else "forkserver"
                if "forkserver" in args and child.ppid() == me.pid
                else "workers",
                statm,
            )

    def _threads(self) -> None:
        """CPU time of each thread of this process as last seen (/proc/self/task/*/stat), named as Python
        names it (else as the OS does), so the main process's CPU splits into the writer, the calling
        thread, Prefect's threads, …"""
        tick = os.sysconf("SC_CLK_TCK")
        names = {thread.native_id: thread.name for thread in threading.enumerate()}
        for stat in Path("/proc/self/task").glob("*/stat"):
            try:
                text = stat.read_text()
            except OSError:  # the thread ended
                continue
            name, rest = text[text.index("(") + 1 : text.rindex(")")], text[text.rindex(")") + 2 :].split()
            tid = int(stat.parent.name)
            name = names.get(tid) or self.threads.get(tid, (name, 0.0))[0]  # Python's name, else the OS's
            self.threads[tid] = (name, (int(rest[11]) + int(rest[12])) / tick)

    def cpu_by_thread(self) -> dict[str, float]:
        """CPU seconds of this process's threads by name, since the sampling started (at most 0.2 s of a
        thread's last moments missed)."""
        totals: dict[str, float] = {}
        for tid, (name, seconds) in self.threads.items():
            totals[name] = totals.get(name, 0.0) + seconds - self._threads_before.get(tid, 0.0)
        return {name: round(n, 1) for name, n in sorted(totals.items(), key=lambda item: -item[1])}

    def cpu_by_role(self) -> dict[str, float]:
        """CPU seconds per role of the child processes, while sampled."""
        totals: dict[str, float] = {}
        for role, seconds in self.cpu.values():
            totals[role] = totals.get(role, 0.0) + seconds
        return {role: round(n, 1) for role, n in totals.items()}


def write_archive(count: int, root: Path) -> list[str]:
    """The first `count` synthetic pages as a real archive (flows.archive: each body stored by its sha256,
    written on every core, and one manifest file of their rows, as scrape leaves them); returns the region
    codes that page_hints reads each page's hints from (what `nianbao load`'s manifest CSV would say; the
    archive's rows carry no region)."""
    from concurrent.futures import ProcessPoolExecutor

    from bench.synthetic_archive import region_codes
    from flows.archive import Archive, ManifestRow, utc_now

    codes = region_codes(count)
    step = 500
    jobs = [(root, start, min(start + step, count), codes) for start in range(0, count, step)]
    with ProcessPoolExecutor(os.cpu_count()) as pool:
        digests = [sha for part in pool.map(_store_pages, jobs) for sha in part]
    stamp = utc_now()
    Archive(root).record(
        ManifestRow(_url(n), _url(n), 200, {"content-type": "text/html"}, stamp, sha)
        for n, sha in enumerate(digests)
    )
    return codes


def _url(number: int) -> str:
    return f"https://synthetic.invalid/{number:06d}.html"


def _hints(url: str, codes: list[str]) -> Hints:
    """A synthetic page's hints, from the number in its URL."""
    from bench.synthetic_archive import page_hints

    return page_hints(int(url.rsplit("/", 1)[1].removesuffix(".html")), codes)


def _store_pages(job: tuple[Path, int, int, list[str]]) -> list[str]:
    from bench.synthetic_archive import page
    from flows.archive import Archive

    root, start, end, codes = job
    archive = Archive(root)
    return [archive.put(page(number, codes).data) for number in range(start, end)]


def ingest_run(archive: Path, codes: list[str], warehouse: Path, marks: tuple[int, ...] = ()) -> dict:
    """One Prefect flow run of the ingest flow's steps (flows.pipeline: the archive's latest rows selected,
    load_rows with a task per batch that reads the batch from the archive, the transform on the worker
    processes, the load by the writer thread here); the one addition is each page's hints (the bench's
    task runs ingest_task's function, then sets them). Returns wall time, the time Prefect adds (flow run
    start and end, each task run's own cost), CPU time per process role, peak RSS, counts, and for each of
    `marks` the time at which that many reports were in the warehouse."""
    import psutil
    from prefect import flow, task
    from prefect.cache_policies import NO_CACHE

    from flows.archive import Archive, ManifestRow
    from flows.pipeline import ArchivedBatch, ingest_task, load_rows, read_archived, select_rows
    from ingest.workers import ProcessPool

    inside = [0.0]  # time inside the task bodies
    calls = [0.0]  # time of the task calls, as the flow sees them
    body = [0.0]  # time inside the flow's body
    done = [0]  # inputs settled (in the warehouse, or skipped)
    reached: dict[int, tuple[float, float]] = {}  # reports → (when, this process's RSS in MB)

    @task(name="bench-read-batch", cache_policy=NO_CACHE, retries=2, retry_delay_seconds=[1, 5])
    def read_task(rows: list[ManifestRow], store: Archive) -> ArchivedBatch:
        started = time.perf_counter()
        batch = ingest_task.fn(rows, store)
        for page in batch.plan.pages:
            page.hints = _hints(page.name, codes)
        inside[0] += time.perf_counter() - started
        return batch

    def read_batch(rows: list[ManifestRow], store: Archive) -> ArchivedBatch:
        called = time.perf_counter()
        batch = read_archived(read_task, rows, store)  # as load_rows calls the ingest flow's task
        calls[0] += time.perf_counter() - called
        return batch

    def written(count: int) -> None:
        before, done[0] = done[0], done[0] + count
        for mark in (m for m in marks if before < m <= done[0]):
            reached.setdefault(mark, (time.perf_counter(), psutil.Process().memory_info().rss / 1e6))

    @flow(name="bench-ingest")
    def bench_ingest() -> tuple[int, int, int]:
        entered = time.perf_counter()
        store = Archive(archive)
        rows = select_rows(store.latest().values(), None, None)
        with ProcessPool() as pool:
            summary = load_rows(rows, store, str(warehouse), BATCH, pool, read_batch, written)
        body[0] = time.perf_counter() - entered
        return summary.loaded, summary.skipped, summary.rejected

    cpu_before = time.process_time()
    with PeakRss() as rss:
        started = time.perf_counter()
        loaded, skipped, rejected = bench_ingest()
        wall = time.perf_counter() - started
    main_cpu = time.process_time() - cpu_before - rss.own_cpu
    prefect_s = (wall - body[0]) + (calls[0] - inside[0])
    return {
        "seconds": wall,
        "prefect_seconds": prefect_s,
        "loaded": loaded,
        "skipped": skipped,
        "rejected": rejected,
        "cpu_s": {"main": round(main_cpu, 1), **rss.cpu_by_role()},
        "main_threads_cpu_s": rss.cpu_by_thread(),
        "peak_rss_mb": rss.peak / 1e6,
        "peak_split_mb": {role: round(n / 1e6) for role, n in rss.split.items()},
        "prefect_server_peak_rss_mb": rss.server_peak / 1e6,
        "peak_pss_mb": rss.pss_peak / 1e6,
        "reached": {mark: (at - started, mb) for mark, (at, mb) in reached.items()},
    }


def prefect_startup() -> None:
    """A trivial first flow run in this process, against the temporary API server (flows.prefect_api, as
    each `nianbao ingest` without a Prefect server runs): Prefect's client set-up is done before the ingest
    runs, which then compare like with like."""
    from prefect import flow

    @flow(name="bench-warm-up")
    def warm_up() -> None:
        return None

    warm_up()


def transform_per_core() -> dict:
    """bench_transform's full transform (10 KB reports) in a child pinned to one core, reports per CPU
    second (the machine may be shared): the best of three runs, or one run at a reduced scale. The figure
    is the frames path the ingest's workers run (extract_pages without report objects, as bench_transform
    measures it); with the per-report Quantity/Indicator objects `nianbao extract` builds, measured apart."""
    return _pinned_child("--one-core", str(RUNS))


def _pinned_child(*args: str) -> dict:
    """This module run in a child with `args` (one polars thread; the child pins itself to one core, see
    __main__): the JSON it prints last."""
    env = {**os.environ, "POLARS_MAX_THREADS": "1", "RAYON_NUM_THREADS": "1"}
    command = [sys.executable, "-m", "bench.bench_scale", *args]
    child = subprocess.run(command, env=env, capture_output=True, text=True, check=True)
    return json.loads(child.stdout.strip().splitlines()[-1])


def _one_core(runs: int) -> dict:
    from bench.bench_transform import best_of, build_pages
    from transforms.extract import extract_pages

    pages, _ = build_pages()
    extract_pages(pages[:20])  # warm caches: config, regexes, region dictionary
    seconds = best_of(runs, lambda: extract_pages(pages, objects=False), time.process_time)
    with_objects = best_of(runs, lambda: extract_pages(pages), time.process_time)
    return {
        "reports": len(pages),
        "runs": runs,
        "reports_per_cpu_s": round(len(pages) / seconds, 1),
        "with_objects_reports_per_cpu_s": round(len(pages) / with_objects, 1),
    }


def html_vs_parse(archive: Path) -> dict:
    """The HTML path (decode, parse budget, strip to the article's lines: transforms.document.strip_page)
    against its floor, decode + one selectolax parse, on the same realistic pages in the same run (CPU
    time); and the whole transform (metadata, quantities, indicators too) on them. In a child pinned to one
    core, as the transform workers run it (a fresh process holding only the transform), the best of RUNS
    of each: measured once each in this process after the ingest, the ~0.1 s floor also counted the CPU of
    the ingest's idle threads (Prefect, polars, DuckDB), and the ratio read between 2.1 and 3.1 from run to
    run."""
    return _pinned_child("--html", str(archive), str(RUNS))


def _html(archive: Path, runs: int) -> dict:
    from selectolax.lexbor import LexborHTMLParser

    from bench.bench_transform import best_of
    from bench.synthetic_archive import region_codes
    from flows.archive import Archive
    from transforms.decode import decode_bytes
    from transforms.document import strip_page
    from transforms.extract import extract_pages
    from transforms.model import Page

    codes = region_codes(SIZES[-1])
    store = Archive(archive)
    rows = sorted(store.latest().values(), key=lambda row: row.url)[:300]
    pages = [Page(name=r.url, data=store.get(r.sha256 or ""), hints=_hints(r.url, codes)) for r in rows]
    extract_pages(pages[:10])

    def floor() -> None:
        for item in pages:
            LexborHTMLParser(decode_bytes(item.data, item.http_charset).text)

    def html_path() -> None:
        for item in pages:
            decoded = decode_bytes(item.data, item.http_charset)
            strip_page(decoded.text, utf8=decoded.utf8)

    floor_s, path_s, full_s = (
        best_of(runs, work, time.process_time) for work in (floor, html_path, lambda: extract_pages(pages))
    )
    return {
        "pages": len(pages),
        "floor_pages_per_s": len(pages) / floor_s,
        "html_path_pages_per_s": len(pages) / path_s,
        "full_pages_per_s": len(pages) / full_s,
        "ratio": path_s / floor_s,
    }


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
    ax.set_ylabel("wall time until that many reports were loaded (s)")
    ax.set_title(f"nianbao ingest on {os.cpu_count()} cores, synthetic 30–100 KB pages (scale {SCALE:g})")
    ax.legend()
    fig.tight_layout()
    fig.savefig(out, dpi=100)
    plt.close(fig)


def main() -> dict:
    from bench.synthetic_archive import fictional_config
    from flows.prefect_api import prefect_api

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        os.environ["NIANBAO_CONFIG"] = str(fictional_config(SIZES[-1], root / "config"))
        try:
            started = time.perf_counter()
            codes = write_archive(SIZES[-1], root / "archive")
            generate_s = time.perf_counter() - started
            opened = time.perf_counter()
            with prefect_api():  # as `nianbao ingest` runs its flow
                prefect_startup()
                startup_s = time.perf_counter() - opened  # the server's start and the first flow run
                marks = tuple(sorted({*SIZES, *(SIZES[-1] * tenth // 10 for tenth in range(1, 10))}))
                biggest = ingest_run(root / "archive", codes, root / "w.duckdb", marks=marks)
                _say("ingest", biggest)
                reload = ingest_run(root / "archive", codes, root / "w.duckdb")
                _say("reload", reload)
            html = html_vs_parse(root / "archive")
        finally:
            os.environ.pop("NIANBAO_CONFIG", None)
    per_core = transform_per_core()
    crawl = _json("crawl")
    warehouse = _json("warehouse")
    writer_cpu = biggest["main_threads_cpu_s"].get("nianbao-writer", 0.0)
    first_cpu = sum(biggest["cpu_s"].get(role, 0.0) for role in ("main", "workers", "forkserver"))
    reload_cpu = sum(reload["cpu_s"].get(role, 0.0) for role in ("main", "workers", "forkserver"))
    figures = {
        "scale": SCALE,
        "crawl_hosts": crawl.get("crawl_hosts", crawl.get("hosts")),
        "crawl_pages_per_s": crawl.get("crawl_pages_per_s", crawl.get("pages_per_s")),
        "crawl_per_host_violations": crawl.get("crawl_per_host_violations", crawl.get("per_host_violations")),
        "ingest_reports": SIZES[-1],
        "ingest_loaded": biggest["loaded"],
        "ingest_seconds": round(biggest["seconds"], 1),
        "ingest_reports_per_s": round(SIZES[-1] / biggest["seconds"], 1),
        "ingest_cpu_s": biggest["cpu_s"],
        # the wall time the CPU work needs on every core, against the wall time measured (shared machine)
        "ingest_cpu_bound_s": round(first_cpu / (os.cpu_count() or 1), 1),
        # the writer thread's own CPU time (part of main's), and per report
        "ingest_writer_cpu_s": round(writer_cpu, 1),
        "ingest_writer_cpu_ms_per_report": round(1000 * writer_cpu / SIZES[-1], 2),
        # the main process's CPU by thread name (nianbao-writer, the calling thread, Prefect's, the sampler)
        "ingest_main_threads_cpu_s": biggest["main_threads_cpu_s"],
        "ingest_peak_rss_mb": round(biggest["peak_rss_mb"]),
        "ingest_peak_rss_split_mb": biggest["peak_split_mb"],
        "ingest_peak_pss_mb": round(biggest["peak_pss_mb"]),
        "prefect_server_peak_rss_mb": round(biggest["prefect_server_peak_rss_mb"]),
        "prefect_overhead_share": round(biggest["prefect_seconds"] / biggest["seconds"], 4),
        "prefect_overhead_s": round(biggest["prefect_seconds"], 2),
        "prefect_startup_s": round(startup_s, 1),  # not in ingest_seconds: see prefect_startup()
        "transform_reports_per_s_per_core": per_core["reports_per_cpu_s"],
        "transform_with_objects_reports_per_s_per_core": per_core["with_objects_reports_per_cpu_s"],
        "transform_runs": RUNS,
        "html_vs_parse_floor": round(html["ratio"], 2),
        "html_path_pages_per_cpu_s": round(html["html_path_pages_per_s"], 1),
        "html_full_transform_pages_per_cpu_s": round(html["full_pages_per_s"], 1),
        "html_floor_pages_per_cpu_s": round(html["floor_pages_per_s"], 1),
        "yoy_ms": warehouse.get("yoy_answer_ms"),
        "reload_share": round(reload["seconds"] / biggest["seconds"], 4),
        "reload_seconds": round(reload["seconds"], 1),
        "reload_skipped": reload["skipped"],
        "reload_cpu_share": round(reload_cpu / first_cpu, 4) if first_cpu else None,
        "curve": {str(size): round(at, 1) for size, (at, _) in sorted(biggest["reached"].items())},
        # this process's RSS as the run passed each point: does the main process grow with the corpus?
        "main_rss_mb_along": {str(size): round(mb) for size, (_, mb) in sorted(biggest["reached"].items())},
        "archive_generate_s": round(generate_s, 1),
        "cores": os.cpu_count(),
    }
    plot([(int(size), seconds) for size, seconds in figures["curve"].items()], RESULTS / "scale_ingest.png")
    _print(figures, crawl, warehouse)
    return figures


def _say(what: str, run: dict) -> None:
    print(
        f"{what} {SIZES[-1]:,} reports: {run['seconds']:.1f} s, loaded {run['loaded']:,}, skipped "
        f"{run['skipped']:,}, rejected {run['rejected']:,}, CPU s {run['cpu_s']}, "
        f"main by thread {run['main_threads_cpu_s']}, Prefect {run['prefect_seconds']:.2f} s, "
        f"peak RSS {run['peak_rss_mb']:.0f} MB {run['peak_split_mb']} "
        f"(PSS {run['peak_pss_mb']:.0f} MB; + Prefect's temporary server "
        f"{run['prefect_server_peak_rss_mb']:.0f} MB)",
        flush=True,
    )


def _print(figures: dict, crawl: dict, warehouse: dict) -> None:
    for key, value in figures.items():
        aim = AIMS.get(key)
        ratio = f"  (aim {aim:g}; ratio {value / aim:.2f})" if aim and isinstance(value, int | float) else ""
        print(f"{key:34s} {value}{ratio}")
    if not crawl:
        print("crawl figures: null — bench/results/crawl.json is absent (h-async's crawl bench writes it)")
    if not warehouse:
        print("yoy_ms: null — bench/results/warehouse.json is absent (bench_warehouse writes it)")
    if RUNS == 1:
        print("transform_reports_per_s_per_core: one run (reduced scale), not the best of three")
    print("curve: checkpoints of the one largest run (time until the first N reports were loaded)")
    print(f"plot: {RESULTS / 'scale_ingest.png'}")


if __name__ == "__main__":
    if "--one-core" in sys.argv or "--html" in sys.argv:  # a _pinned_child: on one core
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    if "--one-core" in sys.argv:
        print(json.dumps(_one_core(int(sys.argv[-1]))))
    elif "--html" in sys.argv:
        print(json.dumps(_html(Path(sys.argv[-2]), int(sys.argv[-1]))))
    else:
        main()
