"""The dev-set scorer on `nianbao extract --json`, on dev and dev-b: issue-8 thresholds for every
metadata field, invented metadata, body start and chrome.

Runs only where ../shared exists (the dev_corpus / score_tool fixtures skip with a reason otherwise).
"""

from __future__ import annotations

import html
import json
import shlex
import subprocess
import sys

import pytest

pytestmark = pytest.mark.devset

FIELDS = (
    "title",
    "report_year",
    "published_at",
    "source",
    "region_code",
    "issuer",
    "doc_number",
    "signer",
    "signed_on",
)
CORPORA = ("dev", "dev-b")


@pytest.fixture(scope="module", params=CORPORA)
def corpus_scores(request, dev_corpus, score_tool, nianbao_cmd) -> tuple[str, dict]:
    corpus = dev_corpus.parent / request.param
    if not (corpus / "gold").is_dir():
        pytest.skip(f"corpus {corpus} not found")
    cmd = shlex.join([*nianbao_cmd, "extract", "--json"])
    proc = subprocess.run(
        [sys.executable, str(score_tool), "--corpus", str(corpus), "--cmd", cmd, "--json"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    return request.param, json.loads(proc.stdout)["corpus"]


@pytest.mark.parametrize("field", FIELDS)
def test_metadata_field_accuracy(corpus_scores, field):
    name, scores = corpus_scores
    value = scores["metadata"][field]
    assert value is None or value >= 0.95, (name, scores["metadata"])


def test_no_invented_metadata(corpus_scores):
    assert corpus_scores[1]["metadata_invented"] <= 0.01


def test_body_starts_at_the_report_text(corpus_scores):
    assert corpus_scores[1]["body_start"] >= 0.98


def test_chrome_does_not_leak_into_the_body(corpus_scores):
    assert corpus_scores[1]["chrome_leak"] <= 0.02


def test_every_dev_capture_is_read(corpus_scores):
    assert corpus_scores[1]["failed"] == 0


def _score_variant(folder, dev_corpus, score_tool, nianbao_cmd, suffix: str, render) -> dict:
    """dev and dev-b captures rewritten by ``render`` (text → page text), scored with their own gold."""
    (folder / "captures").mkdir()
    (folder / "gold").mkdir()
    for corpus in (dev_corpus.parent / name for name in CORPORA):
        for gold_file in sorted((corpus / "gold").glob("*.json")):
            gold = json.loads(gold_file.read_text(encoding="utf-8"))
            text = (corpus / gold["capture"]).read_text(encoding="utf-8")
            name = f"{corpus.name}-{gold_file.stem}{suffix}"
            (folder / "captures" / name).write_text(render(text), encoding="utf-8")
            gold["capture"] = f"captures/{name}"
            gold_text = json.dumps(gold, ensure_ascii=False)
            (folder / "gold" / f"{name}.json").write_text(gold_text, encoding="utf-8")
    cmd = shlex.join([*nianbao_cmd, "extract", "--json"])
    proc = subprocess.run(
        [sys.executable, str(score_tool), "--corpus", str(folder), "--cmd", cmd, "--json"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    return json.loads(proc.stdout)["corpus"]


def _one_line(text: str) -> str:
    """A capture printed on one line: its lines joined by a space."""
    return " ".join(text.split("\n"))


def _flat_html(text: str) -> str:
    """A capture as a flat HTML page: every line a paragraph, <title> only the site's name."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    paragraphs = "".join(f"<p>{html.escape(line)}</p>\n" for line in lines)
    return (
        "<!DOCTYPE html><html><head><meta charset='utf-8'><title>人民政府门户网站</title></head>"
        f"<body><div class='main'>{paragraphs}</div></body></html>"
    )


@pytest.fixture(scope="module")
def one_line_scores(dev_corpus, score_tool, nianbao_cmd, tmp_path_factory) -> dict:
    """dev and dev-b captures printed as one-line pages (lines joined by a space)."""
    folder = tmp_path_factory.mktemp("one-line")
    return _score_variant(folder, dev_corpus, score_tool, nianbao_cmd, ".txt", _one_line)


@pytest.fixture(scope="module")
def flat_html_scores(dev_corpus, score_tool, nianbao_cmd, tmp_path_factory) -> dict:
    """dev and dev-b captures as flat HTML pages whose <title> names only the site."""
    folder = tmp_path_factory.mktemp("flat-html")
    return _score_variant(folder, dev_corpus, score_tool, nianbao_cmd, ".html", _flat_html)


@pytest.mark.parametrize("field", ("title", "report_year", "published_at", "source", "issuer"))
def test_one_line_pages_keep_their_metadata(one_line_scores, field):
    assert one_line_scores["metadata"][field] >= 0.95, one_line_scores["metadata"]


def test_one_line_pages_start_their_body_at_the_report_text(one_line_scores):
    assert one_line_scores["body_start"] >= 0.93
    assert one_line_scores["metadata_invented"] <= 0.01


@pytest.mark.parametrize("field", [f for f in FIELDS if f != "region_code"])
def test_flat_html_pages_keep_their_metadata(flat_html_scores, field):
    assert flat_html_scores["metadata"][field] >= 0.95, flat_html_scores["metadata"]


def test_flat_html_pages_start_their_body_at_the_report_text_without_chrome(flat_html_scores):
    assert flat_html_scores["body_start"] >= 0.98
    assert flat_html_scores["chrome_leak"] <= 0.02
    assert flat_html_scores["metadata_invented"] <= 0.01
