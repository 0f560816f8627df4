"""Quantity phrases no indicator code claims, from the warehouse: where the catalog should grow next.

A quantity is claimed when a fact of its report has its value and unit and the fact's evidence (the clause)
holds the quantity's text. For each other quantity the words it counts are read from the report body: the
clause text before the number (back to the previous quantity), trimmed of leading and trailing filler
(config/indicators.yaml `unclaimed`), and, when that leaves a verb or nothing (举办2期…研讨班), the words
after the measure word. Phrases are grouped with their unit, most reports first, with one example sentence.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import polars as pl

from warehouse.connection import open_read_only
from warehouse.errors import WarehouseError
from warehouse.lake import warehouse_exists
from warehouse.location import resolve_warehouse

# Characters that end the words a number counts, on either side of it.
_STOP = ",，。；;：:！!？?、\n\r\t ()（）“”《》"
# How far before the number the words are looked for; how much of a long phrase is kept (its end: the head
# noun); the longest phrase before the number that still takes the words after the measure word.
LEFT_REACH = 30
KEEP_CHARS = 12
SHORT_LEFT = 4
NOUN_REACH = 14

UNCLAIMED_SQL = f"""
WITH numbered AS (
    SELECT q.report_id, q.ordinal, q.value, q.unit, q.text, q."start" AS s, q."end" AS e, q.sentence, r.body,
           coalesce(lag(q."end") OVER (PARTITION BY q.report_id ORDER BY q.ordinal), 0) AS prev_end
    FROM quantities AS q JOIN reports AS r USING (report_id)
),
unclaimed AS (
    SELECT * FROM numbered AS q
    WHERE NOT EXISTS (
        SELECT 1 FROM facts AS f
        WHERE f.report_id = q.report_id AND f.value = q.value AND f.unit = q.unit
          AND contains(f.evidence, q.text)
    )
),
words AS (
    SELECT *,
           regexp_extract(substr(body, greatest(s - {LEFT_REACH}, prev_end) + 1,
                                 s - greatest(s - {LEFT_REACH}, prev_end)),
                          '[^{_STOP}]*$') AS left_raw,
           regexp_extract(substr(body, e + 1, {NOUN_REACH}), '^[^{_STOP}0-9的和与及并等]*') AS noun
    FROM unclaimed
),
trimmed AS (
    SELECT *, regexp_replace(regexp_replace(left_raw, $lead, ''), $tail, '') AS left_words FROM words
),
phrased AS (
    SELECT *, CASE WHEN length(left_words) <= {SHORT_LEFT} THEN left_words || noun
                   ELSE right(left_words, {KEEP_CHARS}) END AS phrase
    FROM trimmed
)
SELECT phrase, unit, count(DISTINCT report_id) AS reports, count(*) AS mentions,
       first(sentence ORDER BY report_id, ordinal) AS example,
       first(report_id ORDER BY report_id, ordinal) AS example_report
FROM phrased
WHERE length(phrase) >= 2
GROUP BY phrase, unit
ORDER BY reports DESC, mentions DESC, phrase, unit
LIMIT $limit
"""


def unclaimed_phrases(warehouse: Path | str | None, lead: str, tail: str, limit: int = 50) -> pl.DataFrame:
    """The `limit` most frequent unclaimed (phrase, unit) pairs: reports, mentions, an example sentence.

    `lead` and `tail` are the regexes that trim filler off the words before the number. A warehouse that
    does not exist is a WarehouseError (never created here).
    """
    path = resolve_warehouse(warehouse)
    if not warehouse_exists(path):
        raise WarehouseError(
            f"{path}: no warehouse here (load reports with `nianbao load PATH…`, or pass --warehouse)"
        )
    if limit < 1:
        raise WarehouseError(f"--limit must be at least 1, not {limit}")
    with open_read_only(path) as con:
        try:
            return con.sql(UNCLAIMED_SQL, params={"lead": lead, "tail": tail, "limit": limit}).pl()
        except duckdb.Error as exc:
            why = str(exc).splitlines()[0]
            raise WarehouseError(f"{path}: cannot list unclaimed phrases: {why}") from exc
