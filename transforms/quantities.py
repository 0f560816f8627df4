"""Find quantity mentions in report bodies: the only per-report Python of the figures transform.

The bodies of a batch are joined by newlines (a newline ends every clause, sentence and line, and no match
crosses one, so nothing found crosses a body). One regex scan over the joined text, tried only where a match
can start and a measure word can follow, yields the candidate mentions (numeral strings, scale, measure
word, hedges, offsets). Which of them count — not dates, ordinals, phone numbers, slogans nor quoted names —
is decided for the whole batch at once, and so is the clause/sentence context the indicator rules read:
the characters' classes and ends found with numpy, the strings sliced by polars from the text's UTF-8.
Values are computed later, for the whole batch, in polars (transforms/figures.py).
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Iterator, Sequence
from functools import cache, cached_property, reduce
from itertools import chain

import numpy as np
import polars as pl

from transforms.numbers import CN_DIGITS
from transforms.units import NUMERAL_NOT_AFTER, UnitsTable, units_table

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
# What a NUMERAL (transforms/units.py) is made of besides \\d.
NUMERAL_CHARS = NUMERAL_NOT_AFTER + ",点"
CODE_CHARS = "0123456789.ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz/_-#×*"
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
# How the groups of a batch's matches are handed to polars: joined by a separator no group holds, a group
# that took no part standing as a string none is.
GROUP_SEPARATOR, NO_GROUP = "\x1f", "\x1e"


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


class _Scan:
    """The mentions of a batch that count: every match of units.mention_re in each body, then the tests
    that drop dates, ordinals, codes, quoted names and slogans, decided for all matches at once.

    Most tests read a character or two around the number: numpy over the joined text's code points gives
    them, and narrows the others (ordinal markers, numeral phrases, Chinese numerals) to the few matches
    Python must look at. Two tests carry state along a body — a number listed after an ordinal is one too
    (第一、二批), and a bare 一 counts only after an earlier count — and they apply only to a match right
    after a 、 or of a bare 一: only those are decided one by one, in reading order."""

    def __init__(self, units: UnitsTable, batch: BodyBatch) -> None:
        self.units = units
        self.batch = batch
        self.chinese_not_after = units.slogan_lead_words + units.vague_before
        self.any_name_after = _any_of([after for _, after in units.name_contexts])
        # 第一、二批 / 第3、4次: a number listed after an ordinal is an ordinal too.
        self.ordinal_list = re.compile(
            "(?:"
            + "|".join(map(re.escape, units.ordinal_markers))
            + ")"
            + rf"{ORDINAL_DIGITS}+(?:、{ORDINAL_DIGITS}+[^\W\d]?)*、$"
        )

    def matches(self) -> list[re.Match[str]]:
        """Every match in the joined text, tried only where one can start: no match crosses a newline, and
        none looks around it past one, so they are each body's matches."""
        batch = self.batch
        return list(_matches(self.units.mention_re, batch.text, _mention_starts(batch, self.units).tolist()))

    def rows(self) -> tuple[pl.DataFrame, np.ndarray]:
        """The mentions that count: their SCAN_COLUMNS but doc, and their body numbers."""
        units, batch = self.units, self.batch
        found = self.matches()
        codes, texts = batch.codes, batch.texts
        group = units.mention_re.groupindex
        pre, pnum, num, num2_group = group["pre"], group["pnum"], group["num"], group["num2"]
        spans = np.fromiter(
            chain.from_iterable(
                (m.start(), m.end(), m.start(pnum), m.start(num), m.start(pre)) for m in found
            ),
            dtype=np.int64,
            count=5 * len(found),
        ).reshape(-1, 5)  # in the joined text; -1 for a group that did not take part
        body = np.searchsorted(batch.starts, spans[:, 0], "right") - 1
        base = batch.starts[body]
        start, end = spans[:, 0], spans[:, 1]
        num_start = np.where(spans[:, 2] >= 0, spans[:, 2], spans[:, 3])
        local_start, local_end, local_num = start - base, end - base, num_start - base
        has_prev = local_start > 0
        prev = np.where(has_prev, codes[np.maximum(start - 1, 0)], 0)
        ordinal = self._where(
            self._near(num_start, base, _last_chars(units.ordinal_markers)), self._is_ordinal, body, local_num
        )
        phrase = np.zeros(len(found), dtype=bool)
        maybe = np.flatnonzero(
            _first_chars(_first_letters(units.numeral_phrases))[codes[np.minimum(num_start, batch.size - 1)]]
        )
        phrase[maybe] = batch.words_at(
            num_start[maybe], (base + batch.lengths[body])[maybe], units.numeral_phrases
        )
        # Not a count whatever came before it in the body:
        free = (has_prev & _first_chars(CODE_CHARS)[prev]) | ordinal | phrase
        free |= _inside(*self._quote_spans(), num_start)
        free |= self._named(np.flatnonzero(~free), body, local_end, local_num)  # the others are free already
        chinese = (spans[:, 3] >= 0) & ((batch.flags[np.maximum(spans[:, 3], 0)] & DIGIT) == 0)
        lone_one = np.zeros(len(found), dtype=bool)
        skip = np.zeros(len(found), dtype=bool)
        about: list[int] = []
        for i in np.flatnonzero(chinese).tolist():
            numeral, num2 = found[i].group(num, num2_group)
            text, at = texts[body[i]], int(local_start[i])
            if text[max(0, at - 4) : at].endswith(self.chinese_not_after):
                free[i] = True
            lone_one[i] = numeral == "一" and not num2
            if not num2 and _digit_run(numeral):
                if len(numeral) == 2 and 0 < CN_DIGITS[numeral[0]] < CN_DIGITS[numeral[1]] <= 9:
                    about.append(i)
                else:
                    skip[i] = True
        listed = has_prev & (prev == ord("、"))
        kept = self._decide(free, ordinal, listed, lone_one, skip, body, start, end, base)
        # A before-hedge glued to the word before it (最近, 附近) is none: the mention starts at the number.
        glued = (spans[:, 4] >= 0) & has_prev & _first_chars(units.hedge_not_after)[prev]
        rows = np.flatnonzero(kept)
        about_matches = np.asarray(about, dtype=np.int64)
        frame = _scan_columns(
            units,
            [found[i] for i in rows.tolist()],
            np.where(glued, local_num, local_start)[rows],
            local_end[rows],
            glued[rows],
            np.searchsorted(rows, about_matches[kept[about_matches]]),
        )
        return frame, body[rows]

    def _near(self, positions: np.ndarray, base: np.ndarray, chars: str) -> np.ndarray:
        """Whether one of the 4 characters before each position (within its body) is one of `chars`."""
        table = _first_chars(chars)
        near = np.zeros(positions.size, dtype=bool)
        for back in range(1, 5):
            at = positions - back
            near |= (at >= base) & table[self.batch.codes[np.maximum(at, 0)]]
        return near

    def _where(
        self, candidates: np.ndarray, test: Callable[[str, int], bool], body: np.ndarray, at: np.ndarray
    ) -> np.ndarray:
        """test(body text, position) on the candidates (False elsewhere)."""
        out = np.zeros(candidates.size, dtype=bool)
        texts = self.batch.texts
        for i in np.flatnonzero(candidates).tolist():
            out[i] = test(texts[body[i]], int(at[i]))
        return out

    def _is_ordinal(self, text: str, num_start: int) -> bool:
        head = text[max(0, num_start - 4) : num_start].rstrip()
        return head.endswith(self.units.ordinal_markers)

    def _quote_spans(self) -> tuple[np.ndarray, np.ndarray]:
        """The QUOTED spans of every body, found in the joined text at once: no span crosses a newline, and
        one starts after a newline as at a body's start (^ is multi-line, and the look-behind takes \\n)."""
        batch = self.batch
        starts, ends = _quote_spans(batch.text, _quote_starts(batch).tolist())
        return np.asarray(starts, dtype=np.int64), np.asarray(ends, dtype=np.int64)

    def _named(
        self, rows: np.ndarray, body: np.ndarray, end: np.ndarray, num_start: np.ndarray
    ) -> np.ndarray:
        """Per match (local offsets), whether a name context (config/units.yaml) holds around it, looked for
        only on `rows` (False elsewhere)."""
        named = np.zeros(body.size, dtype=bool)
        contexts = self.units.name_contexts
        if not contexts:
            return named
        texts, gate = self.batch.texts, self.any_name_after
        ends, firsts = end[rows].tolist(), num_start[rows].tolist()
        bodies = list(map(texts.__getitem__, body[rows].tolist()))
        if gate is None:
            candidates = range(len(ends))
        else:  # the gate first, at C speed: few matches have any name context after them
            candidates = [i for i, hit in enumerate(map(gate.match, bodies, ends)) if hit]
        for i in candidates:
            text, at, first = bodies[i], ends[i], firsts[i]
            for before, after in contexts:
                if after.match(text, at) and before.search(text, max(0, first - NAME_REACH), first):
                    named[rows[i]] = True
                    break
        return named

    def _decide(
        self,
        free: np.ndarray,
        ordinal: np.ndarray,
        listed: np.ndarray,
        lone_one: np.ndarray,
        skip: np.ndarray,
        body: np.ndarray,
        start: np.ndarray,
        end: np.ndarray,
        base: np.ndarray,
    ) -> np.ndarray:
        """Which matches are kept as mentions. A match right after a 、 is an ordinal too when it continues
        a run of ordinals (the last one ends at that 、, or ordinal_list holds); a bare 一 counts only after
        an earlier count of its sentence. Those depend on what was decided before them in the body."""
        stateful = listed | lone_one
        kept = ~free & ~skip & ~stateful
        turns = np.flatnonzero(stateful).tolist()
        if not turns:
            return kept
        last_ordinal = _last_end(~stateful & ordinal, body, end)
        last_count = _last_end(kept, body, end)
        texts = self.batch.texts
        current, ordinal_end, count_end = -1, NONE, NONE
        for i in turns:
            if body[i] != current:
                current, ordinal_end, count_end = int(body[i]), NONE, NONE
            text, offset = texts[current], int(base[i])
            at = int(start[i]) - offset
            ordinal_end = max(ordinal_end, int(last_ordinal[i]))
            count_end = max(count_end, int(last_count[i]))
            continues = bool(listed[i]) and (
                ordinal_end == start[i] - 1 or self.ordinal_list.search(text, max(0, at - 24), at) is not None
            )
            counts = not free[i] and not continues
            if counts and lone_one[i]:
                counts = self._lone_one_counts(
                    text, at, int(end[i]) - offset, count_end - offset if count_end >= 0 else -1
                )
            if not counts:
                if ordinal[i] or continues:
                    ordinal_end = int(end[i])
            elif not skip[i]:
                kept[i] = True
                count_end = int(end[i])
        return kept

    def _lone_one_counts(self, text: str, start: int, end: int, last_count_end: int) -> bool:
        """A bare 一 counts only in a list of counts: an earlier count in its sentence, and its clause ending
        right after it (维持八件,撤销一件;) — unlike 一件事, 最多跑一次 or 每季度召开一次."""
        if last_count_end < 0 or end >= len(text) or text[end] not in ",;。":
            return False
        if SENTENCE_END.search(text, last_count_end, start):
            return False
        return not text[max(0, start - 4) : start].endswith(self.units.lone_one_not_after)


def _mention_starts(batch: BodyBatch, units: UnitsTable) -> np.ndarray:
    """Where in the joined text a units.mention_re match may start: a hedge or fraction word (约, 百分之)
    before a numeral's first character, or a numeral's first character not right after a digit, 〇…亿, a
    point or a digit and comma (where NUMERAL's look-behind fails)."""
    codes, flags = batch.codes, batch.flags
    classes = _mention_classes(units.numeral_first_chars, _first_letters(units.mention_words))[codes]
    # One pass over the text; the two classes are split on these few. (numpy finds the nonzero entries of a
    # bool array ~4× faster than those of a uint8 one.)
    classed = np.flatnonzero(classes != 0)
    kinds = classes[classed]
    numerals = classed[(kinds & NUMERAL_FIRST) != 0]
    before = np.maximum(numerals - 1, 0)
    inside = (numerals > 0) & (
        ((flags[before] & DIGIT) != 0) | _first_chars(NUMERAL_NOT_AFTER)[codes[before]]
    )
    inside |= (
        (numerals > 1) & (codes[before] == ord(",")) & ((flags[np.maximum(numerals - 2, 0)] & DIGIT) != 0)
    )
    numerals = numerals[~inside]
    starts = [numerals[_may_be_followed(batch, numerals, units.numeral_follow_chars)]]
    # A hedge or fraction word is followed by a numeral (any \d there) or a fraction word.
    fraction_first = _first_chars(_first_letters(units.fraction_words))
    heads = classed[(kinds & WORD_FIRST) != 0]
    for word in units.mention_words:
        at = heads[(codes[heads] == ord(word[0])) & (heads + len(word) < batch.size)]
        for offset, char in enumerate(word[1:], 1):
            at = at[codes[at + offset] == ord(char)]
        then = codes[at + len(word)]
        starts.append(
            at[
                _first_chars(units.numeral_first_chars)[then]
                | ((flags[at + len(word)] & DIGIT) != 0)
                | fraction_first[then]
            ]
        )
    return ascending_distinct(np.concatenate(starts), batch.size)


def _may_be_followed(batch: BodyBatch, numerals: np.ndarray, follow: str) -> np.ndarray:
    """Whether a match can start at each numeral start: a NUMERAL ends somewhere in the run of characters it
    can hold, and what follows it in a match starts with one of `follow` — so one of those must be in the
    run after its first character or right after the run. Most numerals of running text (进一步, 2019年,
    一、) have none there, and the regex is not tried on them."""
    codes, flags = batch.codes, batch.flags
    numeral_char, follows = _first_chars(NUMERAL_CHARS), _first_chars(follow)
    may = np.zeros(numerals.size, dtype=bool)
    at = numerals + 1
    walking = np.flatnonzero(at < batch.size)
    while walking.size:
        here = at[walking]
        code = codes[here]
        found = follows[code]
        may[walking[found]] = True
        inside = ~found & (numeral_char[code] | ((flags[here] & DIGIT) != 0)) & (here + 1 < batch.size)
        walking = walking[inside]
        at[walking] += 1
    return may


def ascending_distinct(values: np.ndarray, bound: int) -> np.ndarray:
    """np.unique(values) for integers in [0, bound), by marking them: numpy's unique hashes (or sorts) them,
    ~15× slower on the ~100k positions of a batch."""
    marked = np.zeros(bound, dtype=bool)
    marked[values] = True
    return np.flatnonzero(marked)


NUMERAL_FIRST, WORD_FIRST = 1, 2


@cache
def _mention_classes(numeral_first: str, word_first: str) -> np.ndarray:
    """Per code point: NUMERAL_FIRST, WORD_FIRST bits."""
    table = np.zeros(0x110000, dtype=np.uint8)
    table[[ord(ch) for ch in numeral_first]] |= NUMERAL_FIRST
    table[[ord(ch) for ch in word_first]] |= WORD_FIRST
    return table


NONE = -10  # no such end (below every position, and below every position - 1)


def _last_end(events: np.ndarray, body: np.ndarray, end: np.ndarray) -> np.ndarray:
    """Per row, the end of the last earlier event row of its body (NONE when there is none)."""
    latest = np.maximum.accumulate(np.where(events, np.arange(events.size), -1))
    prior = np.concatenate(([-1], latest[:-1]))
    row = np.maximum(prior, 0)
    return np.where((prior >= 0) & (body[row] == body), end[row], NONE)


def _inside(starts: np.ndarray, ends: np.ndarray, positions: np.ndarray) -> np.ndarray:
    """Whether each position lies in one of the (ascending, disjoint) spans."""
    if not starts.size:
        return np.zeros(positions.size, dtype=bool)
    i = np.searchsorted(starts, positions, "right") - 1
    return (i >= 0) & (positions < ends[np.maximum(i, 0)])


def _last_chars(words: Sequence[str]) -> str:
    return "".join(sorted({word[-1] for word in words}))


def _first_letters(words: Sequence[str]) -> str:
    return "".join(sorted({word[0] for word in words}))


def _group_frame(pattern: re.Pattern[str], found: list[re.Match[str]]) -> pl.DataFrame:
    """The MENTION_GROUPS strings of the matches (null where a group took no part). Every match's groups go
    to polars joined in one string, split there: handing over each short string on its own (its UTF-8 made
    and copied one by one) cost about as much as the matching."""
    width = pattern.groups
    joined = GROUP_SEPARATOR.join(chain.from_iterable(m.groups(NO_GROUP) for m in found))
    cells = pl.Series([joined], dtype=pl.Utf8).str.split(GROUP_SEPARATOR).explode()
    rows = np.arange(len(found), dtype=np.int64) * width
    return pl.DataFrame(
        {name: cells.gather(rows + pattern.groupindex[name] - 1) for name in MENTION_GROUPS},
        schema={name: pl.Utf8() for name in MENTION_GROUPS},
    ).select(pl.when(pl.col(name) != NO_GROUP).then(pl.col(name)).alias(name) for name in MENTION_GROUPS)


def _scan_columns(
    units: UnitsTable,
    found: list[re.Match[str]],
    start: np.ndarray,
    end: np.ndarray,
    glued: np.ndarray,
    about: np.ndarray,
) -> pl.DataFrame:
    """SCAN_COLUMNS but doc for the kept matches' groups (MENTION_GROUPS): numerals split from their scale
    word, the measure word of a fraction, hedges."""
    about_rows = np.zeros(len(found), dtype=bool)
    about_rows[about] = True
    about_at = pl.lit(pl.Series(about_rows))
    frame = _group_frame(units.mention_re, found).with_columns(  # 三四件: about 3 to 4
        num=pl.when(about_at).then(pl.col("num").str.slice(0, 1)).otherwise(pl.col("num")),
        num2=pl.when(about_at).then(pl.col("num").str.slice(1, 1)).otherwise(pl.col("num2")),
        hint=pl.when(about_at).then(pl.lit("about")).otherwise(pl.lit(None, pl.Utf8)),
    )
    numerals = pl.concat([frame["num"], frame["pnum"], frame["num2"]]).drop_nulls().unique()
    # Only the (few) numerals that end with a scale word are split in Python.
    ends = [numerals.str.ends_with(word) for word in units.scale_words]
    scaled = numerals.filter(reduce(operator.or_, ends)) if ends else numerals.clear()
    heads: dict[str, str] = {}
    scales: dict[str, str] = {}
    for numeral in scaled.to_list():
        if split := units.scale_split_re.match(numeral):
            heads[numeral], scales[numeral] = split.group("head"), split.group("scale")
    number = pl.coalesce("num", "pnum")
    first_scale = number.replace_strict(scales, default=None, return_dtype=pl.Utf8())
    second_scale = pl.col("num2").replace_strict(scales, default=None, return_dtype=pl.Utf8())
    single = pl.col("num2").is_null()
    fraction = pl.col("pword").replace_strict(units.fraction_words, default=None, return_dtype=pl.Utf8())
    return frame.select(
        start=pl.Series(start, dtype=pl.Int32),
        end=pl.Series(end, dtype=pl.Int32),
        num=number.replace(heads),
        num2=pl.col("num2").replace(heads),
        scale=pl.coalesce(pl.when(single).then(first_scale).otherwise(second_scale), "mscale"),
        scale_low=pl.when(single).then(None).otherwise(first_scale),
        form=pl.coalesce("form", fraction),
        pre=pl.when(pl.Series(glued)).then(None).otherwise(pl.col("pre")),
        mid="mid",
        post="post",
        hint="hint",
    )


def scan_batch(batch: BodyBatch, units: UnitsTable | None = None) -> pl.DataFrame:
    """Mention rows (MENTION_SCHEMA) of a batch's bodies, in body order within each doc."""
    if not batch.texts:
        return pl.DataFrame(schema=MENTION_SCHEMA)
    scanned, numbers = _Scan(units or units_table(), batch).rows()
    if scanned.is_empty():
        return pl.DataFrame(schema=MENTION_SCHEMA)
    mentions = scanned.select(pl.Series("doc", batch.docs[numbers], dtype=pl.UInt32), *scanned.columns)
    return _with_context(mentions, numbers, batch)


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
    """The UTF-8 byte offset of each character of `data`, and of its end: where a byte is no continuation
    byte (0x80-0xBF, as int8 -128..-65), then the end as one more such position."""
    leads = np.empty(len(data) + 1, dtype=bool)
    np.greater_equal(np.frombuffer(data, dtype=np.int8), -64, out=leads[:-1])
    leads[-1] = True
    return np.flatnonzero(leads)


class BodyBatch:
    """The bodies of a batch joined by newlines (a newline ends every clause, sentence and line, so nothing
    found here crosses two bodies), and the class bits of each character of their matching text."""

    def __init__(self, bodies: list[str], texts: list[str], docs: Sequence[int] | None = None) -> None:
        self.bodies, self.texts = bodies, texts
        self.docs = np.asarray(range(len(texts)) if docs is None else docs, dtype=np.int64)
        self.text = "\n".join(texts)
        self.codes = np.frombuffer(self.text.encode("utf-32-le"), dtype=np.uint32)
        self.flags = _char_flags()[self.codes]
        self.marked = np.flatnonzero(self.flags != 0)  # the characters of some class: punctuation, digits
        self.marked_flags = self.flags[self.marked]
        self.size = self.codes.size
        self.starts = np.cumsum([0] + [len(text) + 1 for text in texts], dtype=np.int64)[:-1]
        self.lengths = np.array([len(text) for text in texts], dtype=np.int64)

    @classmethod
    def of(cls, bodies: Sequence[tuple[int, str, str]]) -> BodyBatch:
        """The batch of the non-empty bodies of (doc, body, match_text(body)) triples."""
        kept = [(doc, body, text) for doc, body, text in bodies if body]
        return cls([body for _, body, _ in kept], [text for _, _, text in kept], [doc for doc, _, _ in kept])

    @cached_property
    def utf8(self) -> bytes:
        """The joined matching text in UTF-8, encoded once: the context and the zero scan cut it."""
        return self.text.encode("utf-8")

    @cached_property
    def utf8_at(self) -> np.ndarray:
        """The UTF-8 byte offset of each character of the joined text, and of its end."""
        return _char_offsets(self.utf8)

    def text_series(self) -> pl.Series:
        """Each body's matching text as a polars string column, cut from the batch's UTF-8."""
        lo = self.utf8_at[self.starts]
        width = self.utf8_at[self.starts + self.lengths] - lo
        source = pl.Series([self.utf8], dtype=pl.Binary).new_from_index(0, len(self.texts))
        return source.bin.slice(pl.Series(lo), pl.Series(width)).cast(pl.Utf8)

    def words_at(self, positions: np.ndarray, ends: np.ndarray, words: Sequence[str]) -> np.ndarray:
        """Whether one of `words` starts at each position of the joined text and ends by the matching `ends`
        (str.startswith(words, position) on the body, whose end that is)."""
        found = np.zeros(positions.size, dtype=bool)
        last = self.size - 1
        for word in words:
            holds = positions + len(word) <= ends
            for offset, char in enumerate(word):
                holds &= self.codes[np.minimum(positions + offset, last)] == ord(char)
            found |= holds
        return found

    def at(self, flag: int) -> np.ndarray:
        """Where the characters with any of the `flag` bits are (ascending)."""
        return self.marked[(self.marked_flags & flag) != 0]

    def digit_at(self, positions: np.ndarray) -> np.ndarray:
        """Whether the character at each position is a digit (False past either end)."""
        inside = (positions >= 0) & (positions < self.size)
        return inside & ((self.flags[np.where(inside, positions, 0)] & DIGIT) != 0)


def _quote_starts(batch: BodyBatch) -> np.ndarray:
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
    return ascending_distinct(np.concatenate([batch.at(OPENING), unquoted]), batch.size)


def _stripped(batch: BodyBatch, lo: np.ndarray, hi: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The spans [lo, hi) without the whitespace (what str.strip() strips) they start or end with: read on
    the matching text, which has whitespace where the body has (textmap maps spaces to a space)."""
    space = _first_chars(_whitespace())
    lo, hi = lo.copy(), hi.copy()
    moving = np.flatnonzero(lo < hi)
    while moving.size:
        moving = moving[space[batch.codes[lo[moving]]]]
        lo[moving] += 1
        moving = moving[lo[moving] < hi[moving]]
    moving = np.flatnonzero(lo < hi)
    while moving.size:
        moving = moving[space[batch.codes[hi[moving] - 1]]]
        hi[moving] -= 1
        moving = moving[lo[moving] < hi[moving]]
    return lo, hi


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


def _with_context(found: pl.DataFrame, body: np.ndarray, batch: BodyBatch) -> pl.DataFrame:
    """The context columns of the found mentions (rows of body numbers `body`), cut from the joined text."""
    size = batch.size
    base = batch.starts[body]
    start = found["start"].to_numpy().astype(np.int64) + base
    end = found["end"].to_numpy().astype(np.int64) + base
    body_end = base + batch.lengths[body]

    # A comma between a digit and three digits (not four) groups thousands.
    comma_marks = np.flatnonzero((batch.marked_flags & COMMA) != 0)
    commas = batch.marked[comma_marks]
    thousands = (commas > 0) & batch.digit_at(commas - 1) & ~batch.digit_at(commas + 4)
    for shift in (1, 2, 3):
        thousands &= batch.digit_at(commas + shift)
    sentence_ends = batch.at(SENTENCE)
    clause_marks = (batch.marked_flags & CLAUSE) != 0  # no comma is a CLAUSE character
    clause_marks[comma_marks[~thousands]] = True
    clause_ends = batch.marked[clause_marks]
    line_ends = sentence_ends[batch.codes[sentence_ends] == ord("\n")]  # "\n" is in SENTENCE_CHARS
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
    text_bytes, text_at = batch.utf8, batch.utf8_at
    words = np.frombuffer(text_bytes, dtype=np.uint8).copy()
    words[text_at[commas[thousands]]] = ord("'")
    if batch.bodies == batch.texts:  # nothing to fold (full-width forms, traditional characters)
        body_bytes, body_at = text_bytes, text_at
    else:
        body_bytes = "\n".join(batch.bodies).encode("utf-8")
        body_at = _char_offsets(body_bytes)
    cuts = {  # column: (source, from, to), in characters of the joined text
        "text": ("b", start, end),
        "sentence": ("b", *_stripped(batch, s_lo, s_hi)),
        "evidence": ("b", *_stripped(batch, c_lo, c_hi)),
        "sentence_m": ("w", s_lo, s_hi),
        "clause": ("w", *_stripped(batch, c_lo, c_hi)),
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
    listed = pl.col("left").str.ends_with("、") | pl.lit(pl.Series(noun_listed))
    noun_phrase = pl.col("noun").str.extract(f"^({NOUN_PHRASE.pattern})", 1)
    return frame.select(*SCAN_COLUMNS, **cut).with_columns(
        phrase=pl.when(listed).then(None).otherwise(pl.col("left") + noun_phrase)
    )
