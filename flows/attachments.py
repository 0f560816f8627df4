"""Reports published as attachments: follow a report page's links to the document (PDF, DOCX, DOC, WPS, OFD),
fetch it into the archive beside its page, and load it with the page as context.

A link is the report's attachment when its URL path or its text ends with a document extension and its text
names the report (a title of the same kind and year), or when it is the page's only document link; a link
without an extension whose text names the report is followed too when it is not an HTML page (download
endpoints). The document's real type is sniffed from its bytes by the transform. In the manifest an attachment
row says which page it belongs to (extra.attachment_of, extra.page_sha256) and the page row lists its
attachments (extra.attachments); ingest loads the attachments in place of the page, and falls back to the page
when none of its attachments could be read.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from flows.archive import Archive, ManifestRow, utc_now
from flows.discover import ListedLink, ReportLink, listed_links
from flows.fetch import FetchResult
from transforms.decode import decode_bytes
from transforms.doc_formats import sniff_format
from transforms.errors import ExtractError
from transforms.model import Page
from transforms.report_kind import report_kind

DOCUMENT_EXTENSIONS = (".pdf", ".docx", ".doc", ".wps", ".ofd")
PAGE_EXTENSIONS = (".html", ".htm", ".shtml", ".xhtml", ".jhtml", "/")
ATTACHMENTS_KEY, PARENT_KEY, PARENT_SHA_KEY = "attachments", "attachment_of", "page_sha256"
_LABEL = re.compile(r"^\s*(?:附件\s*\d*\s*[:：]?\s*|\d+[.、．]\s*)")

FetchedRow = tuple[ManifestRow, str, str | None]


def _is_document(link: ListedLink) -> bool:
    return urlsplit(link.url).path.lower().endswith(DOCUMENT_EXTENSIONS) or link.title.lower().endswith(
        DOCUMENT_EXTENSIONS
    )


def _names_report(text: str, report: ReportLink) -> bool:
    """The link text names a report of the same kind and year (附件：…报告.pdf)."""
    name = _LABEL.sub("", text)
    for extension in DOCUMENT_EXTENSIONS:
        name = name.removesuffix(extension).removesuffix(extension.upper())
    return str(report.year) in name and report_kind(name, "") == report.kind


def attachment_links(html: str, page_url: str, report: ReportLink) -> list[ListedLink]:
    """The report's attachments among the page's links (same host as the page), in page order."""
    host = urlsplit(page_url).hostname
    links = [
        a
        for a in listed_links(html, page_url)
        if urlsplit(a.url).hostname == host and a.url not in (page_url, report.url)
    ]
    documents = [a for a in links if _is_document(a)]
    named = [a for a in documents if _names_report(a.title, report)]
    downloads = [
        a
        for a in links
        if not _is_document(a)
        and _names_report(a.title, report)
        and not urlsplit(a.url).path.lower().endswith(PAGE_EXTENSIONS)
    ]
    chosen = named or (documents if len(documents) == 1 else [])
    seen: set[str] = set()
    return [a for a in [*chosen, *downloads] if not (a.url in seen or seen.add(a.url))]


def attachments_to_follow(report: ReportLink, row: ManifestRow, body: bytes | None) -> list[ListedLink]:
    """The attachments a stored report page links, to be fetched beside it; the page row lists them."""
    if body is None or row.sha256 is None:
        return []
    try:
        if sniff_format(body) is not None:  # a document linked straight from the list: nothing to follow
            return []
        html = decode_bytes(body, row.charset).text
    except ExtractError:
        return []
    links = attachment_links(html, row.final_url, report)
    if links:
        row.extra[ATTACHMENTS_KEY] = " ".join(link.url for link in links)
    return links


def attachment_row(
    report: ReportLink,
    page: ManifestRow,
    link: ListedLink,
    result: FetchResult,
    prior: ManifestRow | None,
    archive: Archive,
) -> FetchedRow:
    """An attachment's body stored (or its unchanged one kept) and its manifest row, which names its page."""
    sha = None
    if result.outcome == "fetched" and result.body is not None:
        sha = archive.put(result.body)
    elif result.outcome == "unchanged" and prior is not None:
        sha = prior.sha256
    headers = {**(prior.headers if prior and result.outcome == "unchanged" else {}), **result.headers}
    extra = {PARENT_KEY: report.url, PARENT_SHA_KEY: page.sha256}
    row = ManifestRow(
        link.url,
        result.final_url,
        result.status or 0,
        headers,
        utc_now(),
        sha,
        site=report.site,
        kind=report.kind,
        year=report.year,
        title=link.title,
        extra=extra,
    )
    return row, result.outcome, result.reason


@dataclass(slots=True)
class IngestPlan:
    """Pages to load first (attachments with their page, pages without attachments), and per page URL that
    has attachments: its own page (the fallback) and the inputs of its attachments."""

    pages: list[Page] = field(default_factory=list)
    held: dict[str, tuple[Page, list[str]]] = field(default_factory=dict)

    def fallbacks(self, rejected: set[str]) -> list[Page]:
        """Held-back pages none of whose attachments was loaded (all rejected, or none in this batch)."""
        return [page for page, inputs in self.held.values() if all(i in rejected for i in inputs)]


def plan_ingest(rows: Sequence[ManifestRow], pages: dict[str, Page], archive: Archive) -> IngestPlan:
    """Attachments get their page as context; a page with attachments is held back as their fallback."""
    plan = IngestPlan()
    for row in rows:
        page = pages.get(row.url)
        if page is None:
            continue
        parent_url, parent_sha = row.extra.get(PARENT_KEY), row.extra.get(PARENT_SHA_KEY)
        if parent_url and parent_sha:
            try:
                page.parent = Page(name=parent_url, data=archive.get(parent_sha), url=parent_url)
            except OSError:
                page.parent = None  # the document still loads, without the page's 发布时间 and 来源
        if row.extra.get(ATTACHMENTS_KEY):
            inputs = [u for u in row.extra[ATTACHMENTS_KEY].split() if u in pages]
            plan.held[row.url] = (page, inputs)
        else:
            plan.pages.append(page)
    return plan
