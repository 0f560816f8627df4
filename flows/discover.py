"""Discovery: walk a site's list pages (and their pagination), keep the links whose title marks a report.

Hanweb columns hold their list as CDATA <record>s inside <script type="text/xml">; those are read too.
Every link not kept is recorded with the reason it was skipped.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterator
from dataclasses import dataclass, field
from urllib.parse import urldefrag, urljoin, urlsplit

from selectolax.lexbor import LexborHTMLParser

from flows.fetch import Fetcher, charset_of
from flows.sources import Listing, Site
from flows.urls import configured_key, without_userinfo
from transforms.decode import decode_bytes
from transforms.errors import UndecodableError

_CDATA = re.compile(r"<!\[CDATA\[(.*?)\]\]>", re.DOTALL)
_ANY_YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})(?!\d)")
_SPACE = re.compile(r"\s+")
_NOT_PAGES = ("javascript:", "mailto:", "tel:", "#")


@dataclass(frozen=True, slots=True)
class ListedLink:
    """An <a> found on a list page: absolute URL and its title (title attribute, else text)."""

    url: str
    title: str


@dataclass(frozen=True, slots=True)
class ReportLink:
    """A link discovery kept: a report page of one site, kind and year (as the title gives it)."""

    url: str
    title: str
    year: int
    kind: str
    site: str
    listing: str


@dataclass(frozen=True, slots=True)
class Skipped:
    url: str
    title: str
    reason: str


@dataclass(slots=True)
class Discovery:
    """What walking a site's list pages found."""

    site: str
    links: list[ReportLink] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    failures: list[Skipped] = field(default_factory=list)
    pages_read: int = 0


def listed_links(html: str, page_url: str) -> list[ListedLink]:
    """All links on a list page, including those of Hanweb CDATA records."""
    tree = LexborHTMLParser(html)
    links = list(_anchors(tree, page_url))
    for script in tree.css('script[type="text/xml"]'):
        for record in _CDATA.findall(script.text(deep=True) or ""):
            links.extend(_anchors(LexborHTMLParser(record), page_url))
    return links


def next_page_urls(html: str, page_url: str, texts: Collection[str]) -> list[str]:
    """hrefs of links whose text is a 'next page' label (下一页)."""
    tree = LexborHTMLParser(html)
    found = []
    for node in tree.css("a[href]"):
        label = _SPACE.sub("", node.text(deep=True) or "")
        href = (node.attributes.get("href") or "").strip()
        if label in texts and href and not href.lower().startswith(_NOT_PAGES):
            found.append(urldefrag(urljoin(page_url, href))[0])
    return found


def _anchors(tree: LexborHTMLParser, page_url: str) -> Iterator[ListedLink]:
    for node in tree.css("a[href]"):
        href = (node.attributes.get("href") or "").strip()
        if not href or href.lower().startswith(_NOT_PAGES):
            continue
        title = (node.attributes.get("title") or "").strip() or (node.text(deep=True) or "")
        url = without_userinfo(urldefrag(urljoin(page_url, href))[0])
        yield ListedLink(url, _SPACE.sub(" ", title).strip())


def report_year(title: str, listing: Listing) -> int | None:
    """The year the title names: the pattern's first non-empty group, else any 19xx/20xx in the title."""
    match = listing.title_regex().search(title)
    if match:
        for group in match.groups():
            if group and group.isdigit():
                return int(group)
    other = _ANY_YEAR.search(title)
    return int(other.group(1)) if other else None


def classify(link: ListedLink, site: Site, listing: Listing, listing_url: str,
             years: Collection[int] | None, seen: set[str]) -> ReportLink | Skipped:
    """Keep a link as a report of this listing, or say why not."""
    if configured_key(link.url, site.authorities) is None:
        return Skipped(link.url, link.title, f"off-site link ({urlsplit(link.url).netloc})")
    if not listing.title_regex().search(link.title):
        return Skipped(link.url, link.title, "title does not match the report pattern")
    year = report_year(link.title, listing)
    if year is None:
        return Skipped(link.url, link.title, "no year in the title")
    if years and year not in years:
        return Skipped(link.url, link.title, f"year {year} not requested")
    if link.url in seen:
        return Skipped(link.url, link.title, "already listed")
    seen.add(link.url)
    return ReportLink(link.url, link.title, year, listing.kind, site.id, listing_url)


def discover_site(site: Site, fetcher: Fetcher, years: Collection[int] | None = None) -> Discovery:
    """Walk every listing of the site through its pagination; report links plus what was skipped and why."""
    found = Discovery(site.id)
    seen: set[str] = set()
    for listing in site.listings:
        _walk_listing(site, listing, fetcher, years, seen, found)
    return found


def _walk_listing(site: Site, listing: Listing, fetcher: Fetcher, years: Collection[int] | None,
                  seen: set[str], found: Discovery) -> None:
    first = site.listing_url(listing)
    queue, visited = [first], set[str]()
    template_n = listing.pagination.start
    observed: set[str] = set()
    while queue and len(visited) < listing.pagination.max_pages:
        url = queue.pop(0)
        if url in visited:
            continue
        visited.add(url)
        result = fetcher.fetch(url)
        if not result.ok or result.body is None:
            if url == first:  # a later page failing is the end of the pagination, not an error
                found.failures.append(Skipped(url, "list page", result.reason or "no body"))
            continue
        try:
            html = decode_bytes(result.body, charset_of(result.headers.get("content-type"))).text
        except UndecodableError as exc:
            found.failures.append(Skipped(url, "list page", str(exc)))
            continue
        found.pages_read += 1
        links = listed_links(html, result.final_url)
        fresh = {link.url for link in links} - observed
        observed |= fresh
        for link in links:
            verdict = classify(link, site, listing, url, years, seen)
            (found.links if isinstance(verdict, ReportLink) else found.skipped).append(verdict)
        template = listing.pagination.template
        if template and fresh:
            queue.append(urljoin(site.base_url or first, template.format(n=template_n)))
            template_n += 1
        queue.extend(next_page_urls(html, result.final_url, listing.pagination.next_link_texts))

