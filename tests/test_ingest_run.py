"""ingest.run: the writer loads batch N while batch N+1 is transformed; order kept, nothing lost.

Real parts: a real DuckDB file, the real transform, a real reader process holding the file. The one fault
injected is a transformer whose batch dies as a whole (as a killed worker process makes it), at the
Transformer boundary the worker pool and the Dask runner share.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import pytest

from ingest.run import IngestRun
from ingest.workers import Inline, TransformResult
from transforms.model import Page
from warehouse.batch import FrameBatch
from warehouse.connection import LockWait
from warehouse.errors import WarehouseBusyError
from warehouse.query import run_query
from warehouse.synthetic import synthetic_captures


class DiesOnSome:
    """The transform in this process, except that a batch holding one of `fatal` dies as a whole."""

    workers = 1

    def __init__(self, fatal: set[str]) -> None:
        self.fatal = fatal

    def submit(self, pages: Sequence[Page]) -> Callable[[], TransformResult]:
        if self.fatal.intersection(page.name for page in pages):

            def died() -> TransformResult:
                raise RuntimeError("worker process terminated abruptly\nsecond line")

            return died
        return Inline().submit(pages)


def _batches(years: range, size: int) -> list[list[Page]]:
    pages = synthetic_captures(years)
    return [pages[i : i + size] for i in range(0, len(pages), size)]


def test_batches_load_in_order_and_a_batch_whose_transform_dies_is_rejects(tmp_path: Path) -> None:
    path = tmp_path / "w.duckdb"
    batches = _batches(range(2001, 2013), 3)  # four batches of three reports
    with IngestRun(path, DiesOnSome({batches[1][0].name})) as run:
        futures = [run.submit(batch) for batch in batches]
        written: list[int] = []
        for number, future in enumerate(futures):
            future.add_done_callback(lambda _, n=number: written.append(n))
    assert written == [0, 1, 2, 3]
    summaries = [future.result() for future in futures]
    assert [(s.loaded, s.rejected) for s in summaries] == [(3, 0), (0, 3), (3, 0), (3, 0)]
    assert {r.reason for r in summaries[1].rejects} == {
        "transform failed for its whole batch: RuntimeError: worker process terminated abruptly"
    }
    years = run_query("SELECT report_year FROM reports ORDER BY 1", path)["report_year"].to_list()
    assert years == [*range(2001, 2004), *range(2007, 2013)]
    rejected = run_query("SELECT input, stage FROM rejects ORDER BY 1", path).rows()
    assert rejected == [(page.name, "extract") for page in batches[1]]
    with IngestRun(path) as run:  # a rerun loads the batch that died and clears its rejects
        again = [run.submit(batch) for batch in batches]
    assert [(f.result().loaded, f.result().skipped) for f in again] == [(0, 3), (3, 0), (0, 3), (0, 3)]
    assert run_query("SELECT count(*) FROM rejects", path).item() == 0


def test_the_same_content_twice_in_one_run_is_one_report(tmp_path: Path) -> None:
    path = tmp_path / "w.duckdb"
    pages = synthetic_captures(range(2001, 2005))
    with IngestRun(path) as run:
        futures = [run.submit(pages), run.submit(pages), run.submit(pages)]
    summaries = [future.result() for future in futures]
    assert [s.loaded for s in summaries] == [4, 0, 0]
    assert [s.skipped for s in summaries[1:]] == [4, 4]
    assert run_query("SELECT count(*) FROM reports", path).item() == 4
    # the run's digest of each page goes with it to the transform, which does not hash the bytes again
    stored = run_query("SELECT content_sha256 FROM reports ORDER BY 1", path)["content_sha256"].to_list()
    assert stored == sorted(hashlib.sha256(page.data).hexdigest() for page in pages)


@pytest.fixture()
def reader(tmp_path: Path) -> Iterator[Callable[[Path], None]]:
    """Another process holding the warehouse open read-only (a writer could not open it meanwhile)."""
    held: list[subprocess.Popen[str]] = []

    def hold(path: Path) -> None:
        script = (
            "import duckdb, sys, time; con = duckdb.connect(sys.argv[1], read_only=True); "
            "print('open', flush=True); time.sleep(60)"
        )
        process = subprocess.Popen(
            [sys.executable, "-c", script, str(path)], stdout=subprocess.PIPE, text=True
        )
        held.append(process)
        assert process.stdout is not None and process.stdout.readline().strip() == "open"

    yield hold
    for process in held:
        process.kill()
        process.wait()


def test_a_reload_with_nothing_changed_never_opens_the_warehouse_for_writing(
    tmp_path: Path, reader: Callable[[Path], None], monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "w.duckdb"
    batches = _batches(range(2001, 2007), 2)
    with IngestRun(path) as run:
        first = [run.submit(batch) for batch in batches]
    assert sum(future.result().loaded for future in first) == 6
    reader(path)
    monkeypatch.setattr(LockWait, "seconds", 0.0)  # a write would fail at once: the reader holds the file
    with IngestRun(path) as run:
        again = [run.submit(batch) for batch in batches]
    assert [(f.result().loaded, f.result().skipped, f.result().rejected) for f in again] == [(0, 2, 0)] * 3
    with IngestRun(path) as run:  # the check is real: new content must be written, and cannot be
        changed = run.submit(synthetic_captures([2001], revision=1))
    with pytest.raises(WarehouseBusyError):
        changed.result()


def test_a_write_window_builds_the_same_warehouse(tmp_path: Path, use_settings: Callable[..., Path]) -> None:
    """ingest.write_window_reports 12: batches are written while the file stays attached, each its own
    transaction; the tables are those of one attachment per batch, and the file is free after. A page that
    moves to another identity never counts twice."""
    import duckdb

    from ingest.pages import ingest_pages
    from warehouse.checksum import table_checksums

    batches = _batches(range(2001, 2016), 3)  # five batches: a window of four, then one
    use_settings(write_window_reports="1")
    with IngestRun(tmp_path / "one.duckdb") as run:
        for batch in batches:
            run.submit(batch)
    use_settings(write_window_reports="12")
    with IngestRun(tmp_path / "group.duckdb") as run:
        futures = [run.submit(batch) for batch in batches]
    assert [f.result().loaded for f in futures] == [3, 3, 3, 3, 3]
    skip = ("loaded_at", "when")
    one = table_checksums(tmp_path / "one.duckdb", skip_columns=skip)
    assert table_checksums(tmp_path / "group.duckdb", skip_columns=skip) == one
    # each checkpoint's rows are row groups of their own: the writer never vacuums (DuckDB's vacuum merged
    # the last row groups again at every checkpoint, rewriting them)
    groups = "SELECT count(DISTINCT row_group_id) FROM pragma_storage_info('facts')"
    with duckdb.connect(str(tmp_path / "one.duckdb"), read_only=True) as con:
        assert con.execute(groups).fetchone() == (5,)
    reader = subprocess.run(
        [sys.executable, "-c", f"import duckdb; duckdb.connect({str(tmp_path / 'group.duckdb')!r}).close()"],
        timeout=60,
    )
    assert reader.returncode == 0

    # An input written again under another identity drops its old report, whether the run wrote it in an
    # earlier batch or another writer did between two of the run's batches (the run's inputs are read again).
    use_settings(write_window_reports="1")  # each batch detaches, so another writer can come between
    path = tmp_path / "group.duckdb"
    own, own_later, other, other_later = synthetic_captures([2001, 2016, 2017, 2018])
    with IngestRun(path) as run:
        run.submit([own])  # written in window of its own above, known to the run
        assert ingest_pages([other], path).loaded == 1  # another writer, between two batches of the run
        moved = [
            run.submit([Page(name=a.name, data=b.data)]) for a, b in ((own, own_later), (other, other_later))
        ]
    assert [future.result().replaced + future.result().loaded for future in moved] == [1, 1]
    with duckdb.connect(str(path), read_only=True) as con:
        rows = con.execute(
            "SELECT input, report_year FROM reports WHERE input IN (?, ?) ORDER BY input",
            [own.name, other.name],
        ).fetchall()
    assert rows == [(own.name, 2016), (other.name, 2018)]


class BreaksFacts:
    """The transform in this process, except that the batch holding `broken` hands back a fact without a
    code (as a transform bug would): the schemas pass, the warehouse's NOT NULL refuses it mid-write."""

    workers = 1

    def __init__(self, broken: str) -> None:
        self.broken = broken

    def submit(self, pages: Sequence[Page]) -> Callable[[], TransformResult]:
        result = Inline().submit(pages)
        if self.broken not in {page.name for page in pages}:
            return result

        def broken() -> TransformResult:
            frames, rejects = result()
            import polars as pl

            facts = frames.facts.with_columns(
                code=pl.when(pl.int_range(pl.len()) == 0).then(None).otherwise("code")
            )
            return FrameBatch(
                frames.reports, frames.sections, frames.quantities, facts, frames.table_checks
            ), rejects

        return broken


def test_a_batch_whose_write_fails_gets_its_own_error_and_loses_no_other_batch(tmp_path: Path) -> None:
    """The failed batch's SQL aborts its transaction: the batch gets the database's error (not one about the
    aborted transaction, raised by cleaning up after it), stays unknown to the run, and the batches before
    and after it in the same write window load."""
    import hashlib

    import duckdb

    path = tmp_path / "w.duckdb"
    batches = _batches(range(2001, 2007), 2)
    with IngestRun(path, BreaksFacts(batches[1][0].name)) as run:
        futures = [run.submit(batch) for batch in batches]
        run.flush()
        known = [run.is_loaded([hashlib.sha256(page.data).digest() for page in batch]) for batch in batches]
    assert [f.result().loaded for f in (futures[0], futures[2])] == [2, 2]
    with pytest.raises(duckdb.ConstraintException):
        futures[1].result()
    assert known == [[True, True], [False, False], [True, True]]
    years = run_query("SELECT report_year FROM reports ORDER BY 1", path)["report_year"].to_list()
    assert years == [2001, 2002, 2005, 2006]
    orphans = "SELECT count(*) FROM facts WHERE report_id NOT IN (SELECT report_id FROM reports)"
    assert run_query(orphans, path).item() == 0


def test_a_staging_folder_left_by_a_killed_writer_goes(tmp_path: Path) -> None:
    """A writer killed mid-batch leaves its temporary Parquet folder; the next writing process removes it
    (and leaves the folders of processes that still run)."""
    import os
    import tempfile

    import warehouse.staging

    probe = [sys.executable, "-c", "import os; print(os.getpid())"]
    gone = subprocess.run(probe, capture_output=True, text=True, timeout=60)
    dead = Path(tempfile.gettempdir()) / f"nianbao-batch-{gone.stdout.strip()}-test"
    alive = Path(tempfile.gettempdir()) / f"nianbao-batch-{os.getppid()}-test"
    for folder in (dead, alive):
        folder.mkdir(exist_ok=True)
        (folder / "batch_reports.parquet").write_bytes(b"PAR1")
    try:
        warehouse.staging._sweep_dead.cache_clear()
        with IngestRun(tmp_path / "w.duckdb") as run:
            run.submit(_batches(range(2001, 2003), 2)[0])
        assert not dead.exists() and alive.exists()
    finally:
        for folder in (dead, alive):
            shutil.rmtree(folder, ignore_errors=True)
