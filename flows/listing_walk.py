"""Walk one listing page by page, the way its CMS pages: TRS createPageHTML pages, Hanweb dataproxy record
groups (POST, else GET with page=), a JSON list API, or 下一页 links and the entry's URL template.

Every request goes through the Fetcher, so politeness and robots.txt apply to API calls too.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from urllib.parse import urljoin

from flows.cms_detect import Detection, detect_mode
from flows.cms_hanweb import HanwebColumn, hanweb_column, parse_datastore, proxy_requests
from flows.cms_json import (
    InferredApi,
    JsonListError,
    api_candidates,
    infer_api,
    item_links,
    items_of,
    page_urls,
    parse_json,
)
from flows.cms_trs import trs_paging
from flows.fetch import PageFetcher, charset_of
from flows.list_page import ListedLink, fragment_links, listed_links, next_page_urls
from flows.sources import HanwebPaging, JsonApi, Listing, Site
from transforms.decode import decode_bytes
from transforms.errors import UndecodableError

MAX_API_CANDIDATES = 3  # API URLs tried per page whose scripts name some


@dataclass(slots=True)
class ListPage:
    """One page of a listing: its links, or why it could not be read. The first page also says the mode."""

    url: str
    links: list[ListedLink] = field(default_factory=list)
    error: str | None = None
    mode: str = ""
    evidence: str = ""
    json_api: JsonApi | None = None


@dataclass(slots=True)
class PageText:
    """A fetched page as text, where it ended up, or why it could not be had."""

    text: str | None
    final_url: str
    error: str | None = None


def fetch_text(fetcher: PageFetcher, url: str, form: dict[str, str] | None = None) -> PageText:
    """A page as text (decoded by its declared or sniffed charset), or the reason it could not be had."""
    result = fetcher.fetch(url, form=form)
    if not result.ok or result.body is None:
        return PageText(None, result.final_url, result.reason or "no body")
    try:
        text = decode_bytes(result.body, charset_of(result.headers.get("content-type"))).text
    except UndecodableError as exc:
        return PageText(None, result.final_url, str(exc))
    return PageText(text, result.final_url)


def walk_listing(site: Site, listing: Listing, fetcher: PageFetcher) -> Iterator[ListPage]:
    """The listing's pages in order (at most pagination.max_pages); a later page that fails ends the walk."""
    first_url = site.listing_url(listing)
    limit = listing.pagination.max_pages
    if listing.json_api is not None and listing.mode in (None, "json"):
        yield from _walk_json(
            listing.json_api, site.base_url or first_url, fetcher, limit, "JSON API declared in the entry"
        )
        return
    page = fetch_text(fetcher, first_url)
    if page.text is None:
        yield ListPage(first_url, error=page.error, mode=listing.mode or "")
        return
    detection = detect_mode(page.text, page.final_url)
    if listing.mode is not None and listing.mode != detection.mode:
        detection = Detection(listing.mode, f"named in the entry (the markup suggests {detection.mode})")
    links = listed_links(page.text, page.final_url)
    if detection.mode == "json":
        found = api_from_scripts(page.text, page.final_url, fetcher, MAX_API_CANDIDATES)
        if found.inferred is not None:
            api, api_url, api_links = found.inferred.api, found.url, found.links
            yield ListPage(first_url, links, None, "json", detection.evidence, api)
            yield ListPage(api_url, api_links, None, "json", detection.evidence, api)
            yield from _walk_json(
                api,
                page.final_url,
                fetcher,
                limit - 1,
                detection.evidence,
                skip_first=True,
                seen={link.url for link in api_links},
            )
            # the page's own 下一页 links too, in case the API was not its list after all
            yield from _walk_links(
                site, listing, page.text, page.final_url, first_url, "links", fetcher, limit
            )
            return
        detection = Detection("links", detection.evidence + ", but no list could be read from it")
    yield ListPage(first_url, links, None, detection.mode, detection.evidence)
    if detection.mode == "hanweb":
        column = hanweb_column(page.text, page.final_url, listing.hanweb)
        if column is not None:
            yield from _walk_hanweb(column, page.final_url, listing.hanweb, fetcher, limit - 1)
            return
    yield from _walk_links(
        site, listing, page.text, page.final_url, first_url, detection.mode, fetcher, limit
    )


def _walk_links(
    site: Site,
    listing: Listing,
    html: str,
    page_url: str,
    first_url: str,
    mode: str,
    fetcher: PageFetcher,
    limit: int,
) -> Iterator[ListPage]:
    """TRS pages named by createPageHTML, the entry's template pages (while they bring new links), and
    下一页 links."""
    texts = listing.pagination.next_link_texts
    paging = trs_paging(html) if mode == "trs" else None
    queue = paging.page_urls(page_url, limit) if paging else []
    queue += next_page_urls(html, page_url, texts)
    template, template_n = listing.pagination.template, listing.pagination.start
    if template and not paging:
        queue.append(urljoin(site.base_url or first_url, template.format(n=template_n)))
        template_n += 1
    visited, observed = {first_url, page_url}, {link.url for link in listed_links(html, page_url)}
    while queue and len(visited) < limit:
        url = queue.pop(0)
        if url in visited:
            continue
        visited.add(url)
        page = fetch_text(fetcher, url)
        if page.text is None:
            continue
        links = listed_links(page.text, page.final_url)
        fresh = {link.url for link in links} - observed
        observed |= fresh
        yield ListPage(url, links, mode=mode)
        if template and not paging and fresh:
            queue.append(urljoin(site.base_url or first_url, template.format(n=template_n)))
            template_n += 1
        queue.extend(next_page_urls(page.text, page.final_url, texts))


def _walk_hanweb(
    column: HanwebColumn, page_url: str, config: HanwebPaging | None, fetcher: PageFetcher, limit: int
) -> Iterator[ListPage]:
    """Dataproxy record groups until the stated total, or until a group brings nothing; when the first POST
    is refused, the same groups are asked by GET with page=n."""
    config = config or HanwebPaging()
    requests = proxy_requests(column, page_url, config, limit)
    first = True
    while (request := next(requests, None)) is not None:
        page = fetch_text(fetcher, request.url, request.form)
        if page.text is None and first and config.method == "post":
            config = config.model_copy(update={"method": "get"})
            requests = proxy_requests(column, page_url, config, limit)
            first = False
            continue
        first = False
        store = parse_datastore(page.text or "")
        if store is None or not store.records:
            return
        yield ListPage(request.url, fragment_links(store.records, page_url), mode="hanweb")


def _walk_json(
    api: JsonApi,
    base_url: str,
    fetcher: PageFetcher,
    limit: int,
    evidence: str,
    skip_first: bool = False,
    seen: set[str] | None = None,
) -> Iterator[ListPage]:
    """API pages until one is empty or brings no new item (skip_first: page one was read already)."""
    seen = set() if seen is None else seen
    for number, url in enumerate(page_urls(api, base_url, limit + int(skip_first))):
        if skip_first and number == 0:
            continue
        result = fetcher.fetch(url)
        try:
            if not result.ok or result.body is None:
                raise JsonListError(result.reason or "no body")
            links = item_links(items_of(parse_json(result.body), api), api, result.final_url)
        except JsonListError as exc:
            if number == 0:
                yield ListPage(url, error=f"JSON API: {exc}", mode="json", evidence=evidence, json_api=api)
            return
        fresh = {link.url for link in links} - seen
        if not fresh:
            return
        seen |= fresh
        yield ListPage(url, links, mode="json", evidence=evidence, json_api=api)


@dataclass(slots=True)
class FoundApi:
    """What trying the API URLs of a page's scripts gave: the API read off an answer (or None), the URL
    asked, the links of that answer, and how many requests it took."""

    inferred: InferredApi | None = None
    url: str = ""
    links: list[ListedLink] = field(default_factory=list)
    requests: int = 0


def api_from_scripts(html: str, page_url: str, fetcher: PageFetcher, tries: int) -> FoundApi:
    """The first of (at most `tries`) API URLs in the page's scripts whose answer reads as a list of titled
    links."""
    found = FoundApi()
    for url in api_candidates(html, page_url)[:tries]:
        result = fetcher.fetch(url)
        found.requests += 1
        if not result.ok or result.body is None:
            continue
        try:
            inferred = infer_api(parse_json(result.body), url)
        except JsonListError:
            continue
        if inferred is not None:
            found.inferred, found.url = inferred, url
            found.links = item_links(inferred.rows, inferred.api, result.final_url)
            return found
    return found
