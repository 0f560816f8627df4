"""Strict polars schemas for a batch of reports, and the report/section frames built from them."""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from transforms.model import METADATA_FIELDS, Report
from transforms.version import extractor_version

REPORT_SCHEMA: dict[str, pl.DataType] = {
    "doc": pl.UInt32(),
    "path": pl.Utf8(),
    "url": pl.Utf8(),
    "ok": pl.Boolean(),
    "error": pl.Utf8(),
    "kind": pl.Utf8(),
    **{name: (pl.Int32() if name == "report_year" else pl.Utf8()) for name in METADATA_FIELDS},
    "body": pl.Utf8(),
    "encoding": pl.Utf8(),
    "replaced_chars": pl.Int32(),
    "content_sha256": pl.Utf8(),
    "extractor_version": pl.Utf8(),
    "warnings": pl.List(pl.Utf8()),
}

SECTION_SCHEMA: dict[str, pl.DataType] = {
    "doc": pl.UInt32(),
    "ordinal": pl.Int32(),
    "level": pl.Int8(),
    "number": pl.Utf8(),
    "title": pl.Utf8(),
    "start": pl.Int32(),
}

QUANTITY_SCHEMA: dict[str, pl.DataType] = {
    "doc": pl.UInt32(),
    "ordinal": pl.Int32(),
    "text": pl.Utf8(),
    "value": pl.Float64(),
    "value_high": pl.Float64(),
    "unit": pl.Utf8(),
    "qualifier": pl.Utf8(),
    "start": pl.Int32(),
    "end": pl.Int32(),
    "sentence": pl.Utf8(),
}

FACT_SCHEMA: dict[str, pl.DataType] = {
    "doc": pl.UInt32(),
    "code": pl.Utf8(),
    "value": pl.Float64(),
    "value_high": pl.Float64(),
    "unit": pl.Utf8(),
    "qualifier": pl.Utf8(),
    "scope": pl.Utf8(),
    "evidence": pl.Utf8(),
    "start": pl.Int32(),
    "end": pl.Int32(),
    "sentence": pl.Utf8(),
}


def reports_frame(reports: Sequence[Report]) -> pl.DataFrame:
    """One row per input (failed ones included, with ok=False and the error)."""
    version = extractor_version()
    rows = [
        {
            "doc": doc,
            "path": r.path,
            "url": r.url,
            "ok": r.ok,
            "error": r.error,
            "kind": r.kind,
            **{name: getattr(r.metadata, name) for name in METADATA_FIELDS},
            "body": r.body,
            "encoding": r.encoding,
            "replaced_chars": r.replaced_chars,
            "content_sha256": r.content_sha256,
            "extractor_version": version,
            "warnings": r.warnings,
        }
        for doc, r in enumerate(reports)
    ]
    return pl.DataFrame(rows, schema=REPORT_SCHEMA)


def sections_frame(reports: Sequence[Report]) -> pl.DataFrame:
    """One row per section heading of every report in the batch."""
    rows = [
        {"doc": doc, "ordinal": i, "level": s.level, "number": s.number, "title": s.title, "start": s.start}
        for doc, r in enumerate(reports)
        for i, s in enumerate(r.sections)
    ]
    return pl.DataFrame(rows, schema=SECTION_SCHEMA)
