"""The kind of a report (法治政府建设 / 政府信息公开 / 政府工作报告), and whether a page is a report at all.

Patterns are in config/kinds.yaml.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import islice
from typing import Any

from nianbao.settings import ConfigError
from transforms.rulebook import any_of, compiled
from transforms.textmap import to_simplified

OTHER = "other"


@dataclass(frozen=True, slots=True)
class _Kind:
    kind: str
    title: re.Pattern[str] | None
    body: re.Pattern[str] | None


def _either(patterns: object, where: str) -> re.Pattern[str] | None:
    if not patterns:
        return None
    if not isinstance(patterns, list):
        raise ConfigError(f"config/kinds.yaml: {where} must be a list of regexes")
    try:
        return re.compile(any_of(patterns))
    except re.error as exc:
        raise ConfigError(f"config/kinds.yaml: {where}: bad regex: {exc}") from exc


def _build(raw: Any) -> tuple[tuple[_Kind, ...], int]:
    try:
        kinds = tuple(
            _Kind(
                str(entry["kind"]),
                _either(entry.get("title"), f"{entry['kind']}.title"),
                _either(entry.get("body"), f"{entry['kind']}.body"),
            )
            for entry in raw["kinds"]
        )
        return kinds, int(raw.get("body_chars", 1500))
    except (KeyError, TypeError, ValueError) as exc:
        raise ConfigError(f"config/kinds.yaml: bad 'kinds' entry: {exc}") from exc


def report_kind(title: str | None, body: str) -> str:
    """The first kind whose title pattern matches the title; else the kind named earliest in the body."""
    kinds, body_chars = compiled("kinds.yaml", _build)
    if title:
        simple_title = to_simplified(title)
        for kind in kinds:
            if kind.title and kind.title.search(simple_title):
                return kind.kind
    start = to_simplified(body[:body_chars])
    first: tuple[int, str] | None = None
    for kind in kinds:
        match = kind.body.search(start) if kind.body else None
        if match and (first is None or match.start() < first[0]):
            first = (match.start(), kind.kind)
    return first[1] if first else OTHER


@dataclass(frozen=True, slots=True)
class _NotReportRules:
    error_page: re.Pattern[str]
    error_page_max_chars: int
    min_report_chars: int
    sentence_mark: re.Pattern[str]
    min_sentences: int
    reject_unknown_kind: bool


def _build_not_report(raw: Any) -> _NotReportRules:
    try:
        rules = raw["not_report"]
        return _NotReportRules(
            error_page=re.compile(any_of(rules["error_page"]), re.IGNORECASE),
            error_page_max_chars=int(rules["error_page_max_chars"]),
            min_report_chars=int(rules["min_report_chars"]),
            sentence_mark=re.compile(rules["sentence_marks"]),
            min_sentences=int(rules["min_sentences"]),
            reject_unknown_kind=bool(rules.get("reject_unknown_kind", False)),
        )
    except (KeyError, TypeError, ValueError, re.error) as exc:
        raise ConfigError(f"config/kinds.yaml: missing or bad 'not_report' entry: {exc}") from exc


def not_a_report_reason(title: str | None, body: str, kind: str) -> str | None:
    """Why a page is not a report (empty, an error page, a list of links, no report at all); None if it is."""
    rules = compiled("kinds.yaml", _build_not_report, part="not_report")
    text = body.strip()
    if not text:
        return "no report text after removing site chrome (an empty, list or navigation page)"
    if len(text) <= rules.error_page_max_chars:
        match = rules.error_page.search(text) or (rules.error_page.search(title) if title else None)
        if match:
            return f"error page served as a normal page ({match.group(0).strip()!r})"
    if len(text) < rules.min_report_chars:
        return f"too little text for a report ({len(text)} characters)"
    if len(list(islice(rules.sentence_mark.finditer(text), rules.min_sentences))) < rules.min_sentences:
        return "no sentences: a list or navigation page, not a report"
    if rules.reject_unknown_kind and kind == OTHER and not (title and "报告" in to_simplified(title)):
        return "no sign of a report: neither the title nor the opening names a report kind"
    return None
