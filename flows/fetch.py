"""Polite HTTP fetching: per-host gates, robots.txt, retries on transient failures only, conditional GETs,
size caps, and redirects kept on the configured hosts and ports.

Requests go through httpcore (httpx's engine) with the guarded network backend of flows/guarded_net.py:
each exchange has a total deadline and connects only to checked addresses. The fetcher judges every
Location itself (httpx would parse it into a next request and raise on `mailto:` and the like), keeps no
cookie jar, sends no credentials, and keeps only the response headers it needs (KEPT_HEADERS).
"""

from __future__ import annotations

import asyncio
import random
import threading
import time
import zlib
from collections.abc import Callable, Collection, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Literal, Protocol
from urllib.parse import urlencode, urljoin, urlsplit

import h11
import httpcore
import httpx

from flows.fetch_limits import FetchLimits
from flows.guarded_net import (
    AddressRefused,
    AsyncGuardedBackend,
    DeadlinePassed,
    GuardedBackend,
    Pins,
    Resolver,
    exchange,
    system_resolver,
)
from flows.politeness import HostGate, RobotsRules, retry_after_seconds
from flows.sources import Politeness
from flows.urls import authority_of, configured_key, host_is_configured, without_userinfo

TRANSIENT_STATUS = frozenset({408, 429, 500, 502, 503, 504, 505, 507, 509, 520, 521, 522, 523, 524})
REDIRECT_STATUS = frozenset({301, 302, 303, 307, 308})
ALLOWED_SCHEMES = ("http", "https")
# Response headers kept with a result (and so in the manifest): what conditional GETs, decoding and a
# reader of the manifest need. Set-Cookie and the like never are.
KEPT_HEADERS = frozenset(
    {
        "content-type",
        "content-length",
        "content-encoding",
        "content-language",
        "etag",
        "last-modified",
        "date",
        "expires",
        "cache-control",
    }
)

Outcome = Literal["fetched", "unchanged", "failed"]


@dataclass(slots=True)
class FetchResult:
    """What one URL gave: a body (fetched), a 304 (unchanged), or a one-line reason (failed)."""

    url: str
    final_url: str
    outcome: Outcome
    status: int | None = None
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes | None = None
    reason: str | None = None
    attempts: int = 0

    @property
    def ok(self) -> bool:
        return self.outcome != "failed"


@dataclass(slots=True)
class _Hop:
    """One request's answer before redirects are judged."""

    result: FetchResult
    location: str | None = None


class _TransientError(Exception):
    def __init__(self, reason: str, status: int | None = None, wait: float = 0.0):
        super().__init__(reason)
        self.status = status
        self.wait = wait


class _FinalError(Exception):
    def __init__(self, reason: str, status: int | None = None):
        super().__init__(reason)
        self.status = status


class PageFetcher(Protocol):
    """What discovery and attachment following need of a fetcher: Fetcher, or BlockingFetcher in a crawl."""

    def fetch(
        self,
        url: str,
        etag: str | None = None,
        last_modified: str | None = None,
        form: Mapping[str, str] | None = None,
    ) -> FetchResult: ...


class _FetcherCore:
    """What the sync and the async fetcher share: the configured authorities and their policies, one
    HostGate per authority, robots.txt rules per origin, the refusals, the retry rule and the reading of an
    answer. Only the waiting and the socket I/O differ between the two."""

    def __init__(
        self,
        policies: Mapping[str, Politeness],
        default: Politeness | None = None,
        private_ok: Collection[str] = (),
        limits: FetchLimits | None = None,
        sleep: Callable[[float], None] = time.sleep,
        rng: random.Random | None = None,
    ):
        self._policies = {key.lower(): policy for key, policy in policies.items()}
        self._private_ok = frozenset(key.lower() for key in private_ok)
        self._default = default or Politeness()
        self.limits = limits or FetchLimits()
        self._sleep = sleep
        self._rng = rng or random.Random()
        self._gates: dict[str, HostGate] = {}
        self._robots: dict[str, RobotsRules] = {}
        self._lock = threading.Lock()
        self.notices: list[str] = []  # things a run should say once (a capped Crawl-delay)

    def key(self, url: str) -> str | None:
        """The configured authority url belongs to, if any."""
        return configured_key(url, self._policies)

    def policy(self, key: str | None) -> Politeness:
        return self._policies.get((key or "").lower(), self._default)

    def gate(self, key: str) -> HostGate:
        key = key.lower()
        with self._lock:
            gate = self._gates.get(key)
            if gate is None:
                policy = self.policy(key)
                gate = HostGate(
                    policy.delay_seconds,
                    policy.max_delay_seconds,
                    policy.concurrency_per_host,
                    sleep=self._sleep,
                )
                self._gates[key] = gate
            return gate

    @staticmethod
    def _conditional(etag: str | None, last_modified: str | None) -> dict[str, str]:
        conditional: dict[str, str] = {}
        if etag:
            conditional["If-None-Match"] = etag
        if last_modified:
            conditional["If-Modified-Since"] = last_modified
        return conditional

    def _place_refusal(self, url: str, first: bool) -> str | None:
        """Why url may not be asked at all (scheme, host, port), before robots.txt is consulted."""
        what = "" if first else "redirect to "
        parts = urlsplit(url)
        if parts.scheme not in ALLOWED_SCHEMES:
            shown = "" if first else f" ({_short(url)})"
            return f"{what}scheme {parts.scheme or '(none)'!r}{shown} is not http(s)"
        host, port = authority_of(url)
        if not host or port is None:
            return f"{what}{_short(url)!r} has no usable host and port"
        if self.key(url) is None:
            if host_is_configured(host, self._policies):
                return f"{what}port {port} of host {host!r} is not a configured port"
            return f"{what}host {host!r} is not a configured host"
        return None

    def _robots_refusal(self, url: str, rules: RobotsRules | None) -> str | None:
        if rules is not None and not rules.allows(self.policy(self.key(url)).user_agent, url):
            return "disallowed by robots.txt" + (f" ({rules.reason})" if rules.reason else "")
        return None

    @staticmethod
    def _origin(url: str) -> str:
        host, port = authority_of(url)
        return f"{urlsplit(url).scheme}://{host}:{port}"

    def _known_rules(self, url: str) -> RobotsRules | None:
        with self._lock:
            return self._robots.get(self._origin(url))

    def _learn_rules(self, url: str, answer: _Hop) -> RobotsRules:
        """robots.txt rules from the answer to /robots.txt (its crawl-delay, capped by
        fetch.max_crawl_delay_seconds, applied to the host's gate), kept for the origin."""
        origin = self._origin(url)
        result = answer.result
        if result.outcome == "fetched" and result.status == 200 and answer.location is None:
            text = (result.body or b"").decode("utf-8", errors="replace")
            rules = RobotsRules(text)
        elif result.status is not None and 400 <= result.status < 500 and result.status != 429:
            rules = RobotsRules(None, allow_all=True)
        elif answer.location is not None:
            rules = RobotsRules(None, allow_all=True, reason="robots.txt redirects; treated as absent")
        else:
            rules = RobotsRules(None, reason=f"robots.txt unreachable: {result.reason}")
        key = self.key(url) or authority_of(url)[0] or ""
        delay = rules.crawl_delay(self.policy(key).user_agent)
        if delay:
            cap = self.limits.max_crawl_delay_seconds
            if delay > cap:
                notice = (
                    f"{origin}: robots.txt Crawl-delay {delay:.12g} s capped at {cap:g} s "
                    "(fetch.max_crawl_delay_seconds)"
                )
                with self._lock:
                    self.notices.append(notice)
                delay = cap
            self.gate(key).raise_floor(delay)
        with self._lock:
            self._robots.setdefault(origin, rules)
            return self._robots[origin]

    def _after_transient(
        self, url: str, err: _TransientError, attempt: int, policy: Politeness, gate: HostGate
    ) -> _Hop | None:
        """A transient failure: slow the host (backoff or Retry-After); the final answer when the
        Retry-After is longer than allowed, else None (try again)."""
        if err.wait > policy.max_retry_after_seconds:
            gate.failed(policy.max_retry_after_seconds)
            reason = f"{err}; Retry-After {err.wait:.0f}s is longer than allowed"
            return _Hop(FetchResult(url, url, "failed", err.status, reason=reason, attempts=attempt))
        backoff = policy.backoff_seconds * 2 ** (attempt - 1) * self._rng.uniform(0.5, 1.5)
        gate.failed(max(err.wait, backoff))
        return None

    @staticmethod
    def _gave_up(url: str, reason: str, status: int | None, policy: Politeness) -> _Hop:
        return _Hop(
            FetchResult(
                url,
                url,
                "failed",
                status,
                reason=f"{reason} (gave up after {policy.retries + 1} attempts)",
                attempts=policy.retries + 1,
            )
        )

    @staticmethod
    def _request_parts(
        url: str, conditional: Mapping[str, str], policy: Politeness, form: Mapping[str, str] | None
    ) -> tuple[str, httpcore.URL, dict[str, str], bytes, dict[str, float]]:
        headers = {"User-Agent": policy.user_agent, "Accept-Encoding": "gzip, deflate", **conditional}
        method, content = "GET", b""
        if form is not None:  # a CMS list API: the fields as an urlencoded POST body
            method, content = "POST", urlencode(form).encode("ascii")
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        timeouts = {
            "connect": policy.timeout_seconds,
            "read": policy.timeout_seconds,
            "write": policy.timeout_seconds,
            "pool": policy.timeout_seconds,
        }
        try:
            target = httpx.URL(url)
            request_url = httpcore.URL(
                scheme=target.raw_scheme, host=target.raw_host, port=target.port, target=target.raw_path
            )
        except (httpx.InvalidURL, TypeError, ValueError) as exc:
            raise _FinalError(f"unusable URL: {exc}") from exc
        return method, request_url, headers, content, timeouts

    def _head(
        self, url: str, response: httpcore.Response, policy: Politeness
    ) -> tuple[_Hop | None, dict[str, str]]:
        """The answer when its status and headers settle it (redirect, 304; errors raise), else None and the
        headers, for the body to be read."""
        status = response.status
        headers = _header_map(response.headers, self.limits, status)
        kept = {name: value for name, value in headers.items() if name in KEPT_HEADERS}
        if status in TRANSIENT_STATUS:
            wait = retry_after_seconds(headers.get("retry-after")) or 0.0
            raise _TransientError(f"HTTP {status}", status, wait)
        if status in REDIRECT_STATUS and headers.get("location"):
            return _Hop(FetchResult(url, url, "fetched", status, kept), headers["location"]), headers
        if status == 304:
            return _Hop(FetchResult(url, url, "unchanged", status, kept)), headers
        if status >= 300:
            raise _FinalError(f"HTTP {status}", status)
        declared = headers.get("content-length")
        if declared and declared.isdigit() and int(declared) > policy.max_bytes:
            raise _FinalError(f"body of {declared} bytes exceeds the {policy.max_bytes}-byte cap", status)
        return None, headers


def _fetched(url: str, status: int, head: Mapping[str, str], reader: _CappedBody) -> _Hop:
    """The answer of a body read to its end, with the headers worth keeping."""
    kept = {name: value for name, value in head.items() if name in KEPT_HEADERS}
    return _Hop(FetchResult(url, url, "fetched", status, kept, reader.finish()))


def _followed(url: str, current: str, answer: _Hop, attempts: int) -> tuple[FetchResult | None, str, int]:
    """After one hop of fetching url (now at current): (the result when the hop is the last, else None; the
    URL to ask next; the attempts so far). The result carries url as asked and every hop's attempts."""
    attempts += answer.result.attempts
    answer.result.url, answer.result.attempts = url, attempts
    if answer.location is None:
        return answer.result, current, attempts
    return None, without_userinfo(urljoin(current, answer.location)), attempts


@contextmanager
def _network_errors() -> Iterator[None]:
    """httpcore's and the guards' exceptions as transient (worth retrying) or final failures."""
    try:
        yield
    except DeadlinePassed as exc:
        raise _FinalError(str(exc)) from exc
    except AddressRefused as exc:
        raise _FinalError(str(exc)) from exc
    except httpcore.TimeoutException as exc:
        raise _TransientError(f"{type(exc).__name__}: {exc or 'timed out'}") from exc
    except httpcore.RemoteProtocolError as exc:
        if _hinted_status(exc) == 431:  # h11 refused a header block past its 100 KiB buffer
            raise _FinalError(f"response headers exceed the HTTP parser's limit ({exc})") from exc
        raise _TransientError(f"truncated or malformed response: {exc}") from exc
    except httpcore.ReadError as exc:
        raise _TransientError(f"connection broke while reading: {exc}") from exc
    except (httpcore.NetworkError, httpcore.ProtocolError, httpcore.UnsupportedProtocol) as exc:
        raise _FinalError(f"{type(exc).__name__}: {exc}") from exc


class Fetcher(_FetcherCore):
    """Fetches URLs from configured authorities only ("host" for ports 80/443, or "host:port"; see
    flows/urls.py), each with its own politeness policy; `private_ok` names the authorities that may
    resolve to loopback, private or link-local addresses; `pins` maps host names to the addresses to use
    instead of resolving them (a site's `addresses`). Blocking, safe to share between threads."""

    def __init__(
        self,
        policies: Mapping[str, Politeness],
        default: Politeness | None = None,
        private_ok: Collection[str] = (),
        limits: FetchLimits | None = None,
        sleep: Callable[[float], None] = time.sleep,
        rng: random.Random | None = None,
        pins: Pins | None = None,
    ):
        super().__init__(policies, default, private_ok, limits, sleep, rng)
        self._pool = httpcore.ConnectionPool(network_backend=GuardedBackend(pins=pins))

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._pool.close()

    def fetch(
        self,
        url: str,
        etag: str | None = None,
        last_modified: str | None = None,
        form: Mapping[str, str] | None = None,
    ) -> FetchResult:
        """GET url politely; with etag/last_modified it is a conditional GET (a 304 is 'unchanged'). With
        form it is a POST of those fields (a CMS list API); a redirect after it is followed with GET."""
        conditional = self._conditional(etag, last_modified)
        url = current = without_userinfo(url)
        attempts = 0
        for hop in range(self.policy(self.key(url)).max_redirects + 1):
            refusal = self._refusal(current, first=hop == 0)
            if refusal:
                return FetchResult(url, current, "failed", reason=refusal, attempts=attempts)
            answer = self._get(current, conditional, form if hop == 0 else None)
            done, current, attempts = _followed(url, current, answer, attempts)
            if done is not None:
                return done
        return FetchResult(url, current, "failed", reason="too many redirects", attempts=attempts)

    def _refusal(self, url: str, first: bool) -> str | None:
        refusal = self._place_refusal(url, first)
        if refusal or not self.policy(self.key(url)).respect_robots:
            return refusal
        return self._robots_refusal(url, self.robots(url))

    def robots(self, url: str) -> RobotsRules:
        """The robots.txt rules of url's origin, fetched once per origin."""
        rules = self._known_rules(url)
        if rules is not None:
            return rules
        return self._learn_rules(url, self._get(f"{self._origin(url)}/robots.txt", {}))

    def _get(self, url: str, conditional: Mapping[str, str], form: Mapping[str, str] | None = None) -> _Hop:
        """One URL with retries on transient failures (jittered exponential backoff through the host gate)."""
        key = self.key(url) or ""
        policy, gate = self.policy(key), self.gate(key)
        reason, status = "", None
        for attempt in range(1, policy.retries + 2):
            with gate.slot():  # the gate learns how this went before the next request may take the slot
                try:
                    hop = self._request_once(url, conditional, policy, key in self._private_ok, form)
                except _TransientError as err:
                    reason, status = str(err), err.status
                    final = self._after_transient(url, err, attempt, policy, gate)
                    if final is not None:
                        return final
                    continue
                except _FinalError as err:  # not worth retrying, yet an error: the host's pace stays as it is
                    failed = FetchResult(url, url, "failed", err.status, reason=str(err), attempts=attempt)
                    return _Hop(failed)
                gate.succeeded()
            hop.result.attempts = attempt
            return hop
        return self._gave_up(url, reason, status, policy)

    def _request_once(
        self,
        url: str,
        conditional: Mapping[str, str],
        policy: Politeness,
        allow_private: bool,
        form: Mapping[str, str] | None = None,
    ) -> _Hop:
        method, request_url, headers, content, timeouts = self._request_parts(url, conditional, policy, form)
        with (
            _network_errors(),
            exchange(self.limits.download_deadline_seconds, allow_private),
            self._pool.stream(
                method,
                request_url,
                headers=list(headers.items()),
                content=content or None,
                extensions={"timeout": timeouts},
            ) as response,
        ):
            settled, head = self._head(url, response, policy)
            if settled is not None:
                return settled
            reader = _CappedBody(head, policy, response.status)
            for raw in response.iter_stream():
                reader.feed(raw)
            return _fetched(url, response.status, head, reader)


class AsyncFetcher(_FetcherCore):
    """The Fetcher for a crawl of many hosts: one event loop, one client (a small httpcore pool per origin,
    so finding a pooled connection does not grow with the number of hosts), the same HostGates and rules
    as Fetcher, and a global cap on requests in flight (fetch.max_in_flight). Throughput then grows with
    the number of hosts (each spaced by its own gate) up to that cap. Use it from one event loop."""

    def __init__(
        self,
        policies: Mapping[str, Politeness],
        default: Politeness | None = None,
        private_ok: Collection[str] = (),
        limits: FetchLimits | None = None,
        rng: random.Random | None = None,
        resolver: Resolver = system_resolver,
        pins: Pins | None = None,
    ):
        super().__init__(policies, default, private_ok, limits, time.sleep, rng)
        self._backend = AsyncGuardedBackend(resolver, pins)
        self._pools: dict[str, httpcore.AsyncConnectionPool] = {}
        self._in_flight: asyncio.Semaphore | None = None
        self._robots_pending: dict[str, asyncio.Future[RobotsRules]] = {}

    async def __aenter__(self) -> AsyncFetcher:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        pools, self._pools = list(self._pools.values()), {}
        for pool in pools:
            await pool.aclose()

    def _pool(self, url: str, policy: Politeness) -> httpcore.AsyncConnectionPool:
        origin = self._origin(url)
        pool = self._pools.get(origin)
        if pool is None:
            pool = httpcore.AsyncConnectionPool(
                network_backend=self._backend,
                max_connections=policy.concurrency_per_host,
                max_keepalive_connections=policy.concurrency_per_host,
            )
            self._pools[origin] = pool
        return pool

    async def fetch(
        self,
        url: str,
        etag: str | None = None,
        last_modified: str | None = None,
        form: Mapping[str, str] | None = None,
    ) -> FetchResult:
        """As Fetcher.fetch, awaiting the host's gate and the global cap instead of blocking a thread."""
        conditional = self._conditional(etag, last_modified)
        url = current = without_userinfo(url)
        attempts = 0
        for hop in range(self.policy(self.key(url)).max_redirects + 1):
            refusal = await self._refusal(current, first=hop == 0)
            if refusal:
                return FetchResult(url, current, "failed", reason=refusal, attempts=attempts)
            answer = await self._get(current, conditional, form if hop == 0 else None)
            done, current, attempts = _followed(url, current, answer, attempts)
            if done is not None:
                return done
        return FetchResult(url, current, "failed", reason="too many redirects", attempts=attempts)

    async def _refusal(self, url: str, first: bool) -> str | None:
        refusal = self._place_refusal(url, first)
        if refusal or not self.policy(self.key(url)).respect_robots:
            return refusal
        return self._robots_refusal(url, await self.robots(url))

    async def robots(self, url: str) -> RobotsRules:
        """The robots.txt rules of url's origin, fetched once per origin (concurrent askers wait for it)."""
        rules = self._known_rules(url)
        if rules is not None:
            return rules
        origin = self._origin(url)
        pending = self._robots_pending.get(origin)
        if pending is not None:
            return await asyncio.shield(pending)
        pending = self._robots_pending[origin] = asyncio.get_running_loop().create_future()
        try:
            rules = self._learn_rules(url, await self._get(f"{origin}/robots.txt", {}))
        except BaseException as exc:
            pending.set_exception(exc)
            pending.exception()  # marked as retrieved: the askers, if any, get it through shield
            raise
        finally:
            self._robots_pending.pop(origin, None)
        pending.set_result(rules)
        return rules

    async def _get(
        self, url: str, conditional: Mapping[str, str], form: Mapping[str, str] | None = None
    ) -> _Hop:
        """One URL with retries, as Fetcher._get, through the gate's async slot."""
        key = self.key(url) or ""
        policy, gate = self.policy(key), self.gate(key)
        reason, status = "", None
        for attempt in range(1, policy.retries + 2):
            async with gate.aslot():
                try:
                    hop = await self._request_once(url, conditional, policy, key in self._private_ok, form)
                except _TransientError as err:
                    reason, status = str(err), err.status
                    final = self._after_transient(url, err, attempt, policy, gate)
                    if final is not None:
                        return final
                    continue
                except _FinalError as err:
                    failed = FetchResult(url, url, "failed", err.status, reason=str(err), attempts=attempt)
                    return _Hop(failed)
                gate.succeeded()
            hop.result.attempts = attempt
            return hop
        return self._gave_up(url, reason, status, policy)

    async def _request_once(
        self,
        url: str,
        conditional: Mapping[str, str],
        policy: Politeness,
        allow_private: bool,
        form: Mapping[str, str] | None = None,
    ) -> _Hop:
        method, request_url, headers, content, timeouts = self._request_parts(url, conditional, policy, form)
        if self._in_flight is None:
            self._in_flight = asyncio.Semaphore(self.limits.max_in_flight)
        async with self._in_flight:
            with _network_errors(), exchange(self.limits.download_deadline_seconds, allow_private):
                async with self._pool(url, policy).stream(
                    method,
                    request_url,
                    headers=list(headers.items()),
                    content=content or None,
                    extensions={"timeout": timeouts},
                ) as response:
                    settled, head = self._head(url, response, policy)
                    if settled is not None:
                        return settled
                    reader = _CappedBody(head, policy, response.status)
                    async for raw in response.aiter_stream():
                        reader.feed(raw)
                    return _fetched(url, response.status, head, reader)


class BlockingFetcher:
    """Fetcher.fetch for code that runs in a worker thread (discovery walks its listings in sequence)
    while an AsyncFetcher's event loop runs elsewhere: each call is handed to that loop and waited for, so
    every request still goes through the one client, the same gates and the global cap."""

    def __init__(self, fetcher: AsyncFetcher, loop: asyncio.AbstractEventLoop):
        self._fetcher, self._loop = fetcher, loop
        self.limits = fetcher.limits
        self.notices = fetcher.notices

    def key(self, url: str) -> str | None:
        return self._fetcher.key(url)

    def fetch(
        self,
        url: str,
        etag: str | None = None,
        last_modified: str | None = None,
        form: Mapping[str, str] | None = None,
    ) -> FetchResult:
        call = self._fetcher.fetch(url, etag, last_modified, form)
        return asyncio.run_coroutine_threadsafe(call, self._loop).result()


def _header_map(raw: list[tuple[bytes, bytes]], limits: FetchLimits, status: int) -> dict[str, str]:
    """Response headers by lowercased name (repeats joined with ', ', Location: the first); a header block
    over fetch.max_header_count lines or fetch.max_header_bytes bytes is a permanent failure."""
    size = sum(len(name) + len(value) + 4 for name, value in raw)
    if len(raw) > limits.max_header_count or size > limits.max_header_bytes:
        raise _FinalError(
            f"response headers too large: {len(raw)} headers, {size} bytes (limits "
            f"{limits.max_header_count} headers, {limits.max_header_bytes} bytes)",
            status,
        )
    out: dict[str, str] = {}
    for name_raw, value_raw in raw:
        name, value = name_raw.decode("latin-1").lower(), value_raw.decode("latin-1")
        if name == "location":
            out.setdefault(name, value)
        else:
            out[name] = f"{out[name]}, {value}" if name in out else value
    return out


def _hinted_status(exc: BaseException) -> int | None:
    """The status h11 suggests for a protocol error it raised (431: header block too large), if any."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, h11.RemoteProtocolError):
            return seen.error_status_hint
        seen = seen.__cause__ or seen.__context__
    return None


def _short(url: str) -> str:
    return url if len(url) <= 80 else url[:77] + "..."


class _CappedBody:
    """A body fed chunk by chunk, decompressed here so that no chunk can grow past the caps (a few
    compressed bytes can stand for gigabytes)."""

    def __init__(self, headers: Mapping[str, str], policy: Politeness, status: int):
        coding = headers.get("content-encoding")
        self._decoder = _BoundedDecoder(coding, policy.max_decompressed_bytes, status)
        self._max, self._status = policy.max_bytes, status
        self._chunks: list[bytes] = []
        self._downloaded = 0

    def feed(self, raw: bytes) -> None:
        self._downloaded += len(raw)
        if self._downloaded > self._max:
            raise _FinalError(f"body exceeds the {self._max}-byte cap", self._status)
        self._chunks.append(self._decoder.feed(raw))

    def finish(self) -> bytes:
        self._chunks.append(self._decoder.finish())
        return b"".join(self._chunks)


class _BoundedDecoder:
    """Content-Encoding identity, gzip or deflate (one layer: what the fetcher asks for), inflated at most
    `limit` bytes in all; anything else is refused. A gzip body may hold several members one after another
    (RFC 1952); each is inflated in turn, under the same limit."""

    def __init__(self, encoding: str | None, limit: int, status: int):
        codings = [c.strip().lower() for c in (encoding or "").split(",")]
        codings = [c for c in codings if c and c != "identity"]
        if len(codings) > 1 or (codings and codings[0] not in ("gzip", "x-gzip", "deflate")):
            raise _FinalError(
                f"unsupported Content-Encoding {encoding!r} (only one layer of gzip or deflate is accepted)",
                status,
            )
        self._coding = codings[0] if codings else None
        # gzip, or deflate with its zlib header (auto-detected); raw deflate is tried if that fails
        self._inflater = self._member() if self._coding else None
        self._limit, self._status, self._size, self._started = limit, status, 0, False

    @staticmethod
    def _member() -> zlib._Decompress:
        return zlib.decompressobj(zlib.MAX_WBITS | 32)

    def feed(self, data: bytes) -> bytes:
        if self._inflater is None:
            return self._count(data)
        out: list[bytes] = []
        while data:
            if self._inflater.eof:  # a member ended and more bytes follow: the next gzip member
                if self._coding == "deflate":
                    raise _FinalError("bytes after the end of the deflate body", self._status)
                self._inflater = self._member()
            try:
                piece = self._inflater.decompress(data, self._limit - self._size + 1)
            except zlib.error as exc:
                if self._coding == "deflate" and not self._started:
                    self._inflater, self._started = zlib.decompressobj(-zlib.MAX_WBITS), True
                    continue
                raise _FinalError(f"cannot decompress the {self._coding} body: {exc}", self._status) from exc
            self._started = True
            out.append(self._count(piece))
            data = self._inflater.unconsumed_tail or self._inflater.unused_data
        return b"".join(out)

    def finish(self) -> bytes:
        if self._inflater is None or not self._started:  # no body at all: nothing to inflate
            return b""
        tail = self._count(self._inflater.flush())
        if not self._inflater.eof:
            raise _FinalError(f"the {self._coding} body ends before its end marker", self._status)
        return tail

    def _count(self, data: bytes) -> bytes:
        self._size += len(data)
        if self._size > self._limit:
            raise _FinalError(f"decompressed body exceeds the {self._limit}-byte cap", self._status)
        return data


def charset_of(content_type: str | None) -> str | None:
    """The charset parameter of a Content-Type header, lowercased, if any."""
    for part in (content_type or "").split(";")[1:]:
        key, _, value = part.strip().partition("=")
        if key.strip().lower() == "charset" and value.strip():
            return value.strip().strip('"').lower()
    return None
