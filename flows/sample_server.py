"""Serve a SampleSite on 127.0.0.1 (a free port), with conditional GETs, a request log, and injectable faults.

Faults let tests and `make chaos` play a misbehaving government site: error statuses, Retry-After, slow
answers, truncated bodies, redirects elsewhere, and error pages served with status 200.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Literal
from urllib.parse import parse_qsl, urlsplit

from flows.sample_site import Resource, SampleSite

FaultKind = Literal["status", "slow", "truncate", "redirect", "body"]


@dataclass(frozen=True, slots=True)
class Fault:
    """One misbehaviour for one request: the first matching request of a path consumes it."""

    kind: FaultKind
    status: int = 500
    headers: tuple[tuple[str, str], ...] = ()
    seconds: float = 0.0
    location: str = ""
    body: bytes = b""


@dataclass(slots=True)
class SeenRequest:
    """A request the server answered: what was asked and how it answered."""

    path: str
    headers: dict[str, str]
    status: int
    fault: FaultKind | None = None


@dataclass(slots=True)
class FaultPlan:
    """Per path, the faults its next requests get in order; `always` faults never run out."""

    queued: dict[str, list[Fault]] = field(default_factory=dict)
    always: dict[str, Fault] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, path: str, *faults: Fault) -> FaultPlan:
        with self._lock:
            self.queued.setdefault(path, []).extend(faults)
        return self

    def next_for(self, path: str) -> Fault | None:
        with self._lock:
            if path in self.always:
                return self.always[path]
            queue = self.queued.get(path)
            return queue.pop(0) if queue else None


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, site: SampleSite, plan: FaultPlan):
        super().__init__(("127.0.0.1", 0), _Handler)
        self.site = site
        self.plan = plan
        self.seen: list[SeenRequest] = []
        self.seen_lock = threading.Lock()

    def handle_error(self, request: object, client_address: object) -> None:
        """A client that gave up (timeout test) breaks the pipe; that is expected, not worth a traceback."""


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:
        return

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        form = dict(parse_qsl(self.rfile.read(length).decode("utf-8", errors="replace")))
        self._dynamic("POST", form)

    def _dynamic(self, method: str, form: dict[str, str]) -> None:
        """A dynamic path: the answer for this method and these query (and form) fields, else 405/404."""
        parts = urlsplit(self.path)
        answer = self.server.site.dynamic.get(parts.path)
        if answer is None:
            self._send(405 if method == "POST" else 404, b"not here", "text/plain", parts.path)
            return
        resource = answer(method, {**dict(parse_qsl(parts.query)), **form})
        if resource is None:
            self._send(405, f"{method} not accepted here".encode(), "text/plain", parts.path)
            return
        self._send(200, resource.body, resource.content_type, parts.path, resource)

    def do_GET(self) -> None:
        path = urlsplit(self.path).path
        if path in self.server.site.dynamic:
            self._dynamic("GET", {})
            return
        fault = self.server.plan.next_for(path)
        if fault is not None and self._apply(fault, path):
            return
        resource = self.server.site.resources.get(path)
        if resource is None:
            self._send(404, b"not found", "text/plain", path)
            return
        if fault is not None and fault.kind == "body":  # an error page has its own validators (none)
            self._send(200, fault.body, resource.content_type, path, None, "body", fault.headers)
            return
        if self._unchanged(resource):
            self._send(304, b"", None, path, resource)
            return
        self._send(200, resource.body, resource.content_type, path, resource)

    def _unchanged(self, resource: Resource) -> bool:
        inm = self.headers.get("If-None-Match")
        if inm is not None:
            return resource.etag in [tag.strip() for tag in inm.split(",")]
        return self.headers.get("If-Modified-Since") == resource.last_modified

    def _apply(self, fault: Fault, path: str) -> bool:
        """Play the fault; True when the answer is complete (the normal resource is not sent)."""
        if fault.kind == "slow":
            time.sleep(fault.seconds)
            return False
        if fault.kind == "status":
            time.sleep(fault.seconds)  # an error can be slow too
            self._send(
                fault.status,
                fault.body or f"status {fault.status}".encode(),
                "text/plain",
                path,
                extra=fault.headers,
                fault="status",
            )
            return True
        if fault.kind == "redirect":
            self._send(
                fault.status if 300 <= fault.status < 400 else 302,
                b"",
                "text/plain",
                path,
                extra=(("Location", fault.location), *fault.headers),
                fault="redirect",
            )
            return True
        if fault.kind == "truncate":
            resource = self.server.site.resources.get(path)
            body = resource.body if resource else b"x" * 1000
            self._log(path, 200, "truncate")
            self.send_response(200)
            self.send_header("Content-Type", resource.content_type if resource else "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body[: len(body) // 2])
            self.wfile.flush()
            self.close_connection = True
            return True
        return False  # "body": the normal status and headers (plus the fault's) with a replaced body

    def _send(
        self,
        status: int,
        body: bytes,
        content_type: str | None,
        path: str,
        resource: Resource | None = None,
        fault: FaultKind | None = None,
        extra: Sequence[tuple[str, str]] = (),
    ) -> None:
        self._log(path, status, fault)
        self.send_response(status)
        if content_type:
            self.send_header("Content-Type", content_type)
        if resource is not None:
            self.send_header("ETag", resource.etag)
            self.send_header("Last-Modified", resource.last_modified)
        for name, value in extra:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if body:
            self.wfile.write(body)

    def _log(self, path: str, status: int, fault: FaultKind | None) -> None:
        with self.server.seen_lock:
            self.server.seen.append(
                SeenRequest(path, {k.lower(): v for k, v in self.headers.items()}, status, fault)
            )


@dataclass(slots=True)
class RunningSite:
    """A sample site being served: its base URL and what it has been asked so far."""

    base_url: str
    port: int
    plan: FaultPlan
    _server: _Server

    @property
    def seen(self) -> list[SeenRequest]:
        with self._server.seen_lock:
            return list(self._server.seen)

    def clear_log(self) -> None:
        with self._server.seen_lock:
            self._server.seen.clear()


@contextmanager
def serve_site(site: SampleSite, plan: FaultPlan | None = None) -> Iterator[RunningSite]:
    """Serve site on 127.0.0.1 on a free port until the block ends."""
    server = _Server(site, plan or FaultPlan())
    port = server.server_address[1]
    thread = threading.Thread(
        target=server.serve_forever, args=(0.05,), name=f"sample-site:{port}", daemon=True
    )
    thread.start()
    try:
        yield RunningSite(f"http://127.0.0.1:{port}/", port, server.plan, server)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
