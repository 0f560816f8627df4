"""Frames handed to the writer's DuckDB as temporary Parquet files, which DuckDB reads itself.

Registering a polars frame instead converts it to Arrow through pyarrow, whose libraries (loaded by DuckDB's
Arrow scan) cost the writing process ~90-120 MB of resident memory for good; the transform workers never
load them, and with this neither does the writer. Writing and reading a batch's frames as uncompressed
Parquet costs about what the Arrow conversion did (one copy of each column either way). The files live in
a temporary folder named with the process id; a folder left by a killed process is removed by the next
process that stages a batch.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path

import duckdb
import polars as pl

_PREFIX = "nianbao-batch-"


@contextmanager
def staged(con: duckdb.DuckDBPyConnection, **frames: pl.DataFrame) -> Iterator[None]:
    """Each frame readable on `con` as a temporary view of its name while the block runs."""
    _sweep_dead()
    with tempfile.TemporaryDirectory(prefix=f"{_PREFIX}{os.getpid()}-") as folder:
        for name, frame in frames.items():
            path = Path(folder) / f"{name}.parquet"
            frame.write_parquet(path, compression="uncompressed", statistics=False)
            literal = "'" + str(path).replace("'", "''") + "'"
            con.execute(f"CREATE OR REPLACE TEMP VIEW {name} AS SELECT * FROM read_parquet({literal})")
        yield
        # after an error the caller's ROLLBACK drops the views (a failed statement leaves the transaction
        # aborted: a DROP here would fail and hide the error)
        for name in frames:
            con.execute(f"DROP VIEW IF EXISTS temp.main.{name}")


def rows_frame(result: duckdb.DuckDBPyConnection, schema: dict[str, pl.DataType]) -> pl.DataFrame:
    """A query's rows as a polars frame of `schema` (columns in the query's order), without Arrow."""
    return pl.DataFrame(result.fetchall(), schema=schema, orient="row")


@cache
def _sweep_dead() -> None:
    """Once per process: remove the staging folders of processes that no longer run (killed mid-batch)."""
    for folder in Path(tempfile.gettempdir()).glob(f"{_PREFIX}*-*"):
        pid = folder.name[len(_PREFIX) :].split("-", 1)[0]
        if pid.isdigit() and not _alive(int(pid)):
            shutil.rmtree(folder, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    return True
