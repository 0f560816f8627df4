"""Is the file a nianbao warehouse, and is its storage whole? Checked on every open, before any use.

Identity: a nianbao warehouse records its migrations in `schema_version`, whose first row is nianbao's
first migration. A DuckDB file holding anything else is refused and never migrated; only a new (or
entirely empty) file may become a warehouse, and only for a command that writes.

Storage: every block of every table is read, so DuckDB checks each one: a truncated file fails ("could not
read enough bytes"), a block damaged mid-file fails its checksum. (Comparing the file's length with its
block count is not a check: after a killed write the WAL holds blocks the file does not have yet.) The
check runs under warehouse.check_memory_limit: DuckDB keeps the blocks it reads cached up to its
memory_limit, and under a read's 2 GB a process that checked a 90k-report file held 2.4 GB resident
(0.45 GB at 256 MB, in less CPU).
A failure is one line naming the file, the fault and the way out: `nianbao reprocess` rebuilds the
warehouse from the raw archive.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from nianbao.bounds import bounds
from warehouse.errors import NotAWarehouseError, WarehouseDamagedError, WarehouseError
from warehouse.migrations import known_migrations

_verified: set[tuple[Path, int, int, int]] = set()
# What DuckDB says when the file's bytes are wrong (as opposed to a permission or a missing file).
_DAMAGE_WORDS = (
    "corrupt",
    "checksum",
    "could not read enough bytes",
    "failed to read",
    "serializ",
    "invalid block",
    "invalid database",
    "internal error",
    "pointer",
    "out of range",
)


def way_out(path: Path) -> str:
    return (
        f"move it aside and rebuild it from the raw archive with `nianbao reprocess --warehouse {path}` "
        "(or restore a copy)"
    )


def damaged_error(path: Path, exc: BaseException, reading: bool = False) -> WarehouseError:
    """The one-line error for a file DuckDB cannot open or read: not DuckDB at all, damaged storage, or
    another reason (permissions, a missing folder) said as it is. `reading`: the file opened and a read of
    its own tables failed, which only damaged storage does."""
    detail = " ".join(str(exc).split("\n")[0].split())
    lowered = detail.lower()
    if "not a valid duckdb database" in lowered:
        return NotAWarehouseError(
            f"{path}: not a DuckDB file, so not a nianbao warehouse ({detail}); "
            "pass the path of a nianbao warehouse or of a new file"
        )
    if reading or (isinstance(exc, duckdb.Error) and any(word in lowered for word in _DAMAGE_WORDS)):
        return WarehouseDamagedError(f"{path}: the warehouse file is damaged ({detail}); {way_out(path)}")
    return WarehouseError(f"{path}: cannot open the warehouse: {detail}")


def check_identity(
    con: duckdb.DuckDBPyConnection, path: Path, alias: str | None, may_initialise: bool
) -> bool:
    """True for a nianbao warehouse; False for an empty file a writer may initialise; otherwise
    NotAWarehouseError. `alias` names the attached database (None: the connection's own)."""
    database = alias or _current_database(con)
    try:
        tables = {
            row[0]
            for row in con.execute(
                "SELECT table_name FROM duckdb_tables() WHERE database_name = ? "
                "UNION ALL SELECT view_name FROM duckdb_views() WHERE database_name = ? AND NOT internal",
                [database, database],
            ).fetchall()
        }
        if not tables:
            if may_initialise:
                return False
            raise NotAWarehouseError(
                f"{path}: an empty DuckDB file, not a nianbao warehouse; "
                "load reports into it with `nianbao load` first"
            )
        first = known_migrations()[0]
        if "schema_version" in tables:
            rows = con.execute(
                f'SELECT name FROM "{database}".main.schema_version WHERE version = 1'
            ).fetchall()
            if rows and rows[0][0] == first.name and "warehouse_meta" in tables:
                return True
    except duckdb.Error as exc:
        raise damaged_error(path, exc, reading=True) from exc
    raise NotAWarehouseError(
        f"{path}: not a nianbao warehouse (a DuckDB file with other tables: "
        f"{', '.join(sorted(tables)[:5])}{', …' if len(tables) > 5 else ''}); nianbao neither reads nor "
        "changes it — pass the path of a nianbao warehouse or of a new file"
    )


def verify_storage(con: duckdb.DuckDBPyConnection, path: Path, alias: str | None, memory_limit: str) -> None:
    """Raise WarehouseDamagedError unless every table reads whole; `memory_limit`: the connection's own,
    set again after the check, which runs under warehouse.check_memory_limit (a file whose rows need more
    is checked again under `memory_limit`).
    Once per process and file state (a load of many batches reads the file once, not once per batch)."""
    state = _state(path)
    if state in _verified:
        return
    try:
        con.execute(f"SET memory_limit = '{bounds().warehouse.check_memory_limit}'")
        try:
            _check_storage(con, path, alias)
        except duckdb.OutOfMemoryException:
            con.execute(f"SET memory_limit = '{memory_limit}'")
            _check_storage(con, path, alias)
    except duckdb.OutOfMemoryException as exc:
        detail = " ".join(str(exc).split("\n")[0].split())
        raise WarehouseError(
            f"{path}: not enough memory to check the warehouse's storage within {memory_limit} ({detail})"
        ) from exc
    finally:
        con.execute(f"SET memory_limit = '{memory_limit}'")
    if state:
        _verified.add(state)


def trust_own_write(path: Path) -> None:
    """The file as this process's write left it needs no new check (only its unchecked writes changed it)."""
    state = _state(path)
    if state:
        _verified.add(state)


def _state(path: Path) -> tuple[Path, int, int, int] | None:
    if not path.exists():
        return None
    stat = path.stat()
    return (path.resolve(), stat.st_ino, stat.st_size, stat.st_mtime_ns)


def _check_storage(con: duckdb.DuckDBPyConnection, path: Path, alias: str | None) -> None:
    database = alias or _current_database(con)
    try:
        tables = [
            row[0]
            for row in con.execute(
                "SELECT table_name FROM duckdb_tables() WHERE database_name = ? ORDER BY 1", [database]
            ).fetchall()
        ]
        for table in tables:
            columns = [
                row[0]
                for row in con.execute(
                    "SELECT column_name FROM duckdb_columns() WHERE database_name = ? AND table_name = ?",
                    [database, table],
                ).fetchall()
            ]
            every = ", ".join(f'"{c}"' for c in columns)
            con.execute(f'SELECT count(*), sum(hash({every})) FROM "{database}".main."{table}"').fetchall()
    except duckdb.OutOfMemoryException:  # a limit, not damage: verify_storage decides
        raise
    except duckdb.Error as exc:
        raise damaged_error(path, exc, reading=True) from exc


def _current_database(con: duckdb.DuckDBPyConnection) -> str:
    return str(con.execute("SELECT current_database()").fetchall()[0][0])


def forget_verified() -> None:
    """Check every file again on its next open (what a new process does)."""
    _verified.clear()
