"""Pages → frames → warehouse. The transform runs with no warehouse connection open; the warehouse's write
lock is taken only to write a batch of ready frames (warehouse.load.load_frames, from ingest.run's writer).

Pages already loaded with the same content and extractor version are skipped without being transformed
(ingest.run). A page over ingest.max_input_bytes is a reject; a page the transform fails on is a reject
(the batch is retried page by page to find it), never the end of the batch.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import polars as pl

from ingest.files import read_inputs
from ingest.workers import Transformer
from transforms.extract import extract_pages
from transforms.model import Page
from warehouse.batch import FrameBatch
from warehouse.summary import LoadSummary, RejectRow


def ingest_files(
    paths: Sequence[str], warehouse: Path | str | None = None, transformer: Transformer | None = None
) -> LoadSummary:
    """Read local files (ingest.files) and ingest them as one batch."""
    pages, rejects = read_inputs(paths)
    return ingest_pages(pages, warehouse, rejects, transformer)


def ingest_pages(
    pages: Sequence[Page],
    warehouse: Path | str | None = None,
    extra_rejects: Sequence[RejectRow] = (),
    transformer: Transformer | None = None,
) -> LoadSummary:
    """One batch: transform the pages not already loaded (on the transformer's workers; default: in this
    process), then load the frames (and every reject) in one transaction. Many batches: ingest.run."""
    from ingest.run import IngestRun  # here: the transform workers import this module, never DuckDB

    with IngestRun(warehouse, transformer) as run:
        future = run.submit(pages, extra_rejects)
    return future.result()


def pages_to_frames(pages: Sequence[Page]) -> tuple[FrameBatch, list[RejectRow]]:
    """The batch transform into warehouse frames (with each page's content hash, input name and URL);
    if the batch raises, pages are tried one by one so a bad page is one reject."""
    if not pages:
        return FrameBatch.empty(), []
    try:
        return _frames(pages), []
    except Exception:  # find the failing pages below
        good: list[Page] = []
        failed: list[RejectRow] = []
        for page in pages:
            try:
                extract_pages([page], objects=False)
                good.append(page)
            except Exception as exc:  # a transform bug must not sink the batch
                reason = f"extraction failed: {type(exc).__name__}: {exc}".splitlines()[0]
                failed.append(RejectRow(page.name, "extract", reason))
        return (_frames(good) if good else FrameBatch.empty()), failed


def _frames(pages: Sequence[Page]) -> FrameBatch:
    batch = extract_pages(pages, objects=False)
    reports = batch.reports_frame().with_columns(  # (content_sha256: read_document's, of the same bytes)
        path=pl.Series([page.name for page in pages], dtype=pl.Utf8),
        url=pl.coalesce(pl.Series([page.url for page in pages], dtype=pl.Utf8), pl.col("url")),
    )
    return FrameBatch(reports, batch.sections_frame(), batch.quantities, batch.facts, batch.table_checks)
