"""Opening the warehouse file: for writing (created and migrated on first use) or read-only.

Writes go through one in-memory DuckDB instance per process that ATTACHes the file for the duration of a
load and DETACHes it afterwards (~3 ms, against ~25 ms to start a DuckDB instance per load): the file's
lock is held only while a load runs. Read-only queries get a connection of their own, sandboxed, with the
memory limit of config (warehouse.query_memory_limit).

A DuckLake warehouse (warehouse/lake.py) is ATTACHed the same way, through its catalog: its writers take no
file lock, so a load neither waits for analysts nor locks them out, and two loaders write at once (DuckLake
commits each transaction as a snapshot).

Only a nianbao warehouse is ever opened (warehouse/integrity.py): another DuckDB file is refused and never
migrated, and a damaged one is one clear error that names the way out.
"""

from __future__ import annotations

import itertools
import os
import re
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

import duckdb

from nianbao.bounds import bounds
from nianbao.settings import setting
from warehouse.errors import WarehouseBusyError, WarehouseError
from warehouse.integrity import check_identity, damaged_error, trust_own_write, verify_storage
from warehouse.lake import (
    NO_LAKE_YET,
    attach,
    connect_config,
    is_lake,
    lake_exists,
    lake_of,
    readable_data,
)
from warehouse.location import resolve_warehouse
from warehouse.migrations import check_not_newer, code_schema_version, migrate
from warehouse.reference import refresh_reference

T = TypeVar("T")

# SQL never sees Python variables by name (DuckDB's replacement scans); frames are registered explicitly.
BASE_CONFIG: dict[str, object] = {"python_enable_replacements": False}
# The writer checkpoints when it detaches the file (at the end of a load, or of ingest.run's window of
# batches), not whenever the write-ahead log passes DuckDB's default 16 MB (one batch of long reports).
# Its checkpoints write each window's rows as new row groups and never vacuum: DuckDB's vacuum merges the
# table's last row groups whenever three fit in two, so a window of 1,000 reports rewrote ~240k old facts
# rows (and the last row groups of sections and picked_values) at every checkpoint, ~0.5 ms per report of
# the writer's ~0.75 ms checkpoint. A row group whose rows are all deleted is still dropped; a partly
# deleted one keeps its space (a replaced report's rows), as the tables with indexes always did.
WRITER_CONFIG: dict[str, object] = {"checkpoint_threshold": "1GB", "max_vacuum_tasks": 0}
# Read-only SQL cannot touch files, attach databases, install or load extensions or change that setting
# (external access is switched off and the configuration locked right after connecting, see _sandbox).
_NO_EXTENSIONS = Path(tempfile.gettempdir()) / f"nianbao-no-extensions-{getattr(os, 'getuid', lambda: 0)()}"
_SANDBOX_START: dict[str, object] = {
    "extension_directory": str(_NO_EXTENSIONS),
    "autoinstall_known_extensions": False,
    "autoload_known_extensions": False,
}

# DuckDB lets one process write a file; threads of this process take turns.
_WRITE_LOCK = threading.RLock()
_ATTACH_LOCK = threading.Lock()
_host: duckdb.DuckDBPyConnection | None = None
_attached: dict[Path, tuple[str, int]] = {}  # file → (alias in the host, number of users)
_aliases = itertools.count(1)


class LockWait:
    """How long to wait for a busy file (None: warehouse.lock_wait_seconds) and whom to tell, at once, that
    we wait (the CLI prints it; library callers are silent)."""

    seconds: float | None = None
    notice: Callable[[str], None] | None = None


_PID = re.compile(r"\(PID (\d+)\)")
_LOCK_WORD = re.compile(r"\block\b")  # "Could not set lock on file"; never the "block" of a damaged file


def _holder(path: Path, exc: duckdb.Error, writing: bool) -> str:
    """Who holds the file: 'a writer' or 'readers', with the process id DuckDB names.

    A read-only open fails only while a writer holds the file; when a write fails, a read-only probe tells
    whether the holder writes (the probe fails too) or only reads.
    """
    pid = _PID.search(str(exc))
    kind = "a writer"
    if writing and isinstance(exc, duckdb.IOException):
        try:
            duckdb.connect(str(path), read_only=True, config=BASE_CONFIG).close()
            kind = "a reader"
        except duckdb.Error:
            pass
    return f"{kind} (process {pid.group(1)})" if pid else kind


def _waiting_for_lock(path: Path, open_file: Callable[[], T], writing: bool) -> T:
    """Run open_file, retrying up to LockWait.seconds (default warehouse.lock_wait_seconds) while another
    process holds the file (or, in this process, a reader holds it while a writer wants it, or the other way
    round). The first failure is announced through LockWait.notice, naming the holder's kind."""
    wait = LockWait.seconds if LockWait.seconds is not None else float(setting("warehouse.lock_wait_seconds"))
    deadline = time.monotonic() + wait
    holder = ""
    while True:
        try:
            return open_file()
        except duckdb.Error as exc:
            if not _busy(exc):
                raise damaged_error(path, exc) from exc
            if not holder:
                holder = _holder(path, exc, writing)
                if LockWait.notice and wait > 0:
                    LockWait.notice(
                        f"{path} is in use by {holder}; waiting up to {wait:g} s (--wait SECONDS to change) …"
                    )
            if time.monotonic() >= deadline:
                raise WarehouseBusyError(
                    f"{path}: still in use by {holder} after {wait:g} s; try again when it has finished, or "
                    "give --wait SECONDS (readers can use `nianbao export` output meanwhile)"
                ) from exc
            time.sleep(0.2)


def _busy(exc: duckdb.Error) -> bool:
    """DuckDB 1.4's ways of saying the file is in use: another process's lock (IOException naming the
    lock), or this process has it attached in another mode (BinderException: "already attached")."""
    text = str(exc).lower()
    return (isinstance(exc, duckdb.IOException) and _LOCK_WORD.search(text) is not None) or (
        isinstance(exc, duckdb.BinderException) and "already attached" in text
    )


@contextmanager
def _attachment(path: Path) -> Iterator[tuple[duckdb.DuckDBPyConnection, str, bool]]:
    """The file attached to this process's host instance while any caller needs it: (host, alias, whether
    this caller attached it)."""
    global _host
    with _ATTACH_LOCK:
        if _host is None:
            limits = bounds().ingest
            config = {**BASE_CONFIG, **WRITER_CONFIG, "memory_limit": limits.writer_memory_limit}
            if limits.writer_threads:  # the writer loads beside the transform workers
                config["threads"] = limits.writer_threads
            _host = _quiet(duckdb.connect(":memory:", config=config))
        host = _host
        alias, users = _attached.get(path, ("", 0))
        if not users:
            alias = f"warehouse_{next(_aliases)}"
            if is_lake(path):
                _attach_lake(host, path, alias, read_only=False)
            else:
                literal = "'" + str(path).replace("'", "''") + "'"
                _waiting_for_lock(path, lambda: host.execute(f"ATTACH {literal} AS {alias}"), writing=True)
        _attached[path] = (alias, users + 1)
    try:
        yield host, alias, not users
    finally:
        with _ATTACH_LOCK:
            alias, users = _attached.pop(path)
            if users > 1:
                _attached[path] = (alias, users - 1)
            else:
                host.execute(f"DETACH {alias}")


def release_writer() -> None:
    """Close this process's write instance when nothing is attached: the memory DuckDB keeps after a write
    (its allocator holds on to what the attached file's indexes and the batch needed) goes with it; the
    next write starts a new instance (~25 ms). An ingest run calls this after each batch."""
    global _host
    with _ATTACH_LOCK:
        if _host is not None and not _attached:
            _host.close()
            _host = None


@contextmanager
def open_for_writing(warehouse: Path | str | None = None) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-write connection to a migrated warehouse (the file and its folder are created if missing).

    Regions and indicators are (re)loaded on first use and whenever the rule files change. The file as this
    write leaves it counts as checked (its blocks were checked before, the new ones DuckDB just wrote), so
    the next batch of a load does not read the whole file again. A caller inside another's attachment (the
    batches of ingest.run's window) skips these checks: the file is as the attaching caller checked it.
    """
    path = resolve_warehouse(warehouse)
    lake = is_lake(path)
    if not lake or lake_of(path).catalog.startswith("sqlite:"):
        path = path.absolute()
        path.parent.mkdir(parents=True, exist_ok=True)
    with _WRITE_LOCK:
        with _attachment(path) as (host, alias, attached):
            con = _quiet(host.cursor())
            try:
                con.execute(f"USE {alias}")
                if attached:
                    if check_identity(con, path, alias, may_initialise=True) and not lake:
                        verify_storage(con, path, alias, bounds().ingest.writer_memory_limit)
                    migrate(con, path)
                    refresh_reference(con)
                yield con
            finally:
                con.close()
        trust_own_write(path)


@contextmanager
def open_read_only(
    warehouse: Path | str | None = None, sandboxed: bool = True
) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-only connection to a nianbao warehouse whose storage passed DuckDB's checks; sandboxed ones
    cannot read or write other files.

    A missing file is created first and an older nianbao schema migrated, so queries always see every view;
    a DuckDB file that is not a nianbao warehouse is refused (NotAWarehouseError), never migrated.
    A DuckLake reader sees the last snapshot committed when it attached, whatever loads run meanwhile; its
    Parquet files are checked by the Parquet reader as they are read (no whole-storage pass on open).
    """
    path = resolve_warehouse(warehouse)
    lake = is_lake(path)
    if not (lake_exists(path) if lake else path.exists()):
        with open_for_writing(path):
            pass
    try:
        con = _connect_read_only(path, sandboxed)
    except _NoLakeYetError:
        with open_for_writing(path):
            pass
        con = _connect_read_only(path, sandboxed)
    try:
        check_identity(con, path, None, may_initialise=False)
        if check_not_newer(con, path) < code_schema_version():
            con.close()
            with open_for_writing(path):
                pass
            con = _connect_read_only(path, sandboxed)
        if not lake:
            verify_storage(con, path, None, bounds().warehouse.query_memory_limit)
        if sandboxed:
            _sandbox(con, readable_data(path))
        yield con
    finally:
        con.close()


def _connect_read_only(path: Path, sandboxed: bool) -> duckdb.DuckDBPyConnection:
    limits = bounds().warehouse
    config = {
        **BASE_CONFIG,
        "memory_limit": limits.query_memory_limit,
        "max_temp_directory_size": limits.query_spill_limit,
    }
    if sandboxed:
        config.update(_SANDBOX_START)
    if is_lake(path):
        con = _quiet(duckdb.connect(":memory:", config={**config, **connect_config(path)}))
        try:
            _attach_lake(con, path, "lake", read_only=True)
            con.execute("USE lake")
        except BaseException:
            con.close()
            raise
        return con
    return _waiting_for_lock(
        path, lambda: _quiet(duckdb.connect(str(path), read_only=True, config=config)), writing=False
    )


def _quiet(con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    """No progress bar on this connection: DuckDB draws it on stdout, even a pipe, once a query runs over
    2 s (into the CSV `sql --csv` writes there, or the line a calling process reads). A session setting,
    so each connection and cursor sets it."""
    con.execute("SET enable_progress_bar = false")
    return con


def _attach_lake(con: duckdb.DuckDBPyConnection, path: Path, alias: str, read_only: bool) -> None:
    """ATTACH a lake; a catalog that cannot be opened is one clear error. A reader that finds a PostgreSQL
    database holding no lake yet raises _NoLakeYetError (open_read_only then creates one, as for a missing
    file)."""
    try:
        attach(con, path, alias, read_only=read_only)
    except duckdb.Error as exc:
        if read_only and NO_LAKE_YET in str(exc).lower():
            raise _NoLakeYetError(f"{path}: no warehouse in this database yet") from exc
        raise damaged_error(path, exc) from exc


class _NoLakeYetError(WarehouseError):
    """A PostgreSQL database (taken to exist, see lake.lake_exists) that holds no lake yet."""


def _sandbox(con: duckdb.DuckDBPyConnection, lake_data: str | None = None) -> None:
    """No file outside an empty folder of nianbao's own (so listing extensions works) and, on a lake, its
    data folder or S3 prefix; no extension loading, and settings locked so SQL cannot undo any of it."""
    allowed = [str(_NO_EXTENSIONS), *([lake_data] if lake_data else [])]
    con.execute(f"SET allowed_directories = [{', '.join(_literal(a) for a in allowed)}]")
    con.execute("SET enable_external_access = false")
    con.execute("SET lock_configuration = true")


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def check_warehouse(warehouse: Path | str | None = None) -> None:
    """Raise the one-line error of an existing file that is not a whole nianbao warehouse (a command checks
    before it starts work); a missing file passes, the first load creates it."""
    path = resolve_warehouse(warehouse)
    if lake_exists(path) if is_lake(path) else path.exists():
        with open_read_only(warehouse, sandboxed=False):
            pass
