"""Reports read from attachments, and the 信息公开 template tables' check status, for summaries."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from warehouse.connection import open_read_only

DOCUMENT_URL = r"\.(pdf|docx|doc|wps|ofd)([?#].*)?$"


def attachment_reports(regions: list[str], warehouse: Path | str | None = None) -> pl.DataFrame:
    """report_year, kind, file name and url of the regions' reports read from a document (by the URL's
    extension)."""
    with open_read_only(warehouse) as con:
        return con.sql(
            "SELECT report_year, kind, regexp_extract(coalesce(url, input), '[^/]+$') AS file, "
            "coalesce(url, input) AS url FROM reports "
            "WHERE region_code IN (SELECT unnest($regions)) "
            "AND regexp_matches(lower(coalesce(url, input)), $pattern) ORDER BY kind, report_year",
            params={"regions": regions, "pattern": DOCUMENT_URL},
        ).pl()


def table_status(regions: list[str], warehouse: Path | str | None = None) -> pl.DataFrame:
    """Per report year and 信息公开 template table: checks run, failed, adds_up (gov_info_table_status)."""
    with open_read_only(warehouse) as con:
        return con.sql(
            "SELECT report_year, table_id, checks, failed, adds_up FROM gov_info_table_status "
            "WHERE region_code IN (SELECT unnest($regions)) ORDER BY report_year, table_id",
            params={"regions": regions},
        ).pl()
