"""The section tree of a report body: 一、 (level 1), (一) (level 2), 一是 (level 3).

Heading patterns are in config/sections.yaml.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from nianbao.settings import ConfigError
from transforms.model import Section
from transforms.regex_gate import leading_chars
from transforms.rulebook import any_of, compiled

_TITLE_END = re.compile(r"[。；;！？!?]")


@dataclass(frozen=True, slots=True)
class _Level:
    level: int
    pattern: re.Pattern[str]


@dataclass(frozen=True, slots=True)
class _Rules:
    levels: tuple[_Level, ...]
    any_heading: re.Pattern[str]
    max_level: int
    title_max: int
    # where a line may open with a heading: spaces, then a character some heading starts with (at the start
    # of the body, or after a newline); None when the patterns do not tell, and every line is tried
    opening: re.Pattern[str] | None
    line_opening: re.Pattern[str] | None


def _build(raw: Any) -> _Rules:
    try:
        levels = tuple(_Level(int(entry["level"]), re.compile(entry["pattern"])) for entry in raw["levels"])
        unnamed = (re.sub(r"\(\?P<\w+>", "(?:", level.pattern.pattern) for level in levels)
        any_heading = re.compile(any_of(unnamed))
        first = leading_chars(any_heading.pattern)
        # (a heading is matched on the line stripped of spaces; \s is str.isspace, as strip() has it)
        opening = r"[^\S\n]*[" + "".join(re.escape(c) for c in sorted(first)) + "]" if first else None
        return _Rules(
            levels,
            any_heading,
            int(raw.get("max_level", 2)),
            int(raw.get("title_max_chars", 60)),
            re.compile(opening) if opening else None,
            re.compile("\n" + opening) if opening else None,
        )
    except (KeyError, TypeError, ValueError, re.error) as exc:
        raise ConfigError(f"config/sections.yaml: bad 'levels' entry: {exc}") from exc


def _rules() -> _Rules:
    return compiled("sections.yaml", _build)


def heading_of(line: str, rules: _Rules | None = None) -> Section | None:
    """The heading a body line opens with, at any configured level; None for an ordinary paragraph."""
    rules = rules or _rules()
    text = line.strip()
    if not rules.any_heading.match(text):
        return None
    for rule in rules.levels:
        match = rule.pattern.match(text)
        if not match:
            continue
        groups = match.groupdict()
        number = groups.get("number") or ""
        title = _TITLE_END.split(groups["title"], maxsplit=1)[0].strip()
        if not title or len(title) > rules.title_max:
            return None
        return Section(level=rule.level, number=number, title=title)
    return None


def find_sections(body: str) -> list[Section]:
    """Headings of the body in reading order, with their character offset; only levels up to max_level.

    A body divided into parts (第一部分) lists the parts at level 1 and everything else one level lower.
    """
    rules = _rules()
    found: list[Section] = []
    for offset in _candidate_lines(body, rules):
        end = body.find("\n", offset)
        line = body[offset:] if end < 0 else body[offset:end]
        section = heading_of(line, rules)
        if section is not None:
            section.start = offset + (len(line) - len(line.lstrip()))
            found.append(section)
    if any(s.level == 0 for s in found):
        for section in found:
            section.level += 1
    return [s for s in found if s.level <= rules.max_level]


def _candidate_lines(body: str, rules: _Rules) -> list[int]:
    """The offsets of the lines that may open with a heading (every line's when the rules do not tell)."""
    if rules.opening is None or rules.line_opening is None:
        starts = [0]
        at = body.find("\n")
        while at >= 0:
            starts.append(at + 1)
            at = body.find("\n", at + 1)
        return starts
    starts = [0] if rules.opening.match(body) else []
    starts.extend(match.start() + 1 for match in rules.line_opening.finditer(body))
    return starts
