"""Versioned schema: migrations/NNN_name.sql applied in order, recorded in the schema_version table.

On a DuckLake (warehouse/lake.py) the same files apply, statement by statement, less what DuckLake does not
keep: PRIMARY KEY and UNIQUE constraints (a column of a primary key stays NOT NULL; the loader enforces
identities itself, warehouse/identity.py) and comments on view columns (tables' and views' own comments and
table columns' comments are kept). `nianbao schema` documents the DuckDB file's full schema.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import duckdb

from warehouse.errors import SchemaTooNewError, WarehouseError

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
_FILE_NAME = re.compile(r"^(\d{3})_([a-z0-9_]+)\.sql$")


@dataclass(frozen=True, slots=True)
class Migration:
    version: int
    name: str
    path: Path


@cache
def known_migrations() -> tuple[Migration, ...]:
    """The migrations this code ships, by version; versions must run 1, 2, 3 … without gaps."""
    found = []
    for path in sorted(MIGRATIONS_DIR.glob("*.sql")):
        match = _FILE_NAME.match(path.name)
        if not match:
            raise WarehouseError(f"{path}: migration file names must look like 001_name.sql")
        found.append(Migration(int(match.group(1)), match.group(2), path))
    if [m.version for m in found] != list(range(1, len(found) + 1)):
        raise WarehouseError(f"{MIGRATIONS_DIR}: migration versions must be 1..n without gaps")
    return tuple(found)


def code_schema_version() -> int:
    return len(known_migrations())


def schema_version(con: duckdb.DuckDBPyConnection) -> int:
    """The version the open file is at (0 for a new, empty file)."""
    try:
        return int(con.execute("SELECT coalesce(max(version), 0) FROM schema_version").fetchall()[0][0])
    except duckdb.CatalogException:
        return 0


def check_not_newer(con: duckdb.DuckDBPyConnection, path: Path) -> int:
    """The file's version; a clear error when a newer nianbao wrote it."""
    version = schema_version(con)
    if version > code_schema_version():
        raise SchemaTooNewError(
            f"{path}: warehouse schema version {version} is newer than this nianbao knows "
            f"({code_schema_version()}); upgrade nianbao or use another --warehouse"
        )
    return version


def migrate(con: duckdb.DuckDBPyConnection, path: Path) -> list[int]:
    """Bring the file up to the code's schema, one transaction per migration; returns versions applied."""
    current = check_not_newer(con, path)
    applied = []
    lake = _on_ducklake(con)
    for migration in known_migrations()[current:]:
        con.execute("BEGIN TRANSACTION")
        try:
            ddl = (
                "CREATE TABLE IF NOT EXISTS schema_version "
                "(version INTEGER PRIMARY KEY, name VARCHAR NOT NULL, applied_at TIMESTAMP NOT NULL);\n"
                + migration.path.read_text(encoding="utf-8")
            )
            if lake:
                for statement in ducklake_statements(ddl):
                    con.execute(statement)
            else:
                con.execute(ddl)
            con.execute(
                "INSERT INTO schema_version VALUES (?, ?, current_timestamp::TIMESTAMP)",
                [migration.version, migration.name],
            )
            con.execute("COMMIT")
        except duckdb.Error as exc:
            con.execute("ROLLBACK")
            raise WarehouseError(f"{path}: migration {migration.path.name} failed: {exc}") from exc
        applied.append(migration.version)
    return applied


def _on_ducklake(con: duckdb.DuckDBPyConnection) -> bool:
    rows = con.execute(
        "SELECT type FROM duckdb_databases() WHERE database_name = current_database()"
    ).fetchall()
    return bool(rows) and rows[0][0] == "ducklake"


_INLINE_KEY = re.compile(r"\s+PRIMARY\s+KEY\b", re.IGNORECASE)
_TABLE_KEY = re.compile(r",\s*(?:PRIMARY\s+KEY|UNIQUE)\s*\([^)]*\)", re.IGNORECASE)
_COLUMN_COMMENT = re.compile(r"^\s*COMMENT\s+ON\s+COLUMN\s+\"?(\w+)\"?\.", re.IGNORECASE)
_CREATE_VIEW = re.compile(r"^\s*CREATE\s+(?:OR\s+REPLACE\s+)?VIEW\s+\"?(\w+)", re.IGNORECASE)


def ducklake_statements(sql: str) -> list[str]:
    """The statements of a migration as DuckLake takes them (see the module docstring)."""
    views: set[str] = set()
    kept = []
    for parsed in duckdb.extract_statements(sql):
        text = parsed.query
        created = _CREATE_VIEW.match(text)
        if created:
            views.add(created.group(1).lower())
        on_column = _COLUMN_COMMENT.match(text)
        if on_column and (on_column.group(1).lower() in views or _is_known_view(on_column.group(1))):
            continue
        if parsed.type == duckdb.StatementType.CREATE and not created:
            text = _INLINE_KEY.sub(" NOT NULL", _TABLE_KEY.sub("", text))
        kept.append(text)
    return kept


def _is_known_view(name: str) -> bool:
    """Views of earlier migrations (a later file may comment on their columns)."""
    return any(
        re.search(
            rf"CREATE\s+(?:OR\s+REPLACE\s+)?VIEW\s+{re.escape(name)}\b",
            m.path.read_text(encoding="utf-8"),
            re.IGNORECASE,
        )
        for m in known_migrations()
    )
