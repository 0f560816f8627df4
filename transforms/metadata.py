"""Report metadata from a stripped page: title, issuer, region, year, dates, source and the signing details.

Works the same on captures and HTML pages (meta tags, title hint, header lines, body). A field the page does
not state stays None. Patterns live in config/metadata.yaml and config/header_fields.yaml.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from nianbao.settings import ConfigError
from transforms.header_fields import HeaderValues, arabic_dates, parse_date, parse_header_lines
from transforms.model import Metadata, StrippedPage
from transforms.page_region import PageOrigin, RegionFinding, find_region
from transforms.regex_gate import GatedPattern, leading_chars
from transforms.regions import find_mentions
from transforms.report_kind import OTHER
from transforms.rulebook import compiled
from transforms.sections import heading_of
from transforms.textmap import to_simplified, traditional_forms

_YEAR = re.compile(r"((?:19|20)\d{2})\s*年")
# a signing body and its date on one line (示例县人民政府　2023年3月1日 / 二〇二三年三月一日)
_ORG_AND_DATE = re.compile(r"\s*(\S.*?)\s+((?:(?:19|20)\d{2}|[〇○零ＯO一二三四五六七八九]{4})\s*年.*?)\s*")


@dataclass(frozen=True, slots=True)
class MetadataRules:
    issuer_split: re.Pattern[str]
    issuer_after_year: re.Pattern[str]
    issuer_suffixes: tuple[str, ...]
    title_in_body: tuple[re.Pattern[str], ...]
    body_title_chars: int
    year_stated: tuple[re.Pattern[str], ...]
    year_line_start: re.Pattern[str]
    year_lines: int
    year_mentioned: tuple[re.Pattern[str], ...]
    year_body_chars: int
    session_year_kinds: frozenset[str]
    session_line: re.Pattern[str]
    addressee_line: re.Pattern[str]
    contact_person: re.Pattern[str]
    contact_phone: re.Pattern[str]
    cc: re.Pattern[str]
    signature_lines: int
    signature_org: re.Pattern[str]
    signature_date: re.Pattern[str]
    published_meta_tags: tuple[str, ...]
    source_meta_tags: tuple[str, ...]
    delivery_line: re.Pattern[str]
    delivery_lookahead: int
    speaker_line: GatedPattern
    multi_year_title: re.Pattern[str]
    site_title: re.Pattern[str]
    column_title: re.Pattern[str]
    # the characters, as printed, that one of contact_person, contact_phone and cc may start at (None: any)
    body_value_start: tuple[str, ...] | None


def _starts(patterns: list[str]) -> tuple[str, ...] | None:
    """The characters, in simplified or traditional form, the patterns' matches start with (looked for with
    str's own search: a regex class tests each character of the text in turn)."""
    firsts = [leading_chars(p) for p in patterns]
    if any(first is None for first in firsts):
        return None
    return tuple(sorted(traditional_forms(set().union(*firsts))))


def _patterns(raw: dict[str, Any], key: str) -> tuple[re.Pattern[str], ...]:
    value = raw.get(key)
    if not isinstance(value, list):
        raise ConfigError(f"config/metadata.yaml: {key!r} must be a list of regexes")
    return tuple(re.compile(p) for p in value)


_BODY_VALUES = ("contact_person", "contact_phone", "cc")


def _build(raw: Any) -> MetadataRules:
    try:
        return MetadataRules(
            issuer_split=re.compile(raw["issuer_split"]),
            issuer_after_year=re.compile(raw["issuer_after_year"]),
            issuer_suffixes=tuple(sorted(raw["issuer_suffixes"], key=len, reverse=True)),
            title_in_body=_patterns(raw, "title_in_body"),
            body_title_chars=int(raw["body_title_chars"]),
            year_stated=_patterns(raw, "year_stated"),
            year_line_start=re.compile(raw["year_line_start"]),
            year_lines=int(raw["year_lines"]),
            year_mentioned=_patterns(raw, "year_mentioned"),
            year_body_chars=int(raw["year_body_chars"]),
            session_year_kinds=frozenset(raw["session_year_kinds"]),
            session_line=re.compile(raw["session_line"]),
            addressee_line=re.compile(raw["addressee_line"]),
            contact_person=re.compile(raw["contact_person"]),
            contact_phone=re.compile(raw["contact_phone"]),
            cc=re.compile(raw["cc"], re.MULTILINE),
            signature_lines=int(raw["signature_lines"]),
            signature_org=re.compile(raw["signature_org"]),
            signature_date=re.compile(raw["signature_date"]),
            published_meta_tags=tuple(str(name).lower() for name in raw["published_meta_tags"]),
            source_meta_tags=tuple(str(name).lower() for name in raw["source_meta_tags"]),
            delivery_line=re.compile(raw["delivery_line"]),
            delivery_lookahead=int(raw["delivery_lookahead"]),
            speaker_line=GatedPattern(raw["speaker_line"]),
            multi_year_title=re.compile(raw["multi_year_title"]),
            site_title=re.compile(raw["site_title"]),
            column_title=re.compile(raw["column_title"]),
            body_value_start=_starts([str(raw[key]) for key in _BODY_VALUES]),
        )
    except (KeyError, TypeError, ValueError, re.error) as exc:
        raise ConfigError(f"config/metadata.yaml: missing or bad entry: {exc}") from exc


def metadata_rules() -> MetadataRules:
    return compiled("metadata.yaml", _build)


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


@dataclass(frozen=True, slots=True)
class Delivery:
    """What a speech's delivery and speaker lines state (——2025年1月10日在X县第N届人民代表大会…会议上 /
    X县人民政府县长 张三): the session's year and date, where it sat, who spoke and for which body."""

    text: str | None = None
    year: int | None = None
    date: str | None = None
    speaker: str | None = None
    speaker_body: str | None = None


# the last delivery_of answer: a page's title, year and metadata each ask about the same lines
_last_delivery: tuple[MetadataRules, tuple[str, ...], Delivery] | None = None


def delivery_of(lines: list[str]) -> Delivery:
    """The delivery and speaker lines among ``lines`` (a page's header lines and the opening of its body). A
    delivery line broken before the session's name is read with the lines below it."""
    global _last_delivery
    rules = metadata_rules()
    key = tuple(lines)
    last = _last_delivery
    if last is not None and last[0] is rules and last[1] == key:
        return last[2]
    delivery = _read_delivery(lines, rules)
    _last_delivery = (rules, key, delivery)
    return delivery


def _read_delivery(lines: list[str], rules: MetadataRules) -> Delivery:
    simple = [arabic_dates(to_simplified(line)) for line in lines]
    text = year = date = speaker = body = None
    for i, line in enumerate(simple):
        if text is None:
            joined = "".join(simple[i : i + rules.delivery_lookahead])
            match = rules.delivery_line.match(joined)
            if match:
                text = joined[: match.end()]
                printed_year = match.group("year") or match.group("year2")
                year = int(printed_year) if printed_year else None
                printed_date = match.group("date") or match.group("date2")
                if printed_date is None:
                    printed_date = _date_line_below(simple[i + 1 : i + 1 + rules.delivery_lookahead])
                    year = int(printed_date[:4]) if printed_date else year
                date = parse_date(printed_date) if printed_date else None
        found = rules.speaker_line.search(line)
        if speaker is None and found:
            speaker = found.group("name")
            body = found.group("body") or None
    return Delivery(text=text, year=year, date=date, speaker=speaker, speaker_body=body)


def _date_line_below(lines: list[str]) -> str | None:
    """A date printed alone on one of ``lines`` (a delivery line's date below it), as printed."""
    pattern = metadata_rules().signature_date
    return next((line.strip() for line in lines if pattern.fullmatch(line.strip())), None)


def speech_delivery(header_lines: list[str], body: str) -> Delivery:
    """delivery_of the header lines and the first lines of the body (where HTML pages print them)."""
    lines = metadata_rules().delivery_lookahead + 2
    return delivery_of(header_lines + body.split("\n", lines)[:lines])


def plausible_title(title: str | None, delivered: bool = False) -> str | None:
    """The title unless it is the site's or a column's name (…人民政府门户网站, or 法治政府建设年度报告
    with no region or year). A bare 政府工作报告 is a title when the page prints its delivery line."""
    if not title:
        return None
    rules = metadata_rules()
    simple = to_simplified(_squash(title))
    if rules.site_title.fullmatch(simple):
        return None
    if rules.column_title.fullmatch(simple) and not (delivered and "工作报告" in simple):
        return None
    return title


def title_of(page: StrippedPage, body: str, header: HeaderValues | None = None) -> str | None:
    """The printed title; else ArticleTitle or an index-table 名称; else one the opening sentence states.

    ``header``: parse_header_lines(page.header_lines) when the caller has it already.
    """
    delivered = speech_delivery(page.header_lines, body).text is not None
    title = plausible_title(page.title_hint, delivered) or plausible_title(page.meta_tags.get("articletitle"))
    if not title and page.header_lines:
        if header is None:
            header = parse_header_lines(page.header_lines)
        title = plausible_title(header.values.get("title"))
    if title and title.strip():
        return _squash(title)
    rules = metadata_rules()
    start = body[: rules.body_title_chars]
    simple = to_simplified(start)
    for pattern in rules.title_in_body:
        match = pattern.search(simple)
        if match:
            return start[match.start("title") : match.end("title")].strip()
    return None


def issuer_of(title: str | None) -> str | None:
    """The issuing body named at the head of the title (东辽县人民政府关于… → 东辽县人民政府)."""
    if not title:
        return None
    rules = metadata_rules()
    simple = to_simplified(title)
    lead = rules.issuer_after_year.match(simple)
    start = lead.end() if lead else 0  # 2024年X县人民政府工作报告: the body follows the session year
    match = rules.issuer_split.search(simple, start)
    if not match or match.start() == start:
        return None
    head = simple[start : match.start()].strip()
    if lead and not find_mentions(head):
        return None  # 2016年换届政府工作报告: after a year, only a named region's body is an issuer
    if head.endswith(rules.issuer_suffixes) and head not in rules.issuer_suffixes:
        return title[start : match.start()].strip()
    return None


def addressee_of(body_lines: list[str]) -> str | None:
    """The addressee line that opens the body (辽源市人民政府:), if any."""
    if not body_lines:
        return None
    first = body_lines[0]
    match = metadata_rules().addressee_line.fullmatch(first)
    if match and heading_of(first) is None:
        return first[: match.end("addressee")].strip()
    return None


def signature_of(body_lines: list[str]) -> tuple[str | None, str | None]:
    """(issuing body, ISO date) of the signing block at the end of the body: an org line above a date line,
    or both on one line, the date after a gap (示例县人民政府　2023年3月1日)."""
    rules = metadata_rules()
    tail = body_lines[-rules.signature_lines :]
    for i in range(len(tail) - 1, -1, -1):
        date_line = rules.signature_date.fullmatch(arabic_dates(tail[i]))
        if i > 0 and date_line and rules.signature_org.fullmatch(to_simplified(tail[i - 1])):
            return tail[i - 1], parse_date(tail[i])
        both = _ORG_AND_DATE.fullmatch(tail[i]) if "年" in tail[i] else None  # (the date holds a 年)
        if (
            both
            and rules.signature_date.fullmatch(arabic_dates(both.group(2)))
            and rules.signature_org.fullmatch(to_simplified(both.group(1)))
        ):
            return both.group(1), parse_date(both.group(2))
    return None, None


def _first(pattern: re.Pattern[str], simple: str, text: str) -> str | None:
    """The 'value' group of the first match in the simplified text, cut from the text as printed."""
    match = pattern.search(simple)
    return text[match.start("value") : match.end("value")].strip() if match else None


def report_year_of(
    title: str | None, body: str, kind: str | None, header_lines: list[str] | None = None
) -> int | None:
    """The year a report covers, as the page states it: from the title, else the body's opening.

    A 政府工作报告 covers the year before its session (the session year is in its title or delivery subtitle).
    Only the title counts for a page of no known report kind. A page that states no year gives None: the
    publication date is not the year covered.
    """
    rules = metadata_rules()
    session_kind = kind in rules.session_year_kinds
    if title:
        simple_title = arabic_dates(to_simplified(title))
        if rules.multi_year_title.search(simple_title):
            return None  # a term's report (换届, 2016—2020年) covers several years
        match = _YEAR.search(simple_title)
        if match:
            year = int(match.group(1))
            return year - 1 if session_kind else year
    if kind is None or kind == OTHER:
        return None
    if session_kind:
        delivery = speech_delivery(header_lines or [], body)
        if delivery.year is not None:
            return delivery.year - 1
        for line in header_lines or ():
            match = rules.session_line.search(to_simplified(line))
            if match:
                return int(match.group("year")) - 1
    start = arabic_dates(to_simplified(body[: rules.year_body_chars]))
    for pattern in rules.year_stated:
        match = pattern.search(start)
        if match:
            return int(match.group("year"))
    for line in start.split("\n")[: rules.year_lines]:
        match = rules.year_line_start.match(line)
        if match:
            return int(match.group("year"))
    for pattern in rules.year_mentioned:
        match = pattern.search(start)
        if match:
            return int(match.group("year"))
    return None


def read_metadata(
    page: StrippedPage, body_lines: list[str], kind: str | None, title: str | None = None
) -> Metadata:
    """Every metadata field the page states; None for the others. ``title``: title_of(page) if known."""
    return read_metadata_and_region(page, body_lines, kind, title)[0]


def read_metadata_and_region(
    page: StrippedPage,
    body_lines: list[str],
    kind: str | None,
    title: str | None = None,
    origin: PageOrigin | None = None,
) -> tuple[Metadata, RegionFinding]:
    """read_metadata, and how the region was found (transforms.page_region); ``origin``: the whole page as
    decoded, its URL and the user's region hint, when known."""
    rules = metadata_rules()
    body = "\n".join(body_lines)
    values: tuple[str | None, ...] = (None, None, None)  # contact person, contact phone, cc
    if rules.body_value_start is None or any(char in body for char in rules.body_value_start):
        simple_body = to_simplified(body)
        values = tuple(
            _first(p, simple_body, body) for p in (rules.contact_person, rules.contact_phone, rules.cc)
        )
    header = parse_header_lines(page.header_lines)
    meta = page.meta_tags
    title = title or title_of(page, body, header)
    addressee = addressee_of(body_lines)
    signed_by, signed_on = signature_of(body_lines)
    delivery = speech_delivery(page.header_lines, body)
    issuer = issuer_of(title) or signed_by or delivery.speaker_body or header.values.get("publisher")
    published = next(
        (
            date
            for name in rules.published_meta_tags
            if meta.get(name)
            for date in [parse_date(meta[name])]
            if date
        ),
        None,
    )
    published = published or header.values.get("published_at") or header.unlabeled_date
    source = (
        next((meta[name] for name in rules.source_meta_tags if meta.get(name)), None)
        or header.values.get("source")
        or header.values.get("publisher")
    )
    metadata = Metadata(
        title=title,
        issuer=issuer,
        report_year=report_year_of(title, body, kind, page.header_lines),
        published_at=published,
        source=_squash(source) if source else None,
        doc_number=header.values.get("doc_number"),
        signer=header.values.get("signer") or delivery.speaker,
        addressee=addressee,
        signed_on=delivery.date or header.values.get("signed_on") or signed_on,
        contact_person=values[0],
        contact_phone=values[1],
        cc=values[2],
    )
    found = find_region(page, metadata, origin or PageOrigin())
    metadata.region_name = found.region.name if found.region else None
    metadata.region_code = found.region.code if found.region else None
    return metadata, found
