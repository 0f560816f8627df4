"""A hostile web server on 127.0.0.1 for fetch tests and `make chaos`: each fault is a named route.

Interface (for tests and for the chaos table; tests/ is on sys.path under pytest):

    from faults_http import FAULT_CLASSES, ROUTES, serve_faults

    with serve_faults(robots="allow", interval=0.5) as server:
        server.url("trickle-body")      # "http://127.0.0.1:<port>/trickle-body"
        server.authority                # "127.0.0.1:<port>": the key to configure a Fetcher with
        server.hits("trickle-body")     # requests that route has answered so far
        server.decoy_hits               # requests that reached the second server (another port)

`ROUTES` maps every route name to a one-line description of the fault; `FAULT_CLASSES` groups them by the
class of fault a chaos table lists (trickle, redirect, gzip, headers, reset, bomb, loop, soft-404, …), and
`EXPECTED` gives the fetch outcome each route must end in ("fetched" or "failed"; a 404-as-200 page is
fetched here and rejected later by the transform).

For a chaos table, `probe(server, fetcher)` fetches every route once and returns one `Probe` per route
(fault class, route, outcome, reason, seconds, requests the route answered, and whether the outcome is the
expected one); build the fetcher for `server.authority` with `private_ok=[server.authority]`.
`robots` chooses what /robots.txt does for the whole server (one of `ROBOTS`): "allow", "crawl-delay-huge"
(Crawl-delay: 999999999), "timeout" (answers nothing), "trickle" (a byte per `interval`),
"redirect-mailto" (302 to a mailto: URL) or "status-503".

A trickling route sends one byte every `interval` seconds for at most `max_seconds` (then ends), so a client
without a total deadline is held that long; the server stops trickling when the block ends.
"""

from __future__ import annotations

import gzip
import socket
import struct
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

from flows.fetch import Fetcher
from flows.sample_pages import not_found_page

OK_PAGE = (
    "<html><head><meta charset='utf-8'><title>示例县 测试页</title></head><body><p>示例县（虚构）"
    "测试页面。</p></body></html>"
).encode()
CONCATENATED_PARTS = (b"<html><body><p>first gzip member</p>", b"<p>second gzip member</p></body></html>")
BOMB_BYTES = 50_000_000  # what the gzip bomb inflates to (about 50 KB on the wire)

REDIRECT_TARGETS = {
    "redirect-mailto": "mailto:office@example.invalid",
    "redirect-javascript": "javascript:alert(1)",
    "redirect-data": "data:text/html,<p>hi</p>",
    "redirect-tel": "tel:+86-000-0000",
    "redirect-about": "about:blank",
    "redirect-http-nohost": "http:foo",
    "redirect-https-relative": "https:relative",
}

ROUTES: dict[str, str] = {
    "ok": "a small UTF-8 page (the control)",
    "trickle-headers": "status line, then one header byte per interval, never finishing the headers",
    "trickle-body": "headers promising 100 000 bytes, then one body byte per interval",
    **{name: f"302 to {target!r}" for name, target in REDIRECT_TARGETS.items()},
    "redirect-other-port": "302 to the same host on another port (the decoy server)",
    "redirect-loop": "302 to itself, forever",
    "gzip-concatenated": "Content-Encoding: gzip, two gzip members one after the other",
    "gzip-bomb": f"Content-Encoding: gzip, ~50 KB that inflate to {BOMB_BYTES} bytes",
    "header-huge": "one response header of 200 000 bytes",
    "header-many": "20 000 response headers",
    "header-count": "2 000 tiny response headers (12 KB in all: over a count bound, under a byte bound)",
    "reset": "reads the request, then resets the connection (RST) without answering",
    "soft-404": "an error page ('页面不存在') served with status 200",
    "set-cookie": "the control page with a Set-Cookie header",
}

FAULT_CLASSES: dict[str, tuple[str, ...]] = {
    "control": ("ok",),
    "trickle": ("trickle-headers", "trickle-body"),
    "redirect without host / non-http": tuple(REDIRECT_TARGETS),
    "redirect to another port": ("redirect-other-port",),
    "redirect loop": ("redirect-loop",),
    "concatenated gzip": ("gzip-concatenated",),
    "gzip bomb": ("gzip-bomb",),
    "header bomb": ("header-huge", "header-many", "header-count"),
    "connection reset": ("reset",),
    "404 as 200": ("soft-404",),
    "cookie in the response": ("set-cookie",),
}
FETCHED_ROUTES = ("ok", "gzip-concatenated", "soft-404", "set-cookie")
EXPECTED: dict[str, str] = {route: "fetched" if route in FETCHED_ROUTES else "failed" for route in ROUTES}
ROBOTS = ("allow", "crawl-delay-huge", "timeout", "trickle", "redirect-mailto", "status-503")


@cache
def gzip_bomb() -> bytes:
    return gzip.compress(b"\0" * BOMB_BYTES, compresslevel=9)


def concatenated_gzip() -> bytes:
    return b"".join(gzip.compress(part) for part in CONCATENATED_PARTS)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(
        self,
        handler: type[BaseHTTPRequestHandler],
        robots: str,
        interval: float,
        max_seconds: float,
        stop: threading.Event,
    ):
        super().__init__(("127.0.0.1", 0), handler)
        self.robots, self.interval, self.max_seconds, self.stop = robots, interval, max_seconds, stop
        self.hits: Counter[str] = Counter()
        self.lock = threading.Lock()
        self.decoy_port = 0

    def handle_error(self, request: object, client_address: object) -> None:
        """A client giving up mid-trickle breaks the pipe: expected here."""


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:
        return

    def do_GET(self) -> None:
        route = urlsplit(self.path).path.strip("/") or "ok"
        with self.server.lock:
            self.server.hits[route] += 1
        if route == "robots.txt":
            self._robots()
            return
        action = _ACTIONS.get(route)
        if action is None:
            self._send(404, b"no such fault route", "text/plain")
        else:
            action(self)

    # helpers -------------------------------------------------------------------------------------
    def _send(
        self,
        status: int,
        body: bytes,
        content_type: str = "text/html; charset=utf-8",
        headers: tuple[tuple[str, str], ...] = (),
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _raw(self, data: bytes) -> None:
        self.wfile.write(data)
        self.wfile.flush()

    def _trickle(self, prefix: bytes, byte: bytes = b"a") -> None:
        """Write prefix, then one byte per interval until max_seconds, the client leaving or the server
        stopping."""
        self.close_connection = True
        self._raw(prefix)
        ends = time.monotonic() + self.server.max_seconds
        try:
            while time.monotonic() < ends and not self.server.stop.wait(self.server.interval):
                self._raw(byte)
        except OSError:
            return

    def _robots(self) -> None:
        mode = self.server.robots
        if mode == "allow":
            self._send(200, b"User-agent: *\nAllow: /\n", "text/plain")
        elif mode == "crawl-delay-huge":
            self._send(200, b"User-agent: *\nCrawl-delay: 999999999\n", "text/plain")
        elif mode == "timeout":
            self.close_connection = True
            self.server.stop.wait(self.server.max_seconds)
        elif mode == "trickle":
            self._trickle(
                b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 100000\r\n\r\n", b"#"
            )
        elif mode == "redirect-mailto":
            self._send(302, b"", headers=(("Location", "mailto:webmaster@example.invalid"),))
        elif mode == "status-503":
            self._send(503, b"busy", "text/plain")

    # routes --------------------------------------------------------------------------------------
    def ok(self) -> None:
        self._send(200, OK_PAGE)

    def trickle_headers(self) -> None:
        self._trickle(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nX-Slow: ")

    def trickle_body(self) -> None:
        self._trickle(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 100000\r\n\r\n<html>")

    def redirect(self) -> None:
        route = urlsplit(self.path).path.strip("/")
        self._send(302, b"", headers=(("Location", REDIRECT_TARGETS[route]),))

    def redirect_other_port(self) -> None:
        self._send(302, b"", headers=(("Location", f"http://127.0.0.1:{self.server.decoy_port}/ok"),))

    def redirect_loop(self) -> None:
        self._send(302, b"", headers=(("Location", "/redirect-loop"),))

    def gzip_concatenated(self) -> None:
        self._send(200, concatenated_gzip(), headers=(("Content-Encoding", "gzip"),))

    def gzip_bomb(self) -> None:
        self._send(200, gzip_bomb(), headers=(("Content-Encoding", "gzip"),))

    def header_huge(self) -> None:
        self._send(200, OK_PAGE, headers=(("X-Huge", "a" * 200_000),))

    def header_many(self) -> None:
        self._send(200, OK_PAGE, headers=tuple((f"X-Bomb-{i}", "1") for i in range(20_000)))

    def header_count(self) -> None:
        self._send(200, OK_PAGE, headers=tuple(("a", "b") for _ in range(2_000)))

    def reset(self) -> None:
        self.close_connection = True
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.connection.close()

    def soft_404(self) -> None:
        self._send(200, not_found_page().encode())

    def set_cookie(self) -> None:
        self._send(200, OK_PAGE, headers=(("Set-Cookie", "sid=SECRET-COOKIE-VALUE; Path=/"),))


_ACTIONS: dict[str, Callable[[_Handler], None]] = {
    "ok": _Handler.ok,
    "trickle-headers": _Handler.trickle_headers,
    "trickle-body": _Handler.trickle_body,
    **{name: _Handler.redirect for name in REDIRECT_TARGETS},
    "redirect-other-port": _Handler.redirect_other_port,
    "redirect-loop": _Handler.redirect_loop,
    "gzip-concatenated": _Handler.gzip_concatenated,
    "gzip-bomb": _Handler.gzip_bomb,
    "header-huge": _Handler.header_huge,
    "header-many": _Handler.header_many,
    "header-count": _Handler.header_count,
    "reset": _Handler.reset,
    "soft-404": _Handler.soft_404,
    "set-cookie": _Handler.set_cookie,
}
assert _ACTIONS.keys() == ROUTES.keys() == {r for routes in FAULT_CLASSES.values() for r in routes}


@dataclass(slots=True)
class FaultServer:
    """The running fault server (and its decoy on another port)."""

    port: int
    decoy_port: int
    _server: _Server
    _decoy: _Server

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    @property
    def authority(self) -> str:
        return f"127.0.0.1:{self.port}"

    def url(self, route: str) -> str:
        if route not in ROUTES and route != "robots.txt":
            raise KeyError(f"no fault route {route!r} (known: {', '.join(ROUTES)})")
        return f"{self.base_url}{route}"

    def hits(self, route: str) -> int:
        with self._server.lock:
            return self._server.hits[route]

    @property
    def decoy_hits(self) -> int:
        with self._decoy.lock:
            return sum(self._decoy.hits.values())


@dataclass(frozen=True, slots=True)
class Probe:
    """One route fetched once: what the fetcher made of it."""

    fault_class: str
    route: str
    outcome: str
    reason: str | None
    seconds: float
    requests: int

    @property
    def as_expected(self) -> bool:
        return self.outcome == EXPECTED[self.route]


def probe(server: FaultServer, fetcher: Fetcher) -> list[Probe]:
    """Fetch every route once with fetcher (configured for server.authority); one Probe per route."""
    probes = []
    for fault_class, routes in FAULT_CLASSES.items():
        for route in routes:
            started = time.monotonic()
            result = fetcher.fetch(server.url(route))
            probes.append(
                Probe(
                    fault_class,
                    route,
                    result.outcome,
                    result.reason,
                    time.monotonic() - started,
                    server.hits(route),
                )
            )
    return probes


@contextmanager
def serve_faults(
    robots: str = "allow", interval: float = 0.5, max_seconds: float = 30.0
) -> Iterator[FaultServer]:
    """Serve the fault routes (and a decoy on another port) on 127.0.0.1 until the block ends."""
    if robots not in ROBOTS:
        raise ValueError(f"robots must be one of {ROBOTS}, got {robots!r}")
    stop = threading.Event()
    server = _Server(_Handler, robots, interval, max_seconds, stop)
    decoy = _Server(_Handler, "allow", interval, max_seconds, stop)
    server.decoy_port = decoy.server_address[1]
    threads = [
        threading.Thread(target=s.serve_forever, args=(0.05,), daemon=True, name=f"faults:{name}")
        for s, name in ((server, "main"), (decoy, "decoy"))
    ]
    for thread in threads:
        thread.start()
    try:
        yield FaultServer(server.server_address[1], decoy.server_address[1], server, decoy)
    finally:
        stop.set()
        for s in (server, decoy):
            s.shutdown()
            s.server_close()
        for thread in threads:
            thread.join(timeout=5)
