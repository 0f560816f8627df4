"""The national-template tables of a 政府信息公开工作年度报告 as exact facts, and the template's own
arithmetic.

The tables are read from body lines, whatever form they arrived in: HTML table rows (tab-separated cells),
text where the table was flattened into lines or `|` cells, PDF and DOCX tables. A table starts at its heading
(on a line of its own) and ends at the next table's heading or section heading. In the `rows` layout each row
label is looked for in order and the numbers between it and the next label are its cells; a row whose cell
count is not the column count gives no facts and fails the `complete` check. The tables and checks are data
(config/gov_info_tables.yaml).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import polars as pl
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from nianbao.settings import validated
from transforms.frames import FACT_SCHEMA
from transforms.rulebook import compiled

TABLES_FILE = "gov_info_tables.yaml"
CODE_RE = r"^gov_info\.[a-z][a-z0-9_]*$"
CHECK_SCHEMA: dict[str, pl.DataType] = {
    "doc": pl.UInt32(),
    "table_id": pl.Utf8(),
    "check_id": pl.Utf8(),
    "scope": pl.Utf8(),
    "left_value": pl.Float64(),
    "right_value": pl.Float64(),
    "ok": pl.Boolean(),
    "detail": pl.Utf8(),
}
_NUMBER = re.compile(r"(?<![\d.,])(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?(?![\d.．、])")
_SECTION_LINE = re.compile(r"^\s*[一二三四五六七八九十]+[、.．]")


def _regex(value: str) -> str:
    try:
        re.compile(value)
    except re.error as exc:
        raise ValueError(f"bad regex {value!r}: {exc}") from exc
    return value


class RowSpec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    code: str = Field(pattern=CODE_RE)
    name_zh: str = Field(min_length=1)
    name_en: str | None = None
    label: str
    unit: str | None = None
    family: str | None = None
    scale: float = 1.0
    columns: tuple[str, ...] | None = None
    optional: bool = False  # a template version may lack the row: absent, it counts as 0 in checks

    _label = field_validator("label")(_regex)


class TableSpec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    heading: str
    layout: Literal["rows", "one_line"]
    columns: tuple[str, ...] | None = None
    unit: str | None = None
    family: str | None = None
    rows: tuple[RowSpec, ...] = Field(min_length=1)

    _heading = field_validator("heading")(_regex)

    @model_validator(mode="after")
    def _every_row_has_columns_and_unit(self) -> TableSpec:
        for row in self.rows:
            if not (row.columns or self.columns):
                raise ValueError(f"row {row.code}: no columns (neither the row's nor the table's)")
            if not (row.unit or self.unit) or not (row.family or self.family):
                raise ValueError(f"row {row.code}: no unit/family (neither the row's nor the table's)")
        return self

    def columns_of(self, row: RowSpec) -> tuple[str, ...]:
        return row.columns or self.columns or ()


class CheckSpec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    table: str
    kind: Literal["rows", "columns"]
    left: tuple[str, ...] = ()
    right: tuple[str, ...] = ()
    columns: tuple[str, ...] | None = None
    parts: tuple[str, ...] = ()
    total: str | None = None
    codes: tuple[str, ...] | None = None

    @model_validator(mode="after")
    def _complete(self) -> CheckSpec:
        if self.kind == "rows" and not (self.left and self.right):
            raise ValueError("a 'rows' check needs left and right codes")
        if self.kind == "columns" and not (self.parts and self.total):
            raise ValueError("a 'columns' check needs parts and a total column")
        return self


class GovInfoTables(BaseModel):
    """config/gov_info_tables.yaml, validated: codes unique, checks naming known tables, codes, columns."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    row_numbering: str
    tables: tuple[TableSpec, ...]
    checks: tuple[CheckSpec, ...] = ()

    _row_numbering = field_validator("row_numbering")(_regex)

    @model_validator(mode="after")
    def _consistent(self) -> GovInfoTables:
        codes = [row.code for table in self.tables for row in table.rows]
        duplicate = sorted({c for c in codes if codes.count(c) > 1})
        if duplicate:
            raise ValueError(f"duplicate codes {duplicate}")
        tables = {t.id: t for t in self.tables}
        for check in self.checks:
            table = tables.get(check.table)
            if table is None:
                raise ValueError(f"check {check.id}: unknown table {check.table!r}")
            known = {row.code for row in table.rows}
            unknown = [c for c in (*check.left, *check.right, *(check.codes or ())) if c not in known]
            if unknown:
                raise ValueError(f"check {check.id}: codes {unknown} are not rows of table {table.id}")
            columns = set(table.columns or ())
            wanted = [*check.parts, *([check.total] if check.total else []), *(check.columns or ())]
            if any(c not in columns for c in wanted):
                raise ValueError(
                    f"check {check.id}: columns {wanted} are not all columns of table {table.id}"
                )
        return self


@dataclass(frozen=True, slots=True)
class CatalogEntry:
    """A table row as an indicator of the catalog (no text rules: its facts come from the table)."""

    code: str
    name_zh: str
    name_en: str
    unit: str
    family: str


def _build(raw: Any) -> GovInfoTables:
    return validated(GovInfoTables, raw, f"config/{TABLES_FILE}: ")


def table_rules() -> GovInfoTables:
    return compiled(TABLES_FILE, _build)


def catalog_entries(rules: GovInfoTables | None = None) -> list[CatalogEntry]:
    """Every table row as a catalog entry (code, names, unit, family)."""
    rules = rules or table_rules()
    return [
        CatalogEntry(
            row.code,
            row.name_zh,
            row.name_en or row.name_zh,
            row.unit or table.unit or "",
            row.family or table.family or "",
        )
        for table in rules.tables
        for row in table.rows
    ]


@dataclass(slots=True)
class TableCells:
    """One report's parsed cells: code → column → value, the evidence per code, and incomplete rows."""

    values: dict[str, dict[str, float]]
    evidence: dict[str, str]
    incomplete: list[tuple[str, str]]  # (table id, reason)
    tables_found: list[str]


def _heading_spans(body: str, heading: re.Pattern[str]) -> list[int]:
    """Ends of the lines holding the heading on a line of its own (not a mention inside a sentence)."""
    ends = []
    for match in heading.finditer(body):
        start = body.rfind("\n", 0, match.start()) + 1
        end = body.find("\n", match.end())
        end = len(body) if end < 0 else end
        if (end - start) - (match.end() - match.start()) <= 16:
            ends.append(end)
    return ends


def _region(body: str, start: int, stops: Sequence[re.Pattern[str]], rows: re.Pattern[str]) -> str:
    """From start to the first later section heading line (一、…, unless it numbers a table row: the
    config's row_numbering) or another table's heading line."""
    end = len(body)
    position = start
    for line in body[start:].split("\n"):
        if (
            line.strip()
            and ((_SECTION_LINE.match(line) and not rows.search(line)) or any(s.search(line) for s in stops))
            and position > start
        ):
            end = position
            break
        position += len(line) + 1
    return body[start:end]


def _numbers(text: str) -> list[tuple[int, float, str]]:
    """(offset, value, as written) of every cell number; list numbering (1. 2、) is not one."""
    return [
        (m.start(), float(m.group(1).replace(",", "") + (m.group(2) or "")), m.group(0))
        for m in _NUMBER.finditer(text)
    ]


def parse_tables(body: str, rules: GovInfoTables | None = None) -> TableCells:
    """The template tables found in one report body."""
    rules = rules or table_rules()
    cells = TableCells({}, {}, [], [])
    headings = {t.id: re.compile(t.heading) for t in rules.tables}
    for table in rules.tables:
        spans = _heading_spans(body, headings[table.id])
        if not spans:
            continue
        stops = [p for tid, p in headings.items() if tid != table.id]
        region = _region(body, spans[-1], stops, re.compile(rules.row_numbering))
        before = len(cells.values)
        if table.layout == "rows":
            _read_rows(table, region, cells)
        else:
            _read_one_line(table, region, cells)
        if len(cells.values) > before or any(t == table.id for t, _ in cells.incomplete):
            cells.tables_found.append(table.id)
    return cells


def _read_rows(table: TableSpec, region: str, cells: TableCells) -> None:
    labels = [(row, re.compile(row.label, re.MULTILINE)) for row in table.rows]
    found: list[tuple[RowSpec, int, int]] = []
    position = 0
    for row, label in labels:
        match = label.search(region, position)
        if match:
            found.append((row, match.start(), match.end()))
            position = match.end()
    numbers = _numbers(region)
    for index, (row, start, end) in enumerate(found):
        stop = found[index + 1][1] if index + 1 < len(found) else len(region)
        _store(table, row, [(v, raw) for at, v, raw in numbers if end <= at < stop], region[start:end], cells)


def _read_one_line(table: TableSpec, region: str, cells: TableCells) -> None:
    numbers = [(value, raw) for _, value, raw in _numbers(region)]
    width = sum(len(table.columns_of(row)) for row in table.rows)
    if len(numbers) < width:
        if numbers:
            cells.incomplete.append((table.id, f"{len(numbers)} of {width} cells found"))
        return
    offset = 0
    for row in table.rows:
        count = len(table.columns_of(row))
        _store(table, row, numbers[offset : offset + count], row.name_zh, cells)
        offset += count


def _store(
    table: TableSpec, row: RowSpec, numbers: list[tuple[float, str]], label: str, cells: TableCells
) -> None:
    columns = table.columns_of(row)
    if len(numbers) != len(columns):
        if numbers:
            cells.incomplete.append(
                (table.id, f"row {row.name_zh}: {len(numbers)} cells, expected {len(columns)}")
            )
        return
    cells.values[row.code] = {
        column: round(value * row.scale, 6) for column, (value, _) in zip(columns, numbers, strict=True)
    }
    cells.evidence[row.code] = f"{label.strip()} | " + " | ".join(raw for _, raw in numbers)


def check_tables(cells: TableCells, rules: GovInfoTables | None = None) -> Iterator[dict[str, Any]]:
    """The template's arithmetic on one report's cells: one row per check and column (or row)."""
    rules = rules or table_rules()
    tables = {t.id: t for t in rules.tables}
    for table_id, reason in cells.incomplete:
        yield _check_row(table_id, "complete", None, None, None, False, reason)
    incomplete = {table_id for table_id, _ in cells.incomplete}
    for table_id in cells.tables_found:
        if table_id not in incomplete:  # every row had its cells
            yield _check_row(table_id, "complete", None, None, None, True, None)
    for check in rules.checks:
        if check.table not in cells.tables_found:
            continue
        table = tables[check.table]
        if check.kind == "rows":
            yield from _rows_check(check, table, cells)
        else:
            yield from _columns_check(check, table, cells)


def _rows_check(check: CheckSpec, table: TableSpec, cells: TableCells) -> Iterator[dict[str, Any]]:
    optional = {row.code for row in table.rows if row.optional}
    missing = [c for c in (*check.left, *check.right) if c not in cells.values and c not in optional]
    if missing:
        yield _check_row(
            table.id,
            check.id,
            None,
            None,
            None,
            False,
            f"rows missing: {', '.join(c.removeprefix('gov_info.') for c in missing)}",
        )
        return
    for column in check.columns or table.columns or ():
        left = sum(cells.values[c][column] for c in check.left if c in cells.values)
        right = sum(cells.values[c][column] for c in check.right if c in cells.values)
        yield _check_row(table.id, check.id, column, left, right, abs(left - right) < 1e-6, None)


def _columns_check(check: CheckSpec, table: TableSpec, cells: TableCells) -> Iterator[dict[str, Any]]:
    for row in table.rows:
        if (check.codes is not None and row.code not in check.codes) or row.code not in cells.values:
            continue
        values = cells.values[row.code]
        parts = sum(values[c] for c in check.parts)
        total = values[check.total or ""]
        yield _check_row(table.id, check.id, row.code, parts, total, abs(parts - total) < 1e-6, None)


def _check_row(
    table_id: str,
    check_id: str,
    scope: str | None,
    left: float | None,
    right: float | None,
    ok: bool,
    detail: str | None,
) -> dict[str, Any]:
    if detail is None and not ok:
        detail = f"{left:g} ≠ {right:g}"
    return {
        "table_id": table_id,
        "check_id": check_id,
        "scope": scope,
        "left_value": left,
        "right_value": right,
        "ok": ok,
        "detail": detail,
    }


@dataclass(slots=True)
class TableFrames:
    """A batch's table facts (FACT_SCHEMA) and check results (CHECK_SCHEMA), keyed by doc."""

    facts: pl.DataFrame
    checks: pl.DataFrame


def measure_tables(bodies: Sequence[tuple[int, str]], rules: GovInfoTables | None = None) -> TableFrames:
    """Facts and checks for (doc, body) pairs; bodies without a template table give no rows."""
    rules = rules or table_rules()
    units = {e.code: e.unit for e in catalog_entries(rules)}
    facts: list[dict[str, Any]] = []
    checks: list[dict[str, Any]] = []
    for doc, body in bodies:
        if not any(re.search(t.heading, body) for t in rules.tables):
            continue
        cells = parse_tables(body, rules)
        for code, values in cells.values.items():
            facts.extend(
                {
                    "doc": doc,
                    "code": code,
                    "value": value,
                    "value_high": None,
                    "unit": units[code],
                    "qualifier": None,
                    "scope": column,
                    "evidence": cells.evidence[code],
                }
                for column, value in values.items()
            )
        checks.extend({"doc": doc, **row} for row in check_tables(cells, rules))
    return TableFrames(pl.DataFrame(facts, schema=FACT_SCHEMA), pl.DataFrame(checks, schema=CHECK_SCHEMA))
