"""A checksum per table, to tell whether two states of a warehouse hold the same rows (in any order)."""

from __future__ import annotations

from pathlib import Path

from warehouse.connection import open_read_only

CHECKED_TABLES = ("reports", "sections", "quantities", "facts", "rejects", "regions", "indicators")


def table_checksums(
    warehouse: Path | str | None = None, exclude_report: str | None = None, skip_columns: tuple[str, ...] = ()
) -> dict[str, str]:
    """{table: 'rows:hash'} over every row; optionally without one report's rows or some columns
    (e.g. loaded_at, when), so callers can check that a reload changed nothing or only one report."""
    sums: dict[str, str] = {}
    with open_read_only(warehouse) as con:
        for table in CHECKED_TABLES:
            columns = [r[0] for r in con.execute(f"DESCRIBE {table}").fetchall() if r[0] not in skip_columns]
            only_others = exclude_report is not None and "report_id" in columns
            where = "WHERE report_id IS DISTINCT FROM $report" if only_others else ""
            row = ", ".join(f'"{c}"' for c in columns)
            rows, digest = con.execute(
                f"SELECT count(*), coalesce(sum(hash({row})), 0) FROM {table} {where}",
                {"report": exclude_report} if where else {},
            ).fetchall()[0]
            sums[table] = f"{rows}:{digest}"
    return sums
