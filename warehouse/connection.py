"""Opening the warehouse file: for writing (created and migrated on first use) or read-only.

Writes go through one in-memory DuckDB instance per process that ATTACHes the file for the duration of a
load and DETACHes it afterwards (~3 ms, against ~25 ms to start a DuckDB instance per load): the file's
lock is held only while a load runs. Read-only queries get a connection of their own, sandboxed.
"""

from __future__ import annotations

import itertools
import re
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

import duckdb

from nianbao.settings import setting
from warehouse.errors import WarehouseBusyError, WarehouseError
from warehouse.location import resolve_warehouse
from warehouse.migrations import check_not_newer, code_schema_version, migrate
from warehouse.reference import refresh_reference

T = TypeVar("T")

# SQL never sees Python variables by name (DuckDB's replacement scans); frames are registered explicitly.
BASE_CONFIG: dict[str, object] = {"python_enable_replacements": False}
# Read-only SQL cannot touch files, attach databases, install or load extensions or change that setting.
SANDBOX = {
    **BASE_CONFIG, "enable_external_access": False, "autoinstall_known_extensions": False,
    "autoload_known_extensions": False, "lock_configuration": True,
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
        except (duckdb.IOException, duckdb.ResourceInUseException) as exc:
            if isinstance(exc, duckdb.IOException) and "lock" not in str(exc).lower():
                raise _cannot_open(path, exc) from exc
            if not holder:
                holder = _holder(path, exc, writing)
                if LockWait.notice and wait > 0:
                    LockWait.notice(f"{path} is in use by {holder}; waiting up to {wait:g} s "
                                    "(--wait SECONDS to change) …")
            if time.monotonic() >= deadline:
                raise WarehouseBusyError(
                    f"{path}: still in use by {holder} after {wait:g} s; try again when it has finished, or "
                    "give --wait SECONDS (readers can use `nianbao export` output meanwhile)"
                ) from exc
            time.sleep(0.2)
        except duckdb.Error as exc:
            raise _cannot_open(path, exc) from exc


def _cannot_open(path: Path, exc: duckdb.Error) -> WarehouseError:
    return WarehouseError(f"{path}: cannot open the warehouse: {str(exc).splitlines()[0]}")


@contextmanager
def _attachment(path: Path) -> Iterator[tuple[duckdb.DuckDBPyConnection, str]]:
    """The file attached to this process's host instance while any caller needs it: (host, alias)."""
    global _host
    with _ATTACH_LOCK:
        if _host is None:
            _host = duckdb.connect(":memory:", config=BASE_CONFIG)
        host = _host
        alias, users = _attached.get(path, ("", 0))
        if not users:
            alias = f"warehouse_{next(_aliases)}"
            literal = "'" + str(path).replace("'", "''") + "'"
            _waiting_for_lock(path, lambda: host.execute(f"ATTACH {literal} AS {alias}"), writing=True)
        _attached[path] = (alias, users + 1)
    try:
        yield host, alias
    finally:
        with _ATTACH_LOCK:
            alias, users = _attached.pop(path)
            if users > 1:
                _attached[path] = (alias, users - 1)
            else:
                host.execute(f"DETACH {alias}")


@contextmanager
def open_for_writing(warehouse: Path | str | None = None) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-write connection to a migrated warehouse (the file and its folder are created if missing).

    Regions and indicators are (re)loaded on first use and whenever the rule files change.
    """
    path = resolve_warehouse(warehouse).absolute()
    path.parent.mkdir(parents=True, exist_ok=True)
    with _WRITE_LOCK, _attachment(path) as (host, alias):
        con = host.cursor()
        try:
            con.execute(f"USE {alias}")
            migrate(con, path)
            refresh_reference(con)
            yield con
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
    config = SANDBOX if sandboxed else BASE_CONFIG
    if not path.exists():
        with open_for_writing(path):
            pass
    con = _waiting_for_lock(path, lambda: duckdb.connect(str(path), read_only=True, config=config),
                            writing=False)
    try:
        if check_not_newer(con, path) < code_schema_version():
            con.close()
            with open_for_writing(path):
                pass
            con = _waiting_for_lock(path, lambda: duckdb.connect(str(path), read_only=True, config=config),
                            writing=False)
        yield con
    finally:
        con.close()
