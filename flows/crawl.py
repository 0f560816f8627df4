"""A crawl of many sites on one event loop: each site's listings are walked (discovery), then its report
pages fetched, every request through one AsyncFetcher, so the pace grows with the number of hosts (each
spaced by its own gate) up to the global cap on requests in flight.

Discovery is the sequential code of flows/discover.py; it runs in worker threads that hand each request
to the loop (BlockingFetcher) and wait: up to fetch.discovery_threads sites at once (a waiting thread
costs little; each host's gate keeps its pace and the global cap bounds requests). Report pages are
fetched by tasks of the loop itself. `CrawlEngine` keeps the loop in a thread of its own, so blocking code
(the flow's tasks, one per batch of sites) can hand it work and wait for each result as it comes: a
`CrawlBatch` starts a batch's discoveries at once and hands its caller each site's discovery, then each
page fetched, as they finish, so a site's reports are fetched while other sites are still being walked.
"""

from __future__ import annotations

import asyncio
import functools
import queue
import threading
from collections.abc import Callable, Collection, Coroutine, Iterator, Sequence
from concurrent.futures import CancelledError, Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from flows.discover import Discovery, ReportLink, discover_site
from flows.fetch import AsyncFetcher, BlockingFetcher, FetchResult
from flows.sources import Site

T = TypeVar("T")
Tag = TypeVar("Tag")  # what the caller fetched a URL for (a report link, an attachment link)
# What the caller does with each report page fetched (store it, count it); runs on the loop's thread.
OnPage = Callable[[ReportLink, FetchResult], None]
Previous = Callable[[str], tuple[str | None, str | None]]  # url → (etag, last_modified) for conditional GETs


@dataclass(slots=True)
class SiteCrawl:
    """One site's crawl: what discovery found (or why it failed) and each report page's result."""

    site: Site
    discovery: Discovery | None = None
    error: str | None = None
    pages: list[tuple[ReportLink, FetchResult]] = field(default_factory=list)


def _no_validators(_url: str) -> tuple[str | None, str | None]:
    return None, None


class CrawlEngine:
    """An AsyncFetcher on an event loop of its own thread, plus the threads discovery runs in."""

    def __init__(self, fetcher: AsyncFetcher):
        self.fetcher = fetcher
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="crawl-loop", daemon=True)
        self._discovery = ThreadPoolExecutor(fetcher.limits.discovery_threads, thread_name_prefix="discover")
        self._thread.start()

    def __enter__(self) -> CrawlEngine:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Wait for discoveries under way (not started ones are dropped), stop what is left on the loop,
        close the client, stop the loop."""
        self._discovery.shutdown(wait=True, cancel_futures=True)
        self.run(self._finish())
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)
        self._loop.close()

    async def _finish(self) -> None:
        left = [task for task in asyncio.all_tasks() if task is not asyncio.current_task()]
        for task in left:  # fetches whose callers stopped waiting (a task's timeout)
            task.cancel()
        await asyncio.gather(*left, return_exceptions=True)
        await self.fetcher.aclose()

    def run(self, work: Coroutine[Any, Any, T]) -> T:
        """Run a coroutine on the engine's loop and wait for its result (from any other thread)."""
        return self.submit(work).result()

    def call_soon(self, callback: Callable[..., object], *args: Any) -> None:
        """Run callback(*args) on the engine's loop, soon (from any thread; a closed engine ignores it)."""
        if not self._loop.is_closed():
            self._loop.call_soon_threadsafe(callback, *args)

    def submit(self, work: Coroutine[Any, Any, T]) -> Future[T]:
        """Start a coroutine on the engine's loop; its future (cancelling it cancels the coroutine)."""
        return asyncio.run_coroutine_threadsafe(work, self._loop)

    @property
    def blocking(self) -> BlockingFetcher:
        """A fetcher for blocking code in other threads, through this engine's client and gates."""
        return BlockingFetcher(self.fetcher, self._loop)

    def fetch(
        self, url: str, etag: str | None = None, last_modified: str | None = None
    ) -> Future[FetchResult]:
        """Start one page's fetch (at its host's pace); its future."""
        return self.submit(self.fetcher.fetch(url, etag, last_modified))

    def discover(
        self, sites: Sequence[Site], years: Collection[int] | None = None
    ) -> list[Future[Discovery]]:
        """Start every site's discovery on the discovery threads; one future per site, in order."""
        return [self._discovery.submit(discover_site, site, self.blocking, years) for site in sites]

    @property
    def notices(self) -> list[str]:
        return self.fetcher.notices

    def crawl(
        self,
        sites: Sequence[Site],
        years: Collection[int] | None = None,
        previous: Previous = _no_validators,
        on_page: OnPage | None = None,
    ) -> list[SiteCrawl]:
        """Discover and fetch every site at once (each at its own host's pace); one SiteCrawl per site."""
        return self.run(self._crawl(sites, years, previous, on_page))

    async def _crawl(
        self, sites: Sequence[Site], years: Collection[int] | None, previous: Previous, on_page: OnPage | None
    ) -> list[SiteCrawl]:
        return list(await asyncio.gather(*(self._site(s, years, previous, on_page) for s in sites)))

    async def _site(
        self, site: Site, years: Collection[int] | None, previous: Previous, on_page: OnPage | None
    ) -> SiteCrawl:
        out = SiteCrawl(site)
        try:
            out.discovery = await self._loop.run_in_executor(
                self._discovery, discover_site, site, self.blocking, years
            )
        except Exception as exc:  # a broken listing must not stop the other sites; the reason is kept
            out.error = f"discovery failed: {type(exc).__name__}: {exc}"
            return out

        async def page(link: ReportLink) -> None:
            etag, modified = previous(link.url)
            result = await self.fetcher.fetch(link.url, etag, modified)
            out.pages.append((link, result))
            if on_page is not None:
                on_page(link, result)

        await asyncio.gather(*(page(link) for link in out.discovery.links))
        return out


@dataclass(frozen=True, slots=True)
class SiteDiscovered:
    """A site of the batch whose listings were walked: what was found, or why discovery failed."""

    site: Site
    discovery: Discovery | None
    error: str | None = None


@dataclass(frozen=True, slots=True)
class PageFetched(Generic[Tag]):
    """A URL the caller asked the batch to fetch, with what it was fetched for."""

    tag: Tag
    result: FetchResult


FetchRequest = tuple[Tag, str, str | None, str | None]  # tag, url, etag, last_modified


class CrawlBatch(Generic[Tag]):
    """A batch of sites crawled on an engine from one blocking thread (a flow task). Every site's discovery
    starts at once; iterating yields each SiteDiscovered and each PageFetched as it finishes (in the order
    they finish); `fetch` adds URLs to fetch (a discovered site's reports, a page's attachments), whose
    results come out of the same iteration. Iteration ends when nothing is left under way; `cancel` (or
    leaving the iteration early) stops what has not finished. Not thread-safe: one thread calls fetch and
    iterates.

    Fetches are handed to the loop in one call per `fetch` and run as tasks of the loop that put their
    result straight on the batch's queue (no future per page to hand it between threads: that handoff
    was a tenth of the loop's CPU time)."""

    _POLL_SECONDS = 0.5  # the waiting thread looks up this often, so a task timeout can stop it

    def __init__(self, engine: CrawlEngine, sites: Sequence[Site], years: Collection[int] | None = None):
        self._engine = engine
        self._done: queue.SimpleQueue[SiteDiscovered | PageFetched[Tag]] = queue.SimpleQueue()
        self._under_way = len(sites)
        self._discoveries = engine.discover(sites, years)
        self._tasks: set[asyncio.Task[FetchResult]] = set()  # the loop's fetch tasks (touched on the loop)
        self._cancelled = False
        for site, future in zip(sites, self._discoveries, strict=True):
            future.add_done_callback(lambda done, site=site: self._done.put(_discovered(site, done)))

    def fetch(self, requests: Sequence[FetchRequest[Tag]]) -> None:
        """Start these fetches (each at its host's pace); each PageFetched carries its request's tag."""
        if requests:
            self._under_way += len(requests)
            self._engine.call_soon(self._start, list(requests))

    def _start(self, requests: list[FetchRequest[Tag]]) -> None:
        """On the loop: one task per request, whose result goes on the queue when it ends."""
        if self._cancelled:
            return
        loop = asyncio.get_running_loop()
        for tag, url, etag, last_modified in requests:
            task = loop.create_task(self._engine.fetcher.fetch(url, etag, last_modified))
            self._tasks.add(task)
            task.add_done_callback(functools.partial(self._fetched, tag, url))

    def _fetched(self, tag: Tag, url: str, task: asyncio.Task[FetchResult]) -> None:
        self._tasks.discard(task)
        if task.cancelled():
            return
        failure = task.exception()
        result = (
            task.result()
            if failure is None
            else FetchResult(  # failures are results; this is a bug
                url, url, "failed", reason=f"fetch broke: {type(failure).__name__}: {failure}"
            )
        )
        self._done.put(PageFetched(tag, result))

    def __iter__(self) -> Iterator[SiteDiscovered | PageFetched[Tag]]:
        try:
            while self._under_way:
                try:
                    event = self._done.get(timeout=self._POLL_SECONDS)
                except queue.Empty:
                    continue
                self._under_way -= 1
                yield event
        finally:
            self.cancel()

    def cancel(self) -> None:
        """Stop every fetch not finished and every discovery not started (one under way runs to its end on its
        thread, its result unused)."""
        self._under_way = 0
        for future in self._discoveries:
            future.cancel()
        self._engine.call_soon(self._cancel_tasks)

    def _cancel_tasks(self) -> None:
        self._cancelled = True
        for task in list(self._tasks):
            task.cancel()


def _discovered(site: Site, future: Future[Discovery]) -> SiteDiscovered:
    try:
        return SiteDiscovered(site, future.result())
    except (Exception, CancelledError) as exc:  # a broken listing must not stop the other sites
        return SiteDiscovered(site, None, f"discovery failed: {type(exc).__name__}: {exc}")
