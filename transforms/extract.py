"""The whole transform over a batch of pages: read each document, then measure figures for all at once."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import polars as pl

from transforms.document import read_document
from transforms.figures import INDICATOR_FIELDS, measure_reports
from transforms.frames import reports_frame, sections_frame
from transforms.gov_info_tables import TableFrames, measure_tables
from transforms.model import Indicator, Page, Report
from transforms.rulebook import one_reading


@dataclass(slots=True)
class ExtractedBatch:
    """Reports in input order, plus the batch's typed frames (joined on ``doc``, the input index)."""

    reports: list[Report]
    quantities: pl.DataFrame
    facts: pl.DataFrame
    table_checks: pl.DataFrame  # gov_info_tables.CHECK_SCHEMA: the 信息公开 tables' arithmetic per report

    def reports_frame(self) -> pl.DataFrame:
        return reports_frame(self.reports)

    def sections_frame(self) -> pl.DataFrame:
        return sections_frame(self.reports)


def extract_pages(pages: Sequence[Page], objects: bool = True) -> ExtractedBatch:
    """Decode, strip, read metadata and sections per page; then quantities and indicators as one batch, and
    the 信息公开 template tables' cells and checks. Without `objects` the reports' quantities, indicators
    and table checks stay empty and only the frames hold them (what the warehouse reads; cheaper).

    The batch reads one version of the rules (rulebook.one_reading)."""
    with one_reading():
        reports = [read_document(page) for page in pages]
        figures = measure_reports(reports, objects)
        tables = measure_tables([(doc, r.body) for doc, r in enumerate(reports) if r.ok and r.body])
    if objects:
        _attach_tables(reports, tables)
    facts = pl.concat([figures.facts, tables.facts]) if tables.facts.height else figures.facts
    return ExtractedBatch(
        reports=reports, quantities=figures.quantities, facts=facts, table_checks=tables.checks
    )


def _attach_tables(reports: list[Report], tables: TableFrames) -> None:
    for doc, *values in tables.facts.select("doc", *INDICATOR_FIELDS).iter_rows():
        reports[doc].indicators.append(Indicator(*values))
    for doc, *values in tables.checks.iter_rows():
        reports[doc].table_checks.append(dict(zip(tables.checks.columns[1:], values, strict=True)))
