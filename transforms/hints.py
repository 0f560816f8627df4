"""User hints for what a page does not say (--region, --kind, --year): checking them, and how they combine
with what the page states.

Rule: a hint fills a field the page leaves empty. For kind and year the page wins when it states another
value (with a warning). For the region the hint also settles a name several divisions share; a region the
title, issuer, source or header lines name unambiguously wins over it (with a warning); see
transforms.page_region.
"""

from __future__ import annotations

import re
from datetime import date

from nianbao.settings import ConfigError
from transforms.model import Hints
from transforms.regions import Region, find_mentions, region_by_code
from transforms.report_kind import OTHER, report_kind
from transforms.rulebook import compiled
from transforms.textmap import to_simplified

FIRST_YEAR = 1978


class HintError(ValueError):
    """A hint value nianbao cannot use (unknown or ambiguous region, unknown kind, impossible year)."""


def parse_region(value: str) -> Region:
    """A region by 6-digit code, by name (示例县), or by a name with its province or city (广州市白云区)."""
    text = to_simplified(value.strip())
    if re.fullmatch(r"\d{6}", text):
        region = region_by_code(text)
        if region is None:
            raise HintError(f"unknown region code {text!r}")
        return region
    mentions = find_mentions(text)
    if not mentions or "".join(m.name for m in mentions) != text:
        raise HintError(f"unknown region {value!r} (give a division name such as 示例县, or its code)")
    matching: set[str] = {r.code for r in mentions[-1].candidates}
    for outer in mentions[:-1]:
        names = {r.name for r in outer.candidates}
        matching = {code for code in matching if _ancestor_names(code) & names}
    current = sorted(matching)
    if len(current) == 1:
        return region_by_code(current[0]) or mentions[-1].candidates[0]
    if not current:
        raise HintError(f"unknown region {value!r}: no {mentions[-1].name} lies in {mentions[0].name}")
    listed = ", ".join(f"{code} {_path(code)}" for code in current)
    raise HintError(
        f"ambiguous region {value!r}: {listed}; give its code, or its name with its province or "
        f"city ({_path(current[-1])})"
    )


def _ancestor_names(code: str) -> set[str]:
    region = region_by_code(code)
    return {n for n in (region.province, region.city) if n} if region else set()


def _path(code: str) -> str:
    region = region_by_code(code)
    if region is None:
        return code
    return "".join(dict.fromkeys(n for n in (region.province, region.city, region.name) if n))


def _kind_names(raw: object) -> tuple[str, ...]:
    try:
        return tuple(str(entry["kind"]) for entry in raw["kinds"])  # type: ignore[index]
    except (KeyError, TypeError) as exc:
        raise ConfigError(f"config/kinds.yaml: bad 'kinds' entry: {exc}") from exc


def parse_kind(value: str) -> str:
    """A kind by its code, or by words its title pattern recognises (政府工作报告, 法治政府建设年度报告)."""
    kinds = compiled("kinds.yaml", _kind_names, part="names")
    if value in kinds:
        return value
    named = report_kind(value, "")
    if named == OTHER:
        raise HintError(f"unknown report kind {value!r} (known: {', '.join(kinds)})")
    return named


def parse_year(value: str | int) -> int:
    text = str(value).strip()
    last = date.today().year
    if not re.fullmatch(r"\d{4}", text) or not FIRST_YEAR <= int(text) <= last:
        raise HintError(f"bad report year {text!r} (a year from {FIRST_YEAR} to {last})")
    return int(text)


def parse_hints(region: str | None = None, kind: str | None = None, year: str | int | None = None) -> Hints:
    """Checked hints; empty values mean no hint. Raises HintError with a one-line reason."""
    return Hints(
        region_code=parse_region(region).code if region and region.strip() else None,
        kind=parse_kind(kind.strip()) if kind and kind.strip() else None,
        year=parse_year(year) if year is not None and str(year).strip() else None,
    )


def hinted_kind(kind: str, hints: Hints, warnings: list[str]) -> str:
    """The page's kind; the hint's when the page shows none."""
    if hints.kind is None or hints.kind == kind:
        return kind
    if kind == OTHER:
        return hints.kind
    warnings.append(f"the page reads as {kind}: it is kept over the kind hint {hints.kind}")
    return kind


def hinted_year(year: int | None, hints: Hints, warnings: list[str]) -> int | None:
    """The year the page states; the hint's when it states none."""
    if hints.year is None or hints.year == year:
        return year
    if year is None:
        return hints.year
    warnings.append(f"the page states report year {year}: it is kept over the year hint {hints.year}")
    return year
