"""A team's DuckLake: the catalog on a PostgreSQL server and the Parquet files on an S3-compatible server,
both started on 127.0.0.1 for this module (bench/lake_servers.py). The same loads give the same tables and
views as a DuckDB file; `sql`, `yoy` and `export` work on it; two loader processes write at once while a
reader process queries; the catalog's password and the storage keys never show in a message."""

from __future__ import annotations

import itertools
import json
import os
from collections.abc import Callable, Iterator
from pathlib import Path

import duckdb
import pytest
from test_warehouse_lake import LOADER, READER, VOLATILE, _finish, _start, _view_checksums

from bench.lake_servers import S3, Postgres, missing_servers, postgres_cluster, s3_server
from nianbao.cli import main
from warehouse.checksum import table_checksums
from warehouse.connection import open_read_only
from warehouse.load import load_frames
from warehouse.query import run_query
from warehouse.synthetic import fictional_region_codes, synthetic_batch

BUCKET = "nianbao"
KEY_ID, KEY_SECRET = "nianbao-test", "s3-secret-never-shown"
_names = itertools.count(1)


@pytest.fixture(scope="module")
def servers() -> Iterator[tuple[Postgres, S3]]:
    why = missing_servers()
    if why:
        pytest.skip(f"a team's lake needs local servers: {why}")
    with postgres_cluster() as pg, s3_server() as s3:
        s3.create_bucket(BUCKET)
        yield pg, s3


@pytest.fixture()
def team_lake(
    servers: tuple[Postgres, S3], use_settings: Callable[..., Path], monkeypatch: pytest.MonkeyPatch
) -> tuple[str, S3, str]:
    """A new lake (its own database and S3 prefix), with nianbao's config and environment pointing at it:
    (location, S3 server, data prefix)."""
    pg, s3 = servers
    name = f"lake{next(_names)}"
    pg.create_database(name)
    use_settings(data_path=f"s3://{BUCKET}/{name}/", endpoint=s3.endpoint)
    monkeypatch.setenv("PGPASSWORD", pg.password)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", KEY_ID)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", KEY_SECRET)
    return pg.location(name), s3, f"{name}/"


def test_a_team_lake_holds_what_a_duckdb_file_holds_and_answers_the_commands(
    team_lake: tuple[str, S3, str], fixtures_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from ingest.pages import ingest_files

    location, s3, prefix = team_lake
    captures = sorted((fixtures_dir / "warehouse").glob("*.txt"))
    batch = synthetic_batch(fictional_region_codes(3), range(2016, 2021), facts_per_report=8)
    sums = []
    for path in (str(tmp_path / "w.duckdb"), location):
        ingest_files(captures, path)  # first into an empty database: it asks the lake what is loaded
        load_frames(batch, path)
        load_frames(synthetic_batch(fictional_region_codes(1), [2018], facts_per_report=5, revision=1), path)
        sums.append((table_checksums(path, skip_columns=VOLATILE), _view_checksums(path)))
    assert sums[0] == sums[1]
    keys = s3.keys(BUCKET, prefix)
    facts = [key for key in keys if key.startswith(f"{prefix}main/facts/") and key.endswith(".parquet")]
    assert facts, keys
    with open_read_only(location) as con:  # a sandboxed reader reads the lake's prefix and nothing else
        assert con.execute(f"SELECT count(*) FROM 's3://{BUCKET}/{facts[0]}'").fetchall()[0][0] > 0
        with pytest.raises(duckdb.PermissionException):
            con.execute(f"SELECT count(*) FROM 's3://{BUCKET}/elsewhere/{facts[0]}'")

    assert main(["sql", "SELECT count(*) AS n FROM indicator_yoy", "--csv", "--warehouse", location]) == 0
    assert capsys.readouterr().out.split() == ["n", sums[1][1]["indicator_yoy"].split(":")[0]]
    assert (
        main(["yoy", "reconsideration.accepted", "--region", "示例县", "--json", "--warehouse", location])
        == 0
    )
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert rows and {row["report_year"] for row in rows} <= set(range(2016, 2021))
    out = tmp_path / "export"
    assert main(["export", str(out), "--warehouse", location]) == 0
    exported = duckdb.sql(f"SELECT count(*) FROM read_parquet('{out}/facts/**/*.parquet')").fetchall()
    assert exported == [(int(sums[1][0]["facts"].split(":")[0]),)]


def test_two_loaders_write_a_team_lake_while_a_reader_queries(
    team_lake: tuple[str, S3, str], tmp_path: Path
) -> None:
    location, _, _ = team_lake
    regions = fictional_region_codes(6)
    load_frames(synthetic_batch(regions[:1], range(2015, 2017), facts_per_report=5), location)
    stop = tmp_path / "stop"
    reader = _start(READER, location, str(stop))
    opened = reader.stdout.readline().split() if reader.stdout else []
    assert opened[:1] == ["open"], reader.stderr.read() if reader.stderr else ""
    try:  # the reader holds its connection and queries until both loads have finished
        loaders = [_start(LOADER, location, ",".join(part)) for part in (regions[1:3], regions[3:6])]
        results = [_finish(proc) for proc in loaders]
    finally:
        stop.touch()
    (_, queries), (_, last, _) = _finish(reader)
    (_, start_a), (_, start_b) = (results[0][0], results[1][0])
    assert max(float(start_a), float(start_b)) < min(float(r[-1][2]) for r in results), "loads overlapped"
    assert sorted(int(r[-1][1]) for r in results) == [2 * 6, 3 * 6]
    assert int(queries) > 0 and int(last) >= int(opened[1]) > 0
    counts = run_query("SELECT count(DISTINCT report_id), count(*) FROM facts", location).rows()
    assert counts == [(2 + 5 * 6, 2 * 5 + 5 * 6 * 40)]


def test_secrets_never_show_in_messages(
    team_lake: tuple[str, S3, str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    location, _, _ = team_lake
    password = os.environ["PGPASSWORD"]
    assert main(["sql", "SELECT 1", "--warehouse", f"{location} password=hunter2-secret"]) == 1
    err = capsys.readouterr().err
    assert "PGPASSWORD" in err and "hunter2" not in err and err.count("\n") == 1

    monkeypatch.setenv("PGPASSWORD", "wrong-password-never-shown")
    assert main(["sql", "SELECT 1", "--warehouse", location]) == 1
    err = capsys.readouterr().err
    assert "password authentication failed" in err and "wrong-password" not in err and err.count("\n") == 1

    monkeypatch.setenv("PGPASSWORD", password)
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    assert main(["load", "--warehouse", location, str(Path(__file__))]) == 1
    err = capsys.readouterr().err
    assert "AWS_SECRET_ACCESS_KEY" in err and KEY_SECRET not in err


def test_info_and_sql_on_an_empty_database_leave_it_empty(
    team_lake: tuple[str, S3, str], capsys: pytest.CaptureFixture[str]
) -> None:
    from warehouse.lake import warehouse_exists

    location, _, _ = team_lake
    assert not warehouse_exists(location)
    assert main(["info", "--warehouse", location]) == 0
    assert "no warehouse file yet" in capsys.readouterr().out
    assert main(["sql", "SELECT 1", "--warehouse", location]) != 0
    assert "no warehouse here yet" in capsys.readouterr().err
    assert not warehouse_exists(location), "a reading command created a lake"
