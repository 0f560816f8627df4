"""PDF → text lines with their page numbers, through pypdfium2 (PDFium): the library the measurements in
bench/bench_documents.py chose (README, "Attachments").

PDFium cannot be interrupted inside one page; the time limit is checked between pages and the page count
is capped before any page is read, so a document stays within max_pages × (time of one page).
"""

from __future__ import annotations

import threading
import time

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from transforms.doc_formats import DocumentLimits, DocumentRules, DocumentText, unwrap_lines
from transforms.errors import DocumentRejectedError

ENCODING = "pdf (pypdfium2)"
_LOCK = threading.Lock()  # PDFium is not thread-safe
_REASONS = {
    pdfium_c.FPDF_ERR_PASSWORD: "encrypted PDF: it needs a password to open",
    pdfium_c.FPDF_ERR_SECURITY: "encrypted PDF: unsupported security scheme",
    pdfium_c.FPDF_ERR_FORMAT: "corrupt PDF: not a readable PDF structure",
    pdfium_c.FPDF_ERR_FILE: "corrupt PDF: the file cannot be read",
}


def read_pdf(data: bytes, rules: DocumentRules) -> DocumentText:
    """Every page's text, line by line, with 'p.N' as each line's origin."""
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
            page = document[number]
            textpage = page.get_textpage()
            text = textpage.get_text_range()
        except pdfium.PdfiumError as exc:
            raise DocumentRejectedError(f"corrupt PDF: page {number + 1}: {exc}") from exc
        for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
            if line.strip():
                lines.append(line.rstrip())
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
