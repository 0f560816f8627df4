"""Clues on a page that tell apart divisions sharing a name: places named, ICP prefix, printed division codes,
telephone area codes, the URL's host and site, the user's hint. Rules in config/region_clues.yaml.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any
from urllib.parse import urlsplit

from nianbao.settings import ConfigError
from transforms.jionlp_data import jionlp_dictionary_file
from transforms.regex_gate import FirstCharSearch
from transforms.regions import (
    LEVELS,
    Region,
    code_prefix,
    find_mentions,
    region_by_code,
    short_name_of,
    short_names,
)
from transforms.rulebook import compiled
from transforms.site_hosts import site_for_url
from transforms.textmap import to_simplified

CLUE_KINDS = ("named", "named_short", "icp", "filing_code", "site_code", "area_code", "host", "site", "hint")


@dataclass(frozen=True, slots=True)
class ClueRules:
    weights: dict[str, int]
    body_chars: int
    subject_after: re.Pattern[str]
    superior_after: re.Pattern[str]
    county_self_reference: re.Pattern[str]
    icp_pattern: re.Pattern[str]
    icp: dict[str, str]
    code_marks: tuple[tuple[str, re.Pattern[str]], ...]
    gov_site_marks: re.Pattern[str]
    gov_site_owner: re.Pattern[str]
    phone_pattern: re.Pattern[str]
    area_codes: dict[str, str]
    hosts: dict[str, str]
    own_url_patterns: tuple[re.Pattern[str], ...]
    head_chars: int
    site_owner_patterns: tuple[FirstCharSearch, ...]


def _codes(raw: Any, key: str) -> dict[str, str]:
    value = raw.get(key) or {}
    if not isinstance(value, dict) or not all(re.fullmatch(r"\d{6}", str(v)) for v in value.values()):
        raise ConfigError(f"config/region_clues.yaml: {key!r} must map keys to 6-digit region codes")
    return {str(k).lower(): str(v) for k, v in value.items()}


def _clue_kind(kind: object) -> str:
    if kind not in CLUE_KINDS:
        raise ConfigError(f"config/region_clues.yaml: code_marks: unknown clue kind {kind!r}")
    return str(kind)


def _build(raw: Any) -> ClueRules:
    if not isinstance(raw, dict):
        raise ConfigError("config/region_clues.yaml: expected a mapping")
    try:
        weights = {str(k): int(v) for k, v in raw["weights"].items()}
        missing = set(CLUE_KINDS) - set(weights)
        if missing:
            raise ConfigError(f"config/region_clues.yaml: weights lack {', '.join(sorted(missing))}")
        return ClueRules(
            weights=weights,
            body_chars=int(raw["body_chars"]),
            subject_after=re.compile(raw["subject_after"]),
            superior_after=re.compile(raw["superior_after"]),
            county_self_reference=re.compile(raw["county_self_reference"]),
            icp_pattern=re.compile(raw["icp_pattern"]),
            icp=_codes(raw, "icp"),
            code_marks=tuple((_clue_kind(kind), re.compile(p)) for kind, p in raw["code_marks"].items()),
            gov_site_marks=re.compile(raw["gov_site_marks"]),
            gov_site_owner=re.compile(raw["gov_site_owner"]),
            phone_pattern=re.compile(raw["phone_pattern"]),
            area_codes=_codes(raw, "area_codes"),
            hosts=_codes(raw, "hosts"),
            own_url_patterns=tuple(re.compile(p, re.IGNORECASE) for p in raw["own_url_patterns"]),
            head_chars=int(raw["head_chars"]),
            site_owner_patterns=tuple(FirstCharSearch(p) for p in raw["site_owner_patterns"]),
        )
    except (KeyError, TypeError, ValueError, AttributeError, re.error) as exc:
        raise ConfigError(f"config/region_clues.yaml: missing or bad entry: {exc}") from exc


def clue_rules() -> ClueRules:
    return compiled("region_clues.yaml", _build)


@dataclass(frozen=True, slots=True)
class Clue:
    """One clue: what the page shows, and the code prefix of the division it points to."""

    kind: str
    text: str
    prefix: str
    weight: int

    def describe(self) -> str:
        return f"{self.kind}: {self.text}"


@dataclass(frozen=True, slots=True)
class Choice:
    """The division a name denotes (with the clues that decided), or the candidates it leaves open."""

    region: Region | None
    decided_by: tuple[Clue, ...] = ()
    candidates: tuple[Region, ...] = ()


def distinct(candidates: Iterable[Region]) -> list[Region]:
    """One row per code (a municipality is a province and a city: keep the higher level)."""
    by_code: dict[str, Region] = {}
    for region in candidates:
        kept = by_code.get(region.code)
        if (
            kept is None
            or LEVELS.index(region.level) < LEVELS.index(kept.level)
            or (kept.valid_to is not None and region.valid_to is None)
        ):
            by_code[region.code] = region
    return list(by_code.values())


class Clues:
    """Every clue one page gives; ``text``: the page's own words, searched for the short names of a
    candidate's province and city when a shared name is weighed.

    Gathered on first use: a page whose issuer or title names a division no other shares needs none.
    """

    __slots__ = ("_gather", "_gathered")

    def __init__(self, gather: Callable[[], tuple[tuple[Clue, ...], str]]) -> None:
        self._gather = gather
        self._gathered: tuple[tuple[Clue, ...], str] | None = None

    def _found(self) -> tuple[tuple[Clue, ...], str]:
        if self._gathered is None:
            self._gathered = self._gather()
        return self._gathered

    @property
    def items(self) -> tuple[Clue, ...]:
        return self._found()[0]

    @property
    def text(self) -> str:
        return self._found()[1]

    def supporting(self, region: Region) -> list[Clue]:
        found = {(c.kind, c.prefix): c for c in self.items if region.code.startswith(c.prefix)}
        weight = clue_rules().weights["named_short"]
        for code in (region.code[:2] + "0000", region.code[:4] + "00"):
            short = short_name_of(code)
            outer = region_by_code(code)
            if short and outer is not None and short in self.text:
                found.setdefault(
                    ("named_short", code_prefix(outer)),
                    Clue("named_short", short, code_prefix(outer), weight),
                )
        return list(found.values())

    def choose(self, candidates: Sequence[Region]) -> Choice:
        """The candidate the clues favour; Choice(None, candidates=…) when they tie or say nothing."""
        rows = distinct(candidates)
        if len(rows) == 1:
            return Choice(rows[0])
        scored = sorted(
            ((sum(c.weight for c in self.supporting(r)), r) for r in rows), key=lambda pair: -pair[0]
        )
        if scored[0][0] > 0 and scored[0][0] > scored[1][0]:
            return Choice(scored[0][1], tuple(self.supporting(scored[0][1])), tuple(rows))
        return Choice(None, candidates=tuple(rows))

    def with_hint(self, hint: Region | None) -> Clues:
        if hint is None:
            return self
        weight = clue_rules().weights["hint"]
        clue = Clue("hint", f"{hint.code} {hint.name}", code_prefix(hint), weight)
        return Clues(lambda: ((*self.items, clue), self.text))


@cache
def _area_table() -> dict[str, str]:
    """jionlp's landline area codes as {area code: region code} (province/city short names resolved)."""
    shorts = short_names()
    table: dict[str, str] = {}
    path = jionlp_dictionary_file("landline_phone_area_code.txt")
    for line in path.read_text(encoding="utf-8").splitlines():
        parts = line.split()
        if len(parts) != 2 or "/" not in parts[1]:
            continue
        province_short, city_short = parts[1].split("/", 1)
        provinces = [r for r in shorts.get(province_short, ()) if r.level == "province"]
        if len(provinces) != 1:
            continue
        province = provinces[0]
        if city_short == province_short and province_short in ("北京", "天津", "上海", "重庆"):
            table[parts[0]] = province.code
            continue
        cities = [r for r in shorts.get(city_short, ()) if r.level == "city" and r.province == province.name]
        if len(cities) == 1:
            table[parts[0]] = cities[0].code
    return table


def area_region_code(area: str) -> str | None:
    rules = clue_rules()
    return rules.area_codes.get(area) or _area_table().get(area)


def own_url(page_text: str) -> str | None:
    """The page's canonical or og:url address, when the HTML states one."""
    rules = clue_rules()
    head = page_text[: rules.head_chars]
    for pattern in rules.own_url_patterns:
        match = pattern.search(head)
        if match:
            return match.group("url")
    return None


def site_owners(page_text: str) -> list[str]:
    """The names a page gives its site's owner (footer 主办/版权所有, the window title's last segment)."""
    owners: list[str] = []
    for pattern in clue_rules().site_owner_patterns:
        match = pattern.search(page_text)
        if match:
            owners.append(match.group("owner"))
    return owners


def _named_clues(text: str, weights: dict[str, int]) -> list[Clue]:
    clues: list[Clue] = []
    for mention in find_mentions(text):
        rows = distinct(mention.candidates)
        if len(rows) != 1:
            continue
        region = rows[0]
        if region.level == "county":  # a sibling county points to its city
            clues.append(Clue("named_short", mention.name, region.code[:4], weights["named_short"]))
        else:
            clues.append(Clue("named", mention.name, code_prefix(region), weights["named"]))
    return clues


def _printed_clues(page_text: str, rules: ClueRules) -> list[Clue]:
    weights = rules.weights
    clues: list[Clue] = []
    for match in rules.icp_pattern.finditer(page_text):
        abbr = page_text[: match.start()].rstrip()[-1:]
        code = rules.icp.get(abbr)
        if code:
            clues.append(Clue("icp", abbr + match.group(0), code[:2], weights["icp"]))
    for kind, pattern in rules.code_marks:
        for match in pattern.finditer(page_text):
            region = region_by_code(match.group("code"))
            if region is not None:
                clues.append(Clue(kind, match.group(0), code_prefix(region), weights[kind]))
    for match in rules.phone_pattern.finditer(page_text):
        before = page_text[match.start() - 1] if match.start() else ""
        if match.group("close") is not None:
            if before not in ("(", "（"):
                continue  # an unbalanced bracket
        elif before.isdigit() or (before.isascii() and before.isalnum()):
            continue  # part of a longer number or code
        area = match.group("area")
        code = area_region_code(area)
        if code:
            region = region_by_code(code)
            if region is not None:
                clues.append(Clue("area_code", area, code_prefix(region), weights["area_code"]))
    return clues


def host_clues(url: str | None) -> tuple[list[Clue], Region | None]:
    """Clues from a URL: its host's province or city domain, and the site of config/sources.yaml it belongs
    to (with that site's region when one site claims the address)."""
    if not url:
        return [], None
    host = (urlsplit(url).hostname or "").lower()
    if not host:
        return [], None
    rules = clue_rules()
    clues: list[Clue] = []
    for domain, code in rules.hosts.items():
        if host == domain or host.endswith("." + domain):
            region = region_by_code(code)
            if region is not None:
                clues.append(Clue("host", host, code_prefix(region), rules.weights["host"]))
    site = site_for_url(url)
    if site is None:
        return clues, None
    region = region_by_code(site.region_code)
    if region is None:
        return clues, None
    clues.append(Clue("site", f"{site.site_id} ({host})", region.code, rules.weights["site"]))
    return clues, region


def government_site(page_text: str, url: str | None, owners: Sequence[str]) -> bool:
    """Whether the page is on a government site (so what the site prints describes the report's region)."""
    rules = clue_rules()
    host = (urlsplit(url).hostname or "").lower() if url else ""
    return (
        host.endswith(".gov.cn")
        or any(rules.gov_site_owner.search(owner) for owner in owners)
        or rules.gov_site_marks.search(page_text) is not None
    )


def page_clues(
    named_text: str, page_text: str, url: str | None, owners: Sequence[str] = ()
) -> tuple[Clues, Region | None]:
    """Every clue a page gives, and the region of the config/sources.yaml site its URL belongs to.

    ``named_text``: the page's own words (title, header, body start); ``page_text``: the whole page as
    decoded, footer included (ICP, filing numbers, phone numbers, canonical address), searched for printed
    clues only on a government site; ``owners``: the names the page gives its site's owner.
    """
    rules = clue_rules()
    url = url or own_url(page_text)
    from_host, site_region = host_clues(url)

    def gather() -> tuple[tuple[Clue, ...], str]:
        printed = page_text if government_site(page_text, url, owners) else named_text
        clues = [*_named_clues(named_text, rules.weights), *_printed_clues(printed, rules), *from_host]
        unique: dict[tuple[str, str], Clue] = {}
        for clue in clues:
            unique.setdefault((clue.kind, clue.prefix), clue)
        return tuple(unique.values()), to_simplified(named_text)

    return Clues(gather), site_region
