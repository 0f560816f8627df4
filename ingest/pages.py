"""Pages → frames → warehouse. The transform runs here with no warehouse connection open; the warehouse's
write lock is taken only to write the batch of ready frames (warehouse.load.load_frames).

Before the transform, a brief read-only look-up finds pages already loaded with the same content and
extractor version; those are skipped without being transformed. A page over ingest.max_input_bytes is a
reject; a page the transform fails on is a reject (the batch is retried page by page to find it), never
the end of the batch.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path

import polars as pl

from ingest.files import input_name, read_inputs
from ingest.workers import Inline, Transformer
from nianbao.bounds import bounds
from transforms.extract import extract_pages
from transforms.model import Page
from warehouse.batch import FrameBatch
from warehouse.load import known_hashes, load_frames
from warehouse.location import resolve_warehouse
from warehouse.summary import LoadSummary, RejectRow


def ingest_files(paths: Sequence[str], warehouse: Path | str | None = None,
                 transformer: Transformer | None = None) -> LoadSummary:
    """Read local files (ingest.files) and ingest them as one batch."""
    pages, rejects = read_inputs(paths)
    return ingest_pages(pages, warehouse, rejects, transformer)


def ingest_pages(
    pages: Sequence[Page], warehouse: Path | str | None = None, extra_rejects: Sequence[RejectRow] = (),
    transformer: Transformer | None = None,
) -> LoadSummary:
    """Transform the pages not already loaded (on the transformer's workers; default: in this process),
    then load the frames (and every reject) in one transaction."""
    usable, rejects = _within_limits(pages)
    hashes = {id(page): hashlib.sha256(page.data).hexdigest() for page in usable}
    known = known_hashes(sorted(set(hashes.values())), warehouse)
    todo = [page for page in usable if hashes[id(page)] not in known]
    frames, failed = (transformer or Inline()).submit(todo)()
    settled = [name for page in usable if hashes[id(page)] in known for name in (page.name, page.url) if name]
    summary = load_frames(frames, warehouse, [*extra_rejects, *rejects, *failed], settled)
    summary.skipped += len(usable) - len(todo)
    summary.warehouse = str(resolve_warehouse(warehouse))
    return summary


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
                extract_pages([page])
                good.append(page)
            except Exception as exc:  # a transform bug must not sink the batch
                reason = f"extraction failed: {type(exc).__name__}: {exc}".splitlines()[0]
                failed.append(RejectRow(page.name, "extract", reason))
        return (_frames(good) if good else FrameBatch.empty()), failed


def _frames(pages: Sequence[Page]) -> FrameBatch:
    batch = extract_pages(pages)
    reports = batch.reports_frame().with_columns(
        content_sha256=pl.Series([hashlib.sha256(page.data).hexdigest() for page in pages], dtype=pl.Utf8),
        path=pl.Series([page.name for page in pages], dtype=pl.Utf8),
        url=pl.coalesce(pl.Series([page.url for page in pages], dtype=pl.Utf8), pl.col("url")),
    )
    return FrameBatch(reports, batch.sections_frame(), batch.quantities, batch.facts, batch.table_checks)


def _within_limits(pages: Sequence[Page]) -> tuple[list[Page], list[RejectRow]]:
    """Pages with names and URLs as valid text, within the size cap; the rest are rejects."""
    cap = bounds().ingest.max_input_bytes
    usable: list[Page] = []
    rejects: list[RejectRow] = []
    for page in pages:
        name = input_name(page.name)
        url = input_name(page.url) if page.url else page.url
        if len(page.data) > cap:
            rejects.append(
                RejectRow(
                    name,
                    "read",
                    f"{len(page.data):,} bytes, over the input size limit of "
                    f"{cap:,} (ingest.max_input_bytes)",
                )
            )
            continue
        usable.append(
            page
            if (name, url) == (page.name, page.url)
            else Page(name=name, data=page.data, http_charset=page.http_charset, url=url)
        )
    return usable, rejects
