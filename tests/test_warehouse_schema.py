"""Warehouse schema: created on first use, migrated when older, refused when newer; location rules."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import duckdb
import polars as pl
import pytest

from warehouse.connection import open_for_writing, open_read_only
from warehouse.errors import SchemaTooNewError
from warehouse.location import ENV_VAR, default_warehouse_path, resolve_warehouse
from warehouse.migrations import code_schema_version, known_migrations

TABLES = {
    "regions",
    "indicators",
    "reports",
    "sections",
    "quantities",
    "facts",
    "rejects",
    "schema_version",
    "unit_families",
    "table_checks",
}
VIEWS = {"indicator_values", "indicator_yoy", "coverage", "latest_reports", "fact_details", "review"}
USER_VIEWS = "duckdb_views() WHERE NOT internal"


def test_first_use_creates_every_table_and_commented_view(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "w.duckdb"
    with open_read_only(path) as con:
        tables = {r[0] for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
        views = dict(con.execute(f"SELECT view_name, comment FROM {USER_VIEWS}").fetchall())
        version = con.execute("SELECT max(version) FROM schema_version").fetchall()[0][0]
        report_columns = [r[0] for r in con.execute("DESCRIBE reports").fetchall()]
        fact_columns = [r[0] for r in con.execute("DESCRIBE facts").fetchall()]
        reject_columns = [r[0] for r in con.execute("DESCRIBE rejects").fetchall()]
    assert tables >= TABLES
    assert set(views) >= VIEWS
    assert all(views[name] for name in VIEWS), "every view has a COMMENT"
    assert version == code_schema_version()
    for column in (
        "report_id",
        "region_code",
        "kind",
        "report_year",
        "title",
        "issuer",
        "published_at",
        "source",
        "doc_number",
        "url",
        "content_sha256",
        "body",
        "extractor_version",
        "loaded_at",
    ):
        assert column in report_columns
    assert fact_columns == [
        "report_id",
        "code",
        "value",
        "value_high",
        "unit",
        "qualifier",
        "scope",
        "evidence",
        "start",
        "end",
        "sentence",
    ]
    assert reject_columns == ["input", "stage", "reason", "when"]


def test_regions_are_loaded_on_first_use(tmp_path: Path) -> None:
    with open_read_only(tmp_path / "w.duckdb") as con:
        rows = con.execute("SELECT name, level, parent_code FROM regions WHERE code = '990121'").fetchall()
    assert rows == [("示例县", "county", "990100")]


@pytest.mark.parametrize("opener", [open_for_writing, open_read_only])
def test_older_schema_is_migrated(tmp_path: Path, opener: Callable) -> None:
    path = tmp_path / "old.duckdb"
    first = known_migrations()[0]
    con = duckdb.connect(str(path))
    con.execute("CREATE TABLE schema_version (version INTEGER, name VARCHAR, applied_at TIMESTAMP)")
    con.execute(first.path.read_text(encoding="utf-8"))
    con.execute("INSERT INTO schema_version VALUES (1, ?, now()::TIMESTAMP)", [first.name])
    con.close()
    with opener(path) as con:
        versions = [r[0] for r in con.execute("SELECT version FROM schema_version ORDER BY 1").fetchall()]
        views = {r[0] for r in con.execute(f"SELECT view_name FROM {USER_VIEWS}").fetchall()}
    assert versions == list(range(1, code_schema_version() + 1))
    assert views >= VIEWS


def test_newer_schema_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "new.duckdb"
    with open_for_writing(path) as con:
        con.execute("INSERT INTO schema_version VALUES (99, 'from_the_future', now()::TIMESTAMP)")
    for opener in (open_for_writing, open_read_only):
        with (
            pytest.raises(SchemaTooNewError, match=r"schema version 99 is newer than this nianbao knows"),
            opener(path),
        ):
            pass


def test_location_precedence(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ENV_VAR, raising=False)
    assert default_warehouse_path() == Path("data/nianbao.duckdb")
    monkeypatch.setenv(ENV_VAR, str(tmp_path / "env.duckdb"))
    assert default_warehouse_path() == tmp_path / "env.duckdb"
    assert resolve_warehouse(None) == tmp_path / "env.duckdb"
    assert resolve_warehouse(tmp_path / "flag.duckdb") == tmp_path / "flag.duckdb"


@pytest.mark.parametrize("opener", [open_for_writing, open_read_only])
def test_sql_never_reads_python_variables_by_name(tmp_path: Path, opener: Callable) -> None:
    """DuckDB's replacement scans are off: a frame in the caller's scope is not a table."""
    leaked = pl.DataFrame({"secret": ["not for SQL"]})
    with opener(tmp_path / "w.duckdb") as con, pytest.raises(duckdb.CatalogException, match="leaked"):
        con.execute("SELECT * FROM leaked")
    assert leaked.height == 1


@pytest.mark.parametrize("opener", [open_for_writing, open_read_only])
def test_no_progress_bar_is_drawn_on_stdout(tmp_path: Path, opener: Callable) -> None:
    """DuckDB draws its progress bar on stdout, even a pipe, once a query runs over 2 s: into `sql --csv`'s
    output or the line a calling process reads. No connection nianbao opens draws it."""
    with opener(tmp_path / "w.duckdb") as con:
        setting = con.execute("SELECT current_setting('enable_progress_bar')").fetchall()[0][0]
    assert setting is False


def test_a_reader_in_the_same_process_waits_for_a_running_load(tmp_path: Path) -> None:
    """A thread reading while another thread of the process writes waits for the write, not an error."""
    import threading
    import time

    path = tmp_path / "w.duckdb"
    with open_for_writing(path):
        pass
    writing, done = threading.Event(), threading.Event()

    def write() -> None:
        with open_for_writing(path) as con:
            writing.set()
            time.sleep(0.5)
            con.execute("INSERT INTO rejects VALUES ('x', 'fetch', 'HTTP 503', now()::TIMESTAMP)")
        done.set()

    writer = threading.Thread(target=write)
    writer.start()
    writing.wait(10)
    with open_read_only(path) as con:
        assert done.is_set()
        assert con.execute("SELECT count(*) FROM rejects").fetchall() == [(1,)]
    writer.join()
