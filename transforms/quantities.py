"""Find quantity mentions in report bodies: the only per-report Python of the figures transform.

One regex scan per body yields raw mention rows (numeral strings, scale, measure word, hedges, offsets).
Dates, ordinals, phone numbers, slogans and quoted names are dropped there. The clause/sentence context the
indicator rules read is then cut for the whole batch at once: the bodies joined by newlines (a newline ends
every clause, sentence and line, so no context crosses a body), their ends found with numpy, the strings
sliced by polars. Values are computed later, for the whole batch, in polars (transforms/figures.py).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from functools import cache

import numpy as np
import polars as pl

from transforms.numbers import CN_DIGITS
from transforms.units import UnitsTable, units_table

# Columns of a mention row: what the scan finds, then the context cut for the whole batch.
SCAN_COLUMNS = (
    "doc",
    "start",
    "end",
    "num",
    "num2",
    "scale",
    "scale_low",
    "form",
    "pre",
    "mid",
    "post",
    "hint",
)
CONTEXT_COLUMNS = (
    "text",
    "sentence",
    "evidence",
    "sentence_m",
    "clause",
    "left",
    "before",
    "noun",
    "prev",
    "context",
    "phrase",
)
MENTION_SCHEMA: dict[str, pl.DataType] = {
    name: (pl.UInt32() if name == "doc" else pl.Int32() if name in ("start", "end") else pl.Utf8())
    for name in SCAN_COLUMNS + CONTEXT_COLUMNS
}

SENTENCE_CHARS = "。!?;\n"
SENTENCE_END = re.compile(f"[{SENTENCE_CHARS}]")
# A clause ends at a sentence end, a colon, or a comma — but a comma between a digit and three digits
# groups thousands (排查纠纷2,860起,化解2,792起): no clause end; in the context the rules read it is an
# apostrophe, so that [^,] spans 45,320元、24,180元.
CLAUSE_CHARS = SENTENCE_CHARS + ":"
# A | ends the noun phrase: in a table flattened into text (受理 | 25件 | 审结 | 22件) a cell keeps its label.
# A digit ends it too.
NOUN_CHARS = "。!?;\n,:、|"
# Spans whose numbers are names, not counts: short quotations, book titles, and a closing quote whose
# opening one is missing (…四个服务”). A span starts at an opening mark or, for the last form, right after a
# STOP_CHARS run before a ” (see _quote_starts, which must follow this pattern).
QUOTED = re.compile(
    r"“[^“”\n]{0,60}”|‘[^‘’\n]{0,40}’|「[^「」\n]{0,40}」|《[^《》\n]{0,80}》|\"[^\"\n]{0,40}\""
    r"|(?:(?<=[,;。:\n])|^)[^,;。:“”\n]{1,20}”",
    re.M,
)
OPENING_CHARS = '“‘「《"'
STOP_CHARS = ",;。:“”\n"
UNQUOTED_MAX = 20
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
CN_DIGIT_CHARS = "".join(CN_DIGITS)
BACKREFERENCE = re.compile(r"\\\d|\(\?P=")
# The named groups of units.mention_re a mention row is made of.
MENTION_GROUPS = ("pre", "pword", "pnum", "num", "num2", "mid", "mscale", "form", "post")


@dataclass(slots=True)
class MentionRows:
    """What the scan finds in a batch: one (body number, *SCAN_COLUMNS) tuple per mention."""

    rows: list[tuple] = field(default_factory=list)


def _quote_spans(text: str, candidates: list[int]) -> tuple[list[int], list[int]]:
    """The spans QUOTED.finditer(text) gives, tried only where one can start (ascending `candidates`)."""
    starts: list[int] = []
    ends: list[int] = []
    reached = 0
    for pos in candidates:
        if pos < reached:
            continue
        m = QUOTED.match(text, pos)
        if m is not None:
            starts.append(pos)
            ends.append(reached := m.end())
    return starts, ends


def _inside(starts: list[int], ends: list[int], pos: int) -> bool:
    i = bisect_right(starts, pos) - 1
    return i >= 0 and pos < ends[i]


def _matches(pattern: re.Pattern[str], text: str, firsts: list[int]) -> Iterator[re.Match[str]]:
    """The matches pattern.finditer(text) gives, when no match can be empty nor start outside `firsts`."""
    reached = 0
    match = pattern.match
    for pos in firsts:
        if pos >= reached and (m := match(text, pos)) is not None:
            reached = m.end()
            yield m


def _any_of(patterns: list[re.Pattern[str]]) -> re.Pattern[str] | None:
    """One pattern that matches where any of `patterns` does (a first test before trying each), or None
    when they cannot be joined as they are (a back-reference or a repeated group name)."""
    if not patterns or any(BACKREFERENCE.search(p.pattern) or p.flags != patterns[0].flags for p in patterns):
        return None
    try:
        return re.compile("|".join(f"(?:{p.pattern})" for p in patterns), patterns[0].flags)
    except re.error:
        return None


def _split_scale(units: UnitsTable, numeral: str | None) -> tuple[str | None, str | None]:
    if not numeral or not numeral.endswith(units.scale_words):
        return numeral, None
    m = units.scale_split_re.match(numeral)
    if m is None:
        return numeral, None
    return m.group("head"), m.group("scale")


def _digit_run(numeral: str) -> bool:
    return len(numeral) > 1 and not numeral.strip(CN_DIGIT_CHARS)


class _Scanner:
    """Scan one body; append its mention rows to the batch columns."""

    def __init__(self, units: UnitsTable, found: MentionRows) -> None:
        self.units = units
        self.rows = found.rows
        self.chinese_not_after = units.slogan_lead_words + units.vague_before
        self.any_name_after = _any_of([after for _, after in units.name_contexts])
        self.ordinal_markers = units.ordinal_markers
        self.phrases = units.numeral_phrases
        # 第一、二批 / 第3、4次: a number listed after an ordinal is an ordinal too.
        self.ordinal_list = re.compile(
            "(?:"
            + "|".join(map(re.escape, units.ordinal_markers))
            + ")"
            + rf"{ORDINAL_DIGITS}+(?:、{ORDINAL_DIGITS}+[^\W\d]?)*、$"
        )

    def scan(self, number: int, doc: int, text: str, firsts: list[int], quote_starts: list[int]) -> None:
        """Append the mentions of one body (its match_text) as body `number` of the batch. `firsts` are the
        positions where a mention may start (ascending), `quote_starts` those where a QUOTED span may."""
        quote_starts, quote_ends = _quote_spans(text, quote_starts)
        last_ordinal_end = -2
        prev_end_in_clause = -1
        for m in _matches(self.units.mention_re, text, firsts):
            start, end = m.span()
            pre, pword, pnum, numeral, num2, mid, mscale, form, post = m.group(*MENTION_GROUPS)
            num_start = m.start("pnum") if pnum else m.start("num")
            if not self._is_count(
                numeral,
                num2,
                text,
                start,
                end,
                num_start,
                last_ordinal_end,
                prev_end_in_clause,
                quote_starts,
                quote_ends,
            ):
                if self._is_ordinal(text, num_start) or self._continues_ordinals(
                    text, start, last_ordinal_end
                ):
                    last_ordinal_end = end
                continue
            if pre and start > 0 and text[start - 1] in self.units.hedge_not_after:
                pre = None
                start = num_start
            num, hint = numeral or pnum, None
            if numeral and not num2 and _digit_run(numeral):
                if len(numeral) == 2 and 0 < CN_DIGITS[numeral[0]] < CN_DIGITS[numeral[1]] <= 9:
                    num, num2, hint = numeral[0], numeral[1], "about"
                else:
                    continue
            num_head, scale_low = _split_scale(self.units, num)
            num2_head, scale = _split_scale(self.units, num2)
            if num2 is None:
                scale, scale_low = scale_low, None
            if mscale and scale is None:
                scale = mscale
            self.rows.append(
                (
                    number,
                    doc,
                    start,
                    end,
                    num_head,
                    num2_head,
                    scale,
                    scale_low,
                    form or self.units.fraction_words[pword],
                    pre,
                    mid,
                    post,
                    hint,
                )
            )
            prev_end_in_clause = end

    def _continues_ordinals(self, text: str, start: int, last_ordinal_end: int) -> bool:
        if start == 0 or text[start - 1] != "、":
            return False
        if last_ordinal_end == start - 1:
            return True
        return self.ordinal_list.search(text, max(0, start - 24), start) is not None

    def _is_ordinal(self, text: str, num_start: int) -> bool:
        head = text[max(0, num_start - 4) : num_start].rstrip()
        return head.endswith(self.ordinal_markers)

    def _lone_one_counts(self, text: str, start: int, end: int, last_count_end: int) -> bool:
        """A bare 一 counts only in a list of counts: an earlier count in its sentence, and its clause ending
        right after it (维持八件,撤销一件;) — unlike 一件事, 最多跑一次 or 每季度召开一次."""
        if last_count_end < 0 or end >= len(text) or text[end] not in ",;。":
            return False
        if SENTENCE_END.search(text, last_count_end, start):
            return False
        return not text[max(0, start - 4) : start].endswith(self.units.lone_one_not_after)

    def _is_count(
        self,
        numeral: str | None,
        num2: str | None,
        text: str,
        start: int,
        end: int,
        num_start: int,
        last_ordinal_end: int,
        last_count_end: int,
        quote_starts: list[int],
        quote_ends: list[int],
    ) -> bool:
        if start > 0 and text[start - 1] in CODE_CHARS:
            return False
        if self._is_ordinal(text, num_start) or self._continues_ordinals(text, start, last_ordinal_end):
            return False
        if _inside(quote_starts, quote_ends, num_start):
            return False
        if text.startswith(self.phrases, num_start):
            return False
        if self.any_name_after is None or self.any_name_after.match(text, end):
            for before, after in self.units.name_contexts:
                if after.match(text, end) and before.search(text, max(0, num_start - NAME_REACH), num_start):
                    return False
        chinese = bool(numeral) and not numeral[0].isdigit()
        if chinese:
            lone_one = numeral == "一" and not num2
            if lone_one and not self._lone_one_counts(text, start, end, last_count_end):
                return False
            if text[max(0, start - 4) : start].endswith(self.chinese_not_after):
                return False
        return True


def scan_mentions(bodies: Sequence[tuple[int, str, str]], units: UnitsTable | None = None) -> pl.DataFrame:
    """Mention rows (MENTION_SCHEMA) for (doc, body, match_text(body)) triples, in body order within each
    doc."""
    found = MentionRows()
    scanner = _Scanner(units or units_table(), found)
    kept = [(doc, body, text) for doc, body, text in bodies if body]
    batch = _Batch([body for _, body, _ in kept], [text for _, _, text in kept])
    firsts = batch.per_body(np.flatnonzero(_first_chars(scanner.units.mention_first_chars)[batch.codes]))
    quote_starts = batch.per_body(_quote_starts(batch))
    for number, (doc, _, text) in enumerate(kept):
        scanner.scan(number, doc, text, firsts[number], quote_starts[number])
    columns = list(zip(*found.rows, strict=True)) or [()] * (len(SCAN_COLUMNS) + 1)
    mentions = pl.DataFrame(
        dict(zip(SCAN_COLUMNS, columns[1:], strict=True)),
        schema={name: MENTION_SCHEMA[name] for name in SCAN_COLUMNS},
    )
    if mentions.is_empty():
        return mentions.with_columns(pl.lit(None, pl.Utf8).alias(name) for name in CONTEXT_COLUMNS)
    return _with_context(mentions, np.asarray(columns[0]), batch)


# Character classes, as bits of _char_flags().
SENTENCE, CLAUSE, NOUN, DIGIT, OPENING, STOP, COMMA, CLOSING = (1 << bit for bit in range(8))


@cache
def _char_flags() -> np.ndarray:
    """The class bits of every code point (DIGIT: what \\d matches)."""
    flags = np.zeros(0x110000, dtype=np.uint8)
    flags[[code for code in range(0x110000) if chr(code).isdecimal()]] |= DIGIT
    for chars, flag in (
        (SENTENCE_CHARS, SENTENCE),
        (CLAUSE_CHARS, CLAUSE),
        (NOUN_CHARS, NOUN),
        (OPENING_CHARS, OPENING),
        (STOP_CHARS, STOP),
        (",", COMMA),
        ("”", CLOSING),
    ):
        flags[[ord(ch) for ch in chars]] |= flag
    return flags


@cache
def _first_chars(chars: str) -> np.ndarray:
    """Per code point, whether it is one of `chars`."""
    table = np.zeros(0x110000, dtype=bool)
    table[[ord(ch) for ch in chars]] = True
    return table


@cache
def _whitespace() -> str:
    """What str.strip() strips."""
    return "".join(chr(code) for code in range(0x110000) if chr(code).isspace())


def _char_offsets(data: bytes) -> np.ndarray:
    """The UTF-8 byte offset of each character of `data`, and of its end."""
    octets = np.frombuffer(data, dtype=np.uint8)
    return np.append(np.flatnonzero((octets & 0xC0) != 0x80), len(data))


class _Batch:
    """The bodies of a batch joined by newlines (a newline ends every clause, sentence and line, so nothing
    found here crosses two bodies), and the class bits of each character of their matching text."""

    def __init__(self, bodies: list[str], texts: list[str]) -> None:
        self.bodies, self.texts = bodies, texts
        self.text = "\n".join(texts)
        self.codes = np.frombuffer(self.text.encode("utf-32-le"), dtype=np.uint32)
        self.flags = _char_flags()[self.codes]
        self.size = self.codes.size
        self.starts = np.cumsum([0] + [len(text) + 1 for text in texts[:-1]], dtype=np.int64)
        self.lengths = np.array([len(text) for text in texts], dtype=np.int64)

    def per_body(self, positions: np.ndarray) -> list[list[int]]:
        """Ascending positions in the joined text, split per body and made relative to it."""
        bounds = np.searchsorted(positions, np.append(self.starts, self.size)).tolist()
        return [
            (positions[bounds[i] : bounds[i + 1]] - start).tolist() for i, start in enumerate(self.starts)
        ]

    def at(self, flag: int) -> np.ndarray:
        return np.flatnonzero(self.flags & flag)

    def has(self, flag: int, shift: int = 0) -> np.ndarray:
        """Whether the character `shift` places on has the flag (False past either end)."""
        flags = (self.flags & flag) != 0
        if shift == 0:
            return flags
        out = np.zeros_like(flags)
        if shift > 0:
            out[:-shift] = flags[shift:]
        else:
            out[-shift:] = flags[:shift]
        return out


def _quote_starts(batch: _Batch) -> np.ndarray:
    """Where a QUOTED span may start: an opening mark, or the start of a run of 1-20 characters outside
    STOP_CHARS right before a ”, which follows a stop other than a quote mark (or a line start)."""
    closing = batch.at(CLOSING)
    stops = batch.at(STOP)
    i = np.searchsorted(stops, closing, "left")
    run = np.where(i > 0, stops[np.maximum(i - 1, 0)] + 1, 0) if stops.size else np.zeros_like(closing)
    after = batch.codes[np.maximum(run - 1, 0)]
    lead = (run == 0) | ((after != ord("“")) & (after != ord("”")))
    width = closing - run
    unquoted = run[lead & (width >= 1) & (width <= UNQUOTED_MAX)]
    return np.unique(np.concatenate([batch.at(OPENING), unquoted]))


def _lo(ends: np.ndarray, pos: np.ndarray) -> np.ndarray:
    """Just after the last end before pos (0 when none)."""
    if not ends.size:
        return np.zeros_like(pos)
    i = np.searchsorted(ends, pos, "left")
    return np.where(i > 0, ends[np.maximum(i - 1, 0)] + 1, 0)


def _hi(ends: np.ndarray, pos: np.ndarray, size: int) -> np.ndarray:
    """The first end at or after pos (size when none)."""
    if not ends.size:
        return np.full_like(pos, size)
    i = np.searchsorted(ends, pos, "left")
    return np.where(i < ends.size, ends[np.minimum(i, ends.size - 1)], size)


def _with_context(found: pl.DataFrame, body: np.ndarray, batch: _Batch) -> pl.DataFrame:
    """The context columns of the found mentions (rows of body numbers `body`), cut from the joined text."""
    size = batch.size
    base = batch.starts[body]
    start = found["start"].to_numpy().astype(np.int64) + base
    end = found["end"].to_numpy().astype(np.int64) + base
    body_end = base + batch.lengths[body]

    digit = DIGIT
    thousands = (
        batch.has(COMMA)
        & batch.has(digit, -1)
        & batch.has(digit, 1)
        & batch.has(digit, 2)
        & batch.has(digit, 3)
        & ~batch.has(digit, 4)
    )
    sentence_ends = batch.at(SENTENCE)
    clause_ends = np.flatnonzero(batch.has(CLAUSE) | (batch.has(COMMA) & ~thousands))
    line_ends = np.flatnonzero(batch.codes == ord("\n"))
    noun_ends = batch.at(NOUN | DIGIT)

    c_lo, c_hi = _lo(clause_ends, start), _hi(clause_ends, end, size)
    s_lo, s_hi = _lo(sentence_ends, start), _hi(sentence_ends, end, size)
    p_lo, p_hi = _lo(line_ends, start), _hi(line_ends, end, size)
    prev_lo = np.where(c_lo > s_lo, np.maximum(s_lo, _lo(clause_ends, c_lo - 1)), c_lo)
    same_body = np.concatenate(([False], body[1:] == body[:-1]))
    left_lo = np.maximum(c_lo, np.where(same_body, np.concatenate(([-1], end[:-1])), -1))
    noun_limit = np.minimum(body_end, end + NOUN_MAX)
    i = np.searchsorted(noun_ends, end, "left")
    noun_at = noun_ends[np.minimum(i, noun_ends.size - 1)] if noun_ends.size else np.full_like(end, size)
    noun_found = (i < noun_ends.size) & (noun_at < noun_limit)
    noun_hi = np.where(noun_found, noun_at, noun_limit)
    noun_listed = noun_found & (batch.codes[np.minimum(noun_at, size - 1)] == ord("、"))

    # The rules' words: the matching text with thousands commas as apostrophes (both one byte in UTF-8).
    text_bytes = batch.text.encode("utf-8")
    text_at = _char_offsets(text_bytes)
    words = np.frombuffer(text_bytes, dtype=np.uint8).copy()
    words[text_at[:-1][thousands]] = ord("'")
    body_bytes = "\n".join(batch.bodies).encode("utf-8")
    body_at = _char_offsets(body_bytes)
    cuts = {  # column: (source, from, to), in characters of the joined text
        "text": ("b", start, end),
        "sentence": ("b", s_lo, s_hi),
        "evidence": ("b", c_lo, c_hi),
        "sentence_m": ("w", s_lo, s_hi),
        "clause": ("w", c_lo, c_hi),
        "left": ("w", left_lo, start),
        "before": ("w", c_lo, start),
        "noun": ("w", end, noun_hi),
        "prev": ("w", prev_lo, c_lo),
        "context": ("w", np.maximum(p_lo, start - CONTEXT_BEFORE), np.minimum(p_hi, end + CONTEXT_AFTER)),
    }
    offsets = {}
    for name, (source, lo, hi) in cuts.items():
        at = body_at if source == "b" else text_at
        offsets[f"{name}_at"] = at[lo]
        offsets[f"{name}_len"] = at[np.maximum(hi, lo)] - at[lo]
    # Every row holds the two joined texts (views of one buffer each, not copies) to cut its context from.
    sources = [
        pl.Series(name, [data], dtype=pl.Binary).new_from_index(0, found.height)
        for name, data in (("b", body_bytes), ("w", words.tobytes()))
    ]
    frame = pl.concat([found, pl.DataFrame(offsets), pl.DataFrame(sources)], how="horizontal")
    cut = {
        name: pl.col(source).bin.slice(pl.col(f"{name}_at"), pl.col(f"{name}_len")).cast(pl.Utf8)
        for name, (source, _, _) in cuts.items()
    }
    for name in ("sentence", "evidence", "clause"):
        cut[name] = cut[name].str.strip_chars(_whitespace())
    listed = pl.col("left").str.ends_with("、") | pl.lit(pl.Series(noun_listed))
    noun_phrase = pl.col("noun").str.extract(f"^({NOUN_PHRASE.pattern})", 1)
    return frame.select(*SCAN_COLUMNS, **cut).with_columns(
        phrase=pl.when(listed).then(None).otherwise(pl.col("left") + noun_phrase)
    )
