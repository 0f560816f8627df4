"""The whole transform over a batch of pages: read each document, then measure figures for all at once."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import polars as pl

from transforms.document import read_document
from transforms.figures import measure_reports
from transforms.frames import reports_frame, sections_frame
from transforms.model import Page, Report


@dataclass(slots=True)
class ExtractedBatch:
    """Reports in input order, plus the batch's typed frames (joined on ``doc``, the input index)."""

    reports: list[Report]
    quantities: pl.DataFrame
    facts: pl.DataFrame

    def reports_frame(self) -> pl.DataFrame:
        return reports_frame(self.reports)

    def sections_frame(self) -> pl.DataFrame:
        return sections_frame(self.reports)


def extract_pages(pages: Sequence[Page]) -> ExtractedBatch:
    """Decode, strip, read metadata and sections per page; then quantities and indicators as one batch."""
    reports = [read_document(page) for page in pages]
    figures = measure_reports(reports)
    return ExtractedBatch(reports=reports, quantities=figures.quantities, facts=figures.facts)
