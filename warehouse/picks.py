"""picked_values (migration 006): one value per report, code and scope, written by the loader with the facts.

The rule is indicator_values' pick_rule (migration 003): the largest value the report states for the code and
scope; ties: the first stated (smallest start), then the evidence text; NULLs last in each. It is applied
here to the batch's own frames (polars, byte order for text as DuckDB's), so the cost follows the batch, not
the warehouse, and the usual single value per code and scope needs no sort. Each batch's rows go in ordered
by code, so that one code's rows lie together and a scan for one code skips most of the table's vectors;
code_key (migration 007) is md5_number_lower(code), computed once per distinct code of the batch.
"""

from __future__ import annotations

import hashlib

import duckdb
import polars as pl

from warehouse.staging import staged

_KEYS = ["report_id", "code", "scope_key"]
COLUMNS = (
    "report_id",
    "region_code",
    "kind",
    "report_year",
    "code",
    "scope",
    "value",
    "unit",
    "n_values",
    "code_key",
)


def code_key(code: str) -> int:
    """DuckDB's md5_number_lower(code): the last 8 bytes of the MD5 of the UTF-8 text, little-endian."""
    return int.from_bytes(hashlib.md5(code.encode("utf-8")).digest()[8:], "little")


def picked_values(facts: pl.DataFrame, reports: pl.DataFrame, write: pl.DataFrame) -> pl.DataFrame:
    """The picked value of each report written (`write`: doc, report_id), code and scope, in code order."""
    identity = write.select("doc", "report_id").join(
        reports.select("doc", "region_code", "kind", "report_year"), on="doc"
    )
    rows = (
        facts.select("doc", "code", "scope", "value", "unit", "start", "evidence")
        .join(identity, on="doc")
        .with_columns(scope_key=pl.col("scope").fill_null(""))
    )
    rows = rows.with_columns(n_values=pl.len().over(_KEYS).cast(pl.Int64))
    several = (
        rows.filter(pl.col("n_values") > 1)
        .sort(
            [*_KEYS, "value", "start", "evidence"],
            descending=[False, False, False, True, False, False],
            nulls_last=True,
        )
        .unique(_KEYS, keep="first", maintain_order=True)
    )
    picked = pl.concat([rows.filter(pl.col("n_values") == 1), several]).sort("code")
    keys = {code: code_key(code) for code in picked["code"].unique().to_list()}
    key = pl.col("code").replace_strict(keys, return_dtype=pl.UInt64).cast(pl.UInt64)  # UInt64 when empty too
    return picked.with_columns(code_key=key).select(COLUMNS)


def insert_picked_values(
    con: duckdb.DuckDBPyConnection, facts: pl.DataFrame, reports: pl.DataFrame, write: pl.DataFrame
) -> None:
    """Add the picked values of the reports the loader is writing (their old rows are already deleted)."""
    with staged(con, batch_picked=picked_values(facts, reports, write)):
        con.execute(f"INSERT INTO picked_values ({', '.join(COLUMNS)}) SELECT * FROM batch_picked")
