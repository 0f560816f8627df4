"""A loading process killed with SIGKILL leaves no partial report: every batch is one transaction."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb

FACTS, SECTIONS = 40, 4
# Loads ever-new revisions of 2,000 reports in a loop; each batch replaces every report.
LOADER = f"""
import sys
from warehouse.load import load_frames
from warehouse.synthetic import fictional_region_codes, synthetic_batch
regions = fictional_region_codes(200)
revision = int(sys.argv[2])
while True:
    load_frames(synthetic_batch(regions, range(2015, 2025), {FACTS}, revision=revision), sys.argv[1])
    print("committed", revision, flush=True)
    revision += 1
"""


def kill_while_loading(path: Path, first_revision: int, delay: float) -> int:
    """Start the loader, let it commit once, kill it `delay` seconds later; the revisions it committed."""
    proc = subprocess.Popen(
        [sys.executable, "-c", LOADER, str(path), str(first_revision)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=Path(__file__).resolve().parents[1],
    )
    assert proc.stdout is not None and proc.stderr is not None
    line = proc.stdout.readline()
    if not line.startswith("committed"):
        proc.kill()
        raise AssertionError(f"loader did not commit: {line!r} {proc.stderr.read()[-2000:]}")
    time.sleep(delay)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    proc.stdout.close()
    proc.stderr.close()
    return proc.returncode


def check_whole(path: Path) -> set[str]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        per_report = con.execute(
            "SELECT r.report_id, (SELECT count(*) FROM facts f WHERE f.report_id = r.report_id), "
            "(SELECT count(*) FROM quantities q WHERE q.report_id = r.report_id), "
            "(SELECT count(*) FROM sections s WHERE s.report_id = r.report_id) FROM reports r"
        ).fetchall()
        orphans = con.execute(
            "SELECT count(*) FROM facts WHERE report_id NOT IN (SELECT report_id FROM reports)"
        ).fetchall()[0][0]
        mismatched = con.execute(
            "SELECT count(*) FROM facts f JOIN reports r USING (report_id) "
            "WHERE NOT contains(f.evidence, '修订' || regexp_extract(r.body, '修订(\\d+)', 1) || ')')"
        ).fetchall()[0][0]
        revisions = {
            row[0]
            for row in con.execute(
                "SELECT DISTINCT regexp_extract(body, '修订(\\d+)', 1) FROM reports"
            ).fetchall()
        }
    finally:
        con.close()
    assert len(per_report) == 2000
    assert all(row[1:] == (FACTS, FACTS, SECTIONS) for row in per_report), "a report lost or doubled rows"
    assert orphans == 0 and mismatched == 0, "facts of another version of the report survived"
    return revisions


def test_sigkill_mid_load_leaves_no_partial_report(tmp_path: Path) -> None:
    path = tmp_path / "w.duckdb"
    for attempt, delay in enumerate((0.05, 0.15, 0.3, 0.45, 0.7)):
        assert kill_while_loading(path, first_revision=attempt * 100, delay=delay) == -signal.SIGKILL
        revisions = check_whole(path)
        assert len(revisions) == 1, f"one batch is all or nothing, found revisions {revisions}"
        assert int(next(iter(revisions))) >= attempt * 100
