"""Opening the warehouse file: for writing (created and migrated on first use) or read-only."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

from nianbao.settings import setting
from warehouse.errors import WarehouseBusyError, WarehouseError
from warehouse.location import resolve_warehouse
from warehouse.migrations import check_not_newer, code_schema_version, migrate
from warehouse.reference import refresh_reference

# DuckDB lets one process write a file; threads of this process take turns.
_WRITE_LOCK = threading.RLock()
# SQL never sees Python variables by name (DuckDB's replacement scans); frames are registered explicitly.
BASE_CONFIG: dict[str, object] = {"python_enable_replacements": False}
# Read-only SQL cannot touch files, attach databases, load extensions or change that setting.
SANDBOX = {**BASE_CONFIG, "enable_external_access": False, "lock_configuration": True}


def _connect(
    path: Path, read_only: bool, config: dict[str, object] | None = None
) -> duckdb.DuckDBPyConnection:
    """Connect, waiting up to warehouse.lock_wait_seconds while another process holds the file."""
    deadline = time.monotonic() + float(setting("warehouse.lock_wait_seconds"))
    while True:
        try:
            return duckdb.connect(str(path), read_only=read_only, config=config or BASE_CONFIG)
        except duckdb.IOException as exc:
            if "lock" not in str(exc).lower():
                raise _cannot_open(path, exc) from exc
            if time.monotonic() >= deadline:
                raise WarehouseBusyError(
                    f"{path}: another process is writing the warehouse; try again when it has finished "
                    "(readers can use `nianbao export` output meanwhile)"
                ) from exc
            time.sleep(0.2)
        except duckdb.Error as exc:
            raise _cannot_open(path, exc) from exc


def _cannot_open(path: Path, exc: duckdb.Error) -> WarehouseError:
    return WarehouseError(f"{path}: cannot open the warehouse: {str(exc).splitlines()[0]}")


@contextmanager
def open_for_writing(warehouse: Path | str | None = None) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-write connection to a migrated warehouse (the file and its folder are created if missing).

    Regions and indicators are (re)loaded on first use and whenever the rule files change.
    """
    path = resolve_warehouse(warehouse)
    path.parent.mkdir(parents=True, exist_ok=True)
    with _WRITE_LOCK:
        con = _connect(path, read_only=False)
        try:
            migrate(con, path)
            refresh_reference(con)
            yield con
        finally:
            con.close()


@contextmanager
def kept_open(warehouse: Path | str | None = None) -> Iterator[None]:
    """Keep the file open in this process across several loads (a flow's batches): each load then
    reconnects in well under a millisecond instead of reopening the file (~20 ms).

    Loads still take turns and commit one transaction each. While this is held, other processes cannot
    open the file, and this process cannot open it read-only (DuckDB refuses mixed configurations).
    """
    path = resolve_warehouse(warehouse)
    with open_for_writing(path):
        pass
    con = _connect(path, read_only=False)
    try:
        yield
    finally:
        con.close()


@contextmanager
def open_read_only(
    warehouse: Path | str | None = None, sandboxed: bool = True
) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-only connection; sandboxed ones cannot read or write other files.

    A missing file is created first and an older schema migrated, so queries always see every view.
    """
    path = resolve_warehouse(warehouse)
    if not path.exists():
        with open_for_writing(path):
            pass
    con = _connect(path, read_only=True, config=SANDBOX if sandboxed else None)
    try:
        if check_not_newer(con, path) < code_schema_version():
            con.close()
            with open_for_writing(path):
                pass
            con = _connect(path, read_only=True, config=SANDBOX if sandboxed else None)
        yield con
    finally:
        con.close()
