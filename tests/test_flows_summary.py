"""Run summaries (console text and the markdown artifact) and the progress bar."""

from __future__ import annotations

import threading

from flows.progress import progress_bar
from flows.summary import MAX_LISTED, RunSummary
from warehouse.load import LoadSummary, RejectRow


def test_summary_adds_loads_and_lists_rejects_with_reasons() -> None:
    summary = RunSummary(found=3, fetched=2, failed=1)
    reason = "HTTP 503 (gave up after 4 attempts)"
    summary.rejects.append(RejectRow("http://127.0.0.1/a|b.html", "fetch", reason))
    summary.rejected = 1
    summary.add_load(LoadSummary(loaded=1, skipped=1, rejected=0), pages=2)
    summary.skipped_links.update(["title does not match the report pattern"] * 4)
    assert summary.usable == 2
    text = summary.describe()
    assert "pages found 3: fetched 2" in text and "rejected [fetch] http://127.0.0.1/a|b.html" in text
    markdown = summary.markdown("nianbao backfill")
    assert "| fetch | http://127.0.0.1/a\\|b.html | HTTP 503 (gave up after 4 attempts) |" in markdown
    assert "| title does not match the report pattern | 4 |" in markdown
    assert {row["measure"]: row["count"] for row in summary.rows()}["loaded"] == 1


def test_long_reject_lists_are_cut_and_counted() -> None:
    summary = RunSummary(rejects=[RejectRow(f"u{i}", "fetch", "HTTP 500") for i in range(MAX_LISTED + 7)])
    assert "… and 7 more rejects" in summary.describe()
    assert "… and 7 more." in summary.markdown("t")


def test_progress_bar_advances_from_threads() -> None:
    with progress_bar("pages", 40, enabled=True) as bar:
        workers = [threading.Thread(target=lambda: [bar.advance() for _ in range(10)]) for _ in range(4)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()
        task = bar._progress.tasks[0] if bar._progress else None
        assert task is not None and task.completed == 40
    with progress_bar("pages", 5, enabled=False) as quiet:
        quiet.advance()  # a no-op off a terminal
