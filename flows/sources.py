"""The sites to scrape, read from config/sources.yaml and validated with pydantic.

A bad entry is a ConfigError that names the site (or listing) and the field.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable, Sequence
from typing import Any, Literal
from urllib.parse import urljoin, urlsplit

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from flows.urls import authority_key
from nianbao.settings import ConfigError, config_dir, load_config

SOURCES_FILE = "sources.yaml"
SOURCES_DIR = "sources.d"  # one file per proposed site (`nianbao sites add`), merged with sources.yaml
REPORT_KINDS = (
    "law_based_government_annual_report",
    "gov_info_disclosure_annual_report",
    "government_work_report",
)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Politeness(_Strict):
    """How gently to fetch from one host; every field can be overridden per site."""

    user_agent: str = "nianbao/0.1 (annual-report research crawler)"
    delay_seconds: float = Field(1.0, ge=0)
    max_delay_seconds: float = Field(120.0, ge=0)
    concurrency_per_host: int = Field(1, ge=1, le=8)
    timeout_seconds: float = Field(30.0, gt=0)
    retries: int = Field(3, ge=0, le=10)
    backoff_seconds: float = Field(2.0, ge=0)
    max_retry_after_seconds: float = Field(600.0, ge=0)
    max_bytes: int = Field(20_000_000, gt=0)
    max_decompressed_bytes: int = Field(60_000_000, gt=0)
    max_redirects: int = Field(5, ge=0, le=20)
    respect_robots: bool = True

    def merged(self, overrides: dict[str, Any] | None) -> Politeness:
        """This policy with a site's overrides applied (validated again)."""
        if not overrides:
            return self
        return Politeness.model_validate({**self.model_dump(), **overrides})


class Pagination(_Strict):
    """Further list pages: a URL template with {n} (TRS index_{n}.html), and/or a 下一页 link to follow."""

    template: str | None = None
    start: int = Field(1, ge=0)
    max_pages: int = Field(20, ge=1, le=500)
    next_link_texts: tuple[str, ...] = ("下一页", "下页", "后页")

    @field_validator("template")
    @classmethod
    def _has_placeholder(cls, value: str | None) -> str | None:
        if value is not None and "{n}" not in value:
            raise ValueError("template must contain {n}")
        return value


ListingMode = Literal["links", "trs", "hanweb", "json"]


class HanwebPaging(_Strict):
    """Hanweb JCMS/JPaaS paging: further records come from the dataproxy (POST form, or GET with page=).
    Form fields left out are read from the column page (its nextgroup link and jpage parameters)."""

    proxy: str = "/module/web/jpage/dataproxy.jsp"
    method: Literal["post", "get"] = "post"
    per_page: int | None = Field(None, ge=1, le=500)
    form: dict[str, str] = Field(default_factory=dict)


class JsonApi(_Strict):
    """A JSON list API behind a column: a URL template with {page}, and dotted paths to the list of items
    and, inside each item, to its title, link and date."""

    url: str
    first_page: int = Field(1, ge=0)
    items: str = ""
    title: str
    link: str
    date: str | None = None


class Listing(_Strict):
    """One column (list page) of a site that holds reports of one kind. mode says how its pages follow one
    another (links: 下一页 links and the template; trs: createPageHTML; hanweb: datastore + dataproxy; json:
    json_api); left out, discovery detects it from the first page's markup."""

    path: str
    kind: str
    title_pattern: str
    pagination: Pagination = Pagination()
    mode: ListingMode | None = None
    hanweb: HanwebPaging | None = None
    json_api: JsonApi | None = None

    @model_validator(mode="after")
    def _json_needs_api(self) -> Listing:
        if self.mode == "json" and self.json_api is None:
            raise ValueError("mode json needs json_api (url template and the title/link fields)")
        return self

    @field_validator("kind")
    @classmethod
    def _known_kind(cls, value: str) -> str:
        if value not in REPORT_KINDS:
            raise ValueError(f"unknown report kind {value!r} (known: {', '.join(REPORT_KINDS)})")
        return value

    @field_validator("title_pattern")
    @classmethod
    def _compiles(cls, value: str) -> str:
        try:
            re.compile(value)
        except re.error as exc:
            raise ValueError(f"title_pattern is not a valid regex: {exc}") from exc
        return value

    def title_regex(self) -> re.Pattern[str]:
        return re.compile(self.title_pattern)  # re caches compiled patterns


class Site(_Strict):
    """A government site: its region, where its report columns are, and how to treat it."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$")
    name: str
    region_code: str = Field(pattern=r"^\d{6}$")
    base_url: str | None = None
    extra_hosts: tuple[str, ...] = ()
    listings: tuple[Listing, ...] = Field(min_length=1)
    politeness: dict[str, Any] = Field(default_factory=dict)
    sample: bool = False
    # The fetcher refuses hosts resolving to loopback, private or link-local addresses; a site served on
    # such an address (the sample site, a test server, an intranet mirror) says so here.
    allow_private_addresses: bool = False
    # Addresses to connect to for base_url's host instead of looking its name up (as curl's --resolve: a
    # mirror, a name DNS does not know, a simulated site); each still passes the address rule above.
    addresses: tuple[str, ...] = ()

    @field_validator("addresses")
    @classmethod
    def _ip_addresses(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for address in value:
            try:
                ipaddress.ip_address(address)
            except ValueError as exc:
                raise ValueError(f"addresses: {address!r} is not an IP address") from exc
        return value

    @field_validator("base_url")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        if value is None:
            return None
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"base_url must be an http(s) URL with a host, got {value!r}")
        if "@" in parts.netloc:
            raise ValueError("base_url must not hold credentials (user:password@); the crawler sends none")
        return value if value.endswith("/") else value + "/"

    @model_validator(mode="after")
    def _base_unless_sample(self) -> Site:
        if self.base_url is None and not self.sample:
            raise ValueError("base_url is required (only the sample site gets it at run time)")
        return self

    def with_base_url(self, base_url: str) -> Site:
        """A copy served from base_url (the sample site's address is known only once its server runs)."""
        return Site.model_validate({**self.model_dump(), "base_url": base_url})

    def listing_url(self, listing: Listing) -> str:
        if self.base_url is None:
            raise ConfigError(f"{SOURCES_FILE}: site {self.id!r} has no base_url yet")
        return urljoin(self.base_url, listing.path)

    @property
    def pins(self) -> dict[str, tuple[str, ...]]:
        """base_url's host name → the addresses it is pinned to (empty when the name is looked up)."""
        host = urlsplit(self.base_url or "").hostname
        return {host.lower(): self.addresses} if host and self.addresses else {}

    @property
    def authorities(self) -> frozenset[str]:
        """Where this site may be fetched from: "host" (ports 80 and 443) or "host:port" (that port only),
        from base_url and extra_hosts (see flows/urls.py); redirects elsewhere are refused."""
        own = {authority_key(self.base_url)} if self.base_url else set()
        return frozenset(h.lower() for h in (*own, *self.extra_hosts) if h)


class SourcesConfig(_Strict):
    """The whole of sources.yaml: shared politeness defaults and the sites (the reporting season's schedule
    is the cron of the `nianbao-run` deployment in prefect.yaml)."""

    politeness: Politeness = Politeness()
    sites: tuple[Site, ...]

    @model_validator(mode="after")
    def _unique_ids(self) -> SourcesConfig:
        seen: set[str] = set()
        for site in self.sites:
            if site.id in seen:
                raise ValueError(f"site id {site.id!r} appears twice")
            seen.add(site.id)
        return self

    def site(self, site_id: str) -> Site:
        for site in self.sites:
            if site.id == site_id:
                return site
        raise ConfigError(f"{SOURCES_FILE}: no site with id {site_id!r}")

    def politeness_for(self, site: Site) -> Politeness:
        try:
            return self.politeness.merged(site.politeness)
        except ValidationError as exc:
            raise ConfigError(f"{SOURCES_FILE}: site {site.id!r}: politeness: {_first_error(exc)}") from exc

    def select(self, regions: Iterable[str] | None = None, include_sample: bool = False) -> list[Site]:
        """Sites whose id or region code is in regions (all real sites when None); a name that matches no
        site is a ConfigError naming it (a typo must not look like "no reports found")."""
        wanted = set(regions or ())
        unknown = wanted - {s.id for s in self.sites} - {s.region_code for s in self.sites}
        if unknown:
            raise ConfigError(f"{SOURCES_FILE}: no site with id or region code {', '.join(sorted(unknown))}")
        return [
            s
            for s in self.sites
            if (not wanted or s.id in wanted or s.region_code in wanted)
            and (include_sample or not s.sample or s.id in wanted)
        ]

    def replace_site(self, site: Site) -> SourcesConfig:
        sites = tuple(site if s.id == site.id else s for s in self.sites)
        return SourcesConfig(politeness=self.politeness, sites=sites)


def _first_error(exc: ValidationError) -> str:
    err = exc.errors()[0]
    where = ".".join(str(p) for p in err["loc"])
    return f"{where}: {err['msg']}" if where else err["msg"]


def _settings_part(raw: dict[str, Any]) -> dict[str, Any]:
    """Top-level keys other than sites; keys starting with 'x-' hold YAML anchors and are ignored."""
    return {k: v for k, v in raw.items() if k != "sites" and not str(k).startswith("x-")}


def parse_sources(raw: Any) -> SourcesConfig:
    """Validate a parsed sources.yaml; the error names the offending site (by id or position)."""
    if not isinstance(raw, dict):
        raise ConfigError(f"{SOURCES_FILE}: expected a mapping with 'sites'")
    sites_raw: Sequence[Any] = raw.get("sites") or []
    if not isinstance(sites_raw, list) or not sites_raw:
        raise ConfigError(f"{SOURCES_FILE}: 'sites' must be a non-empty list")
    sites = []
    for position, entry in enumerate(sites_raw, start=1):
        label = f"site #{position}"
        if isinstance(entry, dict) and entry.get("id"):
            label = f"site {entry['id']!r}"
        try:
            sites.append(Site.model_validate(entry))
        except ValidationError as exc:
            raise ConfigError(f"{SOURCES_FILE}: {label}: {_first_error(exc)}") from exc
    try:
        return SourcesConfig.model_validate({**_settings_part(raw), "sites": sites})
    except ValidationError as exc:
        raise ConfigError(f"{SOURCES_FILE}: {_first_error(exc)}") from exc


def load_sources() -> SourcesConfig:
    """config/sources.yaml plus every config/sources.d/*.yaml (or under $NIANBAO_CONFIG), validated."""
    raw = load_config(SOURCES_FILE)
    extra = proposed_sites()
    if extra and isinstance(raw, dict):
        raw = {**raw, "sites": [*(raw.get("sites") or []), *extra]}
    return parse_sources(raw)


def proposed_sites() -> list[dict[str, Any]]:
    """The site entries of config/sources.d/*.yaml (each file: a mapping with `sites:`), each validated on
    its own so that an error names its file."""
    folder = config_dir() / SOURCES_DIR
    entries: list[dict[str, Any]] = []
    for path in sorted(folder.glob("*.yaml")) if folder.is_dir() else ():
        name = f"{SOURCES_DIR}/{path.name}"
        raw = load_config(name)
        sites = raw.get("sites") if isinstance(raw, dict) else None
        if not isinstance(sites, list) or not sites:
            raise ConfigError(f"{name}: expected a mapping with a non-empty 'sites' list")
        for position, entry in enumerate(sites, start=1):
            try:
                Site.model_validate(entry)
            except ValidationError as exc:
                label = (
                    f"site {entry['id']!r}"
                    if isinstance(entry, dict) and entry.get("id")
                    else f"site #{position}"
                )
                raise ConfigError(f"{name}: {label}: {_first_error(exc)}") from exc
            entries.append(entry)
    return entries
