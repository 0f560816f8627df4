"""What the fetcher and discovery judge a URL by: its authority (host and port) against the configured
ones, and its form without credentials.

A configured authority is "host" or "host:port". A bare host stands for the default ports of http and
https (80 and 443: sites move between the two), so a redirect to any other port of the same host is off
the configured hosts; "host:port" allows that port only.
"""

from __future__ import annotations

from collections.abc import Collection
from urllib.parse import urlsplit, urlunsplit

DEFAULT_PORTS = {"http": 80, "https": 443}


def authority_of(url: str) -> tuple[str, int | None]:
    """(lowercased host, port) of url; the port is the scheme's default when none is written, None when
    there is neither (or the port is not a number)."""
    parts = urlsplit(url)
    try:
        port = parts.port
    except ValueError:
        return (parts.hostname or "").lower(), None
    return (parts.hostname or "").lower(), port if port is not None else DEFAULT_PORTS.get(parts.scheme)


def configured_key(url: str, keys: Collection[str]) -> str | None:
    """The configured authority ("host:port", else a bare "host" for ports 80/443) url belongs to."""
    host, port = authority_of(url)
    if not host or port is None:
        return None
    host = f"[{host}]" if ":" in host else host  # an IPv6 literal is written in brackets
    if f"{host}:{port}" in keys:
        return f"{host}:{port}"
    if port in DEFAULT_PORTS.values() and host in keys:
        return host
    return None


def host_is_configured(host: str, keys: Collection[str]) -> bool:
    """Whether some configured authority names this host (on whatever port)."""
    host = f"[{host}]" if ":" in host else host
    return any(key == host or key.startswith(f"{host}:") for key in keys)


def authority_key(base_url: str) -> str:
    """The authority a site's base_url stands for: "host", or "host:port" when a port is written."""
    parts = urlsplit(base_url)
    host = (parts.hostname or "").lower()
    host = f"[{host}]" if ":" in host else host
    return f"{host}:{parts.port}" if parts.port is not None else host


def without_userinfo(url: str) -> str:
    """url with any user:password@ removed: the crawler never sends credentials, so none is kept or logged."""
    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return url
    return urlunsplit(parts._replace(netloc=parts.netloc.rpartition("@")[2]))
