"""JSON list APIs behind a column (e.g. the gkmlpt 政府信息公开 platform): items read by dotted field paths.

A site entry declares the API (flows.sources.JsonApi); `nianbao sites add` proposes one by finding API URLs
in a column page's scripts and reading which fields of the items hold a title, a link and a date.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin

from flows.list_page import ListedLink
from flows.sources import JsonApi

_SCRIPT_URL = re.compile(
    r"['\"]((?:https?://[^'\"\s]+|/[^'\"\s]*|[\w./-]+)(?:/api/|\.json|/api\b|api/)"
    r"[^'\"\s]*)['\"]",
    re.IGNORECASE,
)
_PAGE_PARAM = re.compile(
    r"([?&](?:page|pageNo|pageIndex|pageNum|currentPage|curPage|p)=)(\d+)", re.IGNORECASE
)
_HAN = re.compile(r"[\u4e00-\u9fff]")
_DATE = re.compile(r"^(?:19|20)\d{2}[-/.年]\d{1,2}")
_LINK = re.compile(r"^(?:https?://|/|\.\./|\./)|\.s?html?$|\.(?:pdf|docx?)$", re.IGNORECASE)
TITLE_KEYS = ("title", "name", "subject", "biaoti")
LINK_KEYS = ("url", "link", "href", "path")
DATE_KEYS = ("date", "time", "publish", "pub", "created")


class JsonListError(ValueError):
    """An API answer that is not JSON, or has no list where the entry says."""


def api_candidates(html: str, page_url: str) -> list[str]:
    """URLs in a page's scripts that look like list APIs (…/api/…, ….json), absolute, in page order."""
    found: list[str] = []
    for match in _SCRIPT_URL.finditer(html):
        url = urljoin(page_url, match.group(1).replace("\\/", "/"))
        if url not in found:
            found.append(url)
    return found


def template_of(api_url: str) -> tuple[str, int]:
    """The URL with its page number replaced by {page}, and that first page number (no page parameter: the
    URL itself, a single page)."""
    match = _PAGE_PARAM.search(api_url)
    if match is None:
        return api_url, 1
    start, end = match.span(2)
    return api_url[:start] + "{page}" + api_url[end:], int(match.group(2))


def parse_json(body: bytes) -> Any:
    try:
        return json.loads(body.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise JsonListError(f"not JSON: {exc}") from exc


def at_path(doc: Any, path: str) -> Any:
    """The value at a dotted path ('data.list'); '' is the document itself; None when a step is missing."""
    node = doc
    for part in [p for p in path.split(".") if p]:
        if isinstance(node, dict):
            node = node.get(part)
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            return None
    return node


def items_of(doc: Any, api: JsonApi) -> list[dict[str, Any]]:
    items = at_path(doc, api.items)
    if not isinstance(items, list):
        raise JsonListError(f"no list at {api.items or '(the top level)'!r}")
    return [item for item in items if isinstance(item, dict)]


def item_links(items: list[dict[str, Any]], api: JsonApi, api_url: str) -> list[ListedLink]:
    """The items as links (URL resolved against the API's URL); an item without title or link is left out."""
    links = []
    for item in items:
        title, link = at_path(item, api.title), at_path(item, api.link)
        if isinstance(title, str) and isinstance(link, str) and link.strip():
            links.append(ListedLink(urljoin(api_url, link.strip()), " ".join(title.split())))
    return links


def page_urls(api: JsonApi, base_url: str, max_pages: int) -> Iterator[str]:
    """The API's page URLs in order (one URL when the template has no {page})."""
    if "{page}" not in api.url:
        yield urljoin(base_url, api.url)
        return
    for page in range(api.first_page, api.first_page + max_pages):
        yield urljoin(base_url, api.url.replace("{page}", str(page)))


@dataclass(frozen=True, slots=True)
class InferredApi:
    """A JSON API read off one answer: the entry to declare and how many items its first page had."""

    api: JsonApi
    rows: list[dict[str, Any]]
    total: int | None

    @property
    def items(self) -> int:
        return len(self.rows)


def infer_api(doc: Any, api_url: str) -> InferredApi | None:
    """Which list in the answer holds the items, and which of their fields hold title, link and date."""
    best: tuple[str, list[dict[str, Any]]] | None = None
    for path, items in _dict_lists(doc, ""):
        if best is None or len(items) > len(best[1]):
            best = (path, items)
    if best is None:
        return None
    path, items = best
    fields = _leaf_fields(items[0], "")
    title = _pick(fields, items, TITLE_KEYS, lambda v: isinstance(v, str) and len(_HAN.findall(v)) >= 4)
    link = _pick(fields, items, LINK_KEYS, lambda v: isinstance(v, str) and bool(_LINK.search(v.strip())))
    date = _pick(fields, items, DATE_KEYS, lambda v: isinstance(v, str) and bool(_DATE.match(v.strip())))
    if title is None or link is None:
        return None
    template, first = template_of(api_url)
    total = _total(doc)
    api = JsonApi(url=template, first_page=first, items=path, title=title, link=link, date=date)
    return InferredApi(api, items, total)


def _dict_lists(node: Any, path: str) -> Iterator[tuple[str, list[dict[str, Any]]]]:
    if isinstance(node, list) and node and all(isinstance(i, dict) for i in node):
        yield path, node
    elif isinstance(node, dict):
        for key, value in node.items():
            yield from _dict_lists(value, f"{path}.{key}" if path else str(key))


def _leaf_fields(item: dict[str, Any], prefix: str) -> list[str]:
    fields = []
    for key, value in item.items():
        name = f"{prefix}.{key}" if prefix else str(key)
        fields.extend(_leaf_fields(value, name) if isinstance(value, dict) else [name])
    return fields


def _pick(
    fields: list[str], items: list[dict[str, Any]], preferred: tuple[str, ...], fits: Any
) -> str | None:
    """The field whose values fit in most items; a preferred name breaks ties."""

    def score(name: str) -> tuple[int, int]:
        hits = sum(1 for item in items if fits(at_path(item, name)))
        leaf = name.rsplit(".", 1)[-1].lower()
        return hits, int(any(word in leaf for word in preferred))

    ranked = sorted(fields, key=score, reverse=True)
    return ranked[0] if ranked and score(ranked[0])[0] > len(items) // 2 else None


def _total(doc: Any) -> int | None:
    if isinstance(doc, dict):
        for key, value in doc.items():
            if key.lower() in ("total", "totalcount", "count", "totalrecord", "total_count") and isinstance(
                value, int
            ):
                return value
            found = _total(value)
            if found is not None:
                return found
    return None
