"""The DuckLake backend against the DuckDB file: the same inputs give the same tables and views; a reader
process never blocks a loading process; two loading processes write one lake at once."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from warehouse.checksum import table_checksums
from warehouse.connection import open_read_only
from warehouse.lake import lake_of
from warehouse.load import load_frames
from warehouse.query import run_query
from warehouse.synthetic import fictional_region_codes, synthetic_batch

PROJECT = Path(__file__).resolve().parents[1]
VIEWS = (
    "indicator_values",
    "indicator_yoy",
    "coverage",
    "latest_reports",
    "fact_details",
    "review",
    "region_names",
    "gov_info_table_status",
)
VOLATILE = ("loaded_at", "when", "applied_at")

# A loader process: loads synthetic reports of the given regions, printing when it starts and ends.
LOADER = """
import sys, time
from warehouse.load import load_frames
from warehouse.synthetic import synthetic_batch
path, regions = sys.argv[1], sys.argv[2].split(",")
print("start", time.monotonic(), flush=True)
summary = load_frames(synthetic_batch(regions, range(2015, 2021), facts_per_report=40), path)
print("loaded", summary.loaded, time.monotonic(), flush=True)
"""
# A reader process: opens the lake, counts, says so, then keeps its connection and keeps querying until
# the file `stop` appears (at most 240 s), and counts again.
READER = """
import sys, time
from pathlib import Path
from warehouse.connection import open_read_only
path, stop = sys.argv[1], Path(sys.argv[2])
with open_read_only(path) as con:
    first = con.execute("SELECT count(*) FROM indicator_yoy").fetchall()[0][0]
    print("open", first, time.monotonic(), flush=True)
    end = time.monotonic() + 240
    queries = 0
    while not stop.exists() and time.monotonic() < end:
        con.execute("SELECT count(*) FROM indicator_values").fetchall()
        queries += 1
        time.sleep(0.05)
    last = con.execute("SELECT count(*) FROM indicator_yoy").fetchall()[0][0]
    print("queries", queries, flush=True)
print("done", last, time.monotonic(), flush=True)
"""


def _view_checksums(path: Path) -> dict[str, str]:
    sums = {}
    with open_read_only(path) as con:
        for view in VIEWS:
            columns = [r[0] for r in con.execute(f"DESCRIBE {view}").fetchall() if r[0] not in VOLATILE]
            row = ", ".join(f'"{c}"' for c in columns)
            count, digest = con.execute(
                f"SELECT count(*), coalesce(sum(hash({row})), 0) FROM {view}"
            ).fetchall()[0]
            sums[view] = f"{count}:{digest}"
    return sums


def _start(script: str, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", script, *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=PROJECT,
    )


# A line the scripts print. DuckDB prints its progress bar to stdout too when a query runs over 2 s (on a
# loaded machine), so the lines are found wherever a bar put them.
_SCRIPT_LINE = re.compile(r"\b(?:open|start|loaded|queries|done)(?: [0-9.e+-]+)+")


def _opened(proc: subprocess.Popen[str]) -> list[str]:
    """The reader's first line ("open <count> <time>"), once it is printed."""
    assert proc.stdout is not None
    for line in proc.stdout:
        if found := _SCRIPT_LINE.search(line):
            return found.group().split()
    return []


def _finish(proc: subprocess.Popen[str]) -> list[list[str]]:
    out, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err[-2000:]
    return [line.split() for line in _SCRIPT_LINE.findall(out)]


def test_both_backends_hold_the_same_tables_and_views(fixtures_dir: Path, tmp_path: Path) -> None:
    from ingest.pages import ingest_files

    captures = sorted((fixtures_dir / "warehouse").glob("*.txt"))
    batch = synthetic_batch(fictional_region_codes(3), range(2016, 2021), facts_per_report=8)
    sums = []
    for name in ("w.duckdb", "w.ducklake"):
        path = tmp_path / name
        load_frames(batch, path)
        ingest_files(captures, path)
        load_frames(synthetic_batch(fictional_region_codes(1), [2018], facts_per_report=5, revision=1), path)
        sums.append((table_checksums(path, skip_columns=VOLATILE), _view_checksums(path)))
    assert sums[0] == sums[1]
    assert sums[0][1]["indicator_yoy"].split(":")[0] != "0"
    assert list((tmp_path / "w.ducklake.files").rglob("*.parquet")), "the lake's data are Parquet files"


def test_a_reader_never_blocks_a_lake_load(tmp_path: Path) -> None:
    path = tmp_path / "w.ducklake"
    load_frames(synthetic_batch(fictional_region_codes(2), range(2015, 2021), facts_per_report=40), path)
    stop = tmp_path / "stop"
    reader = _start(READER, str(path), str(stop))
    opened = _opened(reader)
    assert opened[:1] == ["open"], reader.stderr.read() if reader.stderr else ""
    try:  # the reader holds its connection (and queries) until the load has finished
        loader = _start(LOADER, str(path), ",".join(fictional_region_codes(4)[2:]))
        (_, _), (_, loaded, _) = _finish(loader)
    finally:
        stop.touch()
    (_, queries), (_, last, _) = _finish(reader)
    assert int(loaded) == 2 * 6 and int(queries) > 0
    assert int(last) >= int(opened[1]) > 0
    after = run_query("SELECT count(DISTINCT region_code) FROM reports", path).rows()
    assert after == [(4,)]


def test_two_loaders_write_one_lake_at_once(tmp_path: Path) -> None:
    path = tmp_path / "w.ducklake"
    regions = fictional_region_codes(6)
    load_frames(synthetic_batch(regions[:1], [2015], facts_per_report=1), path)  # created and migrated
    loaders = [_start(LOADER, str(path), ",".join(part)) for part in (regions[1:3], regions[3:6])]
    results = [_finish(proc) for proc in loaders]
    (_, start_a), (_, start_b) = (results[0][0], results[1][0])
    ends = [float(r[-1][2]) for r in results]
    assert max(float(start_a), float(start_b)) < min(ends), "both loads ran at the same time"
    assert sorted(int(r[-1][1]) for r in results) == [2 * 6, 3 * 6]
    counts = run_query("SELECT count(*), count(DISTINCT report_id) FROM reports", path).rows()
    assert counts == [(1 + 5 * 6, 1 + 5 * 6)]
    assert run_query("SELECT count(*) FROM facts", path).rows() == [(1 + 5 * 6 * 40,)]


def test_a_postgres_catalog_needs_a_data_path(tmp_path: Path) -> None:
    from warehouse.errors import WarehouseError

    with pytest.raises(WarehouseError, match=r"needs warehouse.ducklake.data_path"):
        lake_of("postgres:dbname=nianbao host=127.0.0.1")
    assert lake_of(tmp_path / "w.ducklake").data_path == f"{(tmp_path / 'w.ducklake').absolute()}.files/"


@pytest.mark.parametrize(
    "location",
    [
        "postgres:dbname=nianbao host=127.0.0.1 password=pw-never-shown",
        "postgres:postgresql://nianbao:pw-never-shown@127.0.0.1/nianbao",
        "postgres:postgresql://127.0.0.1/nianbao?sslmode=disable&password=pw-never-shown",
    ],
)
def test_a_postgres_location_holding_a_password_is_refused_without_repeating_it(location: str) -> None:
    from warehouse.errors import WarehouseError

    with pytest.raises(WarehouseError, match=r"PGPASSWORD") as refused:
        lake_of(location)
    assert "pw-never-shown" not in str(refused.value)
