"""The transform on every core: a batch of pages is cut into chunks, worker processes turn each chunk into
frames, and the frames come back to the one writer (DuckDB has one writer), renumbered into one batch.

A Transformer runs `pages_to_frames` somewhere: in this process (one worker), in a pool of local processes
(ProcessPool, the default with ingest.workers or os.cpu_count() processes) or as Prefect tasks on the flow's
task runner (flows/runners.py, e.g. a Dask cluster). Every kind returns the same frames for the same pages.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Protocol

import polars as pl

from transforms.model import Page
from warehouse.batch import FrameBatch
from warehouse.summary import RejectRow

TransformResult = tuple[FrameBatch, list[RejectRow]]
# Imported by the workers' forkserver before it forks them: one polars thread, glibc malloc settings.
WORKER_SETUP = "ingest.worker_process"
# A chunk below this many pages costs more in pickling and hand-over than it gains on another core.
MIN_CHUNK = 16


class Transformer(Protocol):
    """Turns pages into frames (and rejects for pages the transform fails on)."""

    workers: int

    def submit(self, pages: Sequence[Page]) -> Callable[[], TransformResult]:
        """Start the transform; the returned callable waits for and returns the merged result."""
        ...


def worker_count(requested: int | None = None) -> int:
    """Workers for the transform: the request (CLI), else ingest.workers from settings, else the CPUs."""
    if requested:
        return requested
    from nianbao.bounds import bounds

    return bounds().ingest.workers or os.cpu_count() or 1


def chunks(pages: Sequence[Page], workers: int) -> list[list[Page]]:
    """Pages cut into about two chunks per worker (so a slow chunk does not idle the others), each at least
    MIN_CHUNK pages; input order is kept within and across chunks."""
    if not pages:
        return []
    count = max(1, min(2 * workers, len(pages) // MIN_CHUNK))
    size = -(-len(pages) // count)
    return [list(pages[i : i + size]) for i in range(0, len(pages), size)]


def merge(parts: Sequence[TransformResult]) -> TransformResult:
    """One batch from the chunks' batches, in order: each chunk's `doc` numbers shifted past the previous
    chunks' reports, so frames still join on `doc` as if one process had transformed every page."""
    if not parts:
        return FrameBatch.empty(), []
    if len(parts) == 1:
        return parts[0]
    frames: dict[str, list[pl.DataFrame]] = {name: [] for name in _FRAMES}
    rejects: list[RejectRow] = []
    offset = 0
    for batch, failed in parts:
        for name in _FRAMES:
            frame = getattr(batch, name)
            frames[name].append(frame.with_columns(pl.col("doc") + offset) if offset else frame)
        offset += batch.reports.height
        rejects.extend(failed)
    return FrameBatch(*(pl.concat(frames[name], how="vertical") for name in _FRAMES)), rejects


_FRAMES = ("reports", "sections", "quantities", "facts", "table_checks")


class Inline:
    """The transform in this process (one worker; also the path for a single small batch)."""

    workers = 1

    def submit(self, pages: Sequence[Page]) -> Callable[[], TransformResult]:
        from ingest.pages import pages_to_frames

        result = pages_to_frames(pages)
        return lambda: result


class ProcessPool:
    """Local worker processes, started once (forkserver) and reused for every batch of a run (started again
    if one died); a context manager that stops them at the end."""

    def __init__(self, workers: int | None = None) -> None:
        self.workers = worker_count(workers)
        self._pool: ProcessPoolExecutor | None = None

    def __enter__(self) -> ProcessPool:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def submit(self, pages: Sequence[Page]) -> Callable[[], TransformResult]:
        parts = chunks(pages, self.workers)
        if self.workers == 1 or len(parts) < 2:
            return Inline().submit(pages)
        try:
            futures = self._submit_chunks(parts)
        except BrokenProcessPool:  # a worker died in an earlier batch (that batch became rejects): start anew
            self.close()
            futures = self._submit_chunks(parts)
        return lambda: merge([future.result() for future in futures])

    def _submit_chunks(self, parts: list[list[Page]]) -> list[Future[TransformResult]]:
        pool = self._executor()
        return [pool.submit(_transform_chunk, part) for part in parts]

    def _executor(self) -> ProcessPoolExecutor:
        if self._pool is None:
            # the forkserver preloads only the workers' memory settings (ingest.worker_process): holding the
            # transform modules cost ~110 MB of its own while sharing little with the workers, which read
            # the rules anyway (measured by bench_scale's PSS); the module is named, never imported here
            context = multiprocessing.get_context("forkserver")
            context.set_forkserver_preload([WORKER_SETUP])
            self._pool = ProcessPoolExecutor(self.workers, mp_context=context, initializer=_warm)
        return self._pool


def _warm() -> None:
    """A worker reads the rules once when it starts (config, regexes, region dictionary), not mid-batch.

    It applies ingest.worker_process's settings again: the forkserver is one per process, and one another
    pool started first (transforms.doc_worker) preloads something else; malloc's settings still take hold
    here, polars' thread count only if polars is not imported yet."""
    from ingest.worker_process import configure
    from transforms.extract import extract_pages

    configure()

    extract_pages([Page(name="warm-up.txt", data="示例县人民政府工作报告".encode())])


def _transform_chunk(pages: list[Page]) -> TransformResult:
    from ingest.pages import pages_to_frames

    return pages_to_frames(pages)
