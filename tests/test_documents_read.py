"""Reports published as documents (PDF, DOCX, OFD, DOC): sniffed from the bytes, read into the same transform,
loaded into a real DuckDB file; encrypted, scanned, corrupt and oversized ones are rejects with reasons."""

from __future__ import annotations

import io
import shutil
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

from flows import sample_pages as sp
from flows.sample_docs import docx_bytes, ofd_bytes, pdf_bytes, scanned_pdf_bytes
from ingest.pages import ingest_files
from transforms.doc_formats import sniff_format
from transforms.errors import DocumentRejectedError
from transforms.extract import extract_pages
from transforms.model import Page
from warehouse.query import run_query


def law_blocks(year: int) -> list:
    return [sp.report_title(year), *sp.report_paragraphs(year)]


def write(folder: Path, name: str, data: bytes) -> Path:
    path = folder / name
    path.write_bytes(data)
    return path


def zip_bomb_docx() -> bytes:
    """A DOCX whose one extra member inflates to 200 MB from a few hundred kilobytes."""
    base = zipfile.ZipFile(io.BytesIO(docx_bytes(law_blocks(2023), "t")))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in base.infolist():
            target.writestr(info, base.read(info.filename))
        with target.open("word/media/padding.bin", "w", force_zip64=True) as member:
            chunk = b"\0" * (1 << 20)
            for _ in range(200):
                member.write(chunk)
    return out.getvalue()


def test_format_is_sniffed_from_the_bytes_not_the_name() -> None:
    assert sniff_format(pdf_bytes(["x"], "t")) == "pdf"
    assert sniff_format(docx_bytes(["x"], "t")) == "docx"
    assert sniff_format(ofd_bytes(["x"], "t")) == "ofd"
    assert sniff_format(bytes.fromhex("D0CF11E0A1B11AE1") + b"\0" * 100) == "ole2"
    assert sniff_format("<html><body>示例</body></html>".encode()) is None
    plain_zip = io.BytesIO()
    with zipfile.ZipFile(plain_zip, "w") as archive:
        archive.writestr("readme.txt", "hello")
    with pytest.raises(DocumentRejectedError, match="neither DOCX nor OFD"):
        sniff_format(plain_zip.getvalue())


@pytest.mark.parametrize("maker", [pdf_bytes, docx_bytes, ofd_bytes], ids=["pdf", "docx", "ofd"])
def test_each_format_gives_the_same_report_as_the_html_page(maker) -> None:
    year = 2023
    html = Page("page.html", sp.trs_report_page(year).encode())
    document = Page("report.bin", maker(law_blocks(year), sp.report_title(year)))
    batch = extract_pages([html, document])
    page, doc = batch.reports
    assert doc.ok, doc.error
    assert (doc.kind, doc.metadata.title, doc.metadata.report_year, doc.metadata.region_code) == (
        page.kind,
        page.metadata.title,
        page.metadata.report_year,
        page.metadata.region_code,
    )
    assert doc.metadata.signed_on == f"{year + 1}-03-{8 + year % 7:02d}"
    facts = {(i.code, i.value, i.scope) for i in page.indicators}
    assert facts and {(i.code, i.value, i.scope) for i in doc.indicators} == facts
    assert len(doc.origins) == len(doc.body.splitlines())
    assert "?" not in doc.origins


def test_pdf_lines_keep_their_page_numbers() -> None:
    year = 2022
    long_report = law_blocks(year) + sp.report_paragraphs(year) * 3
    doc = extract_pages([Page("long.pdf", pdf_bytes(long_report, sp.report_title(year)))]).reports[0]
    assert doc.ok, doc.error
    assert doc.origins[0] == "p.1"
    assert {"p.1", "p.2"} <= set(doc.origins)
    assert doc.origins == sorted(doc.origins, key=lambda o: int(o[2:]))


def test_documents_load_beside_rejects_with_reasons(tmp_path: Path) -> None:
    blocks = {year: law_blocks(year) for year in (2019, 2020, 2022)}
    good = [
        write(tmp_path, "a.pdf", pdf_bytes(blocks[2019], sp.report_title(2019))),
        write(tmp_path, "b.docx", docx_bytes(blocks[2020], sp.report_title(2020))),
        write(tmp_path, "c.ofd", ofd_bytes(blocks[2022], sp.report_title(2022))),
    ]
    bad = {
        write(tmp_path, "encrypted.pdf", pdf_bytes(blocks[2019], "t", password="secret")): "encrypted PDF",
        write(tmp_path, "scanned.pdf", scanned_pdf_bytes()): "scanned PDF: no text layer",
        write(tmp_path, "truncated.pdf", pdf_bytes(blocks[2019], "t")[:1500]): "corrupt PDF",
        write(tmp_path, "bomb.docx", zip_bomb_docx()): "oversized DOCX",
        write(tmp_path, "broken.ofd", ofd_bytes(blocks[2019], "t")[:-200]): "corrupt",
    }
    warehouse = tmp_path / "w.duckdb"
    summary = ingest_files([*good, *bad], warehouse)
    assert (summary.loaded, summary.rejected) == (3, len(bad))
    reasons = {r.input: r.reason for r in summary.rejects}
    for path, reason in bad.items():
        assert reason in reasons[str(path)], reasons[str(path)]
    rows = run_query(
        "SELECT report_year, value FROM indicator_values WHERE code = 'reconsideration.accepted' ORDER BY 1",
        warehouse,
    ).rows()
    assert rows == [(y, float(sp.figures_for(y).reconsideration_accepted)) for y in (2019, 2020, 2022)]


def test_page_limit_from_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = tmp_path / "config"
    shutil.copytree(Path(__file__).resolve().parents[1] / "config", config)
    rules = config / "documents.yaml"
    rules.write_text(
        rules.read_text(encoding="utf-8").replace("max_pages: 400", "max_pages: 1"), encoding="utf-8"
    )
    monkeypatch.setenv("NIANBAO_CONFIG", str(config))
    year = 2022
    four_pages = pdf_bytes(law_blocks(year) + sp.report_paragraphs(year) * 3, "t")
    report = extract_pages([Page("long.pdf", four_pages)]).reports[0]
    assert not report.ok
    assert report.error == "oversized PDF: 4 pages, more than the 1-page limit"


def test_extract_cli_reads_a_pdf_saved_under_any_name(tmp_path: Path) -> None:
    path = write(tmp_path, "report.html", pdf_bytes(law_blocks(2023), sp.report_title(2023)))
    done = subprocess.run(
        [sys.executable, "-m", "nianbao.cli", "extract", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "encoding: pdf (pypdfium2)" in done.stdout
    assert sp.report_title(2023) in done.stdout


def test_doc_needs_the_converter(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Without LibreOffice on PATH a DOC is a reject that says how to install it."""
    monkeypatch.setenv("PATH", str(tmp_path))
    ole2 = bytes.fromhex("D0CF11E0A1B11AE1") + b"\0" * 4096
    report = extract_pages([Page("old.doc", ole2)]).reports[0]
    assert not report.ok
    assert report.error is not None and "apt-get install libreoffice-writer-nogui" in report.error


@pytest.mark.skipif(
    shutil.which("soffice") is None,
    reason="LibreOffice (soffice) is not installed: apt-get install libreoffice-writer-nogui",
)
def test_doc_is_read_through_libreoffice(tmp_path: Path) -> None:
    year = 2024
    source = write(tmp_path, "r.docx", docx_bytes(law_blocks(year), sp.report_title(year)))
    subprocess.run(
        [
            "soffice",
            "--headless",
            "--norestore",
            "--convert-to",
            "doc",
            "--outdir",
            str(tmp_path),
            str(source),
        ],
        capture_output=True,
        check=True,
        timeout=120,
        env={"HOME": str(tmp_path), "PATH": "/usr/bin:/bin"},
    )
    report = extract_pages([Page("r.doc", (tmp_path / "r.doc").read_bytes())]).reports[0]
    assert report.ok, report.error
    assert report.encoding == "doc/wps (LibreOffice → docx)"
    assert report.metadata.title == sp.report_title(year)
    accepted = sp.figures_for(year).reconsideration_accepted
    assert any(i.code == "reconsideration.accepted" and i.value == accepted for i in report.indicators)


def test_load_cli_takes_a_folder_of_documents(tmp_path: Path) -> None:
    folder = tmp_path / "docs"
    folder.mkdir()
    write(folder, "2019.pdf", pdf_bytes(law_blocks(2019), sp.report_title(2019)))
    write(folder, "2020.docx", docx_bytes(law_blocks(2020), sp.report_title(2020)))
    write(folder, "2022.ofd", ofd_bytes(law_blocks(2022), sp.report_title(2022)))
    write(folder, "scan.pdf", scanned_pdf_bytes())
    warehouse = tmp_path / "w.duckdb"
    done = subprocess.run(
        [sys.executable, "-m", "nianbao.cli", "load", str(folder), "--warehouse", str(warehouse)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert "loaded 3" in done.stdout, done.stdout + done.stderr
    assert "scanned PDF: no text layer" in done.stdout + done.stderr
    years = run_query("SELECT report_year FROM reports ORDER BY 1", warehouse).rows()
    assert years == [(2019,), (2020,), (2022,)]


def _config_with(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, old: str, new: str) -> None:
    config = tmp_path / "config"
    shutil.copytree(Path(__file__).resolve().parents[1] / "config", config)
    rules = config / "documents.yaml"
    text = rules.read_text(encoding="utf-8")
    assert old in text
    rules.write_text(text.replace(old, new), encoding="utf-8")
    monkeypatch.setenv("NIANBAO_CONFIG", str(config))


def test_a_converter_that_hangs_is_killed_at_the_time_limit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _config_with(tmp_path, monkeypatch, "max_seconds: 60", "max_seconds: 1")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    fake = bin_dir / "soffice"
    fake.write_text("#!/bin/sh\nsleep 30 &\nwait\n", encoding="utf-8")  # a child that outlives a plain kill
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}:/usr/bin:/bin")
    started = time.monotonic()
    report = extract_pages([Page("old.doc", bytes.fromhex("D0CF11E0A1B11AE1") + b"\0" * 4096)]).reports[0]
    assert time.monotonic() - started < 10
    assert report.error == "converter took longer than 1 s (killed)"


def test_the_pdf_time_limit_is_checked_between_pages(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _config_with(tmp_path, monkeypatch, "max_seconds: 60", "max_seconds: 0.000001")
    report = extract_pages([Page("slow.pdf", pdf_bytes(law_blocks(2022) * 3, "t"))]).reports[0]
    assert report.error is not None and report.error.startswith("PDF took longer than 1e-06 s to read")
