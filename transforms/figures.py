"""Quantities and indicators for a batch of reports, normalised in polars over the whole batch at once.

Per report, Python only tokenises (transforms/quantities.py, which also cuts the rules' context for the
batch). Then: mention rows → numerals parsed → unit, scale and hedges mapped from the units table → the
claiming catalog rule of each mention (transforms/rule_match.py) → stated zeros → de-duplication → typed
QUANTITY/FACT frames (Arrow-ready).
"""

from __future__ import annotations

import gc
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, fields
from functools import cache

import numpy as np
import polars as pl

from transforms.catalog import Catalog, Rule, Scope, load_catalog
from transforms.frames import FACT_SCHEMA, QUANTITY_SCHEMA
from transforms.model import Indicator, Quantity, Report
from transforms.numbers import parse_number
from transforms.quantities import SENTENCE_END, BodyBatch, scan_batch
from transforms.rule_match import claiming_rules
from transforms.textmap import match_text
from transforms.units import UnitsTable, units_table

QUANTITY_FIELDS = tuple(f.name for f in fields(Quantity))
INDICATOR_FIELDS = tuple(f.name for f in fields(Indicator))
# The columns of a mention a fact keeps (besides code, unit, qualifier and scope).
FACT_COLUMNS = ("doc", "value", "value_high", "qualifier", "evidence", "start", "end", "sentence")
ZERO_SCHEMA: dict[str, pl.DataType] = {
    "doc": pl.UInt32(),
    "code": pl.Utf8(),
    "evidence": pl.Utf8(),
    "start": pl.Int32(),
    "end": pl.Int32(),
    "sentence": pl.Utf8(),
}


@dataclass(slots=True)
class FigureFrames:
    """Typed frames of a batch: QUANTITY_SCHEMA and FACT_SCHEMA rows, keyed by ``doc``."""

    quantities: pl.DataFrame
    facts: pl.DataFrame


def _numbers(column: pl.Expr, lookup: pl.DataFrame, name: str) -> list[pl.Expr]:
    """A numeral as mantissa `name` and divisor `name`_div (value = mantissa × scale ÷ divisor).

    Arabic numerals by a cast of their digits, so that 156.8亿 is 1568 × 10⁸ ÷ 10, exactly 15680000000 (a
    float product 156.8 × 10⁸ is off by 2e-6); the (few) Chinese ones through the parsed lookup table.
    """
    plain = column.str.replace_all(",", "", literal=True)
    arabic = plain.str.contains(r"^\d+(?:\.\d+)?$")
    decimals = plain.str.extract(r"\.(\d+)$", 1).str.len_chars().fill_null(0)
    chinese = column.replace_strict(
        lookup["numeral"], lookup["number"], default=None, return_dtype=pl.Float64()
    )
    return [
        pl.when(arabic)
        .then(plain.str.replace(".", "", literal=True).cast(pl.Float64, strict=False))
        .otherwise(chinese)
        .alias(name),
        pl.when(arabic).then(pl.lit(10.0).pow(decimals)).otherwise(1.0).alias(f"{name}_div"),
    ]


def _numeral_lookup(mentions: pl.DataFrame) -> pl.DataFrame:
    """Distinct non-Arabic numerals of the batch, parsed once each."""
    distinct = pl.concat([mentions["num"], mentions["num2"]]).drop_nulls().unique()
    numerals = distinct.filter(~distinct.str.contains(r"^[\d.,]+$")).to_list()
    return pl.DataFrame(
        {"numeral": numerals, "number": [parse_number(n) for n in numerals]},
        schema={"numeral": pl.Utf8(), "number": pl.Float64()},
    )


def _mapped(column: str, table: dict[str, str] | dict[str, float], dtype: pl.DataType) -> pl.Expr:
    """The table's value for the column's word (null for null or a word not in the table)."""
    return pl.col(column).replace_strict(list(table), list(table.values()), default=None, return_dtype=dtype)


def normalise_mentions(mentions: pl.DataFrame, units: UnitsTable) -> pl.DataFrame:
    """Mention rows → values in canonical units, with qualifiers; the context columns are kept."""
    lookup = _numeral_lookup(mentions)
    hedges = {
        position: {word: q for (p, word), q in units.hedges.items() if p == position}
        for position in ("before", "between", "after")
    }
    frame = mentions.with_columns(
        *_numbers(pl.col("num"), lookup, "n1"),
        *_numbers(pl.col("num2"), lookup, "n2"),
        _mapped("scale", units.scales, pl.Float64()).alias("scale_factor"),
        _mapped("scale_low", units.scales, pl.Float64()).alias("low_factor"),
        _mapped("form", units.measure_words, pl.Utf8()).alias("unit"),
        *(
            _mapped(column, hedges[position], pl.Utf8()).alias(f"q_{column}")
            for column, position in (("pre", "before"), ("mid", "between"), ("post", "after"))
        ),
    )
    factor = pl.col("scale_factor").fill_null(1.0)
    frame = frame.with_columns(
        value=(pl.col("n1") * pl.coalesce("low_factor", factor) / pl.col("n1_div")).round(6),
        value_high=(pl.col("n2") * factor / pl.col("n2_div")).round(6),
        qualifier=pl.coalesce("q_pre", "q_mid", "q_post", "hint"),
    ).filter(pl.col("value").is_not_null() & pl.col("unit").is_not_null())
    # The scan gives each body's mentions in reading order; only bodies out of doc order need a sort.
    docs = frame["doc"].to_numpy()
    starts = frame["start"].to_numpy()
    in_order = bool(np.all((docs[1:] > docs[:-1]) | ((docs[1:] == docs[:-1]) & (starts[1:] > starts[:-1]))))
    return (frame if in_order else frame.sort("doc", "start")).with_columns(
        ordinal=pl.int_range(pl.len(), dtype=pl.Int32).over("doc")
    )


def _paired_lefts(measured: pl.DataFrame, catalog: Catalog) -> pl.Series:
    """Each value of a 分别 list read with its own listed item (catalog `pairing`), null elsewhere.

    受理、审结行政复议案件分别为30件、28件: 30 reads 受理行政复议案件分别为, 28 reads 审结行政复议案件分别为 —
    when the items before 分别 (split at 、) are as many as the values. An item's words shared with the last
    item are what follows the last item's leading action (行政复议案件 after 审结); items of nouns share none.
    """
    paired: list[str | None] = [None] * measured.height
    if catalog.pairing_action is None or catalog.pairing_join is None or measured.is_empty():
        return pl.Series("paired", paired, dtype=pl.Utf8)
    action, join = re.compile(catalog.pairing_action), re.compile(catalog.pairing_join)
    rows = measured.select("doc", "start", "before", "left").with_row_index("row")
    runs: list[list[tuple[int, str]]] = []
    key = None
    for row, doc, start, before, left in rows.filter(pl.col("before").str.contains("分别")).iter_rows():
        clause = (doc, start - len(before))
        if "分别" in left:
            runs.append([(row, left)])
            key = clause
        elif runs and clause == key and join.search(left):
            runs[-1].append((row, left))
        else:
            key = None
    for run in runs:
        head_left = run[0][1]
        cut = head_left.rfind("分别")
        items = head_left[:cut].split("、")
        if len(run) < 2 or len(items) != len(run) or not all(items):
            continue
        lead = action.match(items[-1])
        shared = items[-1][lead.end() :] if lead else ""
        for i, (row, _) in enumerate(run):
            paired[row] = items[i] + (shared if i < len(run) - 1 else "") + head_left[cut:]
    return pl.Series("paired", paired, dtype=pl.Utf8)


def _scope_found(scope: Scope) -> pl.Expr:
    """The scopes one alternative finds, as a list (empty when it finds none)."""
    column = pl.col(scope.column)
    if scope.each:
        return column.str.extract_all(scope.pattern)
    return pl.concat_list(column.str.extract(scope.pattern, 1)).list.drop_nulls()


def _continued(frame: pl.LazyFrame, catalog: Catalog) -> pl.LazyFrame:
    """A value no rule claims, listed right after a claimed one (catalog `continuation`: 分别为8件、5件),
    takes that one's rule; a run of such values all take the rule of the first (the unit check follows)."""
    if not catalog.continuation:
        return frame
    listed = pl.lit(True)
    for column, pattern in catalog.continuation:
        listed = listed & pl.col(column).str.contains(pattern).fill_null(False)
    for column, pattern in catalog.continuation_not:
        listed = listed & ~pl.col(column).str.contains(pattern).fill_null(False)
    # Carry a claimed rule forward through listed values only; any other unclaimed value stops it (-1).
    carry = (
        pl.when(pl.col("rule").is_not_null())
        .then(pl.col("rule"))
        .when(listed)
        .then(None)
        .otherwise(pl.lit(-1, pl.Int32))
    )
    return (
        frame.with_columns(carried=carry.forward_fill().over("doc"))
        .with_columns(
            rule=pl.when(pl.col("rule").is_null() & listed & (pl.col("carried") >= 0))
            .then(pl.col("carried"))
            .otherwise(pl.col("rule"))
        )
        .drop("carried")
    )


@cache
def _rule_codes(rules: tuple[Rule, ...]) -> pl.DataFrame:
    """Each rule's position, code and units (built once per catalog)."""
    return pl.DataFrame(
        {
            "rule": list(range(len(rules))),
            "code": [r.code for r in rules],
            "rule_units": [list(r.units) for r in rules],
        },
        schema={"rule": pl.Int32(), "code": pl.Utf8(), "rule_units": pl.List(pl.Utf8())},
    )


def match_indicators(measured: pl.DataFrame, catalog: Catalog) -> pl.DataFrame:
    """One fact per quantity that a catalog rule claims (best rule wins), with its scope when configured."""
    if not catalog.rules or measured.is_empty():
        return pl.DataFrame(schema={**FACT_SCHEMA, "scope_raw": pl.Utf8()})
    measured = measured.with_columns(_paired_lefts(measured, catalog))
    rules = claiming_rules(measured, catalog.rules)
    # Only the columns the facts keep and the continuation and scopes read go on.
    kept = {
        *FACT_COLUMNS,
        "unit",
        *(column for column, _ in catalog.continuation + catalog.continuation_not),
        *(scope.column for ind in catalog.indicators for scope in ind.scopes),
    }
    carried = measured.lazy().select(*(name for name in measured.columns if name in kept), rules)
    matched = (
        _continued(carried, catalog)
        .filter(pl.col("rule").is_not_null())
        .join(_rule_codes(catalog.rules).lazy(), on="rule", how="left")
        .filter(pl.col("rule_units").list.contains(pl.col("unit")))
        .collect()
    )
    # Scope: the first capture of the code's scope pattern; with `each`, every match (one fact per scope:
    # 参学率、达标率达100% is two facts). Read only on the rows of codes that have a scope.
    scope_lists = [
        pl.when((pl.col("code") == ind.code) & (found.list.len() > 0)).then(found)
        for ind in catalog.indicators
        for found in map(_scope_found, ind.scopes)
    ]
    scoped = pl.col("code").is_in([ind.code for ind in catalog.indicators if ind.scopes])
    facts = matched.with_row_index("row")
    scopes = facts.filter(scoped).select(
        "row",
        (pl.coalesce(scope_lists) if scope_lists else pl.lit(None, pl.List(pl.Utf8))).alias("scope_raw"),
    )
    return (
        facts.join(scopes, on="row", how="left", maintain_order="left")
        .select(
            "doc",
            "code",
            "value",
            "value_high",
            "unit",
            "qualifier",
            pl.lit(None, pl.Utf8).alias("scope"),
            "evidence",
            "start",
            "end",
            "sentence",
            "scope_raw",
        )
        .explode("scope_raw")
    )


def scan_zeros(batch: BodyBatch, catalog: Catalog) -> pl.DataFrame:
    """Values stated in words (未出现败诉案件): one row per match of a catalog `zero` pattern.

    polars finds the (few) bodies with a match, on the texts cut from the batch's UTF-8 (not each encoded
    again); Python re gives offsets only for those.
    """
    data: dict[str, list] = {name: [] for name in ZERO_SCHEMA}
    if catalog.zero_re is not None and batch.texts:
        hits = batch.text_series().str.contains(catalog.zero_re.pattern)
        rows = zip(batch.docs.tolist(), batch.bodies, batch.texts, hits.to_list(), strict=True)
        for doc, body, text, hit in rows:
            if not hit:
                continue
            for m in catalog.zero_re.finditer(text):
                data["doc"].append(doc)
                data["code"].append(catalog.zero_codes[int(m.lastgroup[1:])])
                data["evidence"].append(body[m.start() : m.end()])
                data["start"].append(m.start())
                data["end"].append(m.end())
                data["sentence"].append(_sentence_around(body, text, m.start(), m.end()))
    return pl.DataFrame(data, schema=ZERO_SCHEMA)


def _sentence_around(body: str, text: str, start: int, end: int) -> str:
    """The sentence of body holding body[start:end] (sentence ends found on the matching text)."""
    before = [m.end() for m in SENTENCE_END.finditer(text, 0, start)]
    after = SENTENCE_END.search(text, end)
    return body[(before[-1] if before else 0) : (after.start() if after else len(body))].strip()


def zero_facts(zeros: pl.DataFrame, catalog: Catalog) -> pl.DataFrame:
    units = pl.DataFrame(
        {"code": [i.code for i in catalog.indicators], "unit": [i.unit for i in catalog.indicators]}
    )
    return zeros.join(units, on="code", how="left").select(
        "doc",
        "code",
        pl.lit(0.0).alias("value"),
        pl.lit(None, pl.Float64).alias("value_high"),
        "unit",
        pl.lit(None, pl.Utf8).alias("qualifier"),
        pl.lit(None, pl.Utf8).alias("scope"),
        "evidence",
        "start",
        "end",
        "sentence",
        pl.lit(None, pl.Utf8).alias("scope_raw"),
    )


def finish_facts(facts: pl.DataFrame) -> pl.DataFrame:
    """De-duplicate (one fact per doc, code, value, unit and scope) and keep scope only where a report
    gives one code several values."""
    return (
        facts.sort("doc", "start", maintain_order=True)
        .unique(subset=["doc", "code", "value", "unit", "scope_raw"], keep="first", maintain_order=True)
        .with_columns(
            scope=pl.when(pl.len().over("doc", "code") > 1).then(pl.col("scope_raw")).otherwise(None)
        )
        .select(list(FACT_SCHEMA))
        .cast(FACT_SCHEMA)  # type: ignore[arg-type]
    )


def measure_mentions(
    triples: Sequence[tuple[int, str, str]], units: UnitsTable | None = None
) -> pl.DataFrame:
    """Normalised quantity rows (with their rule context) for (doc, body, match_text(body)) triples."""
    return measure_batch(BodyBatch.of(triples), units)


def measure_batch(batch: BodyBatch, units: UnitsTable | None = None) -> pl.DataFrame:
    """Normalised quantity rows (with their rule context) of a batch's bodies."""
    units = units or units_table()
    return normalise_mentions(scan_batch(batch, units), units)


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Python's cycle collector off for a while: the scan makes a batch's worth of acyclic objects (regex
    matches, tuples; then the Quantity and Indicator objects), whose count triggers collections, the older
    generations' walking all the caller keeps alive (reports, pages). Reference counting still frees them;
    the collector runs again after."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def measure_bodies(
    bodies: Sequence[tuple[int, str]], units: UnitsTable | None = None, catalog: Catalog | None = None
) -> FigureFrames:
    """Quantities and facts for (doc, body) pairs."""
    catalog = catalog or load_catalog()
    with _collector_paused():
        batch = BodyBatch.of([(doc, body, match_text(body)) for doc, body in bodies])
        measured = measure_batch(batch, units)
        quantities = measured.select(list(QUANTITY_SCHEMA)).cast(QUANTITY_SCHEMA)  # type: ignore[arg-type]
        zeros = zero_facts(scan_zeros(batch, catalog), catalog)
        facts = pl.concat([match_indicators(measured, catalog), zeros], how="vertical_relaxed")
        return FigureFrames(quantities, finish_facts(facts))


def _per_doc(frame: pl.DataFrame, kind: type, names: tuple[str, ...]) -> dict[int, list]:
    """The frame's rows (sorted by doc) as `kind` objects, listed per doc."""
    if frame.is_empty():
        return {}
    rows = list(map(kind, *(frame[name].to_list() for name in names)))
    docs = frame["doc"].to_numpy()
    cuts = np.flatnonzero(docs[1:] != docs[:-1]) + 1
    firsts = np.concatenate(([0], cuts)).tolist()
    ends = [*cuts.tolist(), len(rows)]
    return {doc: rows[first:end] for doc, first, end in zip(docs[firsts].tolist(), firsts, ends, strict=True)}


def measure_reports(reports: Sequence[Report], objects: bool = True) -> FigureFrames:
    """Measure every ok report of the batch; with `objects`, fill each report's .quantities and .indicators
    too (for `nianbao extract`; the warehouse needs only the frames)."""
    bodies = [(doc, r.body) for doc, r in enumerate(reports) if r.ok and r.body]
    frames = measure_bodies(bodies)
    if not objects:
        return frames
    # Objects built from the columns in the dataclasses' field order, cut per doc (acyclic: no collector).
    with _collector_paused():
        quantities = _per_doc(frames.quantities, Quantity, QUANTITY_FIELDS)
        indicators = _per_doc(frames.facts, Indicator, INDICATOR_FIELDS)
    for doc, report in enumerate(reports):
        if report.ok:
            report.quantities = quantities.get(doc, [])
            report.indicators = indicators.get(doc, [])
    return frames
