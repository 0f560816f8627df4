"""A batch ready to load: the report, section, quantity and fact frames, joined on `doc`."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

import polars as pl

from transforms.frames import FACT_SCHEMA, QUANTITY_SCHEMA, REPORT_SCHEMA, SECTION_SCHEMA
from transforms.gov_info_tables import CHECK_SCHEMA


@dataclass(slots=True)
class FrameBatch:
    """Frames with the transforms/frames.py schemas; `path` of a report row names its input."""

    reports: pl.DataFrame
    sections: pl.DataFrame
    quantities: pl.DataFrame
    facts: pl.DataFrame
    table_checks: pl.DataFrame = field(default_factory=lambda: pl.DataFrame(schema=CHECK_SCHEMA))

    @classmethod
    def empty(cls) -> FrameBatch:
        return cls(
            pl.DataFrame(schema=REPORT_SCHEMA),
            pl.DataFrame(schema=SECTION_SCHEMA),
            pl.DataFrame(schema=QUANTITY_SCHEMA),
            pl.DataFrame(schema=FACT_SCHEMA),
            pl.DataFrame(schema=CHECK_SCHEMA),
        )

    def checked_reports(self) -> pl.DataFrame:
        """The reports frame cast to its strict schema (a missing or mistyped column is a clear error);
        a report without a content hash gets the sha256 of its body."""
        reports = _cast(self.reports, REPORT_SCHEMA, "reports")
        if reports.get_column("content_sha256").null_count():
            reports = reports.with_columns(
                content_sha256=pl.coalesce(
                    "content_sha256",
                    pl.col("body")
                    .fill_null("")
                    .map_elements(_sha256, return_dtype=pl.Utf8, skip_nulls=False),
                )
            )
        return reports

    def checked(self) -> FrameBatch:
        """Every frame cast to its strict schema."""
        return FrameBatch(
            self.checked_reports(),
            _cast(self.sections, SECTION_SCHEMA, "sections"),
            _cast(self.quantities, QUANTITY_SCHEMA, "quantities"),
            _cast(self.facts, FACT_SCHEMA, "facts"),
            _cast(self.table_checks, CHECK_SCHEMA, "table_checks"),
        )


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _cast(frame: pl.DataFrame, schema: dict[str, pl.DataType], name: str) -> pl.DataFrame:
    missing = [column for column in schema if column not in frame.columns]
    if missing:
        raise ValueError(f"{name} frame lacks column(s) {', '.join(missing)}")
    return frame.select([pl.col(column).cast(dtype, strict=True) for column, dtype in schema.items()])
