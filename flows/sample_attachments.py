"""The sample site's reports published as attachments, and its 政府信息公开年报 column (FICTIONAL county).

For a year served as an attachment, the report page becomes a short page (发布时间, 来源, "附件：<title>.pdf")
linking the document, served as application/octet-stream so only its bytes tell what it is. The 信息公开
column lists each year's 政府信息公开工作年度报告 either as an HTML page with the template's tables or as a
PDF linked straight from the list.
"""

from __future__ import annotations

import html
from collections.abc import Callable

from flows import sample_pages as pages
from flows.sample_disclosure import disclosure_blocks, disclosure_html, disclosure_title
from flows.sample_docs import Block, docx_bytes, ofd_bytes, pdf_bytes

DOCUMENT_TYPE = "application/octet-stream"
DISCLOSURE_LIST = "/xxgk/index.html"
MAKERS: dict[str, Callable[[list[Block], str], bytes]] = {
    "pdf": pdf_bytes,
    "docx": docx_bytes,
    "ofd": ofd_bytes,
}


def doc_number(year: int) -> str:
    return f"示府报〔{year + 1}〕{3 + year % 5}号"


def report_document(year: int, fmt: str) -> bytes:
    """The year's law report as a document: title, 文号, body, signature (the page gives date and source)."""
    title = pages.report_title(year)
    return MAKERS[fmt]([title, doc_number(year), *pages.report_paragraphs(year)], title)


def attachment_path(page_path: str, year: int, fmt: str) -> str:
    return f"{page_path.rsplit('/', 1)[0]}/P0{year}0315{year % 97:02d}.{fmt}"


def attachment_page(year: int, href: str, fmt: str) -> str:
    """A TRS-style report page whose body is only the attachment link."""
    title = pages.report_title(year)
    y, m, d = pages.published_on(year)
    meta = {
        "ArticleTitle": title,
        "PubDate": f"{y}-{m:02d}-{d:02d} 09:30",
        "ContentSource": f"{pages.COUNTY}司法局",
        "SiteName": pages.SITE_NAME,
        "ColumnName": "法治政府建设",
    }
    return (
        pages._chrome_head(title, "utf-8", meta) + f'<body><div class="article"><h1>{html.escape(title)}</h1>'
        f'<div class="info">发布时间：{y}-{m:02d}-{d:02d} 09:30　来源：{pages.COUNTY}司法局</div>'
        f'<div class="TRS_Editor"><p>{html.escape(title)}全文见附件。</p>'
        f'<p>附件：<a href="{html.escape(href)}">{html.escape(title)}.{fmt}</a></p></div></div>'
        + pages._footer()
        + "</body></html>\n"
    )


def disclosure_list_page(items: list[tuple[str, str, str]]) -> str:
    rows = "\n".join(
        f'<li><a href="{href}" title="{html.escape(t)}">{html.escape(t)}</a><span>{when}</span></li>'
        for href, t, when in items
    )
    return (
        pages._chrome_head("政府信息公开年报", "utf-8", {"SiteName": pages.SITE_NAME})
        + f'<body><h1>政府信息公开年报</h1><ul class="list">\n{rows}\n</ul>'
        + pages._footer()
        + "</body></html>\n"
    )


def disclosure_resources(forms: tuple[tuple[int, str], ...]) -> dict[str, tuple[bytes, str]]:
    """Path → (body, content type) of the 信息公开 column: its list page and each year's report."""
    out: dict[str, tuple[bytes, str]] = {}
    items = []
    for year, form in sorted(forms, reverse=True):
        title = disclosure_title(year)
        when = f"{year + 1}-01-{20 + year % 7:02d}"
        if form == "html":
            path = f"/xxgk/{year + 1}01/t{year + 1}0120_{year}.html"
            out[path] = (disclosure_html(year).encode(), "text/html; charset=utf-8")
            items.append((path, title, when))
        else:
            path = f"/xxgk/{year + 1}01/P0{year}0120.{form}"
            out[path] = (MAKERS[form](disclosure_blocks(year), title), DOCUMENT_TYPE)
            items.append((path, f"{title}.{form}", when))
    out[DISCLOSURE_LIST] = (disclosure_list_page(items).encode(), "text/html; charset=utf-8")
    return out
