"""config/units.yaml as a validated table: measure words, scales, hedges, families and the mention regex."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import Any

import polars as pl

from nianbao.settings import ConfigError, load_config

UNITS_FILE = "units.yaml"
QUALIFIERS = frozenset({"more_than", "about", "less_than"})
HEDGE_POSITIONS = ("before", "between", "after")

# What a numeral never starts right after (besides a digit, \d): it would start inside another numeral.
NUMERAL_NOT_AFTER = ".〇零一二三四五六七八九两十百千万亿"
# A numeral: Arabic (thousands separators, decimals) or Chinese, possibly mixed (3万4千, 1.2万, 三点五).
NUMERAL = (
    rf"(?<![\d{NUMERAL_NOT_AFTER}])(?<!\d,)"  # never start inside another numeral (nor after 2,)
    r"(?:\d{1,3}(?:,\d{3})+|[\d一二三四五六七八九两十]|[百千万](?=[余多])"  # 百余家: about a hundred
    # A bare 百/千/万 after a hedge or 达 (近万名, 达千亿元), or 百个/千个: not 千家万户, 每万人, 万元GDP.
    r"|(?<=[近约超逾达])[百千万](?=[亿万]?[个名人元件次])|[百千](?=个))"
    r"(?:[\d〇零一二三四五六七八九两十百千万亿]|\.\d|点[〇零一二三四五六七八九])*"
)


@dataclass(frozen=True, slots=True)
class UnitsTable:
    """Everything the tokeniser and the batch normaliser need from config/units.yaml."""

    scales: dict[str, float]
    fraction_words: dict[str, str]  # 百分之 -> %, 千分之 -> ‰
    measure_words: dict[str, str]  # printed form -> canonical unit
    hedges: dict[tuple[str, str], str]  # (position, word) -> qualifier
    families: dict[str, tuple[str, ...]]
    ordinal_markers: tuple[str, ...]
    numeral_phrases: tuple[str, ...]
    slogan_lead_words: tuple[str, ...]
    vague_before: tuple[str, ...]
    lone_one_not_after: tuple[str, ...]
    name_contexts: tuple[tuple[re.Pattern[str], re.Pattern[str]], ...]  # (before, after)
    mention_re: re.Pattern[str]
    scale_split_re: re.Pattern[str]
    scale_words: tuple[str, ...]  # what scale_split_re can find at a numeral's end
    mention_first_chars: str  # a mention_re match starts with one of these
    numeral_first_chars: str  # a NUMERAL starts with one of these
    mention_words: tuple[str, ...]  # a match not starting with a NUMERAL starts with one of these words
    # In a match, what a NUMERAL is followed by starts with one of these: a space or tab, a range separator,
    # a between-hedge (多), a scale word (万) or a measure word.
    numeral_follow_chars: str
    hedge_not_after: str

    def units_frame(self) -> pl.DataFrame:
        return pl.DataFrame(
            {"form": list(self.measure_words), "unit": list(self.measure_words.values())},
            schema={"form": pl.Utf8(), "unit": pl.Utf8()},
        )

    def scales_frame(self) -> pl.DataFrame:
        return pl.DataFrame(
            {"scale": list(self.scales), "scale_factor": list(self.scales.values())},
            schema={"scale": pl.Utf8(), "scale_factor": pl.Float64()},
        )

    def hedges_frame(self) -> pl.DataFrame:
        return pl.DataFrame(
            {
                "position": [p for p, _ in self.hedges],
                "hedge": [w for _, w in self.hedges],
                "qualifier": list(self.hedges.values()),
            },
            schema={"position": pl.Utf8(), "hedge": pl.Utf8(), "qualifier": pl.Utf8()},
        )


def _fail(what: str) -> ConfigError:
    return ConfigError(f"config/{UNITS_FILE}: {what}")


def _alternation(words: list[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


def _word_list(raw: dict[str, Any], key: str) -> tuple[str, ...]:
    value = raw.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise _fail(f"{key!r} must be a list of non-empty strings")
    return tuple(value)


def _measure_words(raw: dict[str, Any]) -> tuple[dict[str, str], list[str]]:
    entries = raw.get("measure_words")
    if not isinstance(entries, dict) or not entries:
        raise _fail("'measure_words' must be a mapping of printed form -> {unit, not_before}")
    words: dict[str, str] = {}
    patterns: list[tuple[str, str]] = []
    for form, spec in entries.items():
        if not isinstance(form, str) or not form or not isinstance(spec, dict) or "unit" not in spec:
            raise _fail(f"measure word {form!r}: needs a mapping with 'unit'")
        unknown = set(spec) - {"unit", "not_before"}
        if unknown:
            raise _fail(f"measure word {form!r}: unknown keys {sorted(unknown)}")
        not_before = spec.get("not_before")
        pattern = re.escape(form)
        if not_before:
            try:
                re.compile(not_before)
            except re.error as exc:
                raise _fail(f"measure word {form!r}: bad not_before regex: {exc}") from exc
            pattern += f"(?!{not_before})"
        words[form] = str(spec["unit"])
        patterns.append((form, pattern))
    patterns.sort(key=lambda fp: len(fp[0]), reverse=True)
    return words, [p for _, p in patterns]


def _hedges(raw: dict[str, Any]) -> tuple[dict[tuple[str, str], str], str]:
    section = raw.get("hedges")
    if not isinstance(section, dict):
        raise _fail("'hedges' must be a mapping with before/between/after")
    hedges: dict[tuple[str, str], str] = {}
    for position in HEDGE_POSITIONS:
        for word, qualifier in (section.get(position) or {}).items():
            if qualifier not in QUALIFIERS:
                raise _fail(f"hedge {word!r} ({position}): qualifier must be one of {sorted(QUALIFIERS)}")
            hedges[(position, str(word))] = qualifier
    return hedges, str(section.get("not_after", ""))


def _name_contexts(raw: dict[str, Any]) -> tuple[tuple[re.Pattern[str], re.Pattern[str]], ...]:
    entries = raw.get("name_contexts", [])
    if not isinstance(entries, list):
        raise _fail("'name_contexts' must be a list of {before, after} regexes")
    out = []
    for i, entry in enumerate(entries):
        if not isinstance(entry, dict) or set(entry) != {"before", "after"}:
            raise _fail(f"name_contexts entry {i + 1}: needs exactly the keys before and after")
        try:
            out.append((re.compile(entry["before"]), re.compile(entry["after"])))
        except (re.error, TypeError) as exc:
            raise _fail(f"name_contexts entry {i + 1}: bad regex: {exc}") from exc
    return tuple(out)


def build_units(raw: Any) -> UnitsTable:
    """Validate the parsed YAML and compile the mention regex; ConfigError names the bad entry."""
    if not isinstance(raw, dict):
        raise _fail("must be a mapping")
    scales_raw = raw.get("scales")
    if not isinstance(scales_raw, dict) or not all(isinstance(v, int | float) for v in scales_raw.values()):
        raise _fail("'scales' must map a scale word to a number")
    scales = {str(k): float(v) for k, v in scales_raw.items()}
    words, unit_patterns = _measure_words(raw)
    hedges, not_after = _hedges(raw)
    families_raw = raw.get("families")
    if not isinstance(families_raw, dict):
        raise _fail("'families' must map a family name to a list of units")
    families: dict[str, tuple[str, ...]] = {}
    for name, units in families_raw.items():
        if not isinstance(units, list) or not units:
            raise _fail(f"family {name!r}: needs a list of units")
        families[str(name)] = tuple(str(u) for u in units)
    separators = _word_list(raw, "range_separators")
    fractions_raw = raw.get("fraction_words")
    if (
        not isinstance(fractions_raw, dict)
        or not fractions_raw
        or not all(isinstance(k, str) and k and v in words for k, v in fractions_raw.items())
    ):
        raise _fail("'fraction_words' must map a word (百分之) to a measure word of 'measure_words'")
    fractions = {str(k): str(v) for k, v in fractions_raw.items()}

    def words_at(position: str) -> str:
        return _alternation([w for p, w in hedges if p == position])

    # A one-character lookahead first lets the scan skip the (many) positions that cannot start a mention.
    lead_words = [w for p, w in hedges if p == "before"] + list(fractions)
    numeral_first_chars = "0123456789一二三四五六七八九两十百千万"
    first_chars = {w[0] for w in lead_words} | set(numeral_first_chars)
    # 百分之百 (100%) is the one numeral a fraction word takes that NUMERAL does not start with.
    # A scale word apart from its number (300多万元, 1000余万元, 3751.9 万元) is mscale.
    mention = (
        rf"(?=[{''.join(map(re.escape, sorted(first_chars)))}])"
        rf"(?P<pre>{words_at('before')})?"
        rf"(?:(?P<pword>{_alternation(list(fractions))})(?P<pnum>{NUMERAL}|百)"
        rf"|(?P<num>{NUMERAL})(?:[ \t]?(?P<sep>{_alternation(list(separators))})[ \t]?(?P<num2>{NUMERAL}))?"
        rf"[ \t]?(?P<mid>{words_at('between')})?[ \t]?(?P<mscale>{_alternation(list(scales))})?"
        rf"[ \t]?(?P<form>{'|'.join(unit_patterns)}))"
        rf"(?P<post>{words_at('after')})?"
    )
    between = [w for p, w in hedges if p == "between"]
    follow = {" ", "\t"} | {word[0] for word in [*separators, *between, *scales, *words]}
    scale_split = rf"^(?P<head>.+?)(?P<scale>{_alternation(list(scales))})$"
    return UnitsTable(
        scales=scales,
        fraction_words=fractions,
        measure_words=words,
        hedges=hedges,
        families=families,
        ordinal_markers=_word_list(raw, "ordinal_markers"),
        numeral_phrases=_word_list(raw, "numeral_phrases"),
        slogan_lead_words=_word_list(raw, "slogan_lead_words"),
        vague_before=_word_list(raw, "vague_before"),
        lone_one_not_after=_word_list(raw, "lone_one_not_after"),
        name_contexts=_name_contexts(raw),
        mention_re=re.compile(mention),
        scale_split_re=re.compile(scale_split),
        scale_words=tuple(scales),
        mention_first_chars="".join(sorted(first_chars)),
        numeral_first_chars=numeral_first_chars,
        mention_words=tuple(lead_words),
        numeral_follow_chars="".join(sorted(follow)),
        hedge_not_after=not_after,
    )


@cache
def _units_for(raw_id: int) -> UnitsTable:
    return build_units(load_config(UNITS_FILE))


def units_table() -> UnitsTable:
    """The units table of the current config (rebuilt when the file changes)."""
    return _units_for(id(load_config(UNITS_FILE)))
