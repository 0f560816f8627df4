"""Header lines above a report (发布时间, 来源, 索引号, 文号, 签发人 …): spotting them, reading values.

Labels and line shapes come from config/header_fields.yaml.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from nianbao.settings import ConfigError
from transforms.regex_gate import GatedPattern, required_strings
from transforms.rulebook import compiled
from transforms.textmap import to_simplified

CMS_DATE_LINE = re.compile(
    r"[\[【(（]?\s*(?:19|20)\d{2}[-/.]\d{1,2}[-/.]\d{1,2}(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?\s*[\]】)）]?"
)
DATE = re.compile(
    r"(?<!\d)((?:19|20)\d{2})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})(?!\d)\s*日?"
    r"(?:[\sT]*(\d{1,2})\s*[:：时]\s*(\d{2})(?:\s*[:：分]\s*(\d{2}))?)?"
)


@dataclass(frozen=True, slots=True)
class HeaderRules:
    label_field: dict[str, str]
    label_pattern: re.Pattern[str]
    colon_label: re.Pattern[str]
    max_line_chars: int
    doc_number_line: re.Pattern[str]
    title_line: re.Pattern[str]
    title_trailing_date: GatedPattern
    title_head_line: re.Pattern[str]
    title_tail_start: re.Pattern[str]
    title_open_head: re.Pattern[str]
    title_mid_line: re.Pattern[str]
    title_short: re.Pattern[str]
    # strings one of which every title_short match holds (None: not known)
    title_short_words: frozenset[str] | None
    title_subtitle: re.Pattern[str]
    title_wrapper: GatedPattern
    title_co_issuer: re.Pattern[str]
    title_doc_number: re.Pattern[str]
    title_head_part: re.Pattern[str]
    index_number_line: re.Pattern[str]
    bare_label: re.Pattern[str]
    tab_label: re.Pattern[str]
    empty_values: frozenset[str]
    published_labels: tuple[str, ...]
    body_label_line_chars: int
    spaced_label: re.Pattern[str]
    spaced_line_chars: int
    trailing_role: re.Pattern[str]

    def field_of(self, label: str) -> str:
        """The field a matched label names (a letter-spaced label, 索 引 号, as 索引号)."""
        return self.label_field[_LABEL_GAP.sub("", label)]


@dataclass(slots=True)
class HeaderValues:
    """What header lines state; each field holds the first value found, in label priority order."""

    values: dict[str, str] = field(default_factory=dict)
    unlabeled_date: str | None = None


_LABEL_GAP = re.compile(r"[ \u3000]")


def _spaced(word: str) -> str:
    """A label's regex that also matches it letter-spaced (索 引 号)."""
    return "[ \u3000]?".join(re.escape(c) for c in word)


def _compile(raw: Any, key: str) -> re.Pattern[str]:
    try:
        return re.compile(str(raw[key]))
    except (KeyError, TypeError, re.error) as exc:
        raise ConfigError(f"config/header_fields.yaml: {key!r} missing or not a valid regex: {exc}") from exc


def _build(raw: Any) -> HeaderRules:
    labels = raw.get("labels") if isinstance(raw, dict) else None
    if not isinstance(labels, dict):
        raise ConfigError("config/header_fields.yaml: 'labels' must map a field to a list of labels")
    label_field: dict[str, str] = {}
    for name, words in labels.items():
        if not isinstance(words, list) or not all(isinstance(w, str) and w for w in words):
            raise ConfigError(f"config/header_fields.yaml: labels.{name} must be a list of words")
        for word in words:
            label_field.setdefault(word, name)
    alternation = "|".join(_spaced(w) for w in sorted(label_field, key=len, reverse=True))
    roles = raw.get("trailing_roles") or []
    if not isinstance(roles, list) or not all(isinstance(w, str) and w for w in roles):
        raise ConfigError("config/header_fields.yaml: trailing_roles must be a list of words")
    return HeaderRules(
        label_field=label_field,
        label_pattern=re.compile(rf"(?P<label>{alternation})\s*(?:[:：]|[|｜](?=\s*\S))"),
        colon_label=re.compile(rf"(?P<label>{alternation})\s*[:：]"),
        max_line_chars=int(raw.get("max_line_chars", 160)),
        doc_number_line=_compile(raw, "doc_number_line"),
        title_line=_compile(raw, "title_line"),
        title_trailing_date=GatedPattern(_compile(raw, "title_trailing_date").pattern, common_keywords=True),
        title_head_line=_compile(raw, "title_head_line"),
        title_tail_start=_compile(raw, "title_tail_start"),
        title_open_head=_compile(raw, "title_open_head"),
        title_mid_line=_compile(raw, "title_mid_line"),
        title_short=_compile(raw, "title_short"),
        title_short_words=required_strings(_compile(raw, "title_short").pattern),
        title_subtitle=_compile(raw, "title_subtitle"),
        title_wrapper=GatedPattern(_compile(raw, "title_wrapper").pattern, common_keywords=True),
        title_co_issuer=_compile(raw, "title_co_issuer"),
        title_doc_number=_compile(raw, "title_doc_number"),
        title_head_part=_compile(raw, "title_head_part"),
        index_number_line=_compile(raw, "index_number_line"),
        bare_label=re.compile(rf"(?P<label>{alternation})\s*[:：]?"),
        tab_label=re.compile(rf"(?<!\S)(?P<label>{alternation})\t"),
        empty_values=frozenset(str(v) for v in raw.get("empty_values") or ()),
        published_labels=tuple(labels.get("published_at") or ()),
        body_label_line_chars=int(raw.get("body_label_line_chars", 80)),
        spaced_label=re.compile(
            rf"(?:^[•·▪\-\s]*[\u4e00-\u9fff]{{0,2}}/?|(?<=[\s/]))(?P<label>{alternation})[ \u3000\t](?=\s*\S)"
        ),
        spaced_line_chars=int(raw.get("spaced_line_chars", 40)),
        trailing_role=re.compile(r"\s+(?:" + "|".join(re.escape(w) for w in roles) + r")\s*$")
        if roles
        else re.compile(r"(?!)"),
    )


def header_rules() -> HeaderRules:
    """The compiled rules of config/header_fields.yaml (recompiled when the file changes)."""
    return compiled("header_fields.yaml", _build)


def _colonised(line: str, rules: HeaderRules) -> str:
    """An index-table row printed without colons, its labels followed by a tab or a space
    ("索引号\t123\t分类\t…", "发布机构 区府办 公开范围 面向全社会"), written as "索引号：123\t分类：…". One
    character stands for one, so
    offsets into the line still agree. A row counts when it opens with a label and is short, or holds two."""
    if "\t" in line:
        line = rules.tab_label.sub(r"\g<label>：", line)
    if rules.colon_label.search(line):
        return line
    labels = list(rules.spaced_label.finditer(line))
    if not labels or not rules.spaced_label.match(line):
        return line
    if len(labels) < 2 and len(line) > rules.spaced_line_chars:
        return line
    out = list(line)
    for match in labels:
        out[match.end() - 1] = "："
    return "".join(out)


def is_header_line(line: str, rules: HeaderRules | None = None) -> bool:
    """A line of metadata ("发布时间:…", an index-table row "发布机构 | …", a document number on its own).

    The line is in simplified characters.
    """
    rules = rules or header_rules()
    line = _colonised(line, rules)
    if rules.doc_number_line.fullmatch(line):
        return True
    if len(line) > rules.max_line_chars or "。" in line:
        return False
    return any(rules.field_of(m.group("label")) != "ignored" for m in rules.label_pattern.finditer(line))


def bare_label_of(line: str, rules: HeaderRules | None = None) -> str | None:
    """The label a line holds alone (an index table printing "索引号" above its value); simplified chars."""
    rules = rules or header_rules()
    match = rules.bare_label.fullmatch(line)
    if match is None or rules.field_of(match.group("label")) == "ignored":
        return None
    return match.group("label")


def opens_with_label(line: str, rules: HeaderRules | None = None) -> bool:
    """A short line that starts with a metadata label (a byline printed below the text); simplified chars."""
    rules = rules or header_rules()
    if len(line) > rules.body_label_line_chars or "。" in line:
        return False
    match = rules.colon_label.match(line.lstrip(" 【[(（"))
    return bool(match) and rules.field_of(match.group("label")) not in ("ignored", "index_info", "title")


_CN_DIGIT = {c: str(i) for i, c in enumerate("〇一二三四五六七八九")}
_CN_DIGIT |= {"○": "0", "零": "0", "Ｏ": "0", "O": "0"}
_CN_DATE = re.compile(
    r"(?P<year>[〇○零ＯO一二三四五六七八九]{4})\s*年"
    r"(?:\s*(?P<month>十[一二]?|[一二三四五六七八九])\s*月"
    r"(?:\s*(?P<day>[二三]?十[一二三四五六七八九]?|[一二三四五六七八九])\s*日)?)?"
)


def _cn_number(text: str) -> int:
    """一 … 三十一 as an integer."""
    if "十" not in text:
        return int(_CN_DIGIT[text])
    tens, _, ones = text.partition("十")
    return (int(_CN_DIGIT[tens]) if tens else 1) * 10 + (int(_CN_DIGIT[ones]) if ones else 0)


def arabic_dates(text: str) -> str:
    """Dates written in Chinese numerals (二〇二二年三月十日) rewritten in Arabic digits (2022年3月10日)."""
    if "年" not in text:
        return text

    def arabic(match: re.Match[str]) -> str:
        year = "".join(_CN_DIGIT[c] for c in match.group("year"))
        if not year.startswith(("19", "20")):
            return match.group(0)
        out = f"{year}年"
        if match.group("month"):
            out += f"{_cn_number(match.group('month'))}月"
        if match.group("day"):
            out += f"{_cn_number(match.group('day'))}日"
        return out

    return _CN_DATE.sub(arabic, text)


def format_date(match: re.Match[str]) -> str | None:
    """ISO 8601 for a DATE match: YYYY-MM-DD, with THH:MM (and :SS) when the time is printed."""
    year, month, day, hour, minute, second = match.groups()
    try:
        text = date(int(year), int(month), int(day)).isoformat()
    except ValueError:
        return None
    if hour is not None and int(hour) < 24 and int(minute) < 60:
        text += f"T{int(hour):02d}:{minute}"
        if second is not None:
            text += f":{second}"
    return text


def parse_date(text: str) -> str | None:
    """The first date in text (Arabic or Chinese numerals), as ISO 8601; None when there is none."""
    match = DATE.search(arabic_dates(text))
    return format_date(match) if match else None


_VALUE_END = re.compile(r"\s{2,}|\s+[^\s:：]{1,8}[:：]|[【\[]")


def _clean_value(value: str, rules: HeaderRules) -> str:
    """A label's value up to a wide gap, another (unknown) label or a bracketed button, without a trailing
    byline role printed with no name (来源:县政府网 通讯员)."""
    value = value.strip(" \t\u3000\xa0|｜【】[]")
    value = _VALUE_END.split(value, maxsplit=1)[0].strip(" \t\u3000\xa0|｜")
    return rules.trailing_role.sub("", value)


def parse_header_lines(lines: list[str]) -> HeaderValues:
    """Labelled values of header lines; a date with no label (来源:X  2021-03-22 21:29) is kept aside."""
    rules = header_rules()
    found: dict[str, list[tuple[str, str]]] = {}
    result = HeaderValues()
    for line in lines:
        if rules.doc_number_line.fullmatch(line):
            found.setdefault("doc_number", []).append(("", re.sub(r"\s+", "", line)))
            continue
        if CMS_DATE_LINE.fullmatch(line):
            result.unlabeled_date = result.unlabeled_date or parse_date(line)
            continue
        plain = to_simplified(line)
        simple = _colonised(plain, rules)
        if simple != plain:  # tabs or spaces after labels became colons: one character for one
            line = "".join("：" if a == "：" != b else c for a, b, c in zip(simple, plain, line, strict=True))
        matches = list(rules.label_pattern.finditer(simple))
        head = line[: matches[0].start()].strip() if matches else ""
        lead = DATE.search(arabic_dates(head)) if head else None
        if lead and result.unlabeled_date is None:  # the info line's date printed before its labels
            result.unlabeled_date = format_date(lead)
        if head and rules.doc_number_line.fullmatch(head):  # 东府〔2020〕3号 签发人:…
            found.setdefault("doc_number", []).append(("", re.sub(r"\s+", "", head)))
        for i, match in enumerate(matches):
            end = matches[i + 1].start() if i + 1 < len(matches) else len(line)
            label = match.group("label")
            name = rules.field_of(label)
            raw = line[match.end() : end]
            if name in ("published_at", "signed_on"):
                value = parse_date(raw)
            else:
                date = DATE.search(raw)
                if date:
                    if result.unlabeled_date is None:
                        result.unlabeled_date = format_date(date)
                    raw = raw[: date.start()]
                value = _clean_value(raw, rules) or None
            if value and name != "ignored" and value not in rules.empty_values:
                found.setdefault(name, []).append((label, value))
    for name, pairs in found.items():
        if name == "published_at":
            order = {label: i for i, label in enumerate(rules.published_labels)}
            pairs = [(_LABEL_GAP.sub("", label), value) for label, value in pairs]
            pairs = sorted(pairs, key=lambda pair: order.get(pair[0], len(order)))
            # the same day printed twice (an index table's date, a byline's date and time): the time too
            pairs = sorted(pairs, key=lambda pair: pair[1][:10] != pairs[0][1][:10] or "T" not in pair[1])
        result.values[name] = pairs[0][1]
    return result
