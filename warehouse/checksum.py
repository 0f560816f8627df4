"""A checksum per table, to tell whether two states of a warehouse hold the same rows (in any order)."""

from __future__ import annotations

from pathlib import Path

from warehouse.connection import open_read_only

CHECKED_TABLES = (
    "reports",
    "sections",
    "quantities",
    "facts",
    "picked_values",
    "rejects",
    "regions",
    "indicators",
)


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


def report_checksums(
    warehouse: Path | str | None = None, skip_columns: tuple[str, ...] = ("loaded_at",)
) -> dict[str, str]:
    """{report_id: hash} over the report's row and all its sections, quantities and facts, so two states can
    be compared report by report (a report present with other rows is half-written or different)."""
    with open_read_only(warehouse) as con:
        parts = []
        for table in ("reports", "sections", "quantities", "facts"):
            columns = [
                r[0]
                for r in con.execute(f"DESCRIBE {table}").fetchall()
                if r[0] not in skip_columns and r[0] != "report_id"
            ]
            row = ", ".join(f'"{c}"' for c in columns)
            parts.append(
                f"(SELECT report_id, '{table}' AS part, count(*) AS n, sum(hash({row})) AS h "
                f"FROM {table} GROUP BY report_id)"
            )
        rows = con.execute(
            "SELECT report_id, string_agg(part || ':' || n || ':' || h, ',' ORDER BY part) "
            f"FROM ({' UNION ALL '.join(parts)}) GROUP BY report_id"
        ).fetchall()
    return dict(rows)
