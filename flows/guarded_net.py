"""The network layer under the fetcher (an httpcore network backend): every connection and every socket
read or write happens inside one *exchange*, which carries

- a deadline: each operation's timeout is cut to what is left of it, and once it has passed the exchange
  ends with DeadlinePassed, so a server trickling a byte at a time (headers or body) cannot hold a
  download longer than the deadline, however short each read is;
- an address rule: the host name is resolved here and every address it resolves to is checked before
  any is connected to; loopback, private, link-local and other non-public addresses are refused unless
  the exchange allows them. Redirect targets and robots.txt get a connection of their own, so they are
  checked the same way, and a checked address is the one connected to (no second lookup to race).

The exchange is a context variable, so connections reused from the pool obey the request now using them
(for the async backend, each asyncio task has its own copy, so concurrent requests keep their own bounds).

Name resolution is the backend's `resolver` (the system's getaddrinfo by default); a simulated internet
plugs its own in (flows/sim_internet.py maps its *.sim hosts to loopback). A backend may also be given
pinned addresses for some host names (a site's `addresses`, as curl's --resolve): those names are not
looked up at all. Either way the address rule still applies to every address.
"""

from __future__ import annotations

import asyncio
import ipaddress
import select
import socket
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

import httpcore


class DeadlinePassed(Exception):
    """The exchange took longer than its deadline."""


class AddressRefused(Exception):
    """The host resolves to an address the exchange may not connect to (or does not resolve)."""


@dataclass(frozen=True, slots=True)
class Exchange:
    """One request's bounds: when it must be over (time.monotonic) and whether non-public addresses are ok."""

    deadline: float
    seconds: float
    allow_private: bool

    def bounded(self, timeout: float | None) -> float:
        """timeout cut to the time left; DeadlinePassed when none is left."""
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise DeadlinePassed(f"download took longer than the {self.seconds:g} s deadline")
        return left if timeout is None else min(timeout, left)

    def passed(self) -> bool:
        return time.monotonic() >= self.deadline


_CURRENT: ContextVar[Exchange | None] = ContextVar("nianbao_exchange", default=None)


@contextmanager
def exchange(seconds: float, allow_private: bool) -> Iterator[Exchange]:
    """Run one request inside these bounds."""
    current = Exchange(time.monotonic() + seconds, seconds, allow_private)
    token = _CURRENT.set(current)
    try:
        yield current
    finally:
        _CURRENT.reset(token)


def _current() -> Exchange:
    current = _CURRENT.get()
    if current is None:  # a request outside an exchange would have neither deadline nor address rule
        raise RuntimeError("network use outside a guarded exchange")
    return current


@contextmanager
def _deadline_on_timeout(current: Exchange) -> Iterator[None]:
    """A socket timeout that came from the exchange's deadline (not the operation's own) is DeadlinePassed."""
    try:
        yield
    except httpcore.TimeoutException as exc:
        if current.passed():
            raise DeadlinePassed(f"download took longer than the {current.seconds:g} s deadline") from exc
        raise


def _no_connection(host: str, current: Exchange, failure: Exception | None) -> Exception:
    """What to raise when no address of host could be connected to."""
    if current.passed():
        passed = DeadlinePassed(f"download took longer than the {current.seconds:g} s deadline")
        passed.__cause__ = failure
        return passed
    return failure or httpcore.ConnectError(f"host {host!r} has no address")


def non_public(address: str) -> str | None:
    """Why address is not a public one (loopback, private, link-local, …), or None when it is public."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    for kind in ("loopback", "private", "link_local", "multicast", "reserved", "unspecified"):
        if getattr(ip, f"is_{kind}"):
            return kind.replace("_", "-")
    return None if ip.is_global else "not globally routable"


Resolver = Callable[[str, int], list[str]]  # host, port → its addresses (OSError when it does not resolve)


def system_resolver(host: str, port: int) -> list[str]:
    """The host's addresses from the system resolver (getaddrinfo)."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


Pins = Mapping[str, Sequence[str]]  # lowercased host name → addresses connected to instead of resolving it


def checked_addresses(
    host: str, port: int, current: Exchange, resolver: Resolver = system_resolver, pins: Pins | None = None
) -> list[str]:
    """Every address host resolves to (or is pinned to), each checked against the exchange's address rule."""
    pinned = (pins or {}).get(host.lower().rstrip("."))
    try:
        addresses = list(pinned) if pinned else resolver(host, port)
    except OSError as exc:
        raise AddressRefused(f"cannot resolve host {host!r}: {exc}") from exc
    if not current.allow_private:
        for address in addresses:
            why = non_public(address)
            if why:
                raise AddressRefused(
                    f"host {host!r} resolves to {why} address {address} (allowed only "
                    "for a site with allow_private_addresses: true)"
                )
    return addresses


class _GuardedStream(httpcore.NetworkStream):
    def __init__(self, inner: httpcore.NetworkStream):
        self._inner = inner

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        current = _current()
        with _deadline_on_timeout(current):
            return self._inner.read(max_bytes, current.bounded(timeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        current = _current()
        with _deadline_on_timeout(current):
            self._inner.write(buffer, current.bounded(timeout))

    def close(self) -> None:
        self._inner.close()

    def start_tls(
        self, ssl_context: Any, server_hostname: str | None = None, timeout: float | None = None
    ) -> httpcore.NetworkStream:
        bounded = _current().bounded(timeout)
        return _GuardedStream(self._inner.start_tls(ssl_context, server_hostname, bounded))

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)


class GuardedBackend(httpcore.NetworkBackend):
    """httpcore's own sync backend, connecting only to checked addresses and only within the deadline."""

    def __init__(self, resolver: Resolver = system_resolver, pins: Pins | None = None) -> None:
        self._inner = httpcore.SyncBackend()
        self._resolver = resolver
        self._pins = dict(pins or {})

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        current = _current()
        failure: Exception | None = None
        for address in checked_addresses(host, port, current, self._resolver, self._pins):
            try:
                stream = self._inner.connect_tcp(
                    address, port, current.bounded(timeout), local_address, socket_options
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                failure = exc
                continue
            return _GuardedStream(stream)
        raise _no_connection(host, current, failure)

    def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[Any] | None = None
    ) -> httpcore.NetworkStream:
        raise AddressRefused("unix sockets are not used by the fetcher")

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)


class _AsyncGuardedStream(httpcore.AsyncNetworkStream):
    def __init__(self, inner: httpcore.AsyncNetworkStream):
        self._inner = inner
        # anyio builds every socket attribute (a getpeername call) on each lookup; the pool asks whether an
        # idle connection is readable before each reuse, so the socket is looked up once
        self._socket: socket.socket | None = inner.get_extra_info("socket")

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        current = _current()
        with _deadline_on_timeout(current):
            return await self._inner.read(max_bytes, current.bounded(timeout))

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:
        current = _current()
        with _deadline_on_timeout(current):
            await self._inner.write(buffer, current.bounded(timeout))

    async def aclose(self) -> None:
        await self._inner.aclose()

    async def start_tls(
        self, ssl_context: Any, server_hostname: str | None = None, timeout: float | None = None
    ) -> httpcore.AsyncNetworkStream:
        bounded = _current().bounded(timeout)
        return _AsyncGuardedStream(await self._inner.start_tls(ssl_context, server_hostname, bounded))

    def get_extra_info(self, info: str) -> Any:
        if info == "is_readable" and self._socket is not None:
            return _readable(self._socket)
        return self._inner.get_extra_info(info)


def _readable(sock: socket.socket) -> bool:
    """Whether an idle socket has something to read (for a kept-alive connection: the server closed it)."""
    if sock.fileno() < 0:
        return True
    poller = select.poll()
    poller.register(sock, select.POLLIN)
    return bool(poller.poll(0))


class AsyncGuardedBackend(httpcore.AsyncNetworkBackend):
    """httpcore's anyio backend (asyncio), with the same address rule and deadline as GuardedBackend. The
    system resolver runs in a worker thread (getaddrinfo blocks); another resolver, or a pinned name, is
    answered directly."""

    def __init__(self, resolver: Resolver = system_resolver, pins: Pins | None = None) -> None:
        self._inner = httpcore.AnyIOBackend()
        self._resolver = resolver
        self._pins = dict(pins or {})

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        current = _current()
        if self._resolver is system_resolver and host.lower().rstrip(".") not in self._pins:
            addresses = await asyncio.to_thread(checked_addresses, host, port, current, self._resolver)
        else:
            addresses = checked_addresses(host, port, current, self._resolver, self._pins)
        failure: Exception | None = None
        for address in addresses:
            try:
                stream = await self._inner.connect_tcp(
                    address, port, current.bounded(timeout), local_address, socket_options
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                failure = exc
                continue
            return _AsyncGuardedStream(stream)
        raise _no_connection(host, current, failure)

    async def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[Any] | None = None
    ) -> httpcore.AsyncNetworkStream:
        raise AddressRefused("unix sockets are not used by the fetcher")

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)
