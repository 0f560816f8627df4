"""Parquet export for tools that cannot share the DuckDB file: Hive-partitioned by kind= and year=.

DIR/reports, DIR/sections, DIR/quantities, DIR/facts are partitioned (kind=…/year=…/*.parquet, the
partition values live in the folder names); DIR/regions.parquet, indicators.parquet and rejects.parquet are
single files. Each table is written beside the old one and swapped in, so readers never see half an export.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from warehouse.connection import open_read_only

_WITH_REPORT = "SELECT t.*, r.kind, r.report_year AS year FROM {} AS t JOIN reports AS r USING (report_id)"
PARTITIONED = {
    "reports": "SELECT *, report_year AS year FROM reports",
    **{table: _WITH_REPORT.format(table) for table in ("sections", "quantities", "facts")},
}
SINGLE = ("regions", "indicators", "rejects")


def export_parquet(out_dir: Path | str, warehouse: Path | str | None = None) -> list[Path]:
    """Write every table as Parquet under out_dir; returns the paths written (folders and files)."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    staging = out / f".export-{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir()
    written: list[Path] = []
    try:
        with open_read_only(warehouse, sandboxed=False) as con:
            for table, query in PARTITIONED.items():
                target = staging / table
                target.mkdir()
                con.execute(
                    f"COPY ({query}) TO {_literal(target)} "
                    "(FORMAT parquet, PARTITION_BY (kind, year), OVERWRITE_OR_IGNORE)"
                )
                written.append(_swap(target, out / table))
            for table in SINGLE:
                target = staging / f"{table}.parquet"
                con.execute(f"COPY (SELECT * FROM {table}) TO {_literal(target)} (FORMAT parquet)")
                written.append(_swap(target, out / target.name))
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return written


def _swap(new: Path, final: Path) -> Path:
    """Put new in place of final with renames (the old copy is removed after the swap)."""
    old = final.with_name(f".old-{final.name}-{os.getpid()}")
    if final.exists():
        final.rename(old)
    new.rename(final)
    if old.is_dir():
        shutil.rmtree(old)
    elif old.exists():
        old.unlink()
    return final


def _literal(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"
