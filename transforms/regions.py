"""Region names → 6-digit administrative-division codes, from the division dataset jionlp ships.

The dataset is read as files (jionlp is never imported), parsed once per process, cached on disk, and
extended by config/regions_extra.yaml. Renamed units (县→区, 县→市) keep their old names as extra rows.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import zipfile
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from functools import cache
from pathlib import Path
from typing import Any

from nianbao.settings import ConfigError, load_config
from transforms.jionlp_data import jionlp_dictionary_file
from transforms.textmap import to_simplified

LEVELS = ("province", "city", "county")
PARSE_VERSION = 3  # bump when the parsed form changes: it names the on-disk cache
_LOCATION_LINE = re.compile(r"^(\t{0,2})([^\t\n]+)\t(\d{6})\t([^\t\n]*)$", re.MULTILINE)
_CJK = re.compile(r"[\u3400-\u9fff]")
# A two-character name ("和县", "成县") only counts at a word edge: after a non-Han character or a parent
# division's suffix, so that 乡镇和县直部门 or 完成县级 are not read as counties.
_PATH_SUFFIXES = frozenset("省市州盟区")


@dataclass(frozen=True, slots=True)
class Region:
    """One administrative division; a former name has the current code and valid_to = year it ended."""

    code: str
    name: str
    level: str
    parent_code: str | None
    province: str
    city: str | None
    valid_from: int | None = None
    valid_to: int | None = None

    def as_row(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True, slots=True)
class Mention:
    """A region name found in a text, with every division that name can denote."""

    name: str
    start: int
    candidates: tuple[Region, ...]


def _cache_file(sources: Iterable[Path]) -> Path:
    key = "-".join(f"{p.stat().st_size}.{p.stat().st_mtime_ns}" for p in sources)
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "nianbao" / f"regions-v{PARSE_VERSION}-{hashlib.sha256(key.encode()).hexdigest()[:16]}.json"


def _parse_locations(text: str) -> tuple[list[dict[str, Any]], dict[str, str]]:
    """Division rows, and the short names (广东, 广州) of provinces and cities by code."""
    rows: list[dict[str, Any]] = []
    shorts: dict[str, str] = {}
    province = city = None
    for match in _LOCATION_LINE.finditer(text):
        depth, name, code = len(match.group(1)), match.group(2).strip(), match.group(3)
        short = match.group(4).strip()
        if depth < 2 and short and "直辖" not in name:
            shorts.setdefault(code, short)
        if depth == 0:
            province = {"code": code, "name": name}
            city = None
            rows.append(
                {
                    "code": code,
                    "name": name,
                    "level": "province",
                    "parent_code": None,
                    "province": name,
                    "city": None,
                }
            )
        elif depth == 1 and province:
            if "直辖" in name:  # counties directly under the province (省直辖县级行政区划)
                city = {"code": province["code"], "name": None}
                continue
            city = {"code": code, "name": name}
            if code != province["code"]:
                rows.append(
                    {
                        "code": code,
                        "name": name,
                        "level": "city",
                        "parent_code": province["code"],
                        "province": province["name"],
                        "city": None,
                    }
                )
        elif depth == 2 and province and city:
            rows.append(
                {
                    "code": code,
                    "name": name,
                    "level": "county",
                    "parent_code": city["code"],
                    "province": province["name"],
                    "city": city["name"],
                }
            )
    return rows, shorts


def _parse_changes(text: str) -> list[dict[str, Any]]:
    """Renames as {year, old: [province, city, county?], new: [province, city, county?]}."""
    changes = []
    for line in text.splitlines():
        if "=>" not in line:
            continue
        left, right = line.split("=>", 1)
        old_fields = left.split("\t")
        new = [f.strip() for f in right.split("\t") if f.strip()]
        if len(old_fields) < 6 or not old_fields[0][:4].isdigit():
            continue
        # old side: date, approver, province, short, city, short[, county, short]
        old = [old_fields[2], old_fields[4]] + ([old_fields[6]] if len(old_fields) >= 8 else [])
        changes.append({"year": int(old_fields[0][:4]), "old": old, "new": new})
    return changes


def _load_dataset() -> dict[str, Any]:
    zipped = jionlp_dictionary_file("china_location.zip")
    change_file = jionlp_dictionary_file("china_location_change.txt")
    cached = _cache_file([zipped, change_file])
    if cached.is_file():
        try:
            return json.loads(cached.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            pass
    with zipfile.ZipFile(zipped) as archive:
        text = archive.read(archive.namelist()[0]).decode("utf-8")
    rows, shorts = _parse_locations(text)
    data = {
        "rows": rows,
        "shorts": shorts,
        "changes": _parse_changes(change_file.read_text(encoding="utf-8")),
    }
    try:
        cached.parent.mkdir(parents=True, exist_ok=True)
        tmp = cached.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
        tmp.replace(cached)
    except OSError:
        pass  # a read-only home only costs the parse on the next run
    return data


def _extra_config() -> dict[str, Any]:
    raw = load_config("regions_extra.yaml") or {}
    if not isinstance(raw, dict):
        raise ConfigError("config/regions_extra.yaml: expected a mapping with 'regions'")
    return raw


def _extra_regions(by_code: dict[str, Region]) -> tuple[list[Region], dict[str, tuple[str, int | None]]]:
    """The regions of config/regions_extra.yaml, and {old code: (new code, year)} for those that replace a
    dataset unit renamed and recoded after the dataset was compiled."""
    regions: list[Region] = []
    replaced: dict[str, tuple[str, int | None]] = {}
    known = dict(by_code)
    for entry in _extra_config().get("regions") or []:
        try:
            code, name, level = str(entry["code"]), str(entry["name"]), str(entry["level"])
        except (KeyError, TypeError) as exc:
            raise ConfigError(f"config/regions_extra.yaml: entry {entry!r} needs code, name, level") from exc
        if not re.fullmatch(r"\d{6}", code) or level not in LEVELS:
            raise ConfigError(f"config/regions_extra.yaml: entry {name!r}: bad code or level")
        parent = known.get(str(entry.get("parent") or ""))
        province = name if level == "province" else (parent.province if parent else "")
        city = parent.name if parent and level == "county" else None
        since = int(entry["since"]) if entry.get("since") else None
        region = Region(code, name, level, parent.code if parent else None, province, city, valid_from=since)
        regions.append(region)
        known[code] = region
        if entry.get("replaces"):
            replaced[str(entry["replaces"])] = (code, since)
    return regions, replaced


@cache
def all_regions() -> list[Region]:
    """Every division: current ones, former names of renamed ones, and config/regions_extra.yaml."""
    data = _load_dataset()
    renamed_in: dict[tuple[str, ...], int] = {}
    for change in data["changes"]:
        renamed_in[tuple(change["new"])] = change["year"]
    current: list[Region] = []
    taken: set[str] = set()
    for row in data["rows"]:
        # placeholders (市直辖行政区划) and units without a code of their own (they repeat a parent's) are
        # left out, so that a code names one current division
        if "直辖" in row["name"] or row["code"] in taken:
            continue
        taken.add(row["code"])
        path = tuple(p for p in (row["province"], row["city"], row["name"]) if p)
        if row["level"] == "city":
            path = (row["province"], row["name"])
        current.append(Region(**row, valid_from=renamed_in.get(path)))
    by_path: dict[tuple[str, ...], Region] = {}
    for region in current:
        path = (
            (region.province, region.name)
            if region.level != "county"
            else (region.province, region.city or "", region.name)
        )
        by_path[path] = region
    former: list[Region] = []
    seen: set[tuple[str, str]] = set()
    for change in data["changes"]:
        new = by_path.get(tuple(change["new"]))
        old_name = change["old"][-1]
        if new is None or old_name == new.name or (old_name, new.code) in seen:
            continue
        seen.add((old_name, new.code))
        former.append(
            Region(
                new.code,
                old_name,
                new.level,
                new.parent_code,
                new.province,
                new.city,
                valid_from=None,
                valid_to=change["year"],
            )
        )
    by_code = {r.code: r for r in current}
    extra, replaced = _extra_regions(by_code)
    if replaced:
        # the replaced unit's names (current and former) become former names of its successor
        rows = []
        for region in current + former:
            if region.code in replaced:
                code, since = replaced[region.code]
                region = Region(
                    code,
                    region.name,
                    region.level,
                    region.parent_code,
                    region.province,
                    region.city,
                    valid_from=None,
                    valid_to=region.valid_to or since,
                )
            rows.append(region)
        return rows + extra
    return current + former + extra


@cache
def _short_by_code() -> dict[str, str]:
    """The short name (广东, 广州) of each current province and city, by code."""
    shorts: dict[str, str] = dict(_load_dataset()["shorts"])
    for entry in _extra_config().get("regions") or []:
        if isinstance(entry, dict) and entry.get("short"):
            shorts[str(entry["code"])] = str(entry["short"])
    current = _current_by_code()
    return {
        code: short for code, short in shorts.items() if code in current and current[code].level != "county"
    }


def short_name_of(code: str) -> str | None:
    return _short_by_code().get(code)


@cache
def short_names() -> dict[str, tuple[Region, ...]]:
    """Current provinces and cities by their short name (广东 → 广东省, 广州 → 广州市; 吉林 → both)."""
    current = _current_by_code()
    index: dict[str, list[Region]] = {}
    for code, short in _short_by_code().items():
        index.setdefault(short, []).append(current[code])
    return {name: tuple(rows) for name, rows in index.items()}


def code_prefix(region: Region) -> str:
    """The part of the code its subdivisions share: 2 digits for a province, 4 for a city, 6 for a county."""
    return region.code[: {"province": 2, "city": 4}.get(region.level, 6)]


@cache
def _name_index() -> tuple[dict[str, tuple[Region, ...]], frozenset[str], int]:
    index: dict[str, list[Region]] = {}
    for region in all_regions():
        index.setdefault(region.name, []).append(region)
    ambiguous = set(_extra_config().get("ambiguous_names") or [])
    final = {
        name: tuple(rows)
        for name, rows in index.items()
        if name not in ambiguous and len(name) >= 2 and _CJK.match(name)
    }
    suffixes = frozenset(name[-1] for name in final)
    return final, suffixes, max(len(name) for name in final)


@cache
def _suffix_char() -> re.Pattern[str]:
    return re.compile("[" + "".join(re.escape(c) for c in sorted(_name_index()[1])) + "]")


@cache
def _name_lengths() -> dict[str, tuple[int, ...]]:
    """For each last two characters of a name (every name has two or more), the lengths of the names ending
    with them, longest first."""
    lengths: dict[str, set[int]] = {}
    for name in _name_index()[0]:
        lengths.setdefault(name[-2:], set()).add(len(name))
    return {tail: tuple(sorted(sizes, reverse=True)) for tail, sizes in lengths.items()}


def find_mentions(text: str) -> list[Mention]:
    """Region names in text (traditional characters accepted), longest name wins at each position."""
    index = _name_index()[0]
    name_lengths = _name_lengths()
    simple = to_simplified(text)
    mentions: list[Mention] = []
    last_end = 0
    for found in _suffix_char().finditer(simple):  # a name can only end at a character some name ends with
        end = found.end()
        for size in name_lengths.get(simple[end - 2 : end], ()) if end > 1 else ():
            if size > end - last_end:
                continue
            start = end - size
            name = simple[start:end]
            rows = index.get(name)
            if rows is None:
                continue
            before = simple[start - 1] if start > 0 else ""
            if size == 2 and before and _CJK.match(before) and before not in _PATH_SUFFIXES:
                continue
            if end < len(simple) and simple[end] == "域" and name[-1] == "区":
                break  # 区域 is "area", not a district
            mentions.append(Mention(name, start, rows))
            last_end = end
            break
    return mentions


def _ancestors(region: Region) -> set[str]:
    return {n for n in (region.province, region.city) if n}


def disambiguate(mention: Mention, named: set[str]) -> Region | None:
    """The one division a mention denotes, using other names in the text; None when still ambiguous."""
    if len(mention.candidates) == 1:
        return mention.candidates[0]
    scored = [(len(_ancestors(c) & named), c) for c in mention.candidates]
    best = max(score for score, _ in scored)
    winners = [c for score, c in scored if score == best]
    codes = {c.code for c in winners}
    if len(codes) == 1:
        # a municipality is both province and city: prefer the higher level row for one code
        return min(winners, key=lambda c: LEVELS.index(c.level))
    return None


def resolve_region(text: str, context: str = "") -> Region | None:
    """The most specific division text names: the first mention, or a later one lying inside it.

    ``context`` (e.g. the page body) only helps to tell apart duplicate names such as 新华区.
    """
    mentions = find_mentions(text)
    if not mentions:
        return None
    named = {m.name for m in mentions}
    if context and any(len(m.candidates) > 1 for m in mentions):
        named |= {m.name for m in find_mentions(context)}
    chosen: Region | None = None
    for mention in mentions:
        region = disambiguate(mention, named)
        if region is None:
            continue
        inside = chosen is not None and chosen.name in _ancestors(region)
        if chosen is None or (inside and LEVELS.index(region.level) > LEVELS.index(chosen.level)):
            chosen = region
    return chosen


@cache
def _current_by_code() -> dict[str, Region]:
    current: dict[str, Region] = {}
    for region in all_regions():
        if region.valid_to is None:
            current.setdefault(region.code, region)
    return current


def region_by_code(code: str) -> Region | None:
    """The current division with this code."""
    return _current_by_code().get(code)
