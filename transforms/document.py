"""One page → one Report without figures: decode, strip chrome, read metadata, kind and sections."""

from __future__ import annotations

import hashlib
import re

from transforms.capture_strip import chrome_rules, read_head, strip_capture, unspaced
from transforms.decode import decode_bytes
from transforms.doc_formats import line_origins, read_document_bytes
from transforms.errors import ExtractError, NotAReportError
from transforms.header_fields import CMS_DATE_LINE
from transforms.hints import hinted_kind, hinted_year
from transforms.html_strip import looks_like_html, strip_html
from transforms.metadata import (
    delivery_of,
    plausible_title,
    read_metadata,
    read_metadata_and_region,
    title_of,
)
from transforms.model import Metadata, Page, Report, StrippedPage
from transforms.page_region import PageOrigin, region_hint
from transforms.parse_budget import check_parse_budget
from transforms.report_kind import OTHER, not_a_report_reason, report_kind
from transforms.sections import find_sections
from transforms.textmap import to_simplified, to_simplified_lines


def strip_page(text: str, url: str | None = None, utf8: bytes | None = None) -> StrippedPage:
    """Chrome removal for either input form: HTML pages by structure (within the parse budget), text
    captures line by line.

    ``utf8``: ``text`` encoded as UTF-8 when the caller has those bytes (Decoded.utf8), to parse HTML from.
    """
    if not looks_like_html(text):
        return strip_capture(text)
    names = check_parse_budget(text)  # before the tree parser, whose cost grows with the square of the depth
    return strip_html(text, url=url, utf8=utf8, tag_names=names)


_SPEECH_HEAD_LINES = 4


def _move_speech_head(page: StrippedPage) -> None:
    """A speech's delivery and speaker lines opening an HTML article's text (——…在…会议上 / X县县长 张三) are
    header lines, as on captures: the report's text starts below them."""
    rules = chrome_rules()
    at = 0
    while at < min(_SPEECH_HEAD_LINES, len(page.body_lines) - 1) and rules.not_start.fullmatch(
        to_simplified(page.body_lines[at])
    ):
        at += 1
    page.header_lines.extend(page.body_lines[:at])
    del page.body_lines[:at]


_DELIVERY_DASH = re.compile(r"\s*[—－]{1,2}\s*(?=[^—－])")


def _split_title_delivery(page: StrippedPage) -> None:
    """A heading printing a speech's title with its delivery and speaker lines (政府工作报告
    ——2024年1月12日在…会议上 县长 张三): the title is the part before the dash, the rest a header line."""
    title = page.title_hint
    dash = _DELIVERY_DASH.search(title) if title else None
    if title is None or dash is None or dash.start() == 0:
        return
    tail = title[dash.start() :].strip()
    if delivery_of([tail]).text is not None:
        page.title_hint = title[: dash.start()].strip()
        page.header_lines.append(tail)


_TEXT_HEAD_LINES = 30


def _move_text_head(page: StrippedPage) -> None:
    """An HTML article whose text opens with lines a capture would call chrome, header or title (a flat page
    putting its byline, index table and title among the paragraphs): those lines leave the text, read the
    way capture heads are; the title printed there is the title when the page's own is none."""
    lines = [unspaced(line) for line in page.body_lines[:_TEXT_HEAD_LINES]]
    head = read_head(lines, to_simplified_lines(lines))
    if not 0 < head.body_from < len(lines):
        return
    page.header_lines.extend(head.header)
    # lines a capture would leave out unread (a delivery subtitle above a title it did not find) stay readable
    page.header_lines.extend(
        line
        for j, line in enumerate(lines[: head.body_from])
        if line not in head.header and not head.page.is_chrome(j) and not CMS_DATE_LINE.fullmatch(line)
    )
    if head.title and not plausible_title(page.title_hint):
        page.title_hint = head.title
    del page.body_lines[: head.body_from]


def read_document(page: Page) -> Report:
    """The page's report (no quantities yet), or ok=False with a one-line reason when it is not one."""
    digest = page.sha256 or hashlib.sha256(page.data).hexdigest()
    report = Report(path=page.name, ok=False, url=page.url, content_sha256=digest)
    try:
        document = read_document_bytes(page.data)  # None unless the bytes are a PDF/DOCX/OFD/DOC/WPS
        if document is not None:
            report.encoding = document.encoding
            text = document.text
            stripped = strip_capture(text)
        else:
            decoded = decode_bytes(page.data, page.http_charset)
            report.encoding = decoded.encoding
            report.replaced_chars = decoded.replaced
            if decoded.replaced:
                report.warnings.append(
                    f"decoding as {decoded.encoding} replaced {decoded.replaced} undecodable byte "
                    "sequence(s) with U+FFFD"
                )
            text = decoded.text
            stripped = strip_page(decoded.text, url=page.url, utf8=decoded.utf8)
        if stripped.is_html:
            _split_title_delivery(stripped)
            _move_speech_head(stripped)
            _move_text_head(stripped)
        body = "\n".join(stripped.body_lines)
        title = title_of(stripped, body)
        kind = hinted_kind(report_kind(title, body), page.hints, report.warnings)
        reason = not_a_report_reason(title, body, kind)
        if reason:
            raise NotAReportError(reason)
        origin = PageOrigin(text, page.url, region_hint(page.hints.region_code))
        report.metadata, found = read_metadata_and_region(stripped, stripped.body_lines, kind, title, origin)
        if document is not None and page.parent is not None:
            inherit_page_fields(report.metadata, page.parent, kind)
        report.metadata.report_year = hinted_year(report.metadata.report_year, page.hints, report.warnings)
        report.region = found.note()
        report.warnings.extend(found.warnings)
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
