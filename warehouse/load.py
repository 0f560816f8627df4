"""Loading frames: one DuckDB transaction per batch of ready frames, handed over as Parquet (staging.py).

On a DuckLake a batch whose commit meets another loader's is loaded again from its frames (warehouse/lake.py).
The warehouse receives frames and never runs the transform (ingest/ turns pages into frames first): the
file's write lock is held only while a batch of ready frames is written. A report's identity is
(region_code, kind, report_year): loading it again replaces all its rows at once. Rejects hold one row per
input, its current reason, so loading the same inputs again leaves the table as it was.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import polars as pl

from nianbao.settings import setting
from transforms.version import extractor_version
from warehouse.batch import FrameBatch
from warehouse.connection import open_for_writing, open_read_only
from warehouse.identity import decide, resolve_batch
from warehouse.lake import retrying_conflicts, warehouse_exists
from warehouse.location import resolve_warehouse
from warehouse.picks import insert_picked_values
from warehouse.staging import rows_frame, staged
from warehouse.summary import LoadSummary, RejectRow, ReportWarning

__all__ = ["KnownInputs", "LoadSummary", "RejectRow", "known_inputs", "load_frames", "record_rejects"]

# A report's rows, children first (picked_values: warehouse/picks.py).
REPORT_TABLES = (
    "picked_values",
    "gov_info_tables",
    "table_checks",
    "facts",
    "quantities",
    "sections",
    "reports",
)
_REPORT_COLUMNS = (
    "report_id",
    "region_code",
    "kind",
    "report_year",
    "title",
    "issuer",
    "published_at",
    "source",
    "doc_number",
    "url",
    "input",
    "content_sha256",
    "body",
    "extractor_version",
    "loaded_at",
    "warnings",
)


_EXISTING = {name: pl.Utf8() for name in ("report_id", "e_input", "e_sha", "e_version", "e_pub")}


# warehouse_meta's note of the last run that wrote reports (KnownInputs.token).
_WRITER_KEY = "last_writer"


@dataclass(slots=True)
class KnownInputs:
    """What an ingest run needs to know before transforming: the content digests (sha256, 32 bytes) loaded
    with the current extractor version, and the inputs holding a reject.

    While it writes, the run also keeps the hash() of every input the warehouse holds reports of (`inputs`,
    a superset: a collision only costs a scan), so a batch of inputs new to the warehouse skips the search
    for moved pages, a scan of every report's input. They are read inside the first write transaction and
    again whenever warehouse_meta's last_writer is not the run's `token` (another process wrote between
    two of the run's batches), so they are never stale."""

    hashes: set[bytes] = field(default_factory=set)
    rejected: set[str] = field(default_factory=set)
    inputs: set[int] = field(default_factory=set)
    token: str = field(default_factory=lambda: uuid.uuid4().hex)


def known_inputs(warehouse: Path | str | None = None) -> KnownInputs:
    """The loaded content digests and rejected inputs, read once at the start of an ingest run (a page with
    known content needs no transform). Read-only: a missing warehouse knows none and is not created."""
    if not warehouse_exists(resolve_warehouse(warehouse)):
        return KnownInputs()
    with open_read_only(warehouse, sandboxed=False) as con:
        hashes = con.execute(
            "SELECT DISTINCT unhex(content_sha256) FROM reports WHERE extractor_version = ?",
            [extractor_version()],
        ).fetchall()
        rejected = con.execute("SELECT DISTINCT input FROM rejects").fetchall()
    return KnownInputs({row[0] for row in hashes}, {row[0] for row in rejected})


def load_frames(
    frames: FrameBatch,
    warehouse: Path | str | None = None,
    extra_rejects: Sequence[RejectRow] = (),
    settled: Sequence[str] = (),
    known: KnownInputs | None = None,
) -> LoadSummary:
    """Load frames built by ingest (or directly, with the frames.py schemas) in one transaction;
    `settled` names inputs found already loaded and unchanged (their old rejects go); `known`: an ingest
    run's inputs of the warehouse (a DuckDB file only), kept up to date here."""

    def write() -> LoadSummary:
        with open_for_writing(warehouse) as con:
            return _load(con, frames, extra_rejects, settled, known)

    summary = retrying_conflicts(resolve_warehouse(warehouse), write, _wait_seconds())
    summary.warehouse = str(resolve_warehouse(warehouse))
    return summary


def _load(
    con: duckdb.DuckDBPyConnection,
    frames: FrameBatch,
    extra_rejects: Sequence[RejectRow],
    settled: Sequence[str] = (),
    known: KnownInputs | None = None,
) -> LoadSummary:
    """Resolve identities, then write every winner and every reject in one transaction; inputs `settled`
    (already loaded, unchanged) lose their old rejects, as written ones do."""
    resolution = resolve_batch(frames.checked_reports())
    rejects = [*extra_rejects, *resolution.rejects]
    with _transaction(con):
        decision = decide(resolution.winners, _existing(con, resolution.winners), resolution.losers)
        rejects.extend(decision.rejects)
        if decision.write.height:
            _write_reports(con, frames.checked(), decision.write, _may_move(con, decision.write, known))
        written = [*decision.write.get_column("path"), *decision.write.get_column("url").drop_nulls()]
        _clear_rejects(con, [*settled, *written])
        _insert_rejects(con, rejects)
    return LoadSummary(
        loaded=decision.loaded,
        replaced=decision.replaced,
        skipped=decision.skipped + resolution.identical,
        rejected=len({r.input for r in rejects}),
        rejects=rejects,
        warnings=_warnings(frames.reports, decision.write),
    )


def _warnings(reports: pl.DataFrame, write: pl.DataFrame) -> list[ReportWarning]:
    """The warnings of the reports written (a hint the page contradicts, …), one per warning and input."""
    rows = (
        write.select("doc", "path")
        .join(reports.select("doc", "warnings"), on="doc")
        .explode("warnings")
        .drop_nulls("warnings")
        .sort("doc")
    )
    return [ReportWarning(path, text) for path, text in rows.select("path", "warnings").iter_rows()]


def record_rejects(rows: Sequence[RejectRow], warehouse: Path | str | None = None) -> None:
    """Record inputs that failed before loading (stage 'fetch', 'discover', …); one row per input."""
    if rows:

        def write() -> None:
            with open_for_writing(warehouse) as con, _transaction(con):
                _insert_rejects(con, rows)

        retrying_conflicts(resolve_warehouse(warehouse), write, _wait_seconds())


def _wait_seconds() -> float:
    """How long a lake writer retries a commit that met another writer's (warehouse.lock_wait_seconds)."""
    return float(setting("warehouse.lock_wait_seconds"))


@contextmanager
def _transaction(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    con.execute("BEGIN TRANSACTION")
    try:
        yield
    except BaseException:
        con.execute("ROLLBACK")
        raise
    con.execute("COMMIT")


def _existing(con: duckdb.DuckDBPyConnection, winners: pl.DataFrame) -> pl.DataFrame:
    """The loaded report of each identity in the batch (one row per report_id found)."""
    with staged(con, batch_winners=winners.select("report_id")):
        result = con.execute(
            "SELECT report_id, input AS e_input, content_sha256 AS e_sha, extractor_version AS e_version, "
            "published_at AS e_pub FROM reports WHERE report_id IN (SELECT report_id FROM batch_winners)"
        )
        return rows_frame(result, _EXISTING)


def _may_move(con: duckdb.DuckDBPyConnection, write: pl.DataFrame, known: KnownInputs | None) -> bool:
    """Whether an input written now may already back a report (the search for moved pages is needed):
    always without a run's knowledge; with it, only for an input the warehouse may hold. The run's
    inputs are read again when another writer came between (warehouse_meta's last_writer)."""
    if known is None:
        return True
    noted = con.execute("SELECT value FROM warehouse_meta WHERE key = ?", [_WRITER_KEY]).fetchall()
    if not noted or noted[0][0] != known.token:
        known.inputs = {hash(row[0]) for row in con.execute("SELECT input FROM reports").fetchall()}
        con.execute("INSERT OR REPLACE INTO warehouse_meta VALUES (?, ?)", [_WRITER_KEY, known.token])
    written = [hash(path) for path in write.get_column("path")]
    fresh = known.inputs.isdisjoint(written)
    known.inputs.update(written)  # a superset if the transaction rolls back: a collision costs a scan
    return not fresh


def _write_reports(
    con: duckdb.DuckDBPyConnection, frames: FrameBatch, write: pl.DataFrame, may_move: bool = True
) -> None:
    """Replace every row of the written identities: delete children and reports, then insert anew;
    `may_move`: an input written may back another report (else the search for moved pages is skipped)."""
    with staged(
        con,
        batch_write=write,
        batch_reports=frames.reports,
        batch_sections=frames.sections,
        batch_quantities=frames.quantities,
        batch_facts=frames.facts,
        batch_checks=frames.table_checks,
    ):
        if write.get_column("replacing").any():
            for table in REPORT_TABLES:
                con.execute(
                    f"DELETE FROM {table} WHERE report_id IN "
                    "(SELECT report_id FROM batch_write WHERE replacing)"
                )
        if may_move:
            _drop_moved(con)
        con.execute(
            f"INSERT INTO reports ({', '.join(_REPORT_COLUMNS)}) "
            "SELECT w.report_id, r.region_code, r.kind, r.report_year, r.title, r.issuer, r.published_at, "
            "r.source, r.doc_number, r.url, r.path, r.content_sha256, r.body, r.extractor_version, "
            "current_timestamp::TIMESTAMP, r.warnings "
            "FROM batch_reports AS r JOIN batch_write AS w USING (doc)"
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
        insert_picked_values(con, frames.facts, frames.reports, write)
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
    with staged(
        con, batch_moved=pl.DataFrame({"report_id": [row[0] for row in moved]}, schema={"report_id": pl.Utf8})
    ):
        for table in REPORT_TABLES:
            con.execute(f"DELETE FROM {table} WHERE report_id IN (SELECT report_id FROM batch_moved)")


def _clear_rejects(con: duckdb.DuckDBPyConnection, inputs: Sequence[str]) -> None:
    """Inputs now in the warehouse (by file name or URL) are no longer rejects."""
    if inputs:
        with staged(con, batch_loaded=pl.DataFrame({"input": inputs}, schema={"input": pl.Utf8})):
            con.execute("DELETE FROM rejects WHERE input IN (SELECT input FROM batch_loaded)")


def _insert_rejects(con: duckdb.DuckDBPyConnection, rows: Sequence[RejectRow]) -> None:
    """Each input's current reject replaces whatever was recorded for it before (the same reject again
    keeps its row and its first "when")."""
    if not rows:
        return
    frame = pl.DataFrame(
        [(r.input, r.stage, r.reason) for r in rows], schema=["input", "stage", "reason"], orient="row"
    ).unique("input", keep="last", maintain_order=True)
    with staged(con, batch_rejects=frame):
        con.execute(
            "DELETE FROM rejects WHERE input IN (SELECT input FROM batch_rejects) AND (input, stage, reason) "
            "NOT IN (SELECT (input, stage, reason) FROM batch_rejects)"
        )
        con.execute(
            'INSERT INTO rejects (input, stage, reason, "when") '
            "SELECT input, stage, reason, current_timestamp::TIMESTAMP FROM batch_rejects "
            "WHERE (input, stage, reason) NOT IN (SELECT (input, stage, reason) FROM rejects)"
        )
