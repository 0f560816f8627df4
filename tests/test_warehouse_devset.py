"""Dev set (needs ../shared): the dev captures and the seed load, and the seed's figure shows in yoy."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ingest.pages import ingest_files
from nianbao.cli import main
from warehouse.query import run_query

pytestmark = pytest.mark.devset


def test_dev_captures_load_one_report_per_gold_identity(
    dev_corpus: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "dev.duckdb"
    captures = sorted((dev_corpus / "captures").glob("*.txt"))
    golds = [json.loads(p.read_text(encoding="utf-8")) for p in sorted((dev_corpus / "gold").glob("*.json"))]
    identities = {(g["metadata"]["region_code"], g["kind"], g["metadata"]["report_year"]) for g in golds}
    summary = ingest_files(captures, path)
    assert summary.loaded == len(identities)
    assert all(r.stage == "duplicate" for r in summary.rejects), summary.describe()
    loaded = set(run_query("SELECT region_code, kind, report_year FROM reports", path).rows())
    assert loaded == identities
    again = ingest_files(captures, path)
    assert (again.loaded, again.replaced, again.skipped) == (0, 0, len(identities))

    args = ["yoy", "reconsideration.accepted", "--region", "东辽县", "--csv"]
    assert main([*args, "--warehouse", str(path)]) == 0
    rows = capsys.readouterr().out.splitlines()
    assert rows[1].split(",")[:6] == [
        "reconsideration.accepted",
        "受理行政复议案件",
        "220422",
        "东辽县",
        "2019",
        "2.0",
    ]
