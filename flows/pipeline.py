"""The Prefect flows: scrape (discover + fetch into the archive), ingest (archive → warehouse in batches),
backfill (both, for chosen years and regions), reprocess (ingest everything again, no network) and run
(backfill of last year's reports, for the reporting-season schedule)."""

from __future__ import annotations

import datetime as dt
import logging
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Any

from prefect import Task, flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE
from prefect.exceptions import MissingContextError
from prefect.runtime import flow_run
from prefect.task_runners import ThreadPoolTaskRunner
from prefect.utilities.annotations import quote

from flows.archive import Archive, ManifestRow, utc_now
from flows.attachments import (
    ATTACHMENTS_KEY,
    PARENT_KEY,
    IngestPlan,
    attachment_row,
    attachments_to_follow,
    plan_ingest,
)
from flows.crawl import CrawlBatch, CrawlEngine, PageFetched, SiteDiscovered
from flows.discover import Discovery, ListedLink, ReportLink
from flows.fetch import AsyncFetcher, Fetcher, FetchResult
from flows.fetch_limits import load_fetch_limits
from flows.progress import ProgressBar, progress_bar
from flows.runners import transformer_for
from flows.sources import Site, SourcesConfig, load_sources
from flows.summary import NothingLoadedError, RunSummary, publish_artifacts
from ingest.run import IngestRun
from ingest.workers import Inline, Transformer
from transforms.model import Page
from warehouse.load import LoadSummary, RejectRow, record_rejects

FETCH_WORKERS = 8  # crawl tasks at once: each a batch of sites, all fed to one crawl engine
SITE_BATCHES = FETCH_WORKERS  # sites are split into this many batches (one crawl task each)
INGEST_BATCH = 200  # pages per ingest batch: one transform batch, one warehouse transaction
# batches per ingest task (one task run costs ~5 ms CPU in the flow's process and ~20 ms in Prefect's server;
# the task's pages wait in memory for their turn, ~13 MB per batch of 30-100 KB pages)
BATCHES_PER_TASK = 2

FetchedRow = tuple[ManifestRow, str, str | None]  # manifest row, outcome, failure reason


class _BoundedCallsFilter(logging.Filter):
    """Prefect warns, for every task with a timeout that runs in a worker thread, that the timeout cannot
    interrupt a blocking call. The crawl tasks block only waiting for the next site or page of their batch
    to be done by the crawl engine, and look up at least every half second (CrawlBatch), so their timeout
    takes effect then; the warning, repeated for every batch, would only be noise."""

    def filter(self, record: logging.LogRecord) -> bool:
        text = record.getMessage()
        return not (text.startswith("Timeout of") and "running in a worker thread" in text)


logging.getLogger("prefect.task_runs").addFilter(_BoundedCallsFilter())


@dataclass(slots=True)
class ScrapeResult:
    """What scrape put in the archive: one manifest row per report page it now holds, and the counts."""

    rows: list[ManifestRow] = field(default_factory=list)
    summary: RunSummary = field(default_factory=RunSummary)


def resolve_sites(regions: Sequence[str] | None, base_urls: dict[str, str] | None) -> list[Site]:
    """The configured sites to work on, with run-time base URLs applied (the sample site gets its own)."""
    config: SourcesConfig = load_sources()
    for site_id, url in (base_urls or {}).items():
        config = config.replace_site(config.site(site_id).with_base_url(url))
    sites = config.select(regions, include_sample=bool(base_urls))
    return [s for s in sites if s.base_url]


def _policies(sites: Iterable[Site], politeness: dict[str, Any] | None) -> dict[str, Any]:
    """The fetcher arguments for the sites' hosts and ports, each with its site's politeness (plus run
    overrides); private addresses only for sites that allow them; host names pinned by sites' addresses."""
    config = load_sources()
    policies, private_ok, pins = {}, set(), {}
    for site in sites:
        policy = config.politeness_for(site).merged(politeness)
        pins.update(site.pins)
        for key in site.authorities:
            policies[key] = policy
            if site.allow_private_addresses:
                private_ok.add(key)
    return {
        "policies": policies,
        "default": config.politeness.merged(politeness),
        "private_ok": private_ok,
        "limits": load_fetch_limits(),
        "pins": pins,
    }


def build_fetcher(sites: Iterable[Site], politeness: dict[str, Any] | None = None) -> Fetcher:
    """A blocking fetcher for the sites (`nianbao sites check`)."""
    return Fetcher(**_policies(sites, politeness))


def build_async_fetcher(sites: Iterable[Site], politeness: dict[str, Any] | None = None) -> AsyncFetcher:
    """The crawl's fetcher for the sites: one client, their gates, the global cap (fetch.max_in_flight)."""
    return AsyncFetcher(**_policies(sites, politeness))


@dataclass(slots=True)
class SiteScraped:
    """One site of a crawl task: what its discovery found (or why it failed), and per report link found (by
    its place among the links) the page's manifest row, then its attachments' (by their place, from 1)."""

    site: Site
    discovery: Discovery | None = None
    error: str | None = None
    rows: dict[int, dict[int, FetchedRow]] = field(default_factory=dict)
    attachments: dict[int, list[ListedLink]] = field(default_factory=dict)
    under_way: int = 0  # fetches of this site not settled yet

    def fetched(self) -> list[FetchedRow]:
        """Every row settled, in link order, each page followed by its attachments."""
        return [row for index in sorted(self.rows) for _, row in sorted(self.rows[index].items())]


class BatchLedger:
    """What a crawl task has settled so far, per site of its batch. The flow holds it, so a task stopped
    part-way (its timeout) still says which sites it walked and which report pages they list."""

    def __init__(self, sites: Sequence[Site]):
        self.sites = [SiteScraped(site) for site in sites]
        self._places = {site.id: place for place, site in enumerate(sites)}

    def place(self, site: Site) -> int:
        return self._places[site.id]


# What a batch fetches a URL for: the site's place in the batch, the report link's place among the site's
# links, and 0 for the report page itself or the attachment's place (from 1) among the page's attachments.
_Tag = tuple[int, int, int]


@task(name="crawl-sites", cache_policy=NO_CACHE)
def crawl_task(
    ledger: BatchLedger,
    engine: CrawlEngine,
    years: list[int] | None,
    archive: Archive,
    previous: dict[str, ManifestRow],
    bar: ProgressBar,
) -> None:
    """Discover a batch of sites and fetch their report pages, all on the crawl engine at once, each at its
    host's pace: a site's reports (then their attachments) are fetched as soon as its listings are walked,
    while the batch's other sites are still being walked (conditional GETs for what the archive has).
    Bodies are stored as they come; the batch's manifest rows are written when the task ends, even when it
    is stopped part-way (its timeout; what is under way is then cancelled), so no stored body is left
    without its row. Fills in the ledger; a site whose discovery broke carries the reason."""
    batch: CrawlBatch[_Tag] = CrawlBatch(engine, [s.site for s in ledger.sites], years)
    try:
        for event in batch:
            if isinstance(event, SiteDiscovered):
                scraped = _discovered(ledger, event, batch, previous)
            else:
                scraped = _page_fetched(ledger, event, batch, archive, previous)
            if scraped.under_way == 0:  # the site is done
                bar.advance()
    finally:
        archive.record(row for scraped in ledger.sites for row, _, _ in scraped.fetched())


def _discovered(
    ledger: BatchLedger, event: SiteDiscovered, batch: CrawlBatch[_Tag], previous: dict[str, ManifestRow]
) -> SiteScraped:
    """A site walked: its report pages are handed to the engine."""
    place = ledger.place(event.site)
    scraped = ledger.sites[place]
    scraped.discovery, scraped.error = event.discovery, event.error
    if event.discovery is None:
        return scraped
    for url, mode in event.discovery.modes.items():
        _logger().info("%s: %s is paged as %s", event.site.id, url, mode)
    links = event.discovery.links
    batch.fetch(
        [
            ((place, index, 0), link.url, *_validators(previous.get(link.url)))
            for index, link in enumerate(links)
        ]
    )
    scraped.under_way += len(links)
    return scraped


def _page_fetched(
    ledger: BatchLedger,
    event: PageFetched[_Tag],
    batch: CrawlBatch[_Tag],
    archive: Archive,
    previous: dict[str, ManifestRow],
) -> SiteScraped:
    """A report page (stored; its attachments handed to the engine) or an attachment (stored) fetched."""
    place, index, number = event.tag
    scraped = ledger.sites[place]
    scraped.under_way -= 1
    assert scraped.discovery is not None  # pages are fetched once their site is discovered
    link = scraped.discovery.links[index]
    if number == 0:
        page = _stored(link, event.result, previous.get(link.url), archive)
        scraped.rows[index] = {0: page}
        found = attachments_to_follow(link, page[0], _body(event.result.body, page[0].sha256, archive))
        scraped.attachments[index] = found
        batch.fetch(
            [
                ((place, index, number), target.url, *_validators(previous.get(target.url)))
                for number, target in enumerate(found, start=1)
            ]
        )
        scraped.under_way += len(found)
    else:
        target = scraped.attachments[index][number - 1]
        scraped.rows[index][number] = attachment_row(
            link, scraped.rows[index][0][0], target, event.result, previous.get(target.url), archive
        )
    return scraped


def _logger() -> logging.Logger | logging.LoggerAdapter[logging.Logger]:
    """The run's logger; this module's outside a run (a task's function called as it is, in the bench)."""
    try:
        return get_run_logger()
    except MissingContextError:
        return logging.getLogger(__name__)


def _validators(prior: ManifestRow | None) -> tuple[str | None, str | None]:
    """The conditional-GET validators of what the archive holds for a URL (none when it holds nothing)."""
    return (prior.etag, prior.last_modified) if prior else (None, None)


def _stored(link: ReportLink, result: FetchResult, prior: ManifestRow | None, archive: Archive) -> FetchedRow:
    """One report page's body stored and its manifest row."""
    sha = None
    if result.outcome == "fetched" and result.body is not None:
        sha = archive.put(result.body)
    elif result.outcome == "unchanged" and prior is not None:
        sha = prior.sha256
    headers = (
        result.headers
        if result.outcome != "unchanged" or prior is None
        else {**prior.headers, **result.headers}
    )
    row = ManifestRow(
        result.url,
        result.final_url,
        result.status or 0,
        headers,
        utc_now(),
        sha,
        site=link.site,
        kind=link.kind,
        year=link.year,
        title=link.title,
        extra={"run": str(flow_run.id)} if flow_run.id else {},
    )
    return row, result.outcome, result.reason


@dataclass(slots=True)
class ArchivedBatch:
    """A batch of manifest rows read from the archive: what to load (the plan) and the unreadable bodies."""

    plan: IngestPlan
    unreadable: list[RejectRow]


@task(name="ingest-batch", cache_policy=NO_CACHE, retries=2, retry_delay_seconds=[1, 5])
def ingest_task(rows: list[ManifestRow], archive: Archive) -> ArchivedBatch:
    """Archive bodies → pages for one ingest batch (attachments with their page as context); load_rows hands
    them to the ingest run, whose workers transform them while the writer loads the batch before."""
    pages: dict[str, Page] = {}
    unreadable: list[RejectRow] = []
    for row in rows:
        try:
            data = archive.get(row.sha256 or "")
        except OSError as exc:
            unreadable.append(RejectRow(row.url, "archive", f"archived body unreadable: {exc}"))
            continue
        pages[row.url] = Page(name=row.url, data=data, http_charset=row.charset, url=row.final_url)
    return ArchivedBatch(plan_ingest(rows, pages, archive), unreadable)  # attachments in place of pages


def _body(fetched: bytes | None, sha: str | None, archive: Archive) -> bytes | None:
    """A report page's bytes: as fetched, else (unchanged) as archived."""
    if fetched is not None or sha is None:
        return fetched
    try:
        return archive.get(sha)
    except OSError:
        return None


def scrape_steps(
    years: list[int] | None,
    regions: list[str] | None,
    base_urls: dict[str, str] | None,
    politeness: dict[str, Any] | None,
    archive: str | None,
    warehouse: str | None,
) -> ScrapeResult:
    """scrape's tasks, run inside the calling flow (backfill runs them itself: a subflow run costs ~1 s):
    one crawl task per batch of sites, all at once on one crawl engine (one client, one gate per host
    whatever task asks it, the global cap)."""
    sites = resolve_sites(regions, base_urls)
    store = Archive(archive)
    previous = store.latest()
    result = ScrapeResult()
    fetch_rejects: list[RejectRow] = []
    with (
        CrawlEngine(build_async_fetcher(sites, politeness)) as engine,
        progress_bar("crawling sites", len(sites)) as bar,
    ):
        crawl = crawl_task.with_options(timeout_seconds=engine.fetcher.limits.task_timeout_seconds)
        ledgers = [BatchLedger(batch) for batch in _batches(sites)]
        # quoted: Prefect would walk every manifest row of `previous` looking for futures, for each task
        # (~0.05 ms CPU per row and walk: seconds per task once the archive holds 100k URLs)
        known = quote(previous)
        futures = [crawl.submit(ledger, engine, years, store, known, bar) for ledger in ledgers]
        for ledger, future in zip(ledgers, futures, strict=True):
            future.wait()
            state = future.state
            stopped = state.message if state.is_failed() else None  # out of time (or broke) part-way
            for scraped in ledger.sites:
                _count_site(result, scraped, stopped, fetch_rejects)
        for notice in engine.notices:
            get_run_logger().warning("%s", notice)
    if fetch_rejects:
        record_rejects(fetch_rejects, warehouse)
    result.summary.add_rejects(fetch_rejects)
    get_run_logger().info("scrape: %s", result.summary.describe())
    return result


@flow(name="scrape", task_runner=ThreadPoolTaskRunner(max_workers=FETCH_WORKERS), log_prints=False)
def scrape(
    years: list[int] | None = None,
    regions: list[str] | None = None,
    base_urls: dict[str, str] | None = None,
    politeness: dict[str, Any] | None = None,
    archive: str | None = None,
    warehouse: str | None = None,
) -> ScrapeResult:
    """Discover report pages on the chosen sites and fetch them into the archive; failures become rejects."""
    result = scrape_steps(years, regions, base_urls, politeness, archive, warehouse)
    publish_artifacts(result.summary, "nianbao-scrape", f"nianbao scrape {_label(years, regions)}")
    return result


def _batches(sites: Sequence[Site]) -> list[list[Site]]:
    """The sites in at most SITE_BATCHES batches of near-equal size (one task per batch and phase)."""
    size = -(-len(sites) // SITE_BATCHES) or 1
    return [list(sites[i : i + size]) for i in range(0, len(sites), size)]


def _count_site(
    result: ScrapeResult, scraped: SiteScraped, stopped: str | None, rejects: list[RejectRow]
) -> None:
    """A site's outcome in the summary and rejects. When its task was stopped part-way, a site not yet
    walked is a discovery failure and every report page it lists a fetch failure, with the task's reason
    (bodies stored before then keep their manifest rows)."""
    site, found = scraped.site, scraped.discovery
    if found is None:
        reason = scraped.error or (f"discovery task failed: {stopped}" if stopped else "discovery failed")
        rejects.append(RejectRow(site.base_url or site.id, "discover", reason))
        return
    result.summary.found += len(found.links)
    result.summary.skipped_links.update(s.reason for s in found.skipped)
    rejects += [RejectRow(s.url, "discover", s.reason) for s in found.failures]
    if stopped:
        result.summary.failed += len(found.links)
        rejects += [RejectRow(link.url, "fetch", f"fetch task failed: {stopped}") for link in found.links]
        return
    for row, outcome, reason in scraped.fetched():
        _count_fetch(result, row, outcome, reason, rejects)


def _count_fetch(
    result: ScrapeResult, row: ManifestRow, outcome: str, reason: str | None, rejects: list[RejectRow]
) -> None:
    if outcome == "failed" or row.sha256 is None:
        result.summary.failed += 1
        rejects.append(RejectRow(row.url, "fetch", reason or f"HTTP {row.status}"))
        return
    result.rows.append(row)
    if outcome == "unchanged":
        result.summary.unchanged += 1
    else:
        result.summary.fetched += 1


@flow(name="ingest", log_prints=False)
def ingest(
    years: list[int] | None = None,
    regions: list[str] | None = None,
    archive: str | None = None,
    warehouse: str | None = None,
    batch_size: int = INGEST_BATCH,
    workers: int | None = None,
    runner: str = "local",
) -> RunSummary:
    """Load every page the archive holds (its latest body per URL, filtered by years and regions) into the
    warehouse: one transform batch and one transaction per batch of pages, one task per BATCHES_PER_TASK
    batches (pages already loaded are not read), the transform on `workers` processes (local) or as tasks on
    the flow's Dask runner (runner 'dask'). No network."""
    store = Archive(archive)
    rows = select_rows(store.latest().values(), years, regions)
    summary = load_rows(rows, store, warehouse, batch_size, transformer_for(runner, workers))
    return _finish(summary, "ingest", f"nianbao ingest {_label(years, regions)}")


def load_rows(
    rows: Sequence[ManifestRow],
    store: Archive,
    warehouse: str | None,
    batch_size: int = INGEST_BATCH,
    transformer: Transformer | None = None,
    read_batch: Callable[[list[ManifestRow], Archive], ArchivedBatch] = ingest_task,
    written: Callable[[int], object] | None = None,
) -> RunSummary:
    """Run ingest tasks over rows in batches (inside the calling flow): each task reads BATCHES_PER_TASK
    batches from the archive; each batch's transform is spread over the transformer's workers while the one
    writer loads the batch before (ingest.run), one transaction per batch. Pages whose attachments were all
    rejected load as pages, in a batch of their own. A transformer with processes of its own is stopped at
    the end.

    A row whose body (by the manifest's sha256) is loaded already is never read (_unchanged): it counts as
    skipped and its old rejects go, as when a read page is found known. The rows left to read are gathered
    for a task up to BATCHES_PER_TASK × batch_size (whole slices of the rows, so an attachment stays with
    its page), and a stretch with nothing to read runs no task at all.
    `read_batch`: the task, or its function for a run without Prefect; `written`: called (in the writer's
    thread) with the count of a batch's inputs as soon as the batch is in the warehouse (the bench)."""
    summary = RunSummary()
    transformer = transformer or Inline()
    # per task: its plan, and per batch (transaction) of its pages the count of inputs and the load's future
    submitted: deque[tuple[IngestPlan, list[tuple[int, Future[LoadSummary]]]]] = deque()
    to_read: list[ManifestRow] = []
    unchanged: list[tuple[str, str | None]] = []
    task_size = batch_size * BATCHES_PER_TASK

    def settle(run: IngestRun) -> None:
        plan, loads = submitted.popleft()
        rejected: set[str] = set()
        for pages, future in loads:
            load = future.result()
            summary.add_load(load, pages)
            bar.advance(pages)
            rejected.update(r.input for r in load.rejects)
        fallback = plan.fallbacks(rejected)
        if fallback:  # pages whose attachments could not be read load as pages
            submitted.append((IngestPlan(), [(len(fallback), run.submit(fallback))]))

    def submit(run: IngestRun) -> None:
        read = read_archived(read_batch, list(to_read), store) if to_read else ArchivedBatch(IngestPlan(), [])
        # the archive checked each body read against its manifest sha256: no second hash in the run
        digests = {row.url: digest for row in to_read if (digest := _digest(row.sha256))}
        pages = read.plan.pages
        loads: list[tuple[int, Future[LoadSummary]]] = []
        for start in range(0, max(len(pages), 1), batch_size):
            first = not loads
            batch = pages[start : start + batch_size]
            skipped = unchanged if first else []
            future = run.submit(batch, read.unreadable if first else (), skipped, digests)
            count = len(batch) + len(skipped)
            if written is not None:
                future.add_done_callback(lambda _, count=count: written(count))
            loads.append((count, future))
        submitted.append((read.plan, loads))
        # the transform holds the pages now and lets each batch's go once its frames are back; the plan only
        # waits for its fallbacks (the pages held back), so its list would keep the task's pages in memory
        # until the last batch of the task is written, while the next task reads its own
        read.plan.pages = []
        to_read.clear()
        unchanged.clear()

    try:
        with progress_bar("loading pages", len(rows)) as bar, IngestRun(warehouse, transformer) as run:
            for start in range(0, len(rows), batch_size):
                todo, known = _unchanged(rows[start : start + batch_size], run)
                if to_read and len(to_read) + len(todo) > task_size:
                    submit(run)
                to_read.extend(todo)
                unchanged.extend((row.url, row.final_url) for row in known)
                if not to_read or len(to_read) >= task_size:
                    submit(run)
                while submitted and all(future.done() for _, future in submitted[0][1]):
                    settle(run)
            if to_read or unchanged:
                submit(run)
            while submitted:
                run.flush()
                settle(run)
    finally:
        close = getattr(transformer, "close", None)
        if close is not None:
            close()
    return summary


def read_archived(
    read_batch: Callable[[list[ManifestRow], Archive], ArchivedBatch], rows: list[ManifestRow], store: Archive
) -> ArchivedBatch:
    """read_batch(rows, store); a Prefect task gets the rows quoted: Prefect walks a task's parameters for
    futures to wait on, ~0.1 ms CPU per manifest row (~60 ms per task of 500 rows, ten times the rest of
    the task run's cost), and the rows hold none."""
    if isinstance(read_batch, Task):
        return read_batch(quote(rows), store)
    return read_batch(rows, store)


def _unchanged(rows: Sequence[ManifestRow], run: IngestRun) -> tuple[list[ManifestRow], list[ManifestRow]]:
    """The rows to read, and the rows loaded already (their body's sha256 is a report's content of the
    current extractor version). A page and its attachments go together: all are left unread only when every
    one the read would submit is loaded (a page holding attachments in these rows is never submitted itself,
    unless they are all rejected, so it is neither read nor counted)."""
    loaded = run.is_loaded([_digest(row.sha256) for row in rows])
    present = {row.url for row in rows}
    holds = [any(url in present for url in row.extra.get(ATTACHMENTS_KEY, "").split()) for row in rows]
    whole: dict[str, bool] = {}
    for row, known, holder in zip(rows, loaded, holds, strict=True):
        group = row.extra.get(PARENT_KEY) or row.url
        whole[group] = whole.get(group, True) and (known or holder)
    todo: list[ManifestRow] = []
    done: list[ManifestRow] = []
    for row, holder in zip(rows, holds, strict=True):
        if not whole[row.extra.get(PARENT_KEY) or row.url]:
            todo.append(row)
        elif not holder:
            done.append(row)
    return todo, done


def _digest(sha256: str | None) -> bytes | None:
    """A manifest row's body digest as bytes (None when it is not a sha256 in hex)."""
    try:
        digest = bytes.fromhex(sha256 or "")
    except ValueError:
        return None
    return digest if len(digest) == 32 else None


def select_rows(
    rows: Iterable[ManifestRow], years: Sequence[int] | None, regions: Sequence[str] | None
) -> list[ManifestRow]:
    wanted_sites = None
    if regions:
        wanted_sites = {s.id for s in load_sources().select(regions, include_sample=True)}
    return sorted(
        (
            r
            for r in rows
            if (not years or r.year in years) and (wanted_sites is None or r.site in wanted_sites)
        ),
        key=lambda r: (r.extra.get(PARENT_KEY) or r.url, r.url),
    )  # attachments beside their page


@flow(name="backfill", task_runner=ThreadPoolTaskRunner(max_workers=FETCH_WORKERS), log_prints=False)
def backfill(
    years: list[int] | None = None,
    regions: list[str] | None = None,
    base_urls: dict[str, str] | None = None,
    politeness: dict[str, Any] | None = None,
    archive: str | None = None,
    warehouse: str | None = None,
    batch_size: int = INGEST_BATCH,
) -> RunSummary:
    """Scrape the chosen years and regions, then ingest what was fetched (or found unchanged)."""
    return backfill_steps(years, regions, base_urls, politeness, archive, warehouse, batch_size)


def backfill_steps(
    years: list[int] | None,
    regions: list[str] | None,
    base_urls: dict[str, str] | None,
    politeness: dict[str, Any] | None,
    archive: str | None,
    warehouse: str | None,
    batch_size: int = INGEST_BATCH,
    flow_name: str = "backfill",
) -> RunSummary:
    """Scrape then load, as tasks of the calling flow (backfill or run, named for its artifacts)."""
    scraped = scrape_steps(years, regions, base_urls, politeness, archive, warehouse)
    summary = scraped.summary.merge(
        load_rows(scraped.rows, Archive(archive), warehouse, batch_size, transformer_for("local", None))
    )
    return _finish(summary, flow_name, f"nianbao {flow_name} {_label(years, regions)}")


@flow(name="reprocess", log_prints=False)
def reprocess(
    years: list[int] | None = None,
    regions: list[str] | None = None,
    archive: str | None = None,
    warehouse: str | None = None,
    batch_size: int = INGEST_BATCH,
    workers: int | None = None,
    runner: str = "local",
) -> RunSummary:
    """Re-derive the warehouse from the archive after rules changed: every archived page goes through the
    transforms again (the extractor version changed, so the warehouse replaces what differs). No network."""
    store = Archive(archive)
    rows = select_rows(store.latest().values(), years, regions)
    summary = load_rows(rows, store, warehouse, batch_size, transformer_for(runner, workers))
    return _finish(summary, "reprocess", f"nianbao reprocess {_label(years, regions)}")


@flow(name="run", task_runner=ThreadPoolTaskRunner(max_workers=FETCH_WORKERS), log_prints=False)
def run(
    regions: list[str] | None = None,
    year: int | None = None,
    archive: str | None = None,
    warehouse: str | None = None,
) -> RunSummary:
    """The scheduled job: in the reporting season, look for last year's reports and load them."""
    target = year or dt.date.today().year - 1
    return backfill_steps([target], regions, None, None, archive, warehouse, flow_name="run")


def _label(years: Sequence[int] | None, regions: Sequence[str] | None) -> str:
    year_text = ",".join(map(str, years)) if years else "all"
    return f"years {year_text}; regions {','.join(regions or ()) or 'all'}"


def _finish(summary: RunSummary, key: str, title: str) -> RunSummary:
    """Publish the summary; a run that loaded nothing (no page found, fetched or loadable) fails."""
    publish_artifacts(summary, f"nianbao-{key}", title)
    get_run_logger().info("%s\n%s", title, summary.describe())
    if summary.usable == 0:
        why = (
            f"{summary.found} found, {summary.failed} fetch failures, {summary.rejected} rejects"
            if summary.found or summary.ingested or summary.rejected
            else "no report pages found"
        )
        examples = "".join(f"; [{r.stage}] {r.input}: {r.reason}" for r in summary.rejects[:3])
        raise NothingLoadedError(f"{title}: nothing could be loaded ({why}){examples}")
    return summary
