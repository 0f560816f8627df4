"""Dev-set thresholds for quantities and indicators (skipped without ../shared)."""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from transforms.extract import extract_pages
from transforms.model import Page

pytestmark = pytest.mark.devset


def test_devset_scores(dev_corpus: Path, score_tool: Path) -> None:
    cmd = f"{sys.executable} -m nianbao.cli extract --json"
    args = [sys.executable, str(score_tool), "--corpus", str(dev_corpus), "--cmd", cmd, "--json"]
    result = subprocess.run(args, capture_output=True, text=True, cwd=Path(__file__).resolve().parents[1],
                            check=False)
    assert result.returncode == 0, result.stderr
    scores = json.loads(result.stdout)["corpus"]
    assert scores["quantities"]["f1"] >= 0.97, scores["quantities"]
    assert scores["indicators"]["f1"] >= 0.85, scores["indicators"]


def test_seed_report(dev_corpus: Path) -> None:
    gold = json.loads((dev_corpus / "gold" / "dongliao-2019.json").read_text(encoding="utf-8"))
    path = dev_corpus / gold["capture"]
    report = extract_pages([Page(name=str(path), data=path.read_bytes())]).reports[0]
    assert report.ok, report.error

    def key(row: dict) -> tuple:
        return round(float(row["value"]), 4), row.get("unit") or row.get("code")

    found = Counter((round(q.value, 4), q.unit) for q in report.quantities)
    required = Counter(key(q) for q in gold["quantities"])
    assert not required - found, f"missed {sorted((required - found).elements())}"

    # None of the traps is (part of) an extracted quantity.
    for trap in gold["not_quantities"]:
        start = report.body.find(trap.strip("“”"))
        while start >= 0:
            end = start + len(trap.strip("“”"))
            assert not [q.text for q in report.quantities if q.start < end and q.end > start], trap
            start = report.body.find(trap.strip("“”"), end)

    got = Counter((i.code, round(i.value, 4)) for i in report.indicators)
    wanted = Counter((i["code"], round(float(i["value"]), 4)) for i in gold["indicators"])
    optional = Counter((i["code"], round(float(i["value"]), 4)) for i in gold["optional_indicators"])
    tp = sum((got & wanted).values())
    predicted = tp + sum(((got - wanted) - optional).values())
    precision, recall = tp / predicted, tp / sum(wanted.values())
    assert 2 * precision * recall / (precision + recall) >= 0.9, (got - wanted, wanted - got)
