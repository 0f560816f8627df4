"""One ingest run over many batches: while the workers transform batch N+1, the one writer loads batch N.

`IngestRun.submit(pages)` reads nothing from the warehouse per batch: the content hashes already loaded
(current extractor version) and the inputs holding a reject are read once when the run starts, and the
run adds what it writes. A page whose content is known is skipped before the transform; a batch with
nothing to write (every page known, no reject to record or clear) never opens the warehouse for writing,
so a reload of files with nothing changed costs reading and hashing the pages. A caller that knows each
input's digest without reading it (the archive's manifest) asks `is_loaded` first and submits the inputs it
need not read as `unchanged`, so a reload from the archive reads nothing it has loaded.

The transform of a batch starts at once on the transformer's workers; the run then waits for the previous
batch's frames (in the calling thread, so Prefect and Dask futures are resolved where they were made) and
hands them to the writer thread, which loads one batch at a time in submission order, each in its own
transaction (warehouse.load.load_frames). The frames of a batch are taken from the workers only once the
writer has finished the batch before, so at most the frames being written, the frames the workers are
handing back and the pages being transformed are in memory.

The writer keeps the file attached for a window (ingest.write_window_reports reports or
ingest.write_window_seconds, whichever comes first) and checkpoints once, when it detaches: each batch is
still its own transaction, committed to DuckDB's write-ahead log, so a run killed mid-window loses no
committed batch and leaves no half batch (DuckDB replays the log when the file is next opened). A checkpoint
per batch of 250 reports cost about half the writer's CPU (DuckDB rewrites the small row groups each batch
appended); one per window of 1,000 reports costs about a third of that per report. After each window the
writer's DuckDB instance is closed, so the memory it keeps does not grow with the warehouse, and readers
waiting for the file get in. A batch whose transform fails as a whole (a worker process killed) becomes one
reject per page, never a lost batch; a batch whose write fails gets the error on its future, and the
batches after it are still written.
"""

from __future__ import annotations

import hashlib
import queue
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Future
from contextlib import ExitStack
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import TracebackType

from ingest.files import input_name
from ingest.malloc import limit_malloc
from ingest.workers import Inline, Transformer, TransformResult
from nianbao.bounds import bounds
from transforms.model import Page
from warehouse.batch import FrameBatch
from warehouse.connection import open_for_writing, release_writer
from warehouse.lake import is_lake
from warehouse.load import KnownInputs, known_inputs, load_frames
from warehouse.location import resolve_warehouse
from warehouse.summary import LoadSummary, RejectRow


@dataclass(slots=True)
class _Batch:
    """A submitted batch: its transform (started), what it needs besides frames, and its future."""

    result: Callable[[], TransformResult]
    todo: list[Page]
    hashes: dict[str, bytes]  # input name → content digest, for the pages transformed
    rejects: list[RejectRow]
    settled: list[str]
    skipped: int
    future: Future[LoadSummary] = field(default_factory=Future)


@dataclass(slots=True)
class _Job:
    """A batch whose frames are ready for the writer."""

    frames: FrameBatch
    batch: _Batch


class IngestRun:
    """Batches of pages → frames (on the transformer's workers) → warehouse (one writer thread). A context
    manager: leaving it waits for every batch submitted to be written (or, after an error in the calling
    code, for the write in progress only; the rest are cancelled)."""

    def __init__(self, warehouse: Path | str | None = None, transformer: Transformer | None = None) -> None:
        self.warehouse = warehouse
        self._location = resolve_warehouse(warehouse)
        self._lake = is_lake(self._location)  # a lake: no window (each batch its own write), no run knowledge
        self.transformer: Transformer = transformer or Inline()
        self._known: KnownInputs | None = None
        self._known_lock = threading.Lock()
        self._pending: _Batch | None = None  # transform started, frames not yet handed to the writer
        self._jobs: queue.Queue[_Job | None] = queue.Queue(maxsize=1)
        self._writer: threading.Thread | None = None
        self._window = bounds().ingest
        # this process reads the pages and pickles them for the workers: glibc's heap otherwise keeps the
        # high-water mark of those blocks (~20 MB of main's peak RSS at 10k reports, bench scale)
        limit_malloc()
        self.write_seconds = 0.0  # the writer's time in load_frames, ATTACH and DETACH (wall), for the bench
        self.write_cpu_seconds = 0.0  # the writer thread's CPU time, for the bench
        self.wait_seconds = 0.0  # the calling thread's wait for frames and for the writer (wall)

    def __enter__(self) -> IngestRun:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.close(cancel=kind is not None)

    def submit(
        self,
        pages: Sequence[Page],
        extra_rejects: Sequence[RejectRow] = (),
        unchanged: Sequence[tuple[str, str | None]] = (),
        digests: Mapping[str, bytes] | None = None,
    ) -> Future[LoadSummary]:
        """Start the transform of the pages not already loaded; the future gives the batch's LoadSummary
        once the writer has loaded it (futures complete in submission order). `unchanged`: inputs (name,
        URL) the caller found loaded already without reading them (their content digest `is_loaded`):
        skipped, and their old rejects cleared, as a page found known here is. `digests`: the sha256 of
        pages' bytes by page name where the caller has checked it already (the archive's reads), so they are
        not hashed again (nor by the transform: each page goes to it with its digest)."""
        usable, rejects = within_limits(pages)
        given = digests or {}
        hashed = [given.get(page.name) or hashlib.sha256(page.data).digest() for page in usable]
        fresh = [not loaded for loaded in self.is_loaded(hashed)]
        # each page to transform carries its digest: the transform's content hash is not computed again
        todo = [
            replace(page, sha256=digest.hex())
            for page, digest, new in zip(usable, hashed, fresh, strict=True)
            if new
        ]
        found = [(page.name, page.url) for page, new in zip(usable, fresh, strict=True) if not new]
        named = [(input_name(name), input_name(url) if url else url) for name, url in unchanged]
        settled = [name for pair in (*named, *found) for name in pair if name]
        hashes = {page.name: digest for page, digest, new in zip(usable, hashed, fresh, strict=True) if new}
        rejects = [*extra_rejects, *rejects]
        result = self.transformer.submit(todo) if todo else _nothing
        batch = _Batch(result, todo, hashes, rejects, settled, len(usable) - len(todo) + len(unchanged))
        self._hand_over_pending()
        self._pending = batch
        return batch.future

    def is_loaded(self, digests: Sequence[bytes | None]) -> list[bool]:
        """For each content digest (sha256, 32 bytes; None: unknown), whether the warehouse holds a report of
        that content with the current extractor version, or this run has written one."""
        known = self._known_inputs()
        with self._known_lock:
            return [digest is not None and digest in known.hashes for digest in digests]

    def flush(self) -> None:
        """Hand the last batch submitted to the writer and wait until every batch is written (the run goes
        on: more batches may follow)."""
        self._hand_over_pending()
        self._jobs.join()

    def close(self, cancel: bool = False) -> None:
        """Hand the last batch to the writer and wait until every batch is written (cancel: drop the
        batches not yet written, but finish the one being written)."""
        try:
            if cancel:
                if self._pending is not None:
                    self._pending.future.cancel()
                    self._pending = None
                self._cancel_queued()
            else:
                self._hand_over_pending()
        finally:
            if self._writer is not None:
                self._jobs.put(None)
                self._writer.join()
                self._writer = None

    def _known_inputs(self) -> KnownInputs:
        if self._known is None:
            self._known = known_inputs(self.warehouse)
        return self._known

    def _hand_over_pending(self) -> None:
        """Wait (here) for the pending batch's frames and queue them for the writer."""
        batch, self._pending = self._pending, None
        if batch is None:
            return
        started = time.perf_counter()
        self._jobs.join()  # the previous batch is written: at most two batches of frames in memory
        try:
            frames, failed = batch.result()
        except Exception as exc:  # the batch's transform died as a whole (e.g. a worker process killed)
            reason = f"transform failed for its whole batch: {type(exc).__name__}: {exc}".splitlines()[0]
            frames, failed = FrameBatch.empty(), [RejectRow(p.name, "extract", reason) for p in batch.todo]
        # the chunks' frames (held by the transform's futures) and the pages go: only the merged frames stay
        batch.result, batch.todo = _nothing, []
        batch.rejects.extend(failed)
        self.wait_seconds += time.perf_counter() - started
        self._start_writer()
        self._jobs.put(_Job(frames, batch))

    def _start_writer(self) -> None:
        if self._writer is None:
            self._writer = threading.Thread(target=self._write_all, name="nianbao-writer", daemon=True)
            self._writer.start()

    def _cancel_queued(self) -> None:
        while True:
            try:
                job = self._jobs.get_nowait()
            except queue.Empty:
                return
            if job is not None:
                job.batch.future.cancel()
            self._jobs.task_done()

    def _write_all(self) -> None:
        """The writer thread: one batch at a time, in order, until the end marker; the file stays attached
        for a window of batches (_write_window)."""
        cpu = time.thread_time()
        try:
            job = self._jobs.get()
            while job is not None:
                job = self._write_window(job)
        finally:
            self.write_cpu_seconds += time.thread_time() - cpu

    def _write_window(self, job: _Job) -> _Job | None:
        """Write `job` and the batches handed over after it while the file stays attached, each in its own
        transaction, until ingest.write_window_reports reports are written or ingest.write_window_seconds
        have passed since attaching: one ATTACH and one checkpoint (at DETACH) per window. Returns the next
        job (None: end).

        Only a window that starts with a batch to write attaches the file (a batch with nothing to write
        never opens the warehouse for writing); a lake has no per-detach checkpoint to save, so each of its
        batches is its own write (load_frames attaches and detaches)."""
        started = time.perf_counter()
        if not self._must_write(job) or self._lake:
            self._run(job)
            return self._jobs.get()
        ended, written = False, 0
        with ExitStack() as attached:
            try:
                attached.enter_context(open_for_writing(self.warehouse))
            except BaseException as exc:  # busy, damaged, not a warehouse: the batch's error
                if job.batch.future.set_running_or_notify_cancel():
                    job.batch.future.set_exception(exc)
                self._jobs.task_done()
                return self._jobs.get()
            opened = time.monotonic()
            self.write_seconds += time.perf_counter() - started
            while True:
                written += self._run(job)
                del job
                left = self._window.write_window_seconds - (time.monotonic() - opened)
                if written >= self._window.write_window_reports or left <= 0:
                    break
                try:
                    job = self._jobs.get(timeout=left)
                except queue.Empty:
                    break
                if job is None:
                    ended = True
                    break
            started = time.perf_counter()
        release_writer()  # else DuckDB keeps memory growing with the warehouse (~20 MB per 10k reports)
        self.write_seconds += time.perf_counter() - started
        return None if ended else self._jobs.get()

    def _run(self, job: _Job) -> int:
        """Write one batch; its future gets the summary, or the error. Returns the reports written."""
        try:
            if job.batch.future.set_running_or_notify_cancel():
                summary = self._write(job)
                job.batch.future.set_result(summary)
                return summary.loaded + summary.replaced
        except BaseException as exc:  # the caller sees it on the batch's future
            job.batch.future.set_exception(exc)
        finally:
            self._jobs.task_done()
        return 0

    def _must_write(self, job: _Job) -> bool:
        """Frames to load, rejects to record, or old rejects of inputs found unchanged to clear."""
        known = self._known_inputs()
        with self._known_lock:
            must_clear = not known.rejected.isdisjoint(job.batch.settled)
        return bool(job.frames.reports.height or job.batch.rejects or must_clear)

    def _write(self, job: _Job) -> LoadSummary:
        batch, known = job.batch, self._known_inputs()
        if self._must_write(job):
            started = time.perf_counter()
            summary = load_frames(
                job.frames, self.warehouse, batch.rejects, batch.settled, None if self._lake else known
            )
            self.write_seconds += time.perf_counter() - started
        else:
            summary = LoadSummary()
        summary.skipped += batch.skipped
        summary.warehouse = str(self._location)
        rejected = {row.input for row in summary.rejects}
        with self._known_lock:
            known.hashes.update(digest for name, digest in batch.hashes.items() if name not in rejected)
            known.rejected.difference_update(batch.settled)
            known.rejected.update(rejected)
        return summary


def _nothing() -> TransformResult:
    return FrameBatch.empty(), []


def within_limits(pages: Sequence[Page]) -> tuple[list[Page], list[RejectRow]]:
    """Pages with names and URLs as valid text, within the size cap; the rest are rejects."""
    cap = bounds().ingest.max_input_bytes
    usable: list[Page] = []
    rejects: list[RejectRow] = []
    for page in pages:
        name = input_name(page.name)
        url = input_name(page.url) if page.url else page.url
        if len(page.data) > cap:
            rejects.append(
                RejectRow(
                    name,
                    "read",
                    f"{len(page.data):,} bytes, over the input size limit of "
                    f"{cap:,} (ingest.max_input_bytes)",
                )
            )
            continue
        usable.append(page if (name, url) == (page.name, page.url) else replace(page, name=name, url=url))
    return usable, rejects
