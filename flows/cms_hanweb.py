"""Hanweb JCMS / JPaaS columns: records in <datastore> XML, further records from the dataproxy.

A column page (/col/colNNN/index.html) embeds its first records as CDATA in <script type="text/xml">; the
jpage script then asks /module/web/jpage/dataproxy.jsp?startrecord=A&endrecord=B&perpage=N by POST with the
form fields col, appid, webid, path, columnid, unitid, permissiontype (some sites take GET with page=n); the
answer is the same datastore XML. The form fields come from the nextgroup link and the jpage parameters.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from html import unescape
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit

from flows.list_page import CDATA
from flows.sources import HanwebPaging

_DATASTORE = re.compile(r"<datastore>(.*?)</datastore>", re.DOTALL | re.IGNORECASE)
_RECORD = re.compile(r"<record>\s*(.*?)\s*</record>", re.DOTALL | re.IGNORECASE)
_NEXTGROUP = re.compile(r"<nextgroup>(.*?)</nextgroup>", re.DOTALL | re.IGNORECASE)
_TOTAL = re.compile(r"(?:<totalrecord>\s*|totalRecord\s*[:=]\s*['\"]?)(\d+)", re.IGNORECASE)
_PER_PAGE = re.compile(r"perPage\s*[:=]\s*['\"]?(\d+)", re.IGNORECASE)
_HREF = re.compile(r"href\s*=\s*['\"]([^'\"]+)['\"]", re.IGNORECASE)
_COLUMN_IN_URL = re.compile(r"/col/col(\d+)/")
# jpage's ajaxParam / nextgroup fields that name the column; constants complete the form
FORM_KEYS = ("webid", "columnid", "unitid", "webname", "path", "sourceContentType", "permissiontype")
FORM_CONSTANTS = {"col": "1", "appid": "1", "path": "/", "permissiontype": "0"}
DEFAULT_PER_PAGE = 15


@dataclass(frozen=True, slots=True)
class Datastore:
    """One datastore: its records (HTML fragments), the nextgroup link, and the total if it says."""

    records: tuple[str, ...]
    nextgroup: str = ""
    total: int | None = None


@dataclass(slots=True)
class HanwebColumn:
    """What a column page tells about paging through its records."""

    first: Datastore
    form: dict[str, str] = field(default_factory=dict)
    per_page: int = DEFAULT_PER_PAGE
    total: int | None = None

    def describe(self) -> str:
        total = f"{self.total} records" if self.total is not None else "total not stated"
        ids = ", ".join(f"{k}={self.form[k]}" for k in ("webid", "columnid", "unitid") if k in self.form)
        return f"datastore with {len(self.first.records)} records, {total}, perpage {self.per_page}; {ids}"


def parse_datastore(text: str) -> Datastore | None:
    """The first <datastore> of a page or dataproxy answer, or None when there is none."""
    match = _DATASTORE.search(text)
    if match is None:
        return None
    body = match.group(1)
    records = tuple(_cdata(r) for r in _RECORD.findall(body))
    group = _NEXTGROUP.search(body)
    total = _TOTAL.search(body)
    return Datastore(records, _cdata(group.group(1)) if group else "", int(total.group(1)) if total else None)


def hanweb_column(html: str, page_url: str, config: HanwebPaging | None) -> HanwebColumn | None:
    """The column's datastore and paging parameters (config overrides what the page says)."""
    first = parse_datastore(html)
    if first is None:
        return None
    form = dict(FORM_CONSTANTS)
    href = _HREF.search(first.nextgroup)
    if href:
        form.update((k, v) for k, v in parse_qsl(urlsplit(unescape(href.group(1))).query) if k in FORM_KEYS)
    for key in FORM_KEYS:
        found = re.search(rf"\b{key}\s*[:=]\s*['\"]?([^'\",}}\s&]+)", html)
        if found and key not in form:
            form[key] = found.group(1)
    column = _COLUMN_IN_URL.search(page_url)
    if "columnid" not in form and column:
        form["columnid"] = column.group(1)
    per_page = _PER_PAGE.search(html)
    total = first.total if first.total is not None else _first_int(_TOTAL, html)
    result = HanwebColumn(first, form, int(per_page.group(1)) if per_page else DEFAULT_PER_PAGE, total)
    if config is not None:
        result.form.update(config.form)
        result.per_page = config.per_page or result.per_page
    return result


@dataclass(frozen=True, slots=True)
class ProxyRequest:
    """One dataproxy request: the URL and, for POST, the form."""

    url: str
    form: dict[str, str] | None


def proxy_requests(
    column: HanwebColumn, page_url: str, config: HanwebPaging | None, max_requests: int
) -> Iterator[ProxyRequest]:
    """The dataproxy requests after the first page: POST by record ranges (a group of three pages per
    request, as jpage asks) or GET by page number, until the stated total (or max_requests). A datastore
    that states no total and whose nextgroup is empty has no further group."""
    if column.total is None and not _HREF.search(column.first.nextgroup):
        return
    config = config or HanwebPaging()
    proxy = urljoin(page_url, config.proxy)
    per_page = column.per_page
    if config.method == "get":
        pages = _page_count(column.total, per_page)
        for page in range(2, 2 + max_requests if pages is None else min(pages, max_requests + 1) + 1):
            yield ProxyRequest(f"{proxy}?{urlencode({**column.form, 'page': page})}", None)
        return
    group = per_page * 3
    start = len(column.first.records) + 1
    for _ in range(max_requests):
        if column.total is not None and start > column.total:
            return
        end = start + group - 1
        query = urlencode({"startrecord": start, "endrecord": end, "perpage": per_page})
        yield ProxyRequest(f"{proxy}?{query}", dict(column.form))
        start = end + 1


def _page_count(total: int | None, per_page: int) -> int | None:
    return None if total is None else -(-total // per_page)


def _first_int(pattern: re.Pattern[str], text: str) -> int | None:
    found = pattern.search(text)
    return int(found.group(1)) if found else None


def _cdata(text: str) -> str:
    found = CDATA.search(text)
    return found.group(1) if found else text.strip()
