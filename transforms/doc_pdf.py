"""PDF → text lines with their page numbers, through pypdfium2 (PDFium): the library the measurements in
bench/bench_documents.py chose (README, "Attachments").

PDFium cannot be interrupted inside one page: the reading runs in a worker process that is killed past the
time limit (and whose crash loses one document only); inside it the limit is also checked between pages, and
the page count is capped before any page is read.
"""

from __future__ import annotations

import ctypes
import itertools
import threading
import time

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from transforms.doc_formats import DocumentLimits, DocumentRules, DocumentText, unwrap_lines
from transforms.doc_worker import run_bounded
from transforms.errors import DocumentRejectedError

ENCODING = "pdf (pypdfium2)"
BASELINE_TOLERANCE_PT = 2.0  # characters whose baselines differ by less share a line
TAB_GAP = 2.5  # a gap of more than this many typical advances is a column break
SPACE_GAP = 1.6  # … of more than this (next to Latin letters or digits) a space
_LOCK = threading.Lock()  # PDFium is not thread-safe
_REASONS = {
    pdfium_c.FPDF_ERR_PASSWORD: "encrypted PDF: it needs a password to open",
    pdfium_c.FPDF_ERR_SECURITY: "encrypted PDF: unsupported security scheme",
    pdfium_c.FPDF_ERR_FORMAT: "corrupt PDF: not a readable PDF structure",
    pdfium_c.FPDF_ERR_FILE: "corrupt PDF: the file cannot be read",
}


def read_pdf(data: bytes, rules: DocumentRules) -> DocumentText:
    """Every page's text, line by line, with 'p.N' as each line's origin; read in a worker process that is
    stopped when the document passes max_seconds (transforms/doc_worker.py)."""
    return run_bounded(read_pdf_here, (data, rules), rules.limits.max_seconds, "PDF")


def read_pdf_here(data: bytes, rules: DocumentRules) -> DocumentText:
    """read_pdf in this process (what the worker runs)."""
    limits = rules.limits
    with _LOCK:
        try:
            document = pdfium.PdfDocument(data)
        except pdfium.PdfiumError as exc:
            raise DocumentRejectedError(_REASONS.get(exc.err_code, f"corrupt PDF: {exc}")) from exc
        try:
            return _read_pages(document, limits)
        finally:
            document.close()


def _read_pages(document: pdfium.PdfDocument, limits: DocumentLimits) -> DocumentText:
    max_seconds = limits.max_seconds
    pages = len(document)
    if pages > limits.max_pages:
        raise DocumentRejectedError(
            f"oversized PDF: {pages} pages, more than the {limits.max_pages}-page limit"
        )
    deadline = time.monotonic() + max_seconds
    lines: list[str] = []
    origins: list[str] = []
    chars = 0
    for number in range(pages):
        if time.monotonic() > deadline:
            raise DocumentRejectedError(
                f"PDF took longer than {max_seconds:g} s to read (stopped at page {number + 1} of {pages})"
            )
        try:
            page_lines = _page_lines(document[number].get_textpage())
        except pdfium.PdfiumError as exc:
            raise DocumentRejectedError(f"corrupt PDF: page {number + 1}: {exc}") from exc
        for line in page_lines:
            lines.append(line)
            origins.append(f"p.{number + 1}")
            chars += len("".join(line.split()))
    if pages == 0:
        raise DocumentRejectedError("corrupt PDF: no pages")
    if chars < limits.min_chars_per_page * pages:
        raise DocumentRejectedError(
            f"scanned PDF: no text layer ({chars} characters on {pages} page(s)); OCR is not supported"
        )
    title = (document.get_metadata_value("Title") or "").strip()
    lines, origins = unwrap_lines(lines, origins)
    return DocumentText(lines, origins, ENCODING, pages, {"title": title} if title else {})


def _page_lines(textpage: pdfium.PdfTextPage) -> list[str]:
    """The page's characters placed by their origins: grouped into lines by baseline (top to bottom), each
    line read left to right, a gap of several characters' advance (a table column) kept as a tab. Content
    order does not matter, so a table drawn column by column still reads row by row."""
    text = textpage.get_text_range()
    x, y = ctypes.c_double(), ctypes.c_double()
    x_ref, y_ref = ctypes.byref(x), ctypes.byref(y)
    chars: list[tuple[float, float, str]] = []
    for index, ch in enumerate(text[: textpage.count_chars()]):
        if not ch.isspace() and pdfium_c.FPDFText_GetCharOrigin(textpage.raw, index, x_ref, y_ref):
            chars.append((-y.value, x.value, ch))
    chars.sort()
    rows: list[list[tuple[float, str]]] = []
    top: float | None = None
    for neg_y, x_at, ch in chars:
        if top is None or neg_y - top > BASELINE_TOLERANCE_PT:
            rows.append([])
            top = neg_y
        rows[-1].append((x_at, ch))
    for row in rows:
        row.sort()
    steps = sorted(b[0] - a[0] for row in rows for a, b in itertools.pairwise(row) if b[0] > a[0])
    advance = steps[len(steps) // 2] if steps else 0.0  # the page's typical character advance
    return [line for line in (_join_row(row, advance) for row in rows) if line.strip()]


def _join_row(row: list[tuple[float, str]], advance: float) -> str:
    out: list[str] = []
    previous: float | None = None
    for x_at, ch in row:
        if previous is not None and advance:
            gap = x_at - previous
            if gap > TAB_GAP * advance:
                out.append("\t")
            elif gap > SPACE_GAP * advance and (ch.isascii() or out[-1].isascii()):
                out.append(" ")
        out.append(ch)
        previous = x_at
    return "".join(out)
