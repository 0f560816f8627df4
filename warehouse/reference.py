"""Reference tables the views join: regions (transforms.regions), indicators (the catalog config) and the unit
families of config/units.yaml."""

from __future__ import annotations

import duckdb
import polars as pl

from transforms.regions import all_regions
from transforms.units import units_table
from transforms.version import extractor_version
from warehouse.indicator_rows import indicator_rows
from warehouse.staging import staged

REGION_SCHEMA: dict[str, pl.DataType] = {
    "code": pl.Utf8(),
    "name": pl.Utf8(),
    "level": pl.Utf8(),
    "parent_code": pl.Utf8(),
    "province": pl.Utf8(),
    "city": pl.Utf8(),
    "valid_from": pl.Int32(),
    "valid_to": pl.Int32(),
}
INDICATOR_SCHEMA: dict[str, pl.DataType] = {
    "code": pl.Utf8(),
    "name_zh": pl.Utf8(),
    "name_en": pl.Utf8(),
    "unit": pl.Utf8(),
    "family": pl.Utf8(),
    "domain": pl.Utf8(),
    "rule_count": pl.Int32(),
    "definition": pl.Utf8(),
    "neighbours": pl.Utf8(),
}
_META_KEY = "reference_version"


def refresh_reference(con: duckdb.DuckDBPyConnection) -> bool:
    """Reload regions and indicators when the rules changed since they were loaded; True if reloaded."""
    version = extractor_version()
    rows = con.execute("SELECT value FROM warehouse_meta WHERE key = ?", [_META_KEY]).fetchall()
    if rows and rows[0][0] == version:
        return False
    regions = pl.DataFrame([r.as_row() for r in all_regions()], schema=REGION_SCHEMA)
    indicators = pl.DataFrame(indicator_rows(), schema=INDICATOR_SCHEMA).unique("code", maintain_order=True)
    families = pl.DataFrame(
        [(family, unit) for family, units in units_table().families.items() for unit in units],
        schema={"family": pl.Utf8(), "unit": pl.Utf8()},
        orient="row",
    ).unique(maintain_order=True)
    con.execute("BEGIN TRANSACTION")
    try:
        with staged(con, new_regions=regions, new_indicators=indicators, new_families=families):
            con.execute("DELETE FROM regions")
            con.execute("INSERT INTO regions BY NAME SELECT * FROM new_regions")
            con.execute("DELETE FROM indicators")
            con.execute("INSERT INTO indicators BY NAME SELECT * FROM new_indicators")
            con.execute("DELETE FROM unit_families")
            con.execute("INSERT INTO unit_families BY NAME SELECT * FROM new_families")
        # no ON CONFLICT: a DuckLake table has no key to conflict on
        con.execute("DELETE FROM warehouse_meta WHERE key = ?", [_META_KEY])
        con.execute("INSERT INTO warehouse_meta VALUES (?, ?)", [_META_KEY, version])
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return True
