"""`nianbao catalog`: list the indicator vocabulary of config/indicators.yaml (code, names, unit, rules)."""

from __future__ import annotations

import argparse
import json
import sys

from nianbao.errors import UsageError
from transforms.catalog import Catalog, load_catalog
from warehouse.render import display_width

COLUMNS = ("code", "name_zh", "name_en", "unit", "family", "rules")


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "catalog",
        help="list the indicator catalog (code, names, unit, number of matching rules)",
        description="List the indicator vocabulary that quantities are mapped to (config/indicators.yaml).",
    )
    parser.add_argument("--json", action="store_true", help="one JSON object per indicator (JSON Lines)")
    parser.add_argument("--domain", help="only the indicators of this domain (e.g. reconsideration); an "
                        "unknown domain is an error listing the known ones")
    parser.set_defaults(func=run)


def catalog_rows(catalog: Catalog, domain: str | None = None) -> list[dict[str, object]]:
    """One row per indicator, in catalog order."""
    return [
        {"code": ind.code, "name_zh": ind.name_zh, "name_en": ind.name_en, "unit": ind.unit,
         "family": ind.family, "domain": ind.domain, "rules": len(ind.rules), "zero_rules": len(ind.zeros)}
        for ind in catalog.indicators
        if domain is None or ind.domain == domain
    ]


def render_table(rows: list[dict[str, object]]) -> str:
    """An aligned text table (wide characters count double)."""
    cells = [[str(row[c]) for c in COLUMNS] for row in rows]
    widths = [max([display_width(c)] + [display_width(r[i]) for r in cells]) for i, c in enumerate(COLUMNS)]

    def line(values: list[str]) -> str:
        padded = (v + " " * (w - display_width(v)) for v, w in zip(values, widths, strict=True))
        return "  ".join(padded).rstrip()

    return "\n".join([line(list(COLUMNS)), line(["-" * w for w in widths]), *map(line, cells)])


def run(args: argparse.Namespace) -> int:
    catalog = load_catalog()
    domains = sorted({ind.domain for ind in catalog.indicators})
    if args.domain is not None and args.domain not in domains:
        raise UsageError(f"no domain {args.domain!r} in the catalog; domains: {', '.join(domains)}")
    rows = catalog_rows(catalog, args.domain)
    if args.json:
        sys.stdout.writelines(json.dumps(row, ensure_ascii=False) + "\n" for row in rows)
    else:
        print(render_table(rows))
        total = sum(len(ind.rules) for ind in catalog.indicators if args.domain in (None, ind.domain))
        print(f"\n{len(rows)} indicators, {total} rules")
    return 0
