"""The indicator catalog (config/indicators.yaml): load, validate, and flatten its matching rules.

Each entry also carries the card an analyst reads and tests check: a one-line definition, its near
neighbours (code: why a phrase belongs there), example phrases with the fact each must give, and negatives.
A malformed entry raises nianbao.settings.ConfigError naming the entry. Rules are regexes over the
context columns of a quantity mention (see RULE_FIELDS) in Rust regex syntax (no look-around): polars runs
them, and Python's re where it reads them alike (transforms/rule_match.py), so each one is checked with both
engines when the catalog loads.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from functools import cache
from typing import Any

import polars as pl

from nianbao.settings import ConfigError, load_config
from transforms.gov_info_tables import TABLES_FILE, CatalogEntry, catalog_entries, table_rules
from transforms.units import UnitsTable, units_table

CATALOG_FILE = "indicators.yaml"
CODE_RE = re.compile(r"^[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*$")
# Context columns a rule may test (transforms/quantities.py fills them):
RULE_FIELDS = {
    "left": "clause text between the previous quantity (or the clause start) and the number; also tried "
    "on left + the noun phrase after the measure word (受理56件复议案件 → 受理复议案件)",
    "before": "clause text before the number",
    "noun": "text right after the measure word, up to the next punctuation or number",
    "clause": "the whole clause (between commas, semicolons, full stops)",
    "prev": "the clause before, within the same sentence",
    "sentence": "the whole sentence",
    "context": "up to 120 characters before and 40 after, within the paragraph",
}
# The column a field reads: sentences are kept as printed for output, and in simplified form for rules.
FIELD_COLUMNS = {**{name: name for name in RULE_FIELDS}, "sentence": "sentence_m"}
ENTRY_KEYS = {
    "code",
    "name_zh",
    "name_en",
    "unit",
    "family",
    "domain",
    "priority",
    "rules",
    "scope",
    "zero",
    "note",
    "definition",
    "neighbours",
    "examples",
    "negatives",
}
EXAMPLE_KEYS = {"text", "value", "unit", "qualifier", "scope"}
QUALIFIERS = {"more_than", "about", "less_than"}
RULE_KEYS = set(RULE_FIELDS) | {"not", "priority"}
TOP_KEYS = {"indicators", "continuation", "pairing", "unclaimed"}


@dataclass(frozen=True, slots=True)
class Rule:
    """One way a quantity maps to a code: every `match` regex must hit, no `exclude` regex may."""

    index: int
    code: str
    priority: int
    units: tuple[str, ...]
    match: tuple[tuple[str, str], ...]
    exclude: tuple[tuple[str, str], ...]


@dataclass(frozen=True, slots=True)
class Scope:
    """Where a fact's scope is read: the first capture of `pattern` in `column` (every match with each)."""

    column: str
    pattern: str
    each: bool


@dataclass(frozen=True, slots=True)
class Example:
    """A phrase the code must claim, exactly as stated (value in the stored unit, qualifier, scope)."""

    text: str
    value: float
    unit: str
    qualifier: str | None = None
    scope: str | None = None


@dataclass(frozen=True, slots=True)
class Negative:
    """A phrase the code must not claim; `code` names the neighbour that claims it instead (None: no code)."""

    text: str
    code: str | None = None


@dataclass(frozen=True, slots=True)
class Indicator:
    """A catalog entry: matching rules plus the card an analyst reads (definition, neighbours, examples)."""

    code: str
    name_zh: str
    name_en: str
    unit: str
    family: str
    domain: str
    rules: tuple[Rule, ...]
    scopes: tuple[Scope, ...]
    zeros: tuple[str, ...]
    definition: str = ""
    neighbours: tuple[tuple[str, str], ...] = ()  # (code, why a phrase belongs there and not here)
    examples: tuple[Example, ...] = ()
    negatives: tuple[Negative, ...] = ()


@dataclass(frozen=True, slots=True)
class Catalog:
    indicators: tuple[Indicator, ...]
    rules: tuple[Rule, ...]  # every rule, best first (priority, then file order)
    zero_re: re.Pattern[str] | None  # one group per stated-zero pattern: zero_codes[i] for group z{i}
    zero_codes: tuple[str, ...]
    continuation: tuple[tuple[str, str], ...] = ()  # (column, regex): a value listed after another
    continuation_not: tuple[tuple[str, str], ...] = ()
    # Filler trimmed off the words before a number no code claims (nianbao catalog --unclaimed).
    unclaimed_lead: str = "^$"
    unclaimed_tail: str = "^$"
    # 受理、审结…分别为30件、28件: the action a listed item starts with, and what joins listed values.
    pairing_action: str | None = None
    pairing_join: str | None = None

    def by_code(self) -> dict[str, Indicator]:
        return {ind.code: ind for ind in self.indicators}


def _regex_reason(exc: Exception) -> str:
    """The one line of a Python or Rust regex error that says what is wrong (Rust puts it on 'error: ...')."""
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    fallback = lines[0] if lines else type(exc).__name__
    return next((line for line in lines if line.startswith("error:")), fallback)


def _check_regex(where: str, pattern: Any) -> str:
    if not isinstance(pattern, str) or not pattern:
        raise ConfigError(f"{where}: pattern must be a non-empty string")
    try:
        re.compile(pattern)
        pl.Series([""], dtype=pl.Utf8).str.contains(pattern)
    except (re.error, pl.exceptions.PolarsError) as exc:
        raise ConfigError(f"{where}: bad regex {pattern!r}: {_regex_reason(exc)}") from exc
    return pattern


def _fields(where: str, raw: Any) -> tuple[tuple[str, str], ...]:
    if not isinstance(raw, dict):
        raise ConfigError(f"{where}: must map a field to a regex")
    out = []
    for name, pattern in raw.items():
        if name not in RULE_FIELDS:
            raise ConfigError(f"{where}: unknown field {name!r} (fields: {', '.join(RULE_FIELDS)})")
        out.append((FIELD_COLUMNS[name], _check_regex(f"{where}.{name}", pattern)))
    return tuple(out)


def _scopes(label: str, raw: Any) -> tuple[Scope, ...]:
    if raw is None:
        return ()
    out = []
    for scope in raw if isinstance(raw, list) else [raw]:
        keys = set(scope) if isinstance(scope, dict) else set()
        if (
            not {"field", "pattern"} <= keys <= {"field", "pattern", "each"}
            or scope["field"] not in RULE_FIELDS
            or not isinstance(scope.get("each", False), bool)
        ):
            raise ConfigError(
                f"{label}: scope must be {{field: <{'|'.join(RULE_FIELDS)}>, pattern: regex, "
                "each: true|false}, or a list of them"
            )
        pattern = _check_regex(f"{label} scope", scope["pattern"])
        if re.compile(pattern).groups < 1:
            raise ConfigError(f"{label}: scope pattern needs one capture group")
        out.append(Scope(FIELD_COLUMNS[scope["field"]], pattern, scope.get("each", False)))
    return tuple(out)


def _card(label: str, raw: dict[str, Any], unit_forms: set[str]) -> dict[str, Any]:
    """The analyst's card of an entry: definition, neighbours (code: why), examples, negatives."""
    definition = raw.get("definition", "")
    if not isinstance(definition, str) or "\n" in definition.strip():
        raise ConfigError(f"{label}: definition must be one line of text")
    neighbours = raw.get("neighbours") or {}
    if not isinstance(neighbours, dict) or not all(
        isinstance(k, str) and isinstance(v, str) and v.strip() for k, v in neighbours.items()
    ):
        raise ConfigError(f"{label}: neighbours must map a code to why a phrase belongs there")
    examples = []
    for i, ex in enumerate(raw.get("examples") or []):
        where = f"{label} example {i + 1}"
        if not isinstance(ex, dict) or not {"text", "value", "unit"} <= set(ex) <= EXAMPLE_KEYS:
            raise ConfigError(f"{where}: needs text, value, unit (optional: qualifier, scope)")
        if (
            not isinstance(ex["text"], str)
            or not isinstance(ex["value"], int | float)
            or isinstance(ex["value"], bool)
        ):
            raise ConfigError(f"{where}: text must be a string and value a number")
        if str(ex["unit"]) not in unit_forms:
            raise ConfigError(f"{where}: unit {ex['unit']!r} is not a unit of config/units.yaml")
        if ex.get("qualifier") not in QUALIFIERS | {None}:
            raise ConfigError(f"{where}: qualifier must be one of {sorted(QUALIFIERS)}")
        examples.append(
            Example(ex["text"], float(ex["value"]), str(ex["unit"]), ex.get("qualifier"), ex.get("scope"))
        )
    negatives = []
    for i, neg in enumerate(raw.get("negatives") or []):
        if (
            not isinstance(neg, dict)
            or not {"text"} <= set(neg) <= {"text", "code"}
            or not isinstance(neg["text"], str)
        ):
            raise ConfigError(f"{label} negative {i + 1}: needs text (optional: code, the neighbour it is)")
        negatives.append(Negative(neg["text"], neg.get("code")))
    return {
        "definition": definition.strip(),
        "neighbours": tuple(neighbours.items()),
        "examples": tuple(examples),
        "negatives": tuple(negatives),
    }


def _entry(raw: Any, position: int, units: UnitsTable, first_rule: int) -> Indicator:
    label = f"config/{CATALOG_FILE}: entry {position + 1}"
    if not isinstance(raw, dict):
        raise ConfigError(f"{label}: must be a mapping")
    if isinstance(raw.get("code"), str):
        label += f" ({raw['code']})"
    unknown = set(raw) - ENTRY_KEYS
    if unknown:
        raise ConfigError(f"{label}: unknown keys {sorted(unknown)}")
    for key in ("code", "name_zh", "name_en", "unit", "family", "domain"):
        if not isinstance(raw.get(key), str) or not raw[key].strip():
            raise ConfigError(f"{label}: missing or empty {key!r}")
    code = raw["code"]
    if not CODE_RE.match(code):
        raise ConfigError(f"{label}: code must be 'domain.measure' in lower-case ASCII")
    if code.split(".")[0] != raw["domain"]:
        raise ConfigError(f"{label}: domain {raw['domain']!r} does not match the code")
    family = raw["family"]
    if family not in units.families:
        raise ConfigError(f"{label}: unknown unit family {family!r} (config/units.yaml families)")
    family_units = units.families[family]
    if raw["unit"] not in family_units:
        raise ConfigError(f"{label}: unit {raw['unit']!r} is not in family {family!r} {list(family_units)}")
    priority = raw.get("priority", 0)
    if not isinstance(priority, int):
        raise ConfigError(f"{label}: priority must be an integer")
    rules_raw = raw.get("rules", [])
    if not isinstance(rules_raw, list):
        raise ConfigError(f"{label}: rules must be a list")
    rules = []
    for i, rule in enumerate(rules_raw):
        where = f"{label} rule {i + 1}"
        if not isinstance(rule, dict):
            raise ConfigError(f"{where}: must be a mapping")
        unknown = set(rule) - RULE_KEYS
        if unknown:
            raise ConfigError(f"{where}: unknown keys {sorted(unknown)} (allowed: {sorted(RULE_KEYS)})")
        match = _fields(where, {k: v for k, v in rule.items() if k in RULE_FIELDS})
        if not match:
            raise ConfigError(f"{where}: needs at least one field regex")
        rule_priority = rule.get("priority", priority)
        if not isinstance(rule_priority, int):
            raise ConfigError(f"{where}: priority must be an integer")
        rules.append(
            Rule(
                first_rule + i,
                code,
                rule_priority,
                family_units,
                match,
                _fields(f"{where}.not", rule.get("not", {})),
            )
        )
    scopes = _scopes(label, raw.get("scope"))
    zeros = raw.get("zero", [])
    if not isinstance(zeros, list):
        raise ConfigError(f"{label}: zero must be a list of regexes")
    for z in zeros:
        _check_regex(f"{label} zero", z)
        if re.compile(z).groups:
            raise ConfigError(f"{label}: zero pattern {z!r} must not have capture groups (use (?:...))")
    if not rules and not zeros:
        raise ConfigError(f"{label}: needs rules or zero patterns")
    card = _card(label, raw, set(units.measure_words.values()) | set(units.measure_words))
    return Indicator(
        code,
        raw["name_zh"],
        raw["name_en"],
        raw["unit"],
        family,
        raw["domain"],
        tuple(rules),
        scopes,
        tuple(zeros),
        **card,
    )


def build_catalog(raw: Any, units: UnitsTable) -> Catalog:
    """Validate the parsed YAML (a mapping with 'indicators': [...])."""
    if not isinstance(raw, dict) or not isinstance(raw.get("indicators"), list):
        raise ConfigError(f"config/{CATALOG_FILE}: needs a top-level 'indicators' list")
    unknown = set(raw) - TOP_KEYS
    if unknown:
        raise ConfigError(f"config/{CATALOG_FILE}: unknown top-level keys {sorted(unknown)}")
    indicators: list[Indicator] = []
    seen: set[str] = set()
    next_rule = 0
    for position, entry in enumerate(raw["indicators"]):
        indicator = _entry(entry, position, units, next_rule)
        if indicator.code in seen:
            raise ConfigError(
                f"config/{CATALOG_FILE}: entry {position + 1} ({indicator.code}): duplicate code"
            )
        seen.add(indicator.code)
        indicators.append(indicator)
        next_rule += len(indicator.rules)
    rules = sorted((r for ind in indicators for r in ind.rules), key=lambda r: (-r.priority, r.index))
    zero_codes = tuple(ind.code for ind in indicators for _ in ind.zeros)
    zero_patterns = [z for ind in indicators for z in ind.zeros]
    zero_re = (
        re.compile("|".join(f"(?P<z{i}>{z})" for i, z in enumerate(zero_patterns))) if zero_patterns else None
    )
    where = f"config/{CATALOG_FILE}: continuation"
    listed = dict(raw.get("continuation") or {})
    continuation_not = _fields(f"{where}.not", listed.pop("not", {}))
    continuation = _fields(where, listed)
    unclaimed = raw.get("unclaimed") or {"lead": "^$", "tail": "^$"}
    if not isinstance(unclaimed, dict) or set(unclaimed) != {"lead", "tail"}:
        raise ConfigError(f"config/{CATALOG_FILE}: unclaimed must be {{lead: regex, tail: regex}}")
    lead, tail = (
        _check_regex(f"config/{CATALOG_FILE}: unclaimed.{key}", unclaimed[key]) for key in ("lead", "tail")
    )
    pairing = raw.get("pairing") or {}
    if not isinstance(pairing, dict) or (pairing and set(pairing) != {"action", "join"}):
        raise ConfigError(f"config/{CATALOG_FILE}: pairing must be {{action: regex, join: regex}}")
    action, join = (
        _check_regex(f"config/{CATALOG_FILE}: pairing.{key}", pairing[key]) if pairing else None
        for key in ("action", "join")
    )
    return Catalog(
        tuple(indicators),
        tuple(rules),
        zero_re,
        zero_codes,
        continuation,
        continuation_not,
        lead,
        tail,
        action,
        join,
    )


def with_table_codes(catalog: Catalog, entries: list[CatalogEntry], units: UnitsTable) -> Catalog:
    """The catalog plus the codes of the 信息公开 template tables (config/gov_info_tables.yaml): their facts
    come from table cells, so they have no text rules."""
    known = {ind.code for ind in catalog.indicators}
    added = []
    for entry in entries:
        label = f"config/{TABLES_FILE}: {entry.code}"
        if entry.code in known:
            raise ConfigError(f"{label}: code already in config/{CATALOG_FILE}")
        if entry.unit not in units.families.get(entry.family, ()):
            raise ConfigError(f"{label}: unit {entry.unit!r} is not in family {entry.family!r}")
        added.append(
            Indicator(
                entry.code,
                entry.name_zh,
                entry.name_en,
                entry.unit,
                entry.family,
                entry.code.split(".")[0],
                (),
                (),
                (),
                definition=f"{entry.name_zh}: a cell of the 信息公开 template table (row; the "
                "column is the scope), read from the table, not by text rules",
            )
        )
    return dataclasses.replace(catalog, indicators=(*catalog.indicators, *added))


@cache
def _catalog_for(raw_id: int, units_id: int) -> Catalog:
    return build_catalog(load_config(CATALOG_FILE), units_table())


_with_tables: dict[tuple[int, int], Catalog] = {}  # (id of the base catalog, id of the table rules) → catalog


def load_catalog() -> Catalog:
    """The catalog of the current config (rebuilt when indicators.yaml, units.yaml or gov_info_tables.yaml
    changes): indicators.yaml's entries, then the 信息公开 table codes."""
    base = _catalog_for(id(load_config(CATALOG_FILE)), id(units_table()))
    tables = table_rules()
    key = (id(base), id(tables))
    if key not in _with_tables:
        _with_tables.clear()
        _with_tables[key] = with_table_codes(base, catalog_entries(tables), units_table())
    return _with_tables[key]
