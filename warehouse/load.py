"""Loading reports: pages → transforms → one DuckDB transaction per batch, through Arrow.

A report's identity is (region_code, kind, report_year): loading it again replaces all its rows at once; an
input whose content hash and extractor version are already loaded is skipped without being extracted.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import duckdb
import polars as pl

from transforms.extract import extract_pages
from transforms.model import Page
from transforms.version import extractor_version
from warehouse.batch import FrameBatch
from warehouse.connection import open_for_writing
from warehouse.identity import decide, resolve_batch
from warehouse.location import resolve_warehouse
from warehouse.summary import LoadSummary, RejectRow

__all__ = ["LoadSummary", "RejectRow", "load_batch", "load_frames", "record_rejects"]

# A report's rows, children first.
REPORT_TABLES = ("gov_info_tables", "table_checks", "facts", "quantities", "sections", "reports")
_REPORT_COLUMNS = (
    "report_id", "region_code", "kind", "report_year", "title", "issuer", "published_at", "source",
    "doc_number", "url", "input", "content_sha256", "body", "extractor_version", "loaded_at",
)


def load_batch(inputs: Sequence[Page | str | Path], warehouse: Path | str | None = None) -> LoadSummary:
    """Extract and load pages (or files by path) in one transaction; returns what happened to each."""
    pages, rejects = _read_inputs(inputs)
    hashes = {id(page): hashlib.sha256(page.data).hexdigest() for page in pages}
    with open_for_writing(warehouse) as con:
        known = _known_hashes(con, list(hashes.values()))
        todo = [page for page in pages if hashes[id(page)] not in known]
        frames, extracted, failed = _extract(todo)
        frames.reports = frames.reports.with_columns(
            content_sha256=pl.Series([hashes[id(page)] for page in extracted], dtype=pl.Utf8),
            path=pl.Series([page.name for page in extracted], dtype=pl.Utf8),
            url=pl.coalesce(pl.Series([page.url for page in extracted], dtype=pl.Utf8), pl.col("url")),
        )
        settled = [name for page in pages if hashes[id(page)] in known
                   for name in (page.name, page.url) if name]
        summary = _load(con, frames, [*rejects, *failed], settled)
    summary.skipped += len(pages) - len(todo)
    summary.warehouse = str(resolve_warehouse(warehouse))
    return summary


def load_frames(
    frames: FrameBatch, warehouse: Path | str | None = None, extra_rejects: Sequence[RejectRow] = ()
) -> LoadSummary:
    """Load frames built by transforms (or directly, with the frames.py schemas) in one transaction."""
    with open_for_writing(warehouse) as con:
        summary = _load(con, frames, extra_rejects)
    summary.warehouse = str(resolve_warehouse(warehouse))
    return summary


def _load(
    con: duckdb.DuckDBPyConnection, frames: FrameBatch, extra_rejects: Sequence[RejectRow],
    settled: Sequence[str] = (),
) -> LoadSummary:
    """Resolve identities, then write every winner and every reject in one transaction; inputs `settled`
    (already loaded, unchanged) lose their old rejects, as written ones do."""
    resolution = resolve_batch(frames.checked_reports())
    rejects = [*extra_rejects, *resolution.rejects]
    with _transaction(con):
        decision = decide(resolution.winners, _existing(con, resolution.winners))
        rejects.extend(decision.rejects)
        if decision.write.height:
            _write_reports(con, frames.checked(), decision.write)
        written = [*decision.write.get_column("path"), *decision.write.get_column("url").drop_nulls()]
        _clear_rejects(con, [*settled, *written])
        _insert_rejects(con, rejects)
    return LoadSummary(
        loaded=decision.loaded, replaced=decision.replaced, skipped=decision.skipped + resolution.identical,
        rejected=len({r.input for r in rejects}), rejects=rejects,
    )


def record_rejects(rows: Sequence[RejectRow], warehouse: Path | str | None = None) -> None:
    """Record inputs that failed before loading (stage 'fetch', 'discover', …); repeats are kept once."""
    if rows:
        with open_for_writing(warehouse) as con, _transaction(con):
            _insert_rejects(con, rows)


@contextmanager
def _transaction(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    con.execute("BEGIN TRANSACTION")
    try:
        yield
    except BaseException:
        con.execute("ROLLBACK")
        raise
    con.execute("COMMIT")


@contextmanager
def _registered(con: duckdb.DuckDBPyConnection, **frames: pl.DataFrame) -> Iterator[None]:
    for name, frame in frames.items():
        con.register(name, frame.to_arrow())
    try:
        yield
    finally:
        for name in frames:
            con.unregister(name)


def _read_inputs(inputs: Sequence[Page | str | Path]) -> tuple[list[Page], list[RejectRow]]:
    pages: list[Page] = []
    rejects: list[RejectRow] = []
    for item in inputs:
        if isinstance(item, Page):
            pages.append(item)
            continue
        try:
            pages.append(Page(name=str(item), data=Path(item).read_bytes()))
        except OSError as exc:
            rejects.append(RejectRow(str(item), "read", f"cannot read file: {exc.strerror or exc}"))
    return pages, rejects


def _extract(pages: list[Page]) -> tuple[FrameBatch, list[Page], list[RejectRow]]:
    """The batch transform; if it raises, pages are tried one by one so a bad page is one reject."""
    if not pages:
        return FrameBatch.empty(), [], []
    try:
        return FrameBatch.from_extracted(extract_pages(pages)), pages, []
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
        frames = FrameBatch.from_extracted(extract_pages(good)) if good else FrameBatch.empty()
        return frames, good, failed


def _known_hashes(con: duckdb.DuckDBPyConnection, hashes: list[str]) -> set[str]:
    if not hashes:
        return set()
    with _registered(con, batch_hashes=pl.DataFrame({"sha": hashes}, schema={"sha": pl.Utf8})):
        rows = con.execute(
            "SELECT DISTINCT content_sha256 FROM reports WHERE extractor_version = ? "
            "AND content_sha256 IN (SELECT sha FROM batch_hashes)",
            [extractor_version()],
        ).fetchall()
    return {row[0] for row in rows}


def _existing(con: duckdb.DuckDBPyConnection, winners: pl.DataFrame) -> pl.DataFrame:
    """The loaded report of each identity in the batch (one row per report_id found)."""
    with _registered(con, batch_winners=winners.select("report_id")):
        return con.sql(
            "SELECT report_id, input AS e_input, content_sha256 AS e_sha, extractor_version AS e_version, "
            "published_at AS e_pub FROM reports WHERE report_id IN (SELECT report_id FROM batch_winners)"
        ).pl()


def _write_reports(con: duckdb.DuckDBPyConnection, frames: FrameBatch, write: pl.DataFrame) -> None:
    """Replace every row of the written identities: delete children and reports, then insert anew."""
    with _registered(con, batch_write=write, batch_reports=frames.reports, batch_sections=frames.sections,
                     batch_quantities=frames.quantities, batch_facts=frames.facts,
                    batch_checks=frames.table_checks):
        if write.get_column("replacing").any():
            for table in REPORT_TABLES:
                con.execute(f"DELETE FROM {table} WHERE report_id IN "
                            "(SELECT report_id FROM batch_write WHERE replacing)")
        _drop_moved(con)
        con.execute(
            f"INSERT INTO reports ({', '.join(_REPORT_COLUMNS)}) "
            "SELECT w.report_id, r.region_code, r.kind, r.report_year, r.title, r.issuer, r.published_at, "
            "r.source, r.doc_number, r.url, r.path, r.content_sha256, r.body, r.extractor_version, "
            "current_timestamp::TIMESTAMP FROM batch_reports AS r JOIN batch_write AS w USING (doc)"
        )
        con.execute(
            "INSERT INTO sections SELECT w.report_id, s.ordinal, s.level, s.number, s.title, s.start "
            "FROM batch_sections AS s JOIN batch_write AS w USING (doc)"
        )
        con.execute(
            "INSERT INTO quantities SELECT w.report_id, q.ordinal, q.text, q.value, q.value_high, q.unit, "
            "q.qualifier, q.start, q.end, q.sentence "
            "FROM batch_quantities AS q JOIN batch_write AS w USING (doc)"
        )
        con.execute(
            "INSERT INTO facts SELECT w.report_id, f.code, f.value, f.value_high, f.unit, f.qualifier, "
            "f.scope, f.evidence, f.start, f.end, f.sentence "
            "FROM batch_facts AS f JOIN batch_write AS w USING (doc)"
        )
        con.execute(
            "INSERT INTO gov_info_tables SELECT w.report_id, c.table_id, count(*), "
            "count(*) FILTER (NOT c.ok) FROM batch_checks AS c JOIN batch_write AS w USING (doc) "
            "GROUP BY w.report_id, c.table_id"
        )
        con.execute(
            "INSERT INTO table_checks (report_id, check_name, detail, sentence) "
            "SELECT w.report_id, c.table_id || '.' || c.check_id, "
            "coalesce('[' || c.scope || '] ', '') || c.detail, NULL "
            "FROM batch_checks AS c JOIN batch_write AS w USING (doc) WHERE NOT c.ok"
        )


def _drop_moved(con: duckdb.DuckDBPyConnection) -> None:
    """An input written now under another identity than before (new content, or rules that read its year
    differently) no longer backs its old report: that report's rows go, so one page never counts twice."""
    moved = con.execute(
        "SELECT report_id FROM reports WHERE input IN (SELECT path FROM batch_write) "
        "AND report_id NOT IN (SELECT report_id FROM batch_write)"
    ).fetchall()
    if not moved:
        return
    with _registered(con, batch_moved=pl.DataFrame({"report_id": [row[0] for row in moved]},
                                                   schema={"report_id": pl.Utf8})):
        for table in REPORT_TABLES:
            con.execute(f"DELETE FROM {table} WHERE report_id IN (SELECT report_id FROM batch_moved)")


def _clear_rejects(con: duckdb.DuckDBPyConnection, inputs: Sequence[str]) -> None:
    """Inputs now in the warehouse (by file name or URL) are no longer rejects."""
    if inputs:
        with _registered(con, batch_loaded=pl.DataFrame({"input": inputs}, schema={"input": pl.Utf8})):
            con.execute("DELETE FROM rejects WHERE input IN (SELECT input FROM batch_loaded)")


def _insert_rejects(con: duckdb.DuckDBPyConnection, rows: Sequence[RejectRow]) -> None:
    if not rows:
        return
    frame = pl.DataFrame(
        [(r.input, r.stage, r.reason) for r in rows], schema=["input", "stage", "reason"], orient="row"
    ).unique(maintain_order=True)
    with _registered(con, batch_rejects=frame):
        con.execute(
            'INSERT INTO rejects (input, stage, reason, "when") '
            "SELECT input, stage, reason, current_timestamp::TIMESTAMP FROM batch_rejects "
            "ON CONFLICT DO NOTHING"
        )
