"""The dev-set scorer on `nianbao extract --json`: issue-2 thresholds for metadata, body start and chrome.

Runs only where ../shared exists (the dev_corpus / score_tool fixtures skip with a reason otherwise).
"""

from __future__ import annotations

import json
import shlex
import subprocess
import sys

import pytest

pytestmark = pytest.mark.devset

FIELDS = ("title", "report_year", "published_at", "source", "region_code")


@pytest.fixture(scope="module")
def corpus_scores(dev_corpus, score_tool, nianbao_cmd) -> dict:
    cmd = shlex.join([*nianbao_cmd, "extract", "--json"])
    proc = subprocess.run(
        [sys.executable, str(score_tool), "--corpus", str(dev_corpus), "--cmd", cmd, "--json"],
        capture_output=True, text=True, timeout=300, check=False,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    return json.loads(proc.stdout)["corpus"]


@pytest.mark.parametrize("field", FIELDS)
def test_metadata_field_accuracy(corpus_scores, field):
    assert corpus_scores["metadata"][field] >= 0.95, corpus_scores["metadata"]


def test_no_invented_metadata(corpus_scores):
    assert corpus_scores["metadata_invented"] <= 0.02


def test_body_starts_at_the_report_text(corpus_scores):
    assert corpus_scores["body_start"] >= 0.95


def test_chrome_does_not_leak_into_the_body(corpus_scores):
    assert corpus_scores["chrome_leak"] <= 0.02


def test_every_dev_capture_is_read(corpus_scores):
    assert corpus_scores["failed"] == 0
