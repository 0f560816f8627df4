"""Polite HTTP fetching with httpx: per-host gates, robots.txt, retries on transient failures only,
conditional GETs, size caps, and redirects kept on configured hosts."""

from __future__ import annotations

import random
import threading
import time
import zlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Literal
from urllib.parse import urljoin, urlsplit

import httpx

from flows.politeness import HostGate, RobotsRules, retry_after_seconds
from flows.sources import Politeness

TRANSIENT_STATUS = frozenset({408, 429, 500, 502, 503, 504, 505, 507, 509, 520, 521, 522, 523, 524})
REDIRECT_STATUS = frozenset({301, 302, 303, 307, 308})
ALLOWED_SCHEMES = ("http", "https")

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


class Fetcher:
    """Fetches URLs from configured hosts only, each host with its own politeness policy."""

    def __init__(
        self,
        policies: Mapping[str, Politeness],
        default: Politeness | None = None,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
        rng: random.Random | None = None,
    ):
        self._policies = {host.lower(): policy for host, policy in policies.items()}
        self._default = default or Politeness()
        self._sleep = sleep
        self._rng = rng or random.Random()
        self._client = httpx.Client(follow_redirects=False, transport=transport, trust_env=False)
        self._gates: dict[str, HostGate] = {}
        self._robots: dict[str, RobotsRules] = {}
        self._lock = threading.Lock()

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._client.close()

    def policy(self, host: str) -> Politeness:
        return self._policies.get(host.lower(), self._default)

    def gate(self, host: str) -> HostGate:
        host = host.lower()
        with self._lock:
            gate = self._gates.get(host)
            if gate is None:
                policy = self.policy(host)
                gate = HostGate(policy.delay_seconds, policy.max_delay_seconds,
                                policy.concurrency_per_host, sleep=self._sleep)
                self._gates[host] = gate
            return gate

    def fetch(self, url: str, etag: str | None = None, last_modified: str | None = None,
              form: Mapping[str, str] | None = None) -> FetchResult:
        """GET url politely; with etag/last_modified it is a conditional GET (a 304 is 'unchanged'). With
        form it is a POST of those fields (a CMS list API); a redirect after it is followed with GET."""
        conditional: dict[str, str] = {}
        if etag:
            conditional["If-None-Match"] = etag
        if last_modified:
            conditional["If-Modified-Since"] = last_modified
        current, attempts = url, 0
        for hop in range(self.policy(_host(url) or "").max_redirects + 1):
            refusal = self._refusal(current, first=hop == 0)
            if refusal:
                return FetchResult(url, current, "failed", reason=refusal, attempts=attempts)
            answer = self._get(current, conditional, form if hop == 0 else None)
            attempts += answer.result.attempts
            answer.result.url, answer.result.attempts = url, attempts
            if answer.location is None:
                return answer.result
            current = urljoin(current, answer.location)
        return FetchResult(url, current, "failed", reason="too many redirects", attempts=attempts)

    def _refusal(self, url: str, first: bool) -> str | None:
        parts = urlsplit(url)
        if parts.scheme not in ALLOWED_SCHEMES:
            return f"scheme {parts.scheme or '(none)'!r} is not http(s)"
        host = (parts.hostname or "").lower()
        if host not in self._policies:
            return f"{'host' if first else 'redirect to host'} {host!r} is not a configured host"
        policy = self.policy(host)
        rules = self.robots(url) if policy.respect_robots else None
        if rules is not None and not rules.allows(policy.user_agent, url):
            return "disallowed by robots.txt" + (f" ({rules.reason})" if rules.reason else "")
        return None

    def robots(self, url: str) -> RobotsRules:
        """The robots.txt rules of url's origin, fetched once per host (crawl-delay applied to its gate)."""
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        with self._lock:
            rules = self._robots.get(host)
        if rules is not None:
            return rules
        robots_url = f"{parts.scheme}://{parts.netloc}/robots.txt"
        answer = self._get(robots_url, {})
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
        delay = rules.crawl_delay(self.policy(host).user_agent)
        if delay:
            self.gate(host).raise_floor(delay)
        with self._lock:
            self._robots.setdefault(host, rules)
            return self._robots[host]

    def _get(self, url: str, conditional: Mapping[str, str], form: Mapping[str, str] | None = None) -> _Hop:
        """One URL with retries on transient failures (jittered exponential backoff through the host gate)."""
        host = _host(url) or ""
        policy, gate = self.policy(host), self.gate(host)
        reason, status = "", None
        for attempt in range(1, policy.retries + 2):
            with gate.slot():  # the gate learns how this went before the next request may take the slot
                try:
                    hop = self._request_once(url, conditional, policy, form)
                except _TransientError as err:
                    reason, status = str(err), err.status
                    if err.wait > policy.max_retry_after_seconds:
                        gate.failed(policy.max_retry_after_seconds)
                        reason = f"{reason}; Retry-After {err.wait:.0f}s is longer than allowed"
                        return _Hop(FetchResult(url, url, "failed", status, reason=reason, attempts=attempt))
                    backoff = policy.backoff_seconds * 2 ** (attempt - 1) * self._rng.uniform(0.5, 1.5)
                    gate.failed(max(err.wait, backoff))
                    continue
                except _FinalError as err:  # not worth retrying, yet an error: the host's pace stays as it is
                    failed = FetchResult(url, url, "failed", err.status, reason=str(err), attempts=attempt)
                    return _Hop(failed)
                gate.succeeded()
            hop.result.attempts = attempt
            return hop
        return _Hop(FetchResult(url, url, "failed", status, reason=f"{reason} (gave up after "
                                f"{policy.retries + 1} attempts)", attempts=policy.retries + 1))

    def _request_once(self, url: str, conditional: Mapping[str, str], policy: Politeness,
                      form: Mapping[str, str] | None = None) -> _Hop:
        headers = {"User-Agent": policy.user_agent, "Accept-Encoding": "gzip, deflate", **conditional}
        method = "GET" if form is None else "POST"
        try:
            with self._client.stream(method, url, headers=headers, data=form,
                                     timeout=policy.timeout_seconds) as response:
                status = response.status_code
                kept = {k.lower(): v for k, v in response.headers.items()}
                if status in TRANSIENT_STATUS:
                    wait = retry_after_seconds(response.headers.get("retry-after")) or 0.0
                    raise _TransientError(f"HTTP {status}", status, wait)
                if status in REDIRECT_STATUS and response.headers.get("location"):
                    return _Hop(FetchResult(url, url, "fetched", status, kept), response.headers["location"])
                if status == 304:
                    return _Hop(FetchResult(url, url, "unchanged", status, kept))
                if status >= 300:
                    raise _FinalError(f"HTTP {status}", status)
                body = _read_capped(response, policy)
                return _Hop(FetchResult(url, url, "fetched", status, kept, body))
        except httpx.TimeoutException as exc:
            raise _TransientError(f"{type(exc).__name__}: {exc or 'timed out'}") from exc
        except httpx.RemoteProtocolError as exc:
            raise _TransientError(f"truncated or malformed response: {exc}") from exc
        except httpx.ReadError as exc:
            raise _TransientError(f"connection broke while reading: {exc}") from exc
        except httpx.HTTPError as exc:
            raise _FinalError(f"{type(exc).__name__}: {exc}") from exc


def _read_capped(response: httpx.Response, policy: Politeness) -> bytes:
    """The body, decompressed here rather than by httpx so that no chunk can grow past the caps (a few
    compressed bytes can stand for gigabytes, and httpx would inflate a whole chunk, every layer, at once)."""
    declared = response.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > policy.max_bytes:
        raise _FinalError(f"body of {declared} bytes exceeds the {policy.max_bytes}-byte cap",
                          response.status_code)
    decoder = _BoundedDecoder(response.headers.get("content-encoding"), policy.max_decompressed_bytes,
                              response.status_code)
    chunks: list[bytes] = []
    downloaded = 0
    for raw in response.iter_raw():
        downloaded += len(raw)
        if downloaded > policy.max_bytes:
            raise _FinalError(f"body exceeds the {policy.max_bytes}-byte cap", response.status_code)
        chunks.append(decoder.feed(raw))
    chunks.append(decoder.finish())
    return b"".join(chunks)


class _BoundedDecoder:
    """Content-Encoding identity, gzip or deflate (one layer: what the fetcher asks for), inflated at most
    `limit` bytes in all; anything else is refused."""

    def __init__(self, encoding: str | None, limit: int, status: int):
        codings = [c.strip().lower() for c in (encoding or "").split(",")]
        codings = [c for c in codings if c and c != "identity"]
        if len(codings) > 1 or (codings and codings[0] not in ("gzip", "x-gzip", "deflate")):
            raise _FinalError(f"unsupported Content-Encoding {encoding!r} (only one layer of gzip or "
                              "deflate is accepted)", status)
        self._coding = codings[0] if codings else None
        # gzip, or deflate with its zlib header (auto-detected); raw deflate is tried if that fails
        self._inflater = zlib.decompressobj(zlib.MAX_WBITS | 32) if self._coding else None
        self._limit, self._status, self._size, self._started = limit, status, 0, False

    def feed(self, data: bytes) -> bytes:
        if self._inflater is None:
            return self._count(data)
        out: list[bytes] = []
        while data:
            try:
                piece = self._inflater.decompress(data, self._limit - self._size + 1)
            except zlib.error as exc:
                if self._coding == "deflate" and not self._started:
                    self._inflater, self._started = zlib.decompressobj(-zlib.MAX_WBITS), True
                    continue
                raise _FinalError(f"cannot decompress the {self._coding} body: {exc}", self._status) from exc
            self._started = True
            out.append(self._count(piece))
            data = self._inflater.unconsumed_tail
        return b"".join(out)

    def finish(self) -> bytes:
        return self._count(self._inflater.flush()) if self._inflater is not None else b""

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


def _host(url: str) -> str | None:
    return urlsplit(url).hostname
