"""Ingest: local inputs read safely, and the transform run with no warehouse lock held (issue 9, items 7,
10, 11 and 12)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

import ingest.pages
from ingest.files import read_input
from ingest.pages import ingest_files, ingest_pages
from nianbao.cli import main
from transforms.extract import ExtractedBatch
from transforms.model import Page
from warehouse.query import run_query
from warehouse.summary import RejectRow
from warehouse.synthetic import synthetic_captures

GBK_NAME = os.fsdecode("报告".encode("gbk") + b".txt")  # bytes that are not UTF-8


@pytest.fixture()
def pages_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "pages"
    folder.mkdir()
    for page in synthetic_captures([2016, 2017, 2018]):
        (folder / Path(page.name).name).write_bytes(page.data)
    return folder


def test_the_transform_runs_while_other_processes_can_open_the_warehouse(
    pages_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Item 7: while pages are transformed, another process opens the warehouse read-only at once."""
    path = tmp_path / "w.duckdb"
    ingest_files([str(pages_dir / "990121-2016.txt")], path)  # the warehouse exists
    real_extract = ingest.pages.extract_pages
    opened: list[int] = []

    def extract_and_try_a_reader(pages: list[Page], objects: bool = True) -> ExtractedBatch:
        probe = (
            "import duckdb, sys; duckdb.connect(sys.argv[1], read_only=True)"
            ".execute('SELECT count(*) FROM reports').fetchall()"
        )
        opened.append(
            subprocess.run(
                [sys.executable, "-c", probe, str(path)], capture_output=True, timeout=60
            ).returncode
        )
        return real_extract(pages, objects)

    monkeypatch.setattr(ingest.pages, "extract_pages", extract_and_try_a_reader)
    summary = ingest_files([str(p) for p in sorted(pages_dir.iterdir())], path)
    assert opened and set(opened) == {0}, "a reader could not open the warehouse during the transform"
    assert (summary.loaded, summary.skipped) == (2, 1)


def test_a_file_name_that_is_not_utf8_loads_with_the_rest(
    pages_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Item 10: a GBK-encoded file name neither crashes the load nor stops the other files."""
    (pages_dir / GBK_NAME).write_bytes(synthetic_captures([2019])[0].data)
    path = tmp_path / "w.duckdb"
    assert main(["load", str(pages_dir), "--warehouse", str(path)]) == 0, capsys.readouterr().err
    inputs = run_query("SELECT input FROM reports ORDER BY report_year", path)["input"].to_list()
    assert len(inputs) == 4
    assert inputs[-1].endswith("\\xb1\\xa8\\xb8\\xe6.txt"), inputs[-1]


def test_devices_fifos_and_oversized_files_are_rejects_and_the_rest_loads(
    pages_dir: Path, tmp_path: Path, use_settings: Callable[..., Path], capsys: pytest.CaptureFixture[str]
) -> None:
    """Item 12: /dev/zero, a FIFO without a writer and a file over ingest.max_input_bytes are rejects with
    their reason, read without blocking and without reading them whole."""
    use_settings(max_input_bytes="20000")
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)
    big = tmp_path / "big.txt"
    big.write_bytes(synthetic_captures([2020])[0].data * 50)
    path = tmp_path / "w.duckdb"
    start = time.monotonic()
    status = main(["load", "/dev/zero", str(fifo), str(big), str(pages_dir), "--warehouse", str(path)])
    assert status == 1 and time.monotonic() - start < 60
    out = capsys.readouterr().out
    assert "loaded 3," in out and "rejected 3" in out, out
    reasons = dict(run_query("SELECT input, reason FROM rejects", path).rows())
    assert "character device" in reasons["/dev/zero"]
    assert "FIFO" in reasons[str(fifo)]
    assert "ingest.max_input_bytes" in reasons[str(big)]


def test_an_archived_body_over_the_size_cap_is_a_reject(
    tmp_path: Path, use_settings: Callable[..., Path]
) -> None:
    use_settings(max_input_bytes="1000")
    url = "http://127.0.0.1/big.html"
    summary = ingest_pages([Page(name=url, data=b"<p>" * 1000)], tmp_path / "w.duckdb")
    reason = "3,000 bytes, over the input size limit of 1,000 (ingest.max_input_bytes)"
    assert summary.rejects == [RejectRow(url, "read", reason)]


def test_a_file_over_the_cap_is_a_reject(tmp_path: Path, use_settings: Callable[..., Path]) -> None:
    use_settings(max_input_bytes="1000")
    small = tmp_path / "small.txt"
    small.write_bytes(b"x" * 999)
    assert isinstance(read_input(str(small)), Page)
    small.write_bytes(b"x" * 1001)
    assert isinstance(read_input(str(small)), RejectRow)


def _nested(depth: int) -> bytes:
    return (f"<html><body>{'<div>' * depth}示例县{'</div>' * depth}</body></html>").encode()


def test_deep_nesting_is_a_reject_within_the_parse_budget_and_the_folder_loads(
    pages_dir: Path, tmp_path: Path
) -> None:
    """Item 11: a million nested divs (the parser would never finish) is a reject in about a second."""
    (pages_dir / "deep.html").write_bytes(_nested(1_000_000))
    start = time.monotonic()
    summary = ingest_files([str(p) for p in sorted(pages_dir.iterdir())], tmp_path / "w.duckdb")
    assert time.monotonic() - start < 30
    assert summary.loaded == 3
    [reject] = summary.rejects
    assert reject.input.endswith("deep.html") and "ingest.max_html_depth" in reject.reason


def test_the_parse_budget_comes_from_config(use_settings: Callable[..., Path]) -> None:
    from transforms.extract import extract_pages

    page = Page(name="p.html", data=_nested(40))
    assert "max_html_depth" not in (extract_pages([page]).reports[0].error or "")
    use_settings(max_html_depth="30")
    assert "ingest.max_html_depth" in (extract_pages([page]).reports[0].error or "")
    use_settings(max_html_depth="512", max_html_tags="50")
    assert "ingest.max_html_tags" in (extract_pages([page]).reports[0].error or "")
