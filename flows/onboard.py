"""`nianbao sites add`: survey a site from its home page and propose a site entry for config/sources.d/.

A bounded, polite crawl (config/sites.yaml: depth, page budget) follows the navigation, report-column names
first, then menus and the links of report columns (sub-columns per year or department), then the rest.
Every page reached is read the way discovery reads it (CMS detection, Hanweb records, JSON APIs named in
scripts); a page reached through a link named like a report column, or whose first page lists report
titles, is a candidate. Candidates with report titles whose reports another kept
candidate already lists are dropped; the rest become the proposed listings, each with the reason.
"""

from __future__ import annotations

import heapq
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml
from pydantic import BaseModel, ConfigDict, Field, field_validator

from flows.cms_detect import detect_mode
from flows.fetch import Fetcher
from flows.list_page import ListedLink, listed_links, page_title
from flows.listing_walk import api_from_scripts, fetch_text
from flows.sources import REPORT_KINDS, SOURCES_DIR, JsonApi, load_sources, parse_sources
from nianbao.settings import ConfigError, config_dir, load_config, validated

SITES_FILE = "sites.yaml"
_YEAR = re.compile(r"(?<!\d)(?:19|20)\d{2}(?!\d)")
_NAME_SPLIT = re.compile(r"\s*[_|｜—–-]+\s*")


class SurveyConfig(BaseModel):
    """config/sites.yaml `survey:`: the crawl's bounds, column and menu names, and proposed title patterns."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    max_depth: int = Field(3, ge=1, le=6)
    max_pages: int = Field(60, ge=1, le=1000)
    max_apis: int = Field(3, ge=0, le=20)
    columns: dict[str, tuple[str, ...]]
    menus: tuple[str, ...] = ()
    skip_urls: tuple[str, ...] = ()
    pager_texts: frozenset[str] = frozenset()
    min_reports: int = Field(1, ge=1)
    title_patterns: dict[str, str]

    @field_validator("columns", "title_patterns")
    @classmethod
    def _known_kinds(cls, value: dict[str, Any]) -> dict[str, Any]:
        unknown = set(value) - set(REPORT_KINDS)
        if unknown:
            raise ValueError(f"unknown report kind {', '.join(sorted(unknown))}")
        return value

    @field_validator("skip_urls")
    @classmethod
    def _compile(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for pattern in value:
            try:
                re.compile(pattern)
            except re.error as exc:
                raise ValueError(f"{pattern!r} is not a valid regex: {exc}") from exc
        return value


def load_survey_config() -> SurveyConfig:
    raw = load_config(SITES_FILE)
    return validated(
        SurveyConfig, (raw or {}).get("survey") if isinstance(raw, dict) else None, f"{SITES_FILE}: survey."
    )


@dataclass(slots=True)
class Candidate:
    """A page that may be a report column: how it was reached, its CMS, and the report titles it lists."""

    url: str
    via: str
    depth: int
    mode: str
    evidence: str
    named_kind: str | None
    reports: dict[str, list[ListedLink]] = field(default_factory=dict)
    json_api: JsonApi | None = None
    verdict: str = ""

    def kinds(self) -> list[str]:
        """The kinds whose report titles the first page lists, the most listed first."""
        ranked = sorted(
            (kind for kind, links in self.reports.items() if links),
            key=lambda kind: (-len(self.reports[kind]), kind != self.named_kind),
        )
        return ranked or ([self.named_kind] if self.named_kind else [])

    @property
    def report_urls(self) -> set[str]:
        return {link.url for links in self.reports.values() for link in links}

    def years(self) -> list[int]:
        """The years the report titles on the first page name."""
        titles = [link.title for links in self.reports.values() for link in links]
        return sorted({int(y) for title in titles for y in _YEAR.findall(title)})


@dataclass(slots=True)
class Survey:
    """What surveying a site found: pages read, candidates (chosen or not, with why) and failures."""

    home: str
    base_url: str
    title: str = ""
    pages: int = 0
    candidates: list[Candidate] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)

    @property
    def chosen(self) -> list[Candidate]:
        return [c for c in self.candidates if c.verdict.startswith("chosen")]


def survey_site(home: str, config: SurveyConfig, fetcher: Fetcher) -> Survey:
    """Crawl from home within the config's bounds and judge every page reached as a report column."""
    parts = urlsplit(home)
    survey = Survey(home, f"{parts.scheme}://{parts.netloc}/")
    host = (parts.hostname or "").lower()
    skip = [re.compile(p, re.IGNORECASE) for p in config.skip_urls]
    patterns = {kind: re.compile(p) for kind, p in config.title_patterns.items()}
    queue: list[tuple[int, int, int, str, str]] = [(0, 0, 0, home, "")]
    queued, order = {home}, 0
    while queue and survey.pages < config.max_pages:
        _, depth, _, url, via = heapq.heappop(queue)
        page = fetch_text(fetcher, url)
        survey.pages += 1
        if page.text is None:
            survey.failures.append(f"{url}: {page.error}")
            continue
        if depth == 0:
            survey.title = page_title(page.text)
        links = [link for link in listed_links(page.text, page.final_url) if _host(link.url) == host]
        candidate = _judge(
            page.text, page.final_url, url, via, depth, links, config, patterns, fetcher, survey
        )
        if candidate is not None:
            survey.candidates.append(candidate)
        if depth >= config.max_depth:
            continue
        # a report column's own links (per-year or per-department sub-columns) come right after named ones
        ceiling = 1 if _named_kind(via, config) else 2
        for link in links:
            if (
                link.url in queued
                or _is_report(link.title, patterns)
                or _is_pager(link.title, config.pager_texts)
                or any(p.search(link.url) for p in skip)
            ):
                continue
            queued.add(link.url)
            order += 1
            priority = min(_priority(link.title, config), ceiling)
            heapq.heappush(queue, (priority, depth + 1, order, link.url, link.title))
    _choose(survey.candidates, config.min_reports)
    return survey


def _judge(
    html: str,
    final_url: str,
    url: str,
    via: str,
    depth: int,
    links: list[ListedLink],
    config: SurveyConfig,
    patterns: dict[str, re.Pattern[str]],
    fetcher: Fetcher,
    survey: Survey,
) -> Candidate | None:
    """The page as a candidate column, or None when neither its name nor its content says report."""
    detection = detect_mode(html, final_url)
    candidate = Candidate(url, via, depth, detection.mode, detection.evidence, _named_kind(via, config))
    if detection.mode == "json":
        budget = max(0, min(config.max_apis, config.max_pages - survey.pages))
        found = api_from_scripts(html, final_url, fetcher, budget)
        survey.pages += found.requests
        inferred = found.inferred
        if inferred is not None:
            candidate.json_api = inferred.api
            total = f", {inferred.total} in all" if inferred.total is not None else ""
            where = inferred.api.items or "(top level)"
            candidate.evidence += (
                f"; its answer lists {inferred.items} items{total} at {where!r} "
                f"(title {inferred.api.title!r}, link {inferred.api.link!r})"
            )
            links = links + [link for link in found.links if _host(link.url) == _host(final_url)]
        else:
            candidate.mode = "links"
            candidate.evidence += ", but no list could be read from it"
    for kind, pattern in patterns.items():
        candidate.reports[kind] = [
            link for link in links if pattern.search(link.title) and _YEAR.search(link.title)
        ]
    if depth == 0 or (candidate.named_kind is None and not candidate.report_urls):
        return None
    return candidate


def _choose(candidates: list[Candidate], min_reports: int) -> None:
    """Keep, best first, each candidate with at least min_reports report titles that the kept ones do not
    already list."""
    covered: set[str] = set()
    ranked = sorted(candidates, key=lambda c: (-len(c.report_urls), c.named_kind is None, c.depth))
    for c in ranked:
        reports = c.report_urls
        if len(reports) < min_reports:
            c.verdict = (
                f"not chosen: {len(reports)} report title(s) on its first page, fewer than "
                f"survey.min_reports ({min_reports})"
            )
        elif reports <= covered:
            c.verdict = "not chosen: the report titles it lists are listed by a chosen column already"
        else:
            why = (
                f"reached through a link named {c.via!r}" if c.named_kind else "its first page lists reports"
            )
            c.verdict = (
                f"chosen: {len(reports)} report title(s) on its first page (years {_span(c.years())}); {why}"
            )
            covered |= reports


def proposed_entry(
    survey: Survey,
    site_id: str,
    region: str,
    name: str | None,
    config: SurveyConfig,
    allow_private: bool = False,
) -> dict[str, Any]:
    """The site entry for the chosen candidates, one listing per kind a column lists (validated with the
    same models as sources.yaml)."""
    listings = []
    extra_hosts: set[str] = set()
    for c in survey.chosen:
        for kind in c.kinds():
            listing: dict[str, Any] = {
                "path": _relative(c.url, survey.base_url, extra_hosts),
                "kind": kind,
                "title_pattern": config.title_patterns[kind],
                "mode": c.mode,
            }
            if c.json_api is not None:
                api = c.json_api.model_dump(exclude_defaults=True)
                api["url"] = _relative(c.json_api.url, survey.base_url, extra_hosts)
                listing["json_api"] = api
            listings.append(listing)
    entry: dict[str, Any] = {
        "id": site_id,
        "name": name or site_name_from_title(survey.title) or site_id,
        "region_code": region,
        "base_url": survey.base_url,
    }
    if extra_hosts:
        entry["extra_hosts"] = sorted(extra_hosts)
    entry["listings"] = listings
    if allow_private:
        entry["allow_private_addresses"] = True
    return entry


def write_proposal(entry: dict[str, Any], survey: Survey, force: bool = False) -> Path:
    """config/sources.d/<id>.yaml with the reasons as comments; refuses an id that already exists."""
    target = config_dir() / SOURCES_DIR / f"{entry['id']}.yaml"
    if target.exists() and not force:
        raise ConfigError(f"{target} exists already (use --force to replace it, or --id for another id)")
    if not target.exists() and entry["id"] in {s.id for s in load_sources().sites}:
        raise ConfigError(f"site id {entry['id']!r} is taken already (choose another with --id)")
    parse_sources({"sites": [entry]})
    lines = [
        f"# Proposed by `nianbao sites add` on {datetime.now(UTC):%Y-%m-%d} from {survey.home}",
        f"# ({survey.pages} pages surveyed). Review it (see README, 'Adding a county'), then backfill:",
        f"#   nianbao sites check {entry['id']} && nianbao backfill --region {entry['id']} --years 2015-2024",
    ]
    for c in survey.candidates:
        lines.append(f"# {c.url}: {c.verdict}; CMS {c.mode} ({c.evidence})")
    text = (
        "\n".join(lines)
        + "\n"
        + yaml.safe_dump({"sites": [entry]}, allow_unicode=True, sort_keys=False, width=200)
    )
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_suffix(".yaml.tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(target)
    return target


def default_site_id(home: str, region: str) -> str:
    """A host's distinctive label (www.shili.gov.cn → shili), else r<region> for an address."""
    host = (urlsplit(home).hostname or "").lower()
    generic = ("www", "gov", "cn", "com", "net", "org", "zwgk", "xxgk")
    labels = [p for p in host.split(".") if p not in generic]
    if not labels or host.replace(".", "").isdigit() or ":" in host:
        return f"r{region}"
    return re.sub(r"[^a-z0-9_-]", "-", labels[0]).strip("-") or f"r{region}"


def _priority(title: str, config: SurveyConfig) -> int:
    if _named_kind(title, config):
        return 0
    return 1 if any(menu in title for menu in config.menus) else 2


def _named_kind(text: str, config: SurveyConfig) -> str | None:
    """The kind whose column names the text contains (the longest name wins)."""
    best: tuple[int, str] | None = None
    for kind, names in config.columns.items():
        for column in names:
            if column in text and (best is None or len(column) > best[0]):
                best = (len(column), kind)
    return best[1] if best else None


def _is_report(title: str, patterns: dict[str, re.Pattern[str]]) -> bool:
    return bool(_YEAR.search(title)) and any(p.search(title) for p in patterns.values())


def _is_pager(title: str, texts: frozenset[str]) -> bool:
    text = "".join(title.split())
    return text in texts or text.isdigit()


def _host(url: str) -> str:
    return (urlsplit(url).hostname or "").lower()


def _relative(url: str, base_url: str, extra_hosts: set[str]) -> str:
    if url.startswith(base_url):
        return url[len(base_url) :]
    extra_hosts.add(_host(url))
    return url


def site_name_from_title(title: str) -> str:
    """The government's name in a home page title ('首页_示例县人民政府' → '示例县人民政府')."""
    parts = [p for p in _NAME_SPLIT.split(title) if p and p != "首页"]
    governed = [p for p in parts if "政府" in p]
    return max(governed or parts, key=len) if parts else ""


def _span(years: list[int]) -> str:
    if not years:
        return "none stated"
    return f"{years[0]}–{years[-1]}" if len(years) > 1 else str(years[0])
