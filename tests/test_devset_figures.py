"""Dev-set thresholds for quantities and indicators on dev and dev-b (skipped without ../shared)."""

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


DEV_B_CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "dev-b"
# Thresholds on both dev sets: quantities no lower than dev's before dev-b was added, indicators 0.90.
MIN_QUANTITIES_F1 = 0.97
MIN_INDICATORS_F1 = 0.90


def _corpus_scores(corpus: Path, score_tool: Path) -> dict:
    cmd = f"{sys.executable} -m nianbao.cli extract --json"
    args = [sys.executable, str(score_tool), "--corpus", str(corpus), "--cmd", cmd, "--json"]
    result = subprocess.run(
        args, capture_output=True, text=True, cwd=Path(__file__).resolve().parents[1], check=False
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)["corpus"]


def test_devset_scores(dev_corpus: Path, score_tool: Path) -> None:
    scores = _corpus_scores(dev_corpus, score_tool)
    assert scores["quantities"]["f1"] >= MIN_QUANTITIES_F1, scores["quantities"]
    assert scores["indicators"]["f1"] >= MIN_INDICATORS_F1, scores["indicators"]


def test_devset_b_scores(score_tool: Path) -> None:
    if not (DEV_B_CORPUS / "gold").is_dir():
        pytest.skip(f"dev-b corpus not found at {DEV_B_CORPUS} (../shared is absent on a fresh clone)")
    scores = _corpus_scores(DEV_B_CORPUS, score_tool)
    assert scores["quantities"]["f1"] >= MIN_QUANTITIES_F1, scores["quantities"]
    assert scores["indicators"]["f1"] >= MIN_INDICATORS_F1, scores["indicators"]


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
