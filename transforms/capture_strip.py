"""Text capture → StrippedPage: drop site chrome line by line, set title and header lines apart from the body.

What counts as chrome, a header line, a title or the start of the report is in config/capture_chrome.yaml and
config/header_fields.yaml.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from typing import Any

from nianbao.settings import ConfigError
from transforms.header_fields import (
    CMS_DATE_LINE,
    DATE,
    HeaderRules,
    bare_label_of,
    header_rules,
    is_header_line,
    opens_with_label,
)
from transforms.metadata import issuer_of, plausible_title
from transforms.model import StrippedPage
from transforms.regex_gate import GatedAlternation, KeywordScan
from transforms.regions import find_mentions
from transforms.rulebook import compiled
from transforms.textmap import to_simplified

_SPACES = " \t\r\f\v\u3000\xa0\ufeff\u200b"
_NO_KEYWORDS: frozenset[str] = frozenset()
_YEAR = re.compile(r"(?:19|20)\d{2}")


@dataclass(frozen=True, slots=True)
class ChromeRules:
    chrome: GatedAlternation
    tail_start: GatedAlternation
    # the keywords of both (a line below the report's start is asked both questions)
    tail_scan: KeywordScan
    menu_line: re.Pattern[str]
    bar_menu: re.Pattern[str]
    heading: re.Pattern[str]
    addressee: re.Pattern[str]
    sentence: re.Pattern[str]
    not_start: re.Pattern[str]
    site_name: re.Pattern[str]
    max_chrome_chars: int
    bullet: re.Pattern[str]
    run_on_break: re.Pattern[str]
    run_on_chars: int
    run_on_counter: re.Pattern[str]
    title_lookahead: int


def _patterns(patterns: Any, key: str) -> list[str]:
    if not isinstance(patterns, list) or not patterns:
        raise ConfigError(f"config/capture_chrome.yaml: {key!r} must be a non-empty list of regexes")
    for pattern in patterns:
        try:
            re.compile(str(pattern))
        except re.error as exc:
            raise ConfigError(f"config/capture_chrome.yaml: {key}: bad regex {pattern!r}: {exc}") from exc
    return [str(pattern) for pattern in patterns]


def _build(raw: Any) -> ChromeRules:
    try:
        start = raw["body_start"]
        chrome = GatedAlternation(_patterns(raw.get("lines"), "lines"))
        tail_start = GatedAlternation(_patterns(raw.get("tail_starts"), "tail_starts"))
        return ChromeRules(
            chrome=chrome,
            tail_start=tail_start,
            tail_scan=KeywordScan([*chrome.keywords, *tail_start.keywords]),
            menu_line=re.compile(raw["menu_line"]),
            bar_menu=re.compile(raw["bar_menu"]),
            heading=re.compile(start["heading"]),
            addressee=re.compile(start["addressee"]),
            sentence=re.compile(start["sentence"]),
            not_start=re.compile(start["not_start"]),
            site_name=re.compile(raw["site_name"]),
            max_chrome_chars=int(raw.get("max_chrome_chars", 200)),
            bullet=re.compile(raw["bullet"]),
            run_on_break=re.compile(raw["run_on"]["break"]),
            run_on_chars=int(raw["run_on"]["min_chars"]),
            run_on_counter=re.compile(raw["run_on"]["counter_head"]),
            title_lookahead=int(start["title_lookahead"]),
        )
    except (KeyError, TypeError, re.error) as exc:
        raise ConfigError(f"config/capture_chrome.yaml: missing or bad entry: {exc}") from exc


def chrome_rules() -> ChromeRules:
    """Compiled rules of config/capture_chrome.yaml (recompiled when the file changes)."""
    return compiled("capture_chrome.yaml", _build)


_LETTER_SPACED = re.compile(r"[\u4e00-\u9fff](?:[ \u3000]{1,2}[\u4e00-\u9fff]){2,11}")
_LETTER_SPACED_CHARS = range(5, 35)  # the lengths _LETTER_SPACED can match: 1 + 2 × 2 up to 1 + 11 × 3


def unspaced(line: str) -> str:
    """A line printed letter-spaced (政 府 工 作 报 告) without its spaces; any other line as it is."""
    if len(line) in _LETTER_SPACED_CHARS and _LETTER_SPACED.fullmatch(line):
        return re.sub(r"[ \u3000]", "", line)
    return line


def clean_lines(text: str) -> list[str]:
    """Non-empty lines with surrounding spaces (ideographic and no-break ones too) removed; a line printed
    letter-spaced (政 府 工 作 报 告) is written without its spaces."""
    lines = []
    for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        line = unspaced(line.strip(_SPACES))
        if line:
            lines.append(line)
    return lines


def split_run_on(printed: list[str], simple: list[str], rules: ChromeRules) -> tuple[list[str], list[str]]:
    """Pages printed as one long line (chrome, title, header and paragraphs joined by spaces): a line longer
    than run_on.min_chars is cut at the gaps run_on.break names (a gap after a sentence end, before a label
    or a section heading, after a title). Cut points are found in the simplified line and applied to both.

    The lines are clean_lines' (trimmed, not empty): only the pieces of a cut line are trimmed again."""
    out_printed: list[str] = []
    out_simple: list[str] = []
    for line, plain in zip(printed, simple, strict=True):
        if len(plain) < rules.run_on_chars:
            out_printed.append(line)
            out_simple.append(plain)
            continue
        cuts = [0]
        for gap in rules.run_on_break.finditer(plain):
            cuts += [gap.start(), gap.end()]
        cuts.append(len(plain))
        for start, end in zip(cuts[::2], cuts[1::2], strict=True):
            counter = rules.run_on_counter.match(plain, start, end)
            pieces = [(start, counter.end()), (counter.end(), end)] if counter else [(start, end)]
            for a, b in pieces:
                if plain[a:b].strip(_SPACES):  # a cut piece may be a letter-spaced title (政 府 工 作 报 告)
                    out_printed.append(unspaced(line[a:b].strip(_SPACES)))
                    out_simple.append(unspaced(plain[a:b].strip(_SPACES)))
    return out_printed, out_simple


def is_chrome_line(line: str, rules: ChromeRules | None = None, found: frozenset[str] | None = None) -> bool:
    """Site chrome (a button, banner, breadcrumb, counter, footer line); line in simplified characters.

    ``found``: the keywords of rules.tail_scan the line holds, when the caller has them."""
    rules = rules or chrome_rules()
    return len(line) <= rules.max_chrome_chars and rules.chrome.fullmatch(line, found)


def starts_body(line: str, rules: ChromeRules | None = None) -> bool:
    """A section heading, an addressee line or a sentence: the report's own text (simplified characters)."""
    rules = rules or chrome_rules()
    if rules.heading.fullmatch(line):
        return True
    if rules.not_start.fullmatch(line):
        return False
    return bool(rules.addressee.fullmatch(line) or rules.sentence.fullmatch(line))


_UNKNOWN = -1  # a line's class not looked at yet (the memos of _Lines)


class _Lines:
    """A capture's lines as printed and in simplified characters, with the rules that classify them.

    Each line is classified once: the head's reading asks about the same lines many times (a title looked
    for within the next lines of every candidate start)."""

    __slots__ = ("_chrome", "_header", "_title", "chrome", "header", "printed", "simple")

    def __init__(
        self, printed: list[str], simple: list[str], chrome: ChromeRules, header: HeaderRules
    ) -> None:
        self.printed = printed
        self.simple = simple
        self.chrome = chrome
        self.header = header
        self._chrome: list[bool | None] = [None] * len(simple)
        self._header: list[bool | None] = [None] * len(simple)
        self._title: list[int | None] = [_UNKNOWN] * len(simple)

    def is_chrome(self, i: int, found: frozenset[str] | None = None) -> bool:
        known = self._chrome[i]
        if known is None:
            known = self._chrome[i] = is_chrome_line(self.simple[i], self.chrome, found)
        return known

    def is_header(self, i: int) -> bool:
        known = self._header[i]
        if known is None:
            line = self.simple[i]
            known = is_header_line(line, self.header) or CMS_DATE_LINE.fullmatch(line) is not None
            self._header[i] = known
        return known

    def title_text(self, line: str) -> str:
        """A title line without the publication date some templates print after it, the document number some
        print before it, and a mirror site's wrapping (a bracketed province before it, "(全文)" after it)."""
        line = self.header.title_trailing_date.sub("", line)
        line = self.header.title_doc_number.sub("", line, count=1)
        return self.header.title_wrapper.sub("", line)

    def _may_hold_title(self, line: str) -> bool:
        """Whether title_text(line) may be a short title: it holds every character of one of the strings each
        title_short match holds (title_text only takes characters away: a line lacking them needs no look)."""
        words = self.header.title_short_words
        return words is None or any(all(char in line for char in word) for word in words)

    def title_at(self, i: int) -> int | None:
        """First line of a title ending at line i: lines above that leave it open (an issuer line, "…关于",
        "关于2022年度政府信息公开") are part of it."""
        known = self._title[i]
        if known == _UNKNOWN:
            known = self._title[i] = self._title_at(i)
        return known

    def _title_at(self, i: int) -> int | None:
        if not self._may_hold_title(self.simple[i]):
            return None
        line = self.title_text(self.simple[i])
        if self.chrome.heading.fullmatch(line) or not self.header.title_short.fullmatch(line):
            return None
        if self.header.title_subtitle.fullmatch(self._below_header(i)):
            return i  # 政府工作报告 above its delivery subtitle (——在…会议上), the byline maybe between them
        first = i
        while first > 0:
            part = self._title_part(first - 1, first)
            if part is None:
                break
            first -= 1
            if part == "issuer":
                # joint issuers print one line each (中共X县委 / X县人民政府 / 2023年…报告)
                # (a line repeating the body below it is the site's masthead, not a second issuer)
                while (
                    first > 0 and self._co_issuer(first - 1) and self.simple[first - 1] != self.simple[first]
                ):
                    first -= 1
                break
        title = "".join(self.simple[first:i]) + line
        if not self.header.title_line.fullmatch(title):
            return None
        above = self.simple[first - 1] if first > 0 else ""
        if not _YEAR.search(title) and not find_mentions(title) and not find_mentions(above[-20:]):
            return None  # a column name such as 政府信息公开年度报告, not a report's title
        return first

    def _below_header(self, i: int) -> str:
        """The first line after line i that is neither chrome nor a header line ("" at the end)."""
        for j in range(i + 1, len(self.simple)):
            if not (self.is_chrome(j) or self.is_header(j)):
                return self.simple[j]
        return ""

    def _title_part(self, j: int, k: int) -> str | None:
        """How line j leads into the title line k below it: "open" (…关于 / 关于…政府信息公开), "issuer" (an
        issuing body above "关于…" / "2022年度…"), or None when line j is not part of the title."""
        line = self.simple[j]
        if (
            self.is_chrome(j)
            or self.is_header(j)
            or bare_label_of(line, self.header)
            or self.chrome.heading.fullmatch(line)
            or DATE.fullmatch(line)
        ):
            return None
        if self.header.title_open_head.fullmatch(line) or self.header.title_mid_line.fullmatch(line):
            return "open"
        if (
            self.header.title_head_line.fullmatch(line)
            and self.header.title_tail_start.match(self.simple[k])
            and not find_mentions(self.simple[k])
        ):
            return "issuer"  # (a tail naming its own region is a whole title: the line above is a masthead)
        broken_tail = self._names_nothing(k) and not self._names_nothing(j)
        if broken_tail and self.header.title_head_part.fullmatch(line):
            return "issuer"  # a title broken anywhere: its head names the region or year its tail lacks
        return None

    def _names_nothing(self, j: int) -> bool:
        """Line j names neither a year nor a region (a title's tail: 建设情况报告)."""
        line = self.simple[j]
        return not _YEAR.search(line) and not find_mentions(line)

    def _co_issuer(self, j: int) -> bool:
        """Line j is one more issuing body above an issuer line of a title (a party committee and the
        government issuing jointly)."""
        line = self.simple[j]
        if self.is_chrome(j) or self.is_header(j) or bare_label_of(line, self.header):
            return False
        head = self.header
        return bool(head.title_head_line.fullmatch(line) or head.title_co_issuer.fullmatch(line))

    def title_below(self, i: int) -> bool:
        """A report title is printed within the next lines (title_lookahead) after line i.

        A line is asked whether it is a title before whether it is chrome: most lines below a start are prose,
        which the title patterns reject at once, and the chrome question (a keyword scan of the line) is left
        for the body's reading, which has every line's keywords from one scan of the page."""
        stop = min(len(self.simple), i + 1 + self.chrome.title_lookahead)
        return any(self.title_at(j) is not None and not self.is_chrome(j) for j in range(i + 1, stop))

    def value_below(self, i: int) -> bool:
        """Line i + 1 is the value of the label printed alone on line i (index tables of 信息公开 pages)."""
        j = i + 1
        if j >= len(self.simple) or self.is_chrome(j) or bare_label_of(self.simple[j], self.header):
            return False
        below = self.simple[j]
        if self.header.label_pattern.search(below) or self.title_at(j) is not None:
            return False
        return len(below) <= 60 and not starts_body(below, self.chrome)


@dataclass(slots=True)
class Head:
    """What precedes a report's text: its title, header lines, the site's masthead lines, and the index of
    the line the text starts at (len(lines) when no line starts it)."""

    title: str | None
    header: list[str]
    site_names: list[str]
    body_from: int
    page: _Lines


def _issuer_rank(title: str) -> int:
    """0 for a title opening with its issuing body (示例县人民政府工作报告), 1 for one naming it after
    its year (2022年示例县人民政府工作报告), 2 for one naming none."""
    issuer = issuer_of(title)
    return 2 if issuer is None else 0 if title.startswith(issuer) else 1


def read_head(printed: list[str], simple: list[str]) -> Head:
    """Classify the lines above the report's text: chrome (dropped), title, header lines, masthead."""
    rules = chrome_rules()
    page = _Lines(printed, simple, rules, header_rules())
    later = Counter(simple)  # lines still to come: a heading printed twice is a contents entry
    toc = False  # the line above was an entry of a table of contents
    info_block = False  # inside an unlabelled page-info block (index number, office, dates) above the title
    titles: list[tuple[str, int, int]] = []  # (title, first line, last line)
    header: list[str] = []
    site_names: list[str] = []  # masthead lines (a portal group prints several: province, city, county)
    undated: list[str] = []  # bare dates above any title: the site's banner date when a title follows
    body_from = len(printed)
    skip = -1
    for i, line in enumerate(page.simple):
        later[line] -= 1
        if i == skip:
            continue
        bare = rules.bullet.sub("", line)
        if bare != line and bare_label_of(bare, page.header):  # • 成文日期: (its value on the next line)
            if page.value_below(i):
                header.append(f"{rules.bullet.sub('', printed[i]).rstrip(':：')}：{printed[i + 1]}")
                skip = i + 1
            continue
        if not titles and page.header.index_number_line.fullmatch(bare):
            header.append(rules.bullet.sub("", printed[i]))
            info_block = True
            continue
        if info_block and not titles and CMS_DATE_LINE.fullmatch(bare):
            header.append(rules.bullet.sub("", printed[i]))
            continue
        if page.is_chrome(i):
            continue
        if (
            rules.heading.fullmatch(line)
            and later[line] > 0
            and (
                toc
                or (
                    i + 1 < len(simple)
                    and rules.heading.fullmatch(simple[i + 1])
                    and later[simple[i + 1]] > 0
                )
            )
        ):
            toc = True
            continue  # a table of contents above the text: headings in a row, each printed again below
        toc = False
        if bare_label_of(line, page.header) and page.value_below(i):
            header.append(f"{printed[i].rstrip(':：')}：{printed[i + 1]}")
            skip = i + 1
            continue
        if page.is_header(i):
            if titles or not CMS_DATE_LINE.fullmatch(line):
                header.append(printed[i])
            else:
                undated.append(printed[i])
            continue
        if bare_label_of(line, page.header):
            continue
        first = page.title_at(i)
        if first is not None:
            titles.append((page.title_text("".join(printed[first : i + 1])), first, i))
            number = page.header.title_doc_number.match(printed[first])
            if number:
                header.append(number.group("number"))
            continue
        if not titles and rules.site_name.fullmatch(line):
            site_names.append(printed[i])
            continue
        if rules.menu_line.fullmatch(line) or rules.bar_menu.fullmatch(line):
            continue
        if starts_body(line, rules):
            if not titles and page.title_below(i):
                continue  # a slogan, notice or long index cell above the title is not the report's text
            body_from = i
            break
    # a page printing the title twice (headline, document heading) gives the first that opens with its issuer,
    # else the first naming one (a column's name printed like a title is none)
    named = [t for t, _, _ in titles if plausible_title(t, delivered=True)]
    title = min(named, key=_issuer_rank) if named else None
    if not titles:
        header = undated + header
    if titles:
        # lines between the first title and the body that are neither chrome nor titles: subtitles, speaker
        title_lines = {j for _, first, last in titles for j in range(first, last + 1)}
        for j in range(titles[0][1], body_from):
            if (
                j not in title_lines
                and not page.is_chrome(j)
                and not page.is_header(j)
                and not bare_label_of(page.simple[j], page.header)
            ):
                header.append(printed[j])
        header = [t for t, _, _ in titles] + header
    return Head(title, header, site_names, body_from, page)


def strip_capture(text: str) -> StrippedPage:
    """Split a capture into chrome (dropped), title, header lines and the report body.

    Lines are classified in simplified characters (traditional pages use the same templates) and kept as
    printed.
    """
    rules = chrome_rules()
    simplified = to_simplified(text)
    printed = clean_lines(text)
    # same lines: the mapping is one character to one character (most pages have nothing to map)
    simple = list(printed) if simplified == text else clean_lines(simplified)
    printed, simple = split_run_on(printed, simple, rules)
    head = read_head(printed, simple)
    page, header, title, body_from = head.page, head.header, head.title, head.body_from
    body: list[str] = []
    keywords = rules.tail_scan.found_in_lines(page.simple, body_from)
    for i in range(body_from, len(printed)):
        line = page.simple[i]
        found = keywords.get(i, _NO_KEYWORDS)
        if rules.tail_start.fullmatch(line, found):
            break
        if opens_with_label(line, page.header):
            header.append(printed[i])
        elif not page.is_chrome(i, found):
            body.append(printed[i])
    while body and rules.bar_menu.fullmatch(to_simplified(body[-1])):
        body.pop()
    if title and body and body[0] == title:
        body = body[1:]
    meta = {"sitename": " ".join(head.site_names)} if head.site_names else {}
    return StrippedPage(body_lines=body, header_lines=header, meta_tags=meta, title_hint=title, is_html=False)
