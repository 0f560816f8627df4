"""Loading frames into a real DuckDB file and a real DuckLake (each test runs on both):
idempotent, per-report replacement, duplicates, rejects."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from warehouse.batch import FrameBatch
from warehouse.checksum import table_checksums as checksums
from warehouse.load import RejectRow, load_frames, record_rejects
from warehouse.query import run_query
from warehouse.synthetic import KIND, fictional_region_codes, synthetic_batch

REGIONS = fictional_region_codes(4)
YEARS = range(2017, 2021)


def query(path: Path, sql: str) -> list[tuple]:
    return run_query(sql, path).rows()


def with_reports(batch: FrameBatch, reports: pl.DataFrame) -> FrameBatch:
    return FrameBatch(reports, batch.sections, batch.quantities, batch.facts)


def test_loading_the_same_frames_twice_gives_identical_tables(tmp_path: Path, backend_file: str) -> None:
    path = tmp_path / backend_file
    batch = synthetic_batch(REGIONS, YEARS, facts_per_report=6)
    first = load_frames(batch, path)
    before = checksums(path)
    second = load_frames(batch, path)
    assert (first.loaded, first.skipped, first.rejected) == (16, 0, 0)
    assert (second.loaded, second.replaced, second.skipped) == (0, 0, 16)
    assert checksums(path) == before
    assert query(path, "SELECT count(*) FROM facts") == [(16 * 6,)]


def test_changing_one_report_changes_only_its_rows(tmp_path: Path, backend_file: str) -> None:
    path = tmp_path / backend_file
    load_frames(synthetic_batch(REGIONS, YEARS, facts_per_report=6), path)
    changed_id = f"{REGIONS[1]}:law_based_government_annual_report:2019"
    before = checksums(path, exclude_report=changed_id)
    old_values = query(path, f"SELECT code, value FROM facts WHERE report_id = '{changed_id}' ORDER BY 1")
    revised = synthetic_batch([REGIONS[1]], [2019], facts_per_report=6, revision=5)
    untouched = synthetic_batch(REGIONS, YEARS, facts_per_report=6)
    summary = load_frames(_concat(untouched, revised, drop=(REGIONS[1], 2019)), path)
    assert (summary.loaded, summary.replaced, summary.skipped) == (0, 1, 15)
    assert checksums(path, exclude_report=changed_id) == before
    new_values = query(path, f"SELECT code, value FROM facts WHERE report_id = '{changed_id}' ORDER BY 1")
    assert len(new_values) == len(old_values) == 6
    assert [(v - 1 + 5) % 997 + 1 for _, v in old_values] == [v for _, v in new_values]


def _concat(base: FrameBatch, extra: FrameBatch, drop: tuple[str, int]) -> FrameBatch:
    """base without one region-year, plus extra's reports renumbered after base's docs."""
    region, year = drop
    gone = base.reports.filter((pl.col("region_code") == region) & (pl.col("report_year") == year))["doc"]
    offset = base.reports.height

    def shift(frame: pl.DataFrame) -> pl.DataFrame:
        return frame.with_columns(doc=pl.col("doc") + offset)

    def keep(frame: pl.DataFrame) -> pl.DataFrame:
        return frame.filter(~pl.col("doc").is_in(gone.implode()))

    return FrameBatch(
        pl.concat([keep(base.reports), shift(extra.reports)]),
        pl.concat([keep(base.sections), shift(extra.sections)]),
        pl.concat([keep(base.quantities), shift(extra.quantities)]),
        pl.concat([keep(base.facts), shift(extra.facts)]),
    )


def _two_pages_one_identity() -> FrameBatch:
    """Two different pages of 示例县 2019: the second published later."""
    batch = synthetic_batch(["990121"], [2019, 2019], facts_per_report=3)
    reports = batch.reports.with_columns(
        path=pl.Series(["pages/early.html", "pages/late.html"]),
        published_at=pl.Series(["2020-03-01", "2020-03-20T09:00"]),
        content_sha256=pl.Series(["a" * 64, "b" * 64]),
    )
    facts = batch.facts.with_columns(value=pl.col("value") + pl.col("doc").cast(pl.Float64) * 100)
    return FrameBatch(reports, batch.sections, batch.quantities, facts)


@pytest.mark.parametrize("reverse", [False, True])
def test_two_pages_claiming_one_identity_keep_the_later_published(
    tmp_path: Path, reverse: bool, backend_file: str
) -> None:
    path = tmp_path / backend_file
    batch = _two_pages_one_identity()
    if reverse:
        batch = with_reports(batch, batch.reports.reverse())
    summary = load_frames(batch, path)
    assert (summary.loaded, summary.rejected) == (1, 1)
    assert summary.rejects[0].input == "pages/early.html"
    assert summary.rejects[0].stage == "duplicate"
    assert "pages/late.html" in summary.rejects[0].reason and "published later" in summary.rejects[0].reason
    assert query(path, "SELECT input, published_at FROM reports") == [("pages/late.html", "2020-03-20T09:00")]
    assert query(path, "SELECT count(*), min(value) >= 100 FROM facts") == [(3, True)]
    assert query(path, "SELECT input, stage FROM rejects") == [("pages/early.html", "duplicate")]


def test_a_later_page_in_another_batch_replaces_and_the_earlier_cannot_come_back(
    tmp_path: Path, backend_file: str
) -> None:
    path = tmp_path / backend_file
    batch = _two_pages_one_identity()
    early = batch.reports.filter(pl.col("doc") == 0)
    late = batch.reports.filter(pl.col("doc") == 1)
    assert load_frames(with_reports(batch, early), path).loaded == 1
    replaced = load_frames(with_reports(batch, late), path)
    assert (replaced.replaced, [r.input for r in replaced.rejects]) == (1, ["pages/early.html"])
    snapshot = checksums(path)
    again = load_frames(with_reports(batch, early), path)
    assert (again.loaded, again.replaced, again.rejected) == (0, 0, 1)
    assert checksums(path) == snapshot
    assert query(path, "SELECT input FROM reports") == [("pages/late.html",)]


def test_same_page_with_new_content_replaces_itself_even_if_dated_earlier(
    tmp_path: Path, backend_file: str
) -> None:
    path = tmp_path / backend_file
    batch = _two_pages_one_identity()
    late = batch.reports.filter(pl.col("doc") == 1)
    load_frames(with_reports(batch, late), path)
    edited = late.with_columns(published_at=pl.lit("2020-01-01"), content_sha256=pl.lit("c" * 64))
    summary = load_frames(with_reports(batch, edited), path)
    assert (summary.replaced, summary.rejected) == (1, 0)
    assert query(path, "SELECT published_at, content_sha256 FROM reports") == [("2020-01-01", "c" * 64)]


def test_identical_copies_in_one_batch_load_once(tmp_path: Path, backend_file: str) -> None:
    batch = synthetic_batch(["990121"], [2019, 2019], facts_per_report=2)
    reports = batch.reports.with_columns(path=pl.Series(["copy-a.txt", "copy-b.txt"]))
    summary = load_frames(with_reports(batch, reports), tmp_path / backend_file)
    assert (summary.loaded, summary.skipped, summary.rejected) == (1, 1, 0)
    assert query(tmp_path / backend_file, "SELECT count(*) FROM facts") == [(2,)]


def test_unidentified_and_failed_inputs_become_rejects(tmp_path: Path, backend_file: str) -> None:
    path = tmp_path / backend_file
    batch = synthetic_batch(["990121"], [2016, 2017, 2018, 2019], facts_per_report=2)
    reports = batch.reports.with_columns(
        region_code=pl.when(pl.col("doc") == 1).then(None).otherwise(pl.col("region_code")),
        ok=pl.col("doc") != 2,
        error=pl.when(pl.col("doc") == 2).then(pl.lit("page not found (页面不存在)")).otherwise(None),
        kind=pl.when(pl.col("doc") == 3).then(pl.lit("other")).otherwise(pl.col("kind")),
    )
    summary = load_frames(with_reports(batch, reports), path)
    assert (summary.loaded, summary.rejected) == (1, 3)
    reasons = dict(
        query(
            path,
            "SELECT input, reason FROM rejects WHERE stage = 'identity' "
            "UNION ALL SELECT input, reason FROM rejects WHERE stage = 'extract'",
        )
    )
    paths = batch.reports["path"].to_list()
    assert reasons[paths[2]] == "page not found (页面不存在)"
    assert "no region_code" in reasons[paths[1]]
    assert reasons[paths[3]] == "not a report of a known kind (kind 'other')"
    assert query(path, "SELECT count(*) FROM facts") == [(2,)], "rejected inputs leave no rows"


def test_new_extractor_version_reloads_unchanged_content(tmp_path: Path, backend_file: str) -> None:
    path = tmp_path / backend_file
    batch = synthetic_batch(["990121"], [2019], facts_per_report=2)
    load_frames(batch, path)
    newer = batch.reports.with_columns(extractor_version=pl.lit("9.9.9+rules"))
    assert load_frames(with_reports(batch, newer), path).replaced == 1
    assert query(path, "SELECT extractor_version FROM reports") == [("9.9.9+rules",)]


def test_record_rejects_keeps_each_once_and_a_later_load_clears_it(tmp_path: Path, backend_file: str) -> None:
    path = tmp_path / backend_file
    batch = synthetic_batch(["990121"], [2019], facts_per_report=2)
    page = batch.reports["path"][0]
    rows = [
        RejectRow(page, "fetch", "HTTP 503 after 3 tries"),
        RejectRow("http://127.0.0.1/x", "discover", "no year in the title"),
    ]
    record_rejects(rows + rows[:1], path)
    record_rejects(rows, path)
    assert query(path, "SELECT count(*) FROM rejects") == [(2,)]
    load_frames(batch, path)
    assert query(path, "SELECT input FROM rejects") == [("http://127.0.0.1/x",)]


def test_a_bad_frame_is_a_clear_error_and_writes_nothing(tmp_path: Path, backend_file: str) -> None:
    path = tmp_path / backend_file
    batch = synthetic_batch(["990121"], [2019], facts_per_report=2)
    with pytest.raises(ValueError, match="facts frame lacks column"):
        broken = FrameBatch(batch.reports, batch.sections, batch.quantities, batch.facts.drop("code"))
        load_frames(broken, path)
    assert not path.exists() or query(path, "SELECT count(*) FROM reports") == [(0,)]


def test_one_input_given_twice_in_a_batch_keeps_its_later_copy(tmp_path: Path, backend_file: str) -> None:
    batch = _two_pages_one_identity()
    reports = batch.reports.with_columns(
        path=pl.lit("pages/same.html"), published_at=pl.Series(["2020-03-20", "2020-03-01"])
    )
    summary = load_frames(with_reports(batch, reports), tmp_path / backend_file)
    assert (summary.loaded, summary.skipped, summary.rejected) == (1, 1, 0)
    assert query(tmp_path / backend_file, "SELECT content_sha256 FROM reports") == [("b" * 64,)]


def test_a_report_without_content_hash_is_hashed_from_its_body(tmp_path: Path, backend_file: str) -> None:
    batch = synthetic_batch(["990121"], [2019], facts_per_report=1)
    reports = batch.reports.with_columns(content_sha256=pl.lit(None, pl.Utf8))
    assert load_frames(with_reports(batch, reports), tmp_path / backend_file).loaded == 1
    (sha,) = query(tmp_path / backend_file, "SELECT content_sha256 = sha256(body) FROM reports")[0]
    assert sha is True


def test_threads_of_one_process_take_turns(tmp_path: Path, backend_file: str) -> None:
    """A flow's task threads load batches into one file at once: each batch commits, none is lost."""
    from concurrent.futures import ThreadPoolExecutor

    path = tmp_path / backend_file
    batches = [synthetic_batch([region], YEARS, facts_per_report=5) for region in fictional_region_codes(6)]
    with ThreadPoolExecutor(max_workers=3) as pool:
        summaries = list(pool.map(lambda batch: load_frames(batch, path), batches))
    assert [s.loaded for s in summaries] == [4] * 6
    assert query(path, "SELECT count(*), count(DISTINCT report_id) FROM facts") == [(6 * 4 * 5, 24)]


def test_an_input_that_now_reads_as_another_year_leaves_no_stale_report(
    tmp_path: Path, backend_file: str
) -> None:
    """Reprocessing with rules that read a page's year differently moves its report; the old one goes."""
    path = tmp_path / backend_file
    old = synthetic_batch(["990121"], [2019], facts_per_report=3)
    load_frames(with_reports(old, old.reports.with_columns(path=pl.lit("pages/a.html"))), path)
    moved = synthetic_batch(["990121"], [2020], facts_per_report=3, revision=1)
    summary = load_frames(with_reports(moved, moved.reports.with_columns(path=pl.lit("pages/a.html"))), path)
    assert summary.loaded == 1
    assert query(path, "SELECT input, report_year FROM reports") == [("pages/a.html", 2020)]
    assert query(path, "SELECT DISTINCT report_id FROM facts") == [(f"990121:{KIND}:2020",)]
    orphans = "SELECT count(*) FROM {} WHERE report_id NOT IN (SELECT report_id FROM reports)"
    assert all(query(path, orphans.format(t)) == [(0,)] for t in ("facts", "quantities", "sections"))


def _three_pages_one_identity() -> dict[str, FrameBatch]:
    """Pages A, B, C of 示例县 2019 with different content, published A (latest), then B, then C."""
    batch = synthetic_batch(["990121"], [2019, 2019, 2019], facts_per_report=2)
    reports = batch.reports.with_columns(
        path=pl.Series(["pages/a.html", "pages/b.html", "pages/c.html"]),
        published_at=pl.Series(["2020-03-30", "2020-03-20", "2020-03-10"]),
        content_sha256=pl.Series(["a" * 64, "b" * 64, "c" * 64]),
    )
    whole = with_reports(batch, reports)
    return {
        name: FrameBatch(
            *(
                getattr(whole, part).filter(pl.col("doc") == doc)
                for part in ("reports", "sections", "quantities", "facts")
            )
        )
        for doc, name in enumerate("ABC")
    }


def _together(*batches: FrameBatch) -> FrameBatch:
    return FrameBatch(
        *(
            pl.concat([getattr(b, part) for b in batches])
            for part in ("reports", "sections", "quantities", "facts")
        )
    )


def test_rejects_hold_one_row_per_input_and_reloading_adds_none(tmp_path: Path, backend_file: str) -> None:
    """Issue 9.8: loading the same inputs again must not add reject rows whose reasons changed."""
    path = tmp_path / backend_file
    pages = _three_pages_one_identity()
    load_frames(_together(pages["B"], pages["C"]), path)
    summary = load_frames(_together(pages["A"], pages["B"], pages["C"]), path)
    rows = query(path, "SELECT input, reason FROM rejects ORDER BY 1")
    assert len(rows) == summary.rejected == 2
    assert all("pages/a.html" in reason for _, reason in rows), rows
    snapshot = checksums(path, skip_columns=("when", "loaded_at"))
    again = load_frames(_together(pages["A"], pages["B"], pages["C"]), path)
    assert again.rejected == 2 and checksums(path, skip_columns=("when", "loaded_at")) == snapshot


def test_a_duplicate_is_recorded_against_the_page_kept_not_a_rejected_one(
    tmp_path: Path, backend_file: str
) -> None:
    """Issue 9.8: B wins its batch over C but loses to the loaded A; C lost to A, not to B."""
    path = tmp_path / backend_file
    pages = _three_pages_one_identity()
    load_frames(pages["A"], path)
    summary = load_frames(_together(pages["B"], pages["C"]), path)
    reasons = dict(query(path, "SELECT input, reason FROM rejects"))
    assert summary.rejected == 2
    assert "pages/a.html" in reasons["pages/c.html"], reasons
    assert "pages/b.html" not in reasons["pages/c.html"]


def test_an_input_rejected_at_another_stage_keeps_only_its_current_reject(
    tmp_path: Path, backend_file: str
) -> None:
    path = tmp_path / backend_file
    record_rejects([RejectRow("http://127.0.0.1/r.html", "fetch", "HTTP 503")], path)
    record_rejects([RejectRow("http://127.0.0.1/r.html", "extract", "page has no text content")], path)
    assert query(path, "SELECT stage FROM rejects") == [("extract",)]
