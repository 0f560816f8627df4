"""The warehouse commands: sql (read-only, refusals exit 2), yoy, export, chart and load."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import duckdb
import polars as pl
import pytest

from nianbao.cli import main
from warehouse.load import load_frames
from warehouse.synthetic import synthetic_batch

REFUSED = [
    "INSERT INTO rejects VALUES ('x', 'fetch', 'y', now())",
    "UPDATE facts SET value = 0",
    "DELETE FROM reports",
    "CREATE TABLE t (a INTEGER)",
    "DROP VIEW coverage",
    "ALTER TABLE facts ADD COLUMN x INTEGER",
    "ATTACH '/tmp/other.duckdb' AS other",
    "COPY facts TO '/tmp/facts.csv'",
    "EXPORT DATABASE '/tmp/dump'",
    "INSTALL httpfs",
    "LOAD json",
    "SET threads = 1",
    "PRAGMA enable_profiling",
    "CHECKPOINT",
    "SELECT 1; DELETE FROM facts",
    "WITH x AS (SELECT 1) INSERT INTO rejects SELECT 'a', 'b', 'c', now()",
    "SELECT * FROM read_csv('/etc/hostname')",
    "SELECT * FROM glob('/etc/*')",
    "WITH gone AS (DELETE FROM facts RETURNING *) SELECT count(*) FROM gone",
    "with added as (insert into rejects values ('x', 'fetch', 'y', now()) returning *) from added",
    "/* a comment first */ DELETE FROM facts",
    "-- a comment line\nUPDATE facts SET value = 0",
    "IMPORT DATABASE '/tmp/dump'",
    "SELECT * FROM sqlite_scan('/tmp/other.db', 't')",
    "SELECT * FROM \"SQLITE_ATTACH\" /* a comment */ ('/tmp/other.db')",
    "SELECT * FROM enable_logging(storage = 'file', storage_path = '/tmp/nianbao-logs')",
]


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory, backend_file: str) -> Path:
    path = tmp_path_factory.mktemp("cli") / backend_file
    load_frames(synthetic_batch(["990121", "992000"], [2017, 2018, 2019], facts_per_report=3), path)
    return path


@pytest.mark.parametrize("sql", REFUSED)
def test_sql_refuses_writes_and_outside_reads_with_exit_2(
    warehouse: Path, sql: str, capsys: pytest.CaptureFixture[str]
) -> None:
    before = warehouse.stat().st_mtime_ns
    assert main(["sql", sql, "--warehouse", str(warehouse)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("nianbao sql: refused:") and err.count("\n") == 1
    assert warehouse.stat().st_mtime_ns == before


def test_sql_refusal_through_the_installed_command(warehouse: Path, nianbao_cmd: list[str]) -> None:
    done = subprocess.run(
        [*nianbao_cmd, "sql", "DELETE FROM facts", "--warehouse", str(warehouse)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2
    assert "refused: DELETE statement" in done.stderr


def test_sql_prints_a_table_csv_json_and_parquet(
    warehouse: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sql = "SELECT region_name, count(*) AS n FROM indicator_values GROUP BY 1 ORDER BY 1 NULLS LAST"
    assert main(["sql", sql, "--warehouse", str(warehouse)]) == 0
    table = capsys.readouterr().out.splitlines()
    assert table[0].split() == ["region_name", "n"] and table[2].split() == ["示例县", "9"]
    assert table[-1] == "(2 rows)"
    assert main(["sql", sql, "--csv", "--warehouse", str(warehouse)]) == 0
    assert capsys.readouterr().out.splitlines() == ["region_name,n", "示例县,9", ",9"]
    assert main(["sql", sql, "--json", "--warehouse", str(warehouse)]) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert lines == [{"region_name": "示例县", "n": 9}, {"region_name": None, "n": 9}]
    out = tmp_path / "q.parquet"
    assert main(["sql", sql, "--parquet", str(out), "--warehouse", str(warehouse)]) == 0
    assert pl.read_parquet(out).rows() == [("示例县", 9), (None, 9)]


def test_sql_errors_exit_1_with_one_line(warehouse: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["sql", "SELECT * FROM no_such_table", "--warehouse", str(warehouse)]) == 1
    assert "no_such_table" in capsys.readouterr().err


def test_yoy_command(warehouse: Path, capsys: pytest.CaptureFixture[str]) -> None:
    args = ["yoy", "reconsideration.accepted", "--region", "示例县", "--from", "2018", "--csv"]
    assert main([*args, "--warehouse", str(warehouse)]) == 0
    rows = capsys.readouterr().out.splitlines()
    assert rows[0].startswith("code,indicator_name,region_code,region_name,report_year,value,previous_value")
    assert [r.split(",")[4] for r in rows[1:]] == ["2018", "2019"]
    assert (
        main(
            [
                "yoy",
                "reconsideration.accepted",
                "--region",
                "990121",
                "--to",
                "2016",
                "--warehouse",
                str(warehouse),
            ]
        )
        == 1
    )
    assert "no values" in capsys.readouterr().err


def test_export_writes_hive_partitions_that_read_back(warehouse: Path, tmp_path: Path) -> None:
    out = tmp_path / "export"
    assert main(["export", str(out), "--warehouse", str(warehouse)]) == 0
    assert main(["export", str(out), "--warehouse", str(warehouse)]) == 0, "a second export replaces one"
    assert (out / "facts" / "kind=law_based_government_annual_report" / "year=2018").is_dir()
    assert (out / "regions.parquet").is_file() and (out / "rejects.parquet").is_file()
    assert not [p for p in out.iterdir() if p.name.startswith(".")], "no staging folders left"
    con = duckdb.connect()
    exported = con.execute(
        f"SELECT year, count(*) FROM read_parquet('{out}/facts/*/*/*.parquet', hive_partitioning = true) "
        "GROUP BY year ORDER BY year"
    ).fetchall()
    assert exported == [(2017, 6), (2018, 6), (2019, 6)]


def test_chart_writes_the_format_its_suffix_names(
    warehouse: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "charts" / "accepted.png"
    args = [
        "chart",
        "reconsideration.accepted",
        "--region",
        "示例县",
        "--region",
        "992000",
        "--warehouse",
        str(warehouse),
        "--out",
    ]
    assert main([*args, str(out)]) == 0
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert not out.with_suffix(".svg").exists()
    assert "(2 lines)" in capsys.readouterr().out
    svg = tmp_path / "charts" / "accepted-text.svg"
    assert main([*args, str(svg)]) == 0
    text = svg.read_text(encoding="utf-8")
    assert text.lstrip().startswith("<?xml") and not svg.with_suffix(".png").exists()
    # labels are SVG text, so a browser draws the Chinese whatever fonts this machine has
    assert "受理行政复议案件 (reconsideration.accepted)" in text and "示例县" in text


def test_load_command_on_fictional_captures(
    fixtures_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "w.duckdb"
    folder = fixtures_dir / "warehouse"
    assert main(["load", str(folder), "--warehouse", str(path)]) == 0
    assert capsys.readouterr().out.startswith("loaded 3, replaced 0, skipped 0 (unchanged), rejected 0")
    assert main(["load", str(folder), str(tmp_path / "missing.txt"), "--warehouse", str(path)]) == 1
    out = capsys.readouterr().out
    assert out.startswith("loaded 0, replaced 0, skipped 3 (unchanged), rejected 1")
    assert "rejected [read]" in out and "missing.txt" in out
    con = duckdb.connect(str(path), read_only=True)
    years = con.execute("SELECT report_year, region_code, published_at FROM reports ORDER BY 1").fetchall()
    con.close()
    assert years == [
        (2017, "990121", "2018-03-02T09:30"),
        (2018, "990121", "2019-03-05T10:00"),
        (2020, "990121", "2021-03-08T15:20"),
    ]


@pytest.mark.parametrize(
    "argv",
    [
        ["sql", "SELECT 1"],
        ["yoy", "litigation.cases"],
        ["export", "out"],
        ["chart", "litigation.cases", "--region", "990121", "--out", "c.png"],
    ],
)
def test_reading_commands_do_not_create_a_missing_warehouse(
    argv: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "typo.duckdb"
    assert main([*argv, "--warehouse", str(missing)]) == 1
    assert "no warehouse here yet" in capsys.readouterr().err
    assert not missing.exists()
