"""`nianbao sites check` and `nianbao sites list`: each listing's first page read as discovery reads it (CMS,
report titles, a diagnosis when nothing useful comes back), and each site's last run from the archive."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from flows.archive import Archive, ManifestRow
from flows.discover import ReportLink, classify
from flows.fetch import Fetcher
from flows.listing_walk import ListPage, walk_listing
from flows.sources import Listing, Site


@dataclass(slots=True)
class ListingCheck:
    """One listing's first page: the CMS detected, the reports it lists, or what is wrong."""

    site: str
    url: str
    mode: str = ""
    evidence: str = ""
    links: int = 0
    reports: list[ReportLink] = field(default_factory=list)
    diagnosis: str | None = None

    @property
    def ok(self) -> bool:
        return self.diagnosis is None

    def line(self) -> str:
        head = f"{self.site}  {self.url}"
        if self.diagnosis:
            return f"{head}\n    PROBLEM: {self.diagnosis}"
        years = sorted({r.year for r in self.reports})
        span = f"years {years[0]}–{years[-1]}" if len(years) > 1 else f"year {years[0]}"
        return (
            f"{head}\n    {len(self.reports)} report(s) on the first page ({span}) of {self.links} "
            f"links; CMS {self.mode}: {self.evidence}"
        )


def check_listing(site: Site, listing: Listing, fetcher: Fetcher) -> ListingCheck:
    """Fetch the listing's first page only (a JSON API: its first page) and judge what it gives."""
    url = site.listing_url(listing)
    check = ListingCheck(site.id, url)
    pages = walk_listing(site, listing, fetcher)
    first = next(pages, None)
    if first is not None and first.error is None and first.mode == "json" and first.url == url:
        first = next(pages, first)  # a page whose script names a list API: the API's first page counts
    pages.close()
    if first is None:
        check.diagnosis = "no page was read"
        return check
    check.mode, check.evidence, check.links = first.mode, first.evidence, len(first.links)
    if first.error is not None:
        check.diagnosis = _diagnose_failure(first.error)
        return check
    seen: set[str] = set()
    verdicts = [classify(link, site, listing, url, None, seen) for link in first.links]
    check.reports = [v for v in verdicts if isinstance(v, ReportLink)]
    if not check.reports:
        check.diagnosis = _diagnose_empty(first, verdicts)
    return check


def check_sites(sites: Iterable[Site], fetcher: Fetcher) -> list[ListingCheck]:
    return [check_listing(site, listing, fetcher) for site in sites for listing in site.listings]


def _diagnose_failure(reason: str) -> str:
    if "robots.txt unreachable" in reason:
        return (
            f"{reason}: the host did not answer (no such name, offline, or refusing connections); "
            "nothing is fetched from a host whose robots.txt cannot be read"
        )
    if "robots.txt" in reason:
        return f"{reason}: the site asks crawlers to stay away from this page; nianbao will not fetch it"
    if "HTTP 404" in reason or "HTTP 410" in reason:
        return f"{reason}: the column is gone or moved; survey the site again (nianbao sites add --home …)"
    if "HTTP 403" in reason:
        return f"{reason}: the site refuses the crawler (a firewall or a login); try later or by hand"
    if "not a configured host" in reason:
        return f"{reason}: the page redirects to another host; add it to extra_hosts if it is the same site"
    if "JSON API" in reason:
        return f"{reason}: check json_api (url template, items path) against what the API answers"
    return f"{reason}: the site did not answer usefully (offline, too slow, or blocking)"


def _diagnose_empty(page: ListPage, verdicts: list[object]) -> str:
    if not page.links:
        return (
            "the page has no links: its list is drawn by a script — declare the list API under json_api "
            "(or a Hanweb datastore is missing), see `nianbao sites add`"
        )
    reasons = Counter(getattr(v, "reason", "") for v in verdicts)
    titles = [link.title for link in page.links if link.title][:3]
    main = ", ".join(f"{reason} ×{n}" for reason, n in reasons.most_common(2))
    return (
        f"{len(page.links)} links but none is a report ({main}); first titles: {'; '.join(titles)} — "
        "the wrong column, or title_pattern does not fit this site's titles"
    )


@dataclass(slots=True)
class SiteRun:
    """A site's last run as the archive's manifest records it."""

    site: str
    when: str | None = None
    fetched: int = 0
    unchanged: int = 0
    failed: int = 0
    years: tuple[int, ...] = ()


def last_runs(archive: Archive, site_ids: Iterable[str]) -> dict[str, SiteRun]:
    """Per site, the rows of its latest run (rows that name their run; older rows: its latest fetch day)."""
    rows: dict[str, list[ManifestRow]] = {site: [] for site in site_ids}
    for row in archive.manifest():
        if row.site in rows:
            rows[row.site].append(row)
    return {site: _summarise(site, found) for site, found in rows.items()}


def _summarise(site: str, rows: list[ManifestRow]) -> SiteRun:
    if not rows:
        return SiteRun(site)
    latest = max(rows, key=lambda r: r.fetched_at)
    run = latest.extra.get("run")
    chosen = (
        [r for r in rows if r.extra.get("run") == run]
        if run
        else [r for r in rows if r.fetched_at[:10] == latest.fetched_at[:10]]
    )
    result = SiteRun(site, latest.fetched_at)
    for row in chosen:
        if row.sha256 is None:
            result.failed += 1
        elif row.status == 304:
            result.unchanged += 1
        else:
            result.fetched += 1
    result.years = tuple(sorted({r.year for r in chosen if r.year is not None and r.sha256}))
    return result
