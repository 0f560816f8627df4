"""Dev-set checks on ../shared/corpus/dev/html (skipped on a fresh clone without ../shared)."""

from __future__ import annotations

import importlib.util
import json
import shlex
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

from transforms.decode import decode_bytes
from transforms.html_strip import strip_html

pytestmark = pytest.mark.devset
PROJECT_ROOT = Path(__file__).resolve().parents[1]


def _pages(dev_corpus: Path) -> list[Path]:
    pages = sorted((dev_corpus / "html").glob("*.html"))
    assert pages, "no HTML pages in the dev corpus"
    return pages


def _scorer(score_tool: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location("nianbao_dev_scorer", score_tool)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_dev_page_decodes_without_replacement(dev_corpus: Path) -> None:
    for path in _pages(dev_corpus):
        decoded = decode_bytes(path.read_bytes())
        assert decoded.replaced == 0, path.name
        assert "\ufffd" not in decoded.text, path.name


def test_every_dev_page_is_an_article_with_body_and_title(dev_corpus: Path) -> None:
    for path in _pages(dev_corpus):
        page = strip_html(decode_bytes(path.read_bytes()).text)
        assert sum(len(line) for line in page.body_lines) >= 100, path.name
        assert page.title_hint, path.name


def test_html_truth_through_the_cli(dev_corpus: Path, score_tool: Path) -> None:
    truth = dev_corpus / "html" / "magic-html_expected_content.json"
    cmd = shlex.join([sys.executable, "-m", "nianbao.cli", "extract", "--json"])
    argv = [sys.executable, str(score_tool), "--html-truth", str(truth), "--cmd", cmd, "--json"]
    done = subprocess.run(argv, cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=300, check=True)
    scores = json.loads(done.stdout.strip().splitlines()[-1])["html"]
    assert scores["mean_f1"] >= 0.95, scores
    assert scores["min_f1"] >= 0.85, scores


def test_html_truth_with_the_density_fallback_alone(dev_corpus: Path, score_tool: Path) -> None:
    """The container table is not what carries the score: the fallback alone reaches the same bar."""
    scorer = _scorer(score_tool)
    truth = json.loads((dev_corpus / "html" / "magic-html_expected_content.json").read_text(encoding="utf-8"))
    f1s = []
    for name, expected in sorted(truth.items()):
        text = decode_bytes((dev_corpus / "html" / name).read_bytes()).text
        body = "\n".join(strip_html(text, use_known_containers=False).body_lines)
        gold, got = scorer.bigrams(expected["content"]), scorer.bigrams(body)
        hit = sum((gold & got).values())
        precision, recall = hit / max(1, sum(got.values())), hit / max(1, sum(gold.values()))
        f1s.append(2 * precision * recall / (precision + recall) if hit else 0.0)
    assert sum(f1s) / len(f1s) >= 0.95, f1s
    assert min(f1s) >= 0.85, f1s
