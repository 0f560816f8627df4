"""Which site of config/sources.yaml a URL belongs to: by host, and by listing folder when sites share a host.

Only what the transform needs is read here (hosts, listing folders, region code); the fetch side validates the
whole file (flows/sources.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin, urlsplit

from nianbao.settings import ConfigError
from transforms.rulebook import compiled


@dataclass(frozen=True, slots=True)
class SiteAddress:
    """A site's id and region, the hosts it is served from, and the folders of its listing pages."""

    site_id: str
    region_code: str
    hosts: frozenset[str]
    folders: tuple[tuple[str, str], ...]  # (host, path ending with '/')


def _folder(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    path = parts.path or "/"
    return (parts.hostname or "").lower(), path[: path.rfind("/") + 1]


def _build(raw: Any) -> tuple[SiteAddress, ...]:
    sites: list[SiteAddress] = []
    entries = raw.get("sites") if isinstance(raw, dict) else None
    if not isinstance(entries, list):
        raise ConfigError("config/sources.yaml: 'sites' must be a list")
    for entry in entries:
        try:
            base = entry.get("base_url")
            if not base:  # the sample site gets its address at run time
                continue
            extra = (str(h).lower() for h in entry.get("extra_hosts") or ())
            hosts = {(urlsplit(base).hostname or "").lower(), *extra}
            folders = tuple(_folder(urljoin(base, str(listing["path"]))) for listing in entry["listings"])
            sites.append(
                SiteAddress(str(entry["id"]), str(entry["region_code"]), frozenset(hosts - {""}), folders)
            )
        except (KeyError, TypeError, AttributeError) as exc:
            raise ConfigError(f"config/sources.yaml: bad site entry {entry!r}: {exc}") from exc
    return tuple(sites)


def site_for_url(url: str) -> SiteAddress | None:
    """The one site serving this URL; None when no site or several sites (and no listing folder) claim it."""
    host, path = _folder(url)
    sites = [s for s in compiled("sources.yaml", _build, part="hosts") if host in s.hosts]
    if len({s.region_code for s in sites}) <= 1:
        return sites[0] if sites else None
    best: list[tuple[int, SiteAddress]] = []
    for site in sites:
        depth = max(
            (len(folder) for h, folder in site.folders if h == host and path.startswith(folder)), default=-1
        )
        best.append((depth, site))
    best.sort(key=lambda pair: -pair[0])
    if best[0][0] > 0 and best[0][0] > best[1][0]:
        return best[0][1]
    return None
