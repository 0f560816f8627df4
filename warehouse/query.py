"""Ad-hoc SQL, read-only: one SELECT-like statement on a sandboxed connection that cannot touch files,
stopped after warehouse.query_timeout_seconds and held to warehouse.query_memory_limit (config).

Allowed: a single SELECT (WITH, FROM-first, DESCRIBE, SHOW and SUMMARIZE parse as SELECT), PIVOT/UNPIVOT,
and EXPLAIN [ANALYZE] of an allowed statement; read-only table functions such as duckdb_extensions() work.
Refused (QueryRefusedError): everything else — INSERT/UPDATE/DELETE/MERGE, CREATE/DROP/ALTER, COPY,
EXPORT/IMPORT, ATTACH/DETACH, INSTALL/LOAD, SET/RESET/USE, PRAGMA, CALL/CHECKPOINT, VACUUM,
PREPARE/EXECUTE, transactions and several statements at once. A SELECT that reads files (read_csv,
read_parquet, glob, …) or needs an extension (sqlite_scan, read_xlsx, …) is refused by the sandbox, and one
whose WITH clause writes (WITH x AS (DELETE … RETURNING *) SELECT …) by the read-only file.
On a DuckLake the catalog's extension (sqlite or postgres) is loaded and opens its files without DuckDB's
sandbox, so any call of a sqlite_… or postgres_… function is refused before the query runs, as are the
logging switches (enable_logging, …), which DuckDB 1.4 runs despite the locked configuration.
"""

from __future__ import annotations

import re
import threading
from pathlib import Path

import duckdb
import polars as pl

from nianbao.bounds import bounds
from warehouse.connection import open_read_only
from warehouse.errors import QueryRefusedError, QueryTimeoutError, WarehouseError

_WHY = {
    "INSERT": "it writes rows",
    "UPDATE": "it writes rows",
    "DELETE": "it deletes rows",
    "MERGE_INTO": "it writes rows",
    "CREATE": "it changes the schema",
    "DROP": "it changes the schema",
    "ALTER": "it changes the schema",
    "COPY": "it writes or reads files",
    "COPY_DATABASE": "it writes files",
    "EXPORT": "it writes files",
    "ATTACH": "it opens another database",
    "DETACH": "it detaches a database",
    "LOAD": "it installs or loads an extension",
    "SET": "it changes settings",
    "VARIABLE_SET": "it changes settings",
    "PRAGMA": "it can change settings",
    "CALL": "it calls a procedure",
    "VACUUM": "it rewrites the file",
    "TRANSACTION": "transactions are managed by nianbao",
    "IMPORT": "it reads files into tables",
    "CHECKPOINT": "it writes the file",
}


_EXTENSION = re.compile(r"exists in the (\w+) extension")
_EXPLAIN = re.compile(r"^\s*EXPLAIN\s+(?:ANALY[SZ]E\s+)?", re.IGNORECASE)
_PIVOT_WORDS = ("PIVOT", "PIVOT_WIDER", "UNPIVOT", "PIVOT_LONGER")
# a call of the catalog extensions' functions (sqlite_scan, sqlite_attach, postgres_query, …) or of the
# logging switches (DuckDB 1.4 runs enable_logging on a locked configuration), quoted or not
_REFUSED_CALL = re.compile(
    r'(?i)\b"?((?:sqlite|postgres)_\w+|enable_logging|disable_logging|truncate_duckdb_logs)"?\s*'
    r"(?:/\*.*?\*/\s*)*\(",
    re.DOTALL,
)


def check_read_only(con: duckdb.DuckDBPyConnection, sql: str) -> None:
    """Refuse anything but exactly one SELECT statement, naming the statement kind and why."""
    try:
        statements = con.extract_statements(sql)
    except duckdb.Error as exc:
        why = _refusal(exc)
        if why:
            raise QueryRefusedError(f"refused: {why}") from exc
        raise WarehouseError(f"cannot parse the query: {_with_hints(exc)}") from exc
    calls = _REFUSED_CALL.search(sql)
    if calls:
        what = (
            "changes settings"
            if "logging" in calls.group(1).lower() or "logs" in calls.group(1).lower()
            else "opens files outside the warehouse"
        )
        raise QueryRefusedError(f"refused: {calls.group(1)} {what}; `nianbao sql` only reads the warehouse")
    if not statements:
        raise QueryRefusedError("refused: the query is empty")
    words = sql.split(None, 1)
    if (
        len(statements) > 1
        and words
        and words[0].upper() in _PIVOT_WORDS
        and not any(s.query.strip() for s in statements)
    ):
        return  # DuckDB 1.4 expands one PIVOT into statements of its own (a CREATE TYPE, a SELECT), no text
    if len(statements) > 1:
        raise QueryRefusedError(
            f"refused: {len(statements)} statements; `nianbao sql` runs one SELECT at a time"
        )
    kind = statements[0].type.name
    if kind == "EXPLAIN":
        inner = _EXPLAIN.sub("", statements[0].query, count=1)
        if inner == statements[0].query:
            raise QueryRefusedError("refused: cannot read the statement after EXPLAIN")
        check_read_only(con, inner)
        return
    words = statements[0].query.split(None, 1)
    if kind == "MULTI" and words and words[0].upper() in _PIVOT_WORDS:
        return  # PIVOT expands into several read-only statements
    if kind != "SELECT":
        keyword = words[0].upper() if words and words[0].isalpha() and words[0].upper() != "WITH" else kind
        why = _WHY.get(keyword, _WHY.get(kind, "it is not a read-only query"))
        raise QueryRefusedError(
            f"refused: {keyword.replace('_', ' ')} statement ({why}); "
            "`nianbao sql` only runs a read-only SELECT"
        )


def run_query(sql: str, warehouse: Path | str | None = None) -> pl.DataFrame:
    """The result of one read-only SELECT on the warehouse (QueryTimeoutError past the time limit)."""
    limit = bounds().warehouse.query_timeout_seconds
    with open_read_only(warehouse) as con:
        check_read_only(con, sql)
        timer = threading.Timer(limit, con.interrupt)
        timer.daemon = True
        timer.start()
        try:
            return con.sql(sql).pl()
        except duckdb.InterruptException as exc:
            raise QueryTimeoutError(
                f"query stopped after {limit:g} s (warehouse.query_timeout_seconds in config/settings.yaml)"
            ) from exc
        except duckdb.OutOfMemoryException as exc:
            raise WarehouseError(
                f"query needs more memory than warehouse.query_memory_limit in config/settings.yaml "
                f"({bounds().warehouse.query_memory_limit}): {_one_line(exc)}"
            ) from exc
        except duckdb.Error as exc:
            why = _refusal(exc)
            if why:
                raise QueryRefusedError(f"refused: {why}") from exc
            raise WarehouseError(f"query failed: {_with_hints(exc)}") from exc
        finally:
            timer.cancel()


def _refusal(exc: duckdb.Error) -> str | None:
    """Why a failed query counts as refused (it tried to write, change settings or reach outside the file),
    or None for an ordinary error."""
    text = str(exc)
    needed = _EXTENSION.search(text)
    if isinstance(exc, duckdb.PermissionException) or "disabled by configuration" in text:
        return f"the query reaches outside the warehouse ({_one_line(exc)})"
    if isinstance(exc, duckdb.NotImplementedException) and "CTE needs a SELECT" in text:
        return (
            "the query writes (a WITH clause that inserts, updates or deletes); "
            "`nianbao sql` only runs a read-only SELECT"
        )
    if isinstance(exc, duckdb.CatalogException) and needed:
        return f"the query needs the {needed.group(1)} extension; `nianbao sql` loads no extensions"
    if isinstance(exc, duckdb.InvalidInputException) and "configuration has been locked" in text:
        return f"the query changes settings ({_one_line(exc)})"
    if isinstance(exc, duckdb.InvalidInputException) and "read-only mode" in text:
        return (
            "the query writes (a WITH clause that inserts, updates or deletes); "
            "`nianbao sql` only runs a read-only SELECT"
        )
    return None


def _with_hints(exc: Exception) -> str:
    """DuckDB's message on one line, then its hints as it prints them, indented: "Candidate bindings: …",
    "Did you mean …", and the LINE n: … line with the caret under the error (alignment kept)."""
    first, *rest = str(exc).split("\n")
    hints = [f"  {line}" for line in rest if line.strip()]
    return "\n".join([" ".join(first.split()), *hints])


def _one_line(exc: Exception) -> str:
    return " ".join(str(exc).split("\n")[0].split())
