"""Discovery: walk a site's list pages (and their pagination), keep the links whose title marks a report.

Each listing is paged the way its CMS pages (flows.listing_walk: TRS, Hanweb, JSON API, links).
Every link not kept is recorded with the reason it was skipped.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from flows.fetch import PageFetcher
from flows.list_page import ListedLink, listed_links, next_page_urls
from flows.listing_walk import walk_listing
from flows.sources import Listing, Site
from flows.urls import configured_key

# ListedLink, listed_links and next_page_urls moved to flows.list_page; callers still find them here
__all__ = [
    "Discovery",
    "ListedLink",
    "ReportLink",
    "Skipped",
    "classify",
    "discover_site",
    "listed_links",
    "next_page_urls",
    "report_year",
]

_ANY_YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})(?!\d)")


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
    modes: dict[str, str] = field(default_factory=dict)  # listing URL → "mode: what in its markup said so"


def report_year(title: str, listing: Listing) -> int | None:
    """The year the title names: the pattern's first non-empty group, else any 19xx/20xx in the title."""
    match = listing.title_regex().search(title)
    if match:
        for group in match.groups():
            if group and group.isdigit():
                return int(group)
    other = _ANY_YEAR.search(title)
    return int(other.group(1)) if other else None


def classify(
    link: ListedLink,
    site: Site,
    listing: Listing,
    listing_url: str,
    years: Collection[int] | None,
    seen: set[str],
) -> ReportLink | Skipped:
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


def discover_site(site: Site, fetcher: PageFetcher, years: Collection[int] | None = None) -> Discovery:
    """Walk every listing of the site through its pagination; report links plus what was skipped and why."""
    found = Discovery(site.id)
    seen: set[str] = set()
    for listing in site.listings:
        _walk_listing(site, listing, fetcher, years, seen, found)
    return found


def _walk_listing(
    site: Site,
    listing: Listing,
    fetcher: PageFetcher,
    years: Collection[int] | None,
    seen: set[str],
    found: Discovery,
) -> None:
    first = site.listing_url(listing)
    for page in walk_listing(site, listing, fetcher):
        if page.error is not None:  # only the first page's failure is yielded: later ones end the pagination
            found.failures.append(Skipped(page.url, "list page", page.error))
            continue
        found.modes.setdefault(first, f"{page.mode}: {page.evidence}")
        found.pages_read += 1
        for link in page.links:
            verdict = classify(link, site, listing, page.url, years, seen)
            (found.links if isinstance(verdict, ReportLink) else found.skipped).append(verdict)
