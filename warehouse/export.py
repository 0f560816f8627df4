"""Parquet export for tools that cannot share the DuckDB file: Hive-partitioned by kind= and year=.

DIR/reports, DIR/sections, DIR/quantities, DIR/facts are partitioned (kind=…/year=…/*.parquet, the
partition values live in the folder names); DIR/regions.parquet, indicators.parquet and rejects.parquet are
single files.

Publishing is atomic for the whole export: each export is written complete into a version folder beside DIR
(`.DIR.versions/<stamp>`), and DIR is a symbolic link that one rename switches to the new version. A reader
resolving DIR sees either the old export or the new one, every table from the same version, never a
missing table (a per-table swap would need two renames per table, with a gap between them). The previous
version is kept, so a reader that resolved DIR just before the switch can finish; older ones are removed.
"""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

from warehouse.connection import open_read_only
from warehouse.errors import WarehouseError

_WITH_REPORT = "SELECT t.*, r.kind, r.report_year AS year FROM {} AS t JOIN reports AS r USING (report_id)"
PARTITIONED = {
    "reports": "SELECT *, report_year AS year FROM reports",
    **{table: _WITH_REPORT.format(table) for table in ("sections", "quantities", "facts")},
}
SINGLE = ("regions", "indicators", "rejects")
KEEP_VERSIONS = 2  # the published one and the one before it


def export_parquet(out_dir: Path | str, warehouse: Path | str | None = None) -> list[Path]:
    """Write every table as Parquet and publish the export at out_dir; returns the published paths."""
    out = Path(out_dir)
    versions = versions_dir(out)
    versions.mkdir(parents=True, exist_ok=True)
    stamp = f"{time.time_ns():020d}-{os.getpid()}"  # sorts by time
    staging = versions / f".{stamp}.partial"
    staging.mkdir()
    names: list[str] = []
    try:
        with open_read_only(warehouse, sandboxed=False) as con:
            for table, query in PARTITIONED.items():
                target = staging / table
                target.mkdir()
                con.execute(
                    f"COPY ({query}) TO {_literal(target)} "
                    "(FORMAT parquet, PARTITION_BY (kind, year), OVERWRITE_OR_IGNORE)"
                )
                names.append(table)
            for table in SINGLE:
                con.execute(
                    f"COPY (SELECT * FROM {table}) TO {_literal(staging / f'{table}.parquet')} "
                    "(FORMAT parquet)"
                )
                names.append(f"{table}.parquet")
        version = staging.rename(versions / stamp)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    _publish(out, version)
    _prune(versions, keep=version.name)
    return [out / name for name in names]


def versions_dir(out: Path) -> Path:
    """Where the versions of the export at `out` live: a hidden sibling folder."""
    return out.parent / f".{out.name}.versions"


def _publish(out: Path, version: Path) -> None:
    """Point `out` at `version` with one atomic rename of a new symbolic link over the old one."""
    if out.exists() and not out.is_symlink():
        _adopt(out)
    link = out.parent / f".{out.name}.link-{os.getpid()}"
    link.unlink(missing_ok=True)
    link.symlink_to(os.path.relpath(version, out.parent), target_is_directory=True)
    os.replace(link, out)


def _adopt(out: Path) -> None:
    """A real folder at `out` (an export written before versions, or an empty folder) makes way once;
    a folder holding anything else is refused rather than replaced."""
    expected = {*PARTITIONED, *(f"{t}.parquet" for t in SINGLE)}
    found = {p.name for p in out.iterdir()} if out.is_dir() else {out.name}
    if not out.is_dir() or not found <= expected:
        raise WarehouseError(f"{out}: exists and is not a nianbao export; choose another DIR")
    shutil.rmtree(out)


def _prune(versions: Path, keep: str) -> None:
    """Remove all but the newest KEEP_VERSIONS published versions (and leftovers of killed exports)."""
    done = sorted((p for p in versions.iterdir() if not p.name.startswith(".")), key=lambda p: p.name)
    old = [p for p in done[:-KEEP_VERSIONS] if p.name != keep]
    partial = [p for p in versions.iterdir() if p.name.endswith(".partial") and not _alive(p.name)]
    for path in [*old, *partial]:
        shutil.rmtree(path, ignore_errors=True)


def _alive(partial_name: str) -> bool:
    """Whether the export that writes this partial folder is still running (its pid ends the name)."""
    try:
        pid = int(partial_name.removesuffix(".partial").rsplit("-", 1)[1])
        os.kill(pid, 0)
    except (ValueError, IndexError, ProcessLookupError):
        return False
    except PermissionError:
        return True
    return True


def _literal(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"
