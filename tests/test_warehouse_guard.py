"""What the warehouse commands do with files that are not a whole nianbao warehouse, exports under readers,
and queries that would run too long or take too much memory (issue 9, items 6, 9, 13 and 14)."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import duckdb
import pytest
from export_poller import polling_export

from nianbao.cli import main
from warehouse.connection import open_read_only
from warehouse.export import export_parquet
from warehouse.load import load_frames
from warehouse.synthetic import fictional_region_codes, synthetic_batch, synthetic_captures

READING = [
    ["sql", "SELECT count(*) FROM reports"],
    ["yoy", "litigation.cases"],
    ["chart", "litigation.cases", "--region", "990121", "--out", "{tmp}/c.png"],
    ["export", "{tmp}/out"],
]


def _commands(tmp_path: Path, captures: Path) -> list[list[str]]:
    return [[part.format(tmp=tmp_path) for part in cmd] for cmd in [*READING, ["load", str(captures)]]]


@pytest.fixture(scope="module")
def good_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("guard") / "w.duckdb"
    load_frames(synthetic_batch(fictional_region_codes(300), range(2012, 2025), facts_per_report=30), path)
    return path


@pytest.fixture()
def captures(tmp_path: Path) -> Path:
    folder = tmp_path / "pages"
    folder.mkdir()
    for number, page in enumerate(synthetic_captures([2016, 2017])):
        (folder / f"p{number}.txt").write_bytes(page.data)
    return folder


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _one_line_error(capsys: pytest.CaptureFixture[str], *words: str) -> str:
    err = capsys.readouterr().err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in err, err
    for word in words:
        assert word in lines[0], lines[0]
    return lines[0]


def test_another_duckdb_file_is_refused_and_never_changed(
    tmp_path: Path, captures: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Item 6: no nianbao command migrates or writes a DuckDB file that is not a nianbao warehouse."""
    other = tmp_path / "other.duckdb"
    con = duckdb.connect(str(other))
    con.execute("CREATE TABLE measurements (station VARCHAR, value DOUBLE)")
    con.execute("INSERT INTO measurements VALUES ('a', 1.5)")
    con.close()
    before = _sha(other)
    for command in _commands(tmp_path, captures):
        assert main([*command, "--warehouse", str(other)]) == 1, command
        _one_line_error(capsys, "not a nianbao warehouse")
        assert _sha(other) == before, command
    con = duckdb.connect(str(other), read_only=True)
    assert con.execute("SELECT table_name FROM duckdb_tables()").fetchall() == [("measurements",)]
    con.close()


def _damaged_copies(good: Path, folder: Path) -> dict[str, Path]:
    truncated, corrupted = folder / "truncated.duckdb", folder / "corrupted.duckdb"
    shutil.copy(good, truncated)
    shutil.copy(good, corrupted)
    size = good.stat().st_size
    with truncated.open("r+b") as fh:
        fh.truncate(size // 2)
    with corrupted.open("r+b") as fh:  # a run of damaged 4 KiB pages across the second half of the file
        for offset in range(size // 2, size - 4096, 64 * 1024):
            fh.seek(offset)
            fh.write(bytes(range(256)) * 16)
    return {"truncated": truncated, "corrupted": corrupted}


def test_a_damaged_warehouse_is_one_clear_line_from_every_command(
    good_warehouse: Path, tmp_path: Path, captures: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Item 9: truncated or corrupted mid-file, every command exits 1 with one line naming the way out."""
    for kind, path in _damaged_copies(good_warehouse, tmp_path).items():
        for command in _commands(tmp_path, captures):
            assert main([*command, "--warehouse", str(path)]) == 1, (kind, command)
            _one_line_error(capsys, "damaged", "nianbao reprocess")
        assert main(["ingest", "--warehouse", str(path), "--archive", str(tmp_path / "archive")]) == 1
        _one_line_error(capsys, "damaged", "nianbao reprocess")


def test_export_publishes_every_table_at_once_while_readers_read(
    good_warehouse: Path, tmp_path: Path
) -> None:
    """Item 13: a reader polling the export folder never finds a table missing, and after each export
    DIR points at one complete version (the switch is one atomic rename of a link)."""
    out = tmp_path / "export"
    versions = tmp_path / ".export.versions"
    export_parquet(out, good_warehouse)
    with polling_export(out, "facts/", "reports/", "regions.parquet", settle=0.2, timeout=10) as seen:
        for _ in range(4):
            export_parquet(out, good_warehouse)
            target = out.resolve()
            assert out.is_symlink() and target.parent == versions.resolve()
            assert {p.name for p in target.iterdir()} >= {"facts", "reports", "regions.parquet"}
    polls, misses = seen.polls, seen.misses
    assert polls > 100 and misses == 0, (polls, misses)
    assert len(list(versions.iterdir())) <= 2


def test_a_query_past_the_time_limit_is_stopped(
    good_warehouse: Path, use_settings: Callable[..., Path], capsys: pytest.CaptureFixture[str]
) -> None:
    """Item 14: a recursive CTE that never ends is interrupted after query_timeout_seconds."""
    use_settings(query_timeout_seconds="1")
    start = time.monotonic()
    endless = "WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r) SELECT count(*) FROM r"
    assert main(["sql", endless, "--warehouse", str(good_warehouse)]) == 1
    assert time.monotonic() - start < 15
    _one_line_error(capsys, "query_timeout_seconds")


def test_a_query_stays_within_the_memory_limit(
    good_warehouse: Path, use_settings: Callable[..., Path]
) -> None:
    """Item 14: a DISTINCT over 8 M distinct strings (≈ 900 MB resident without a limit) stays near
    query_memory_limit (it spills to disk) or fails with one line; measured as the child's peak RSS."""
    use_settings(query_memory_limit="64MB")
    big = (
        "SELECT count(DISTINCT s) AS n FROM (SELECT range::VARCHAR || repeat('x', 40) AS s "
        "FROM range(8000000))"
    )
    command = [sys.executable, "-m", "nianbao.cli", "sql", big, "--warehouse", str(good_warehouse), "--csv"]
    child = subprocess.run(
        [sys.executable, "-c", _PEAK_RSS, *command], capture_output=True, text=True, timeout=300
    )
    out, peak = child.stdout.rsplit("peak_kb=", 1)
    assert int(peak) / 1024 < 500, f"{int(peak) / 1024:.0f} MB"
    assert (child.returncode, out) == (0, "n\n8000000\n") or (
        child.returncode == 1 and "query_memory_limit" in child.stderr
    ), child.stderr


def test_the_storage_check_reads_under_its_own_memory_limit(
    good_warehouse: Path, tmp_path: Path, use_settings: Callable[..., Path]
) -> None:
    """The check of every block on open runs under warehouse.check_memory_limit (DuckDB keeps what it reads
    cached up to its limit), then the connection has the read's limit again; a file the check's limit is
    too small for is checked again under the connection's own limit, never called damaged."""
    use_settings(check_memory_limit="1MB", query_memory_limit="300MB")
    unchecked = tmp_path / "copy.duckdb"  # a file this process has not checked yet
    shutil.copy(good_warehouse, unchecked)
    with open_read_only(unchecked) as con:
        limit = con.execute("SELECT current_setting('memory_limit')").fetchall()[0][0]
        assert con.execute("SELECT count(*) FROM reports").fetchall()[0][0] > 0
    with duckdb.connect(config={"memory_limit": "300MB"}) as fresh:
        assert limit == fresh.execute("SELECT current_setting('memory_limit')").fetchall()[0][0]


_PEAK_RSS = """
import resource, subprocess, sys
code = subprocess.run(sys.argv[1:]).returncode
print("peak_kb=" + str(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss), end="")
sys.exit(code)
"""


@pytest.mark.parametrize(
    "sql",
    [
        "EXPLAIN SELECT * FROM facts",
        "EXPLAIN ANALYZE SELECT count(*) FROM facts",
        "PIVOT (SELECT kind, report_year FROM reports) ON kind USING count(*)",
        "SELECT count(*) AS n FROM duckdb_extensions()",
    ],
)
def test_harmless_read_only_forms_are_allowed(
    good_warehouse: Path, sql: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["sql", sql, "--warehouse", str(good_warehouse), "--csv"]) == 0, capsys.readouterr().err


@pytest.mark.parametrize(
    "sql",
    [
        "EXPLAIN DELETE FROM facts",
        "EXPLAIN ANALYZE COPY facts TO '/tmp/x.csv'",
        "SELECT * FROM read_csv('/etc/hostname')",
    ],
)
def test_explain_of_a_write_and_file_reads_stay_refused(
    good_warehouse: Path, sql: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["sql", sql, "--warehouse", str(good_warehouse)]) == 2
    _one_line_error(capsys, "refused")
