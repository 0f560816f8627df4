"""One page → one Report without figures: decode, strip chrome, read metadata, kind and sections."""

from __future__ import annotations

import hashlib

from transforms.capture_strip import strip_capture
from transforms.decode import decode_bytes
from transforms.doc_formats import line_origins, read_document_bytes
from transforms.errors import ExtractError, NotAReportError
from transforms.html_strip import looks_like_html, strip_html
from transforms.metadata import read_metadata, title_of
from transforms.model import Metadata, Page, Report, StrippedPage
from transforms.report_kind import OTHER, not_a_report_reason, report_kind
from transforms.sections import find_sections


def strip_page(text: str, url: str | None = None, utf8: bytes | None = None) -> StrippedPage:
    """Chrome removal for either input form: HTML pages by structure, text captures line by line.

    ``utf8``: ``text`` encoded as UTF-8 when the caller has those bytes (Decoded.utf8), to parse HTML from.
    """
    return strip_html(text, url=url, utf8=utf8) if looks_like_html(text) else strip_capture(text)


def read_document(page: Page) -> Report:
    """The page's report (no quantities yet), or ok=False with a one-line reason when it is not one."""
    digest = hashlib.sha256(page.data).hexdigest()
    report = Report(path=page.name, ok=False, url=page.url, content_sha256=digest)
    try:
        document = read_document_bytes(page.data)  # None unless the bytes are a PDF/DOCX/OFD/DOC/WPS
        if document is not None:
            report.encoding = document.encoding
            stripped = strip_capture(document.text)
        else:
            decoded = decode_bytes(page.data, page.http_charset)
            report.encoding = decoded.encoding
            report.replaced_chars = decoded.replaced
            if decoded.replaced:
                report.warnings.append(
                    f"decoding as {decoded.encoding} replaced {decoded.replaced} undecodable byte "
                    "sequence(s) with U+FFFD"
                )
            stripped = strip_page(decoded.text, url=page.url, utf8=decoded.utf8)
        body = "\n".join(stripped.body_lines)
        title = title_of(stripped, body)
        kind = report_kind(title, body)
        reason = not_a_report_reason(title, body, kind)
        if reason:
            raise NotAReportError(reason)
        report.metadata = read_metadata(stripped, stripped.body_lines, kind, title)
        if document is not None and page.parent is not None:
            inherit_page_fields(report.metadata, page.parent, kind)
    except ExtractError as exc:
        report.error = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        return report
    report.ok = True
    report.kind = kind
    if kind == OTHER:
        report.warnings.append("no report kind recognised in the title or the opening of the body")
    report.body = body
    report.sections = find_sections(body)
    if document is not None:
        report.origins = line_origins(stripped.body_lines, document)
    return report


PAGE_FIELDS = ("published_at", "source", "region_name", "region_code")


def inherit_page_fields(metadata: Metadata, parent: Page, kind: str) -> None:
    """An attachment's report page gives what the document itself does not state: 发布时间, 来源 and, failing
    the document, the region. The document's own title, 文号 and signature stay."""
    try:
        decoded = decode_bytes(parent.data, parent.http_charset)
    except ExtractError:
        return
    stripped = strip_page(decoded.text, url=parent.url, utf8=decoded.utf8)
    body = "\n".join(stripped.body_lines)
    page_meta = read_metadata(stripped, stripped.body_lines, kind, title_of(stripped, body))
    for name in PAGE_FIELDS:
        if getattr(metadata, name) is None:
            setattr(metadata, name, getattr(page_meta, name))
