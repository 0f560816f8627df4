"""Find quantity mentions in a report body: the only per-report Python of the figures transform.

One regex scan per body yields raw mention rows (numeral strings, scale, measure word, hedges, offsets and
the clause/sentence context the indicator rules read). Values are computed later, for the whole batch, in
polars (transforms/figures.py). Dates, ordinals, phone numbers, slogans and quoted names are dropped here.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from dataclasses import dataclass, field

from transforms.numbers import CN_DIGITS
from transforms.units import UnitsTable, units_table

# Column order of a mention row (figures.MENTION_SCHEMA gives the types).
MENTION_COLUMNS = (
    "doc", "ordinal", "text", "num", "num2", "scale", "scale_low", "form", "pre", "mid", "post",
    "hint", "start", "end", "sentence", "evidence", "sentence_m", "clause", "left", "before", "noun", "prev",
    "context", "phrase",
)

SENTENCE_END = re.compile(r"[。!?;\n]")
# A comma between a digit and three digits groups thousands (排查纠纷2,860起,化解2,792起): no clause end;
# in the context the rules read it is an apostrophe, so that [^,] spans 45,320元、24,180元.
CLAUSE_END = re.compile(r"[。!?;\n:]|(?<!\d),|,(?!\d{3}(?!\d))")
THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}(?!\d))")
# A | ends the noun phrase: in a table flattened into text (受理 | 25件 | 审结 | 22件) a cell keeps its label.
NOUN_END = re.compile(r"[。!?;\n,:、|]|\d")
# Spans whose numbers are names, not counts: short quotations, book titles, and a closing quote whose
# opening one is missing (…四个服务”).
QUOTED = re.compile(
    r"“[^“”\n]{0,60}”|‘[^‘’\n]{0,40}’|「[^「」\n]{0,40}」|《[^《》\n]{0,80}》|\"[^\"\n]{0,40}\""
    r"|(?:(?<=[,;。:\n])|^)[^,;。:“”\n]{1,20}”",
    re.M,
)
# A character right before a number that makes it the tail of a code (G4, V2.0, 3.5) rather than a count.
CODE_CHARS = frozenset("0123456789.ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz/_-#×*")
CONTEXT_BEFORE = 120
CONTEXT_AFTER = 40
NOUN_MAX = 24
# The noun phrase right after a measure word (受理56件|行政复议案件|的…), for the number-first word order.
NOUN_PHRASE = re.compile(r"[^的、和与及并在对向已均全等]{0,12}")
# How far before a number a naming context (config/units.yaml name_contexts) is looked for.
NAME_REACH = 12
ORDINAL_DIGITS = "[0-9〇零一二三四五六七八九十百两]"


@dataclass(slots=True)
class MentionColumns:
    """Mention rows of a batch, column-wise (cheap to hand to polars)."""

    data: dict[str, list] = field(default_factory=lambda: {name: [] for name in MENTION_COLUMNS})


def _spans(pattern: re.Pattern[str], text: str) -> tuple[list[int], list[int]]:
    starts: list[int] = []
    ends: list[int] = []
    for m in pattern.finditer(text):
        starts.append(m.start())
        ends.append(m.end())
    return starts, ends


def _inside(starts: list[int], ends: list[int], pos: int) -> bool:
    i = bisect_right(starts, pos) - 1
    return i >= 0 and pos < ends[i]


def _split_scale(units: UnitsTable, numeral: str | None) -> tuple[str | None, str | None]:
    if not numeral:
        return numeral, None
    m = units.scale_split_re.match(numeral)
    if m is None:
        return numeral, None
    return m.group("head"), m.group("scale")


def _digit_run(numeral: str) -> bool:
    return len(numeral) > 1 and all(ch in CN_DIGITS for ch in numeral)


class _Scanner:
    """Scan one body; append its mention rows to the batch columns."""

    def __init__(self, units: UnitsTable, cols: MentionColumns) -> None:
        self.units = units
        self.cols = cols.data
        self.ordinal_markers = units.ordinal_markers
        self.phrases = units.numeral_phrases
        self.slogan_leads = units.slogan_lead_words
        # 第一、二批 / 第3、4次: a number listed after an ordinal is an ordinal too.
        self.ordinal_list = re.compile(
            "(?:" + "|".join(map(re.escape, units.ordinal_markers)) + ")"
            + rf"{ORDINAL_DIGITS}+(?:、{ORDINAL_DIGITS}+[^\W\d]?)*、$"
        )

    def scan(self, doc: int, body: str, text: str) -> None:
        sentence_ends = [m.start() for m in SENTENCE_END.finditer(text)]
        clause_ends = [m.start() for m in CLAUSE_END.finditer(text)]
        line_ends = [m.start() for m in re.finditer("\n", text)]
        quote_starts, quote_ends = _spans(QUOTED, text)
        words = THOUSANDS.sub("'", text)  # the rules' context: same offsets, thousands commas neutral
        ordinal = 0
        last_ordinal_end = -2
        prev_end_in_clause = -1
        for m in self.units.mention_re.finditer(text):
            start, end = m.span()
            num_start = m.start("pnum") if m.group("pnum") else m.start("num")
            if not self._is_count(m, text, start, num_start, last_ordinal_end, prev_end_in_clause,
                                  quote_starts, quote_ends):
                if self._is_ordinal(text, start) or self._continues_ordinals(text, start, last_ordinal_end):
                    last_ordinal_end = end
                continue
            pre = m.group("pre")
            if pre and start > 0 and text[start - 1] in self.units.hedge_not_after:
                pre = None
                start = num_start
            num, num2, hint = m.group("num") or m.group("pnum"), m.group("num2"), None
            if m.group("num") and not num2 and _digit_run(num):
                if len(num) == 2 and 0 < CN_DIGITS[num[0]] < CN_DIGITS[num[1]] <= 9:
                    num, num2, hint = num[0], num[1], "about"
                else:
                    continue
            num_head, scale_low = _split_scale(self.units, num)
            num2_head, scale = _split_scale(self.units, num2)
            if num2 is None:
                scale, scale_low = scale_low, None
            if m.group("mscale") and scale is None:
                scale = m.group("mscale")
            form = m.group("form") or self.units.fraction_words[m.group("pword")]

            c_lo = self._lo(clause_ends, start)
            c_hi = self._hi(clause_ends, end, len(text))
            s_lo = self._lo(sentence_ends, start)
            s_hi = self._hi(sentence_ends, end, len(text))
            p_lo = self._lo(line_ends, start)
            p_hi = self._hi(line_ends, end, len(text))
            prev_lo = max(s_lo, self._lo(clause_ends, c_lo - 1)) if c_lo > s_lo else c_lo
            left_lo = max(c_lo, prev_end_in_clause)
            noun_end = NOUN_END.search(text, end, min(len(text), end + NOUN_MAX))
            noun = words[end:noun_end.start() if noun_end else min(len(text), end + NOUN_MAX)]
            left = words[left_lo:start]
            # An item of a list (5个综合窗口、2个专业窗口) is a breakdown: no number-first reading for it.
            listed = left.endswith("、") or (noun_end is not None and noun_end.group() == "、")
            cols = self.cols
            cols["doc"].append(doc)
            cols["ordinal"].append(ordinal)
            cols["text"].append(body[start:end])
            cols["num"].append(num_head)
            cols["num2"].append(num2_head)
            cols["scale"].append(scale)
            cols["scale_low"].append(scale_low)
            cols["form"].append(form)
            cols["pre"].append(pre)
            cols["mid"].append(m.group("mid"))
            cols["post"].append(m.group("post"))
            cols["hint"].append(hint)
            cols["start"].append(start)
            cols["end"].append(end)
            cols["sentence"].append(body[s_lo:s_hi].strip())
            cols["sentence_m"].append(words[s_lo:s_hi])
            cols["clause"].append(words[c_lo:c_hi].strip())
            cols["evidence"].append(body[c_lo:c_hi].strip())
            cols["left"].append(left)
            cols["before"].append(words[c_lo:start])
            cols["noun"].append(noun)
            cols["prev"].append(words[prev_lo:c_lo])
            cols["context"].append(words[max(p_lo, start - CONTEXT_BEFORE):min(p_hi, end + CONTEXT_AFTER)])
            cols["phrase"].append(None if listed else left + NOUN_PHRASE.match(noun).group())
            ordinal += 1
            prev_end_in_clause = end

    @staticmethod
    def _lo(ends: list[int], pos: int) -> int:
        i = bisect_left(ends, pos)
        return ends[i - 1] + 1 if i else 0

    @staticmethod
    def _hi(ends: list[int], pos: int, size: int) -> int:
        i = bisect_left(ends, pos)
        return ends[i] if i < len(ends) else size

    def _continues_ordinals(self, text: str, start: int, last_ordinal_end: int) -> bool:
        if start == 0 or text[start - 1] != "、":
            return False
        if last_ordinal_end == start - 1:
            return True
        return self.ordinal_list.search(text, max(0, start - 24), start) is not None

    def _is_ordinal(self, text: str, num_start: int) -> bool:
        head = text[max(0, num_start - 4):num_start].rstrip()
        return head.endswith(self.ordinal_markers)

    def _lone_one_counts(self, text: str, start: int, end: int, last_count_end: int) -> bool:
        """A bare 一 counts only in a list of counts: an earlier count in its sentence, and its clause ending
        right after it (维持八件,撤销一件;) — unlike 一件事, 最多跑一次 or 每季度召开一次."""
        if last_count_end < 0 or end >= len(text) or text[end] not in ",;。":
            return False
        if SENTENCE_END.search(text, last_count_end, start):
            return False
        return not text[max(0, start - 4):start].endswith(self.units.lone_one_not_after)

    def _is_count(self, m: re.Match[str], text: str, start: int, num_start: int, last_ordinal_end: int,
                  last_count_end: int, quote_starts: list[int], quote_ends: list[int]) -> bool:
        if start > 0 and text[start - 1] in CODE_CHARS:
            return False
        if self._is_ordinal(text, num_start) or self._continues_ordinals(text, start, last_ordinal_end):
            return False
        if _inside(quote_starts, quote_ends, num_start):
            return False
        if text.startswith(self.phrases, num_start):
            return False
        for before, after in self.units.name_contexts:
            near = before.search(text, max(0, num_start - NAME_REACH), num_start)
            if near and after.match(text, m.end()):
                return False
        numeral = m.group("num") or ""
        chinese = bool(numeral) and not numeral[0].isdigit()
        if chinese:
            lone_one = numeral == "一" and not m.group("num2")
            if lone_one and not self._lone_one_counts(text, start, m.end(), last_count_end):
                return False
            if text[max(0, start - 4):start].endswith(self.slogan_leads + self.units.vague_before):
                return False
        return True


def scan_mentions(bodies: Iterable[tuple[int, str, str]], units: UnitsTable | None = None) -> MentionColumns:
    """Mention rows for (doc, body, match_text(body)) triples, in body order within each doc."""
    cols = MentionColumns()
    scanner = _Scanner(units or units_table(), cols)
    for doc, body, text in bodies:
        if body:
            scanner.scan(doc, body, text)
    return cols
