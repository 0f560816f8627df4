"""Per-host politeness: a gate that spaces requests and slows down on errors, and robots.txt rules."""

from __future__ import annotations

import asyncio
import threading
import time
import urllib.robotparser
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from email.utils import parsedate_to_datetime

# A delay only grows on errors; on success it relaxes back towards the configured base by this factor.
RECOVERY_FACTOR = 0.75


class HostGate:
    """Spaces requests to one host: at most `concurrency` at once, `delay` seconds apart.

    The delay runs from the later of a request's start and the end of the request before it, so the host
    never sees two requests closer than the delay, however long an answer took to reach it. Errors double
    the delay (up to max_delay) and may push the next slot further (Retry-After, backoff); successes relax
    the delay back towards the base, never below it.

    One logic for both fetchers: `slot()` for threads (the sync Fetcher) and `aslot()` for tasks of one
    event loop (the AsyncFetcher); both book their start time through `_book` and their end through
    `_release`.
    """

    def __init__(
        self,
        delay: float,
        max_delay: float,
        concurrency: int = 1,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ):
        self.base_delay = delay
        self.delay = delay
        self.max_delay = max(max_delay, delay)
        self.concurrency = concurrency
        self._slots = threading.BoundedSemaphore(concurrency)
        self._async_slots: asyncio.Semaphore | None = None
        self._lock = threading.Lock()
        self._next_at = 0.0
        self._last_end = float("-inf")  # when the last request ended (a raised floor counts from there)
        self._sleep = sleep
        self._clock = clock

    def _book(self) -> float:
        """Reserve the next start time; returns how long to wait for it."""
        with self._lock:
            now = self._clock()
            start = max(now, self._next_at)
            self._next_at = start + self.delay
            return start - now

    def _release(self) -> None:
        """A request ended: the next one starts no sooner than the delay from now."""
        with self._lock:
            self._last_end = self._clock()
            self._next_at = max(self._next_at, self._last_end + self.delay)

    @contextmanager
    def slot(self) -> Iterator[None]:
        """Hold one request slot (a thread), waiting until this host may be asked again."""
        with self._slots:
            wait = self._book()
            if wait > 0:
                self._sleep(wait)
            try:
                yield
            finally:
                self._release()

    @asynccontextmanager
    async def aslot(self) -> AsyncIterator[None]:
        """Hold one request slot (a task of the running event loop), waiting as slot() does."""
        if self._async_slots is None:
            self._async_slots = asyncio.Semaphore(self.concurrency)
        async with self._async_slots:
            wait = self._book()
            if wait > 0:
                await asyncio.sleep(wait)
            try:
                yield
            finally:
                self._release()

    def raise_floor(self, delay: float) -> None:
        """A crawl-delay from robots.txt: the base delay is at least this from now on, counted from the end
        of the last request (robots.txt itself) too."""
        with self._lock:
            self.base_delay = max(self.base_delay, delay)
            self.delay = max(self.delay, delay)
            self.max_delay = max(self.max_delay, delay)
            self._next_at = max(self._next_at, self._last_end + self.delay)

    def failed(self, wait_at_least: float = 0.0) -> None:
        """An error: double the delay and keep the host quiet for max(delay, wait_at_least)."""
        with self._lock:
            self.delay = min(self.max_delay, max(self.delay * 2, self.base_delay, 0.001))
            self._next_at = max(self._next_at, self._clock() + max(self.delay, wait_at_least))

    def succeeded(self) -> None:
        with self._lock:
            self.delay = max(self.base_delay, self.delay * RECOVERY_FACTOR)


def retry_after_seconds(value: str | None, now: float | None = None) -> float | None:
    """Retry-After as seconds: either delta-seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


class RobotsRules:
    """A host's robots.txt; missing (4xx) allows everything, unreachable (5xx, errors) allows nothing."""

    def __init__(self, text: str | None, allow_all: bool = False, reason: str | None = None):
        self._parser = urllib.robotparser.RobotFileParser()
        self.reason = reason
        if text is not None:
            self._parser.parse(text.splitlines())
        elif allow_all:
            self._parser.allow_all = True
        else:
            self._parser.disallow_all = True

    def allows(self, user_agent: str, url: str) -> bool:
        return self._parser.can_fetch(user_agent, url)

    def crawl_delay(self, user_agent: str) -> float | None:
        delay = self._parser.crawl_delay(user_agent)
        return float(delay) if delay is not None else None
