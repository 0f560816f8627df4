"""`nianbao catalog`: list the indicator vocabulary of config/indicators.yaml (code, names, unit, rules), or,
with --unclaimed, the quantity phrases of a warehouse that no code claims yet."""

from __future__ import annotations

import argparse
import json
import sys

from nianbao.errors import UsageError
from nianbao.location_options import add_warehouse_option
from transforms.catalog import Catalog, load_catalog
from warehouse.location import ENV_VAR
from warehouse.render import display_width

COLUMNS = ("code", "name_zh", "name_en", "unit", "family", "rules")


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "catalog",
        help="list the indicator catalog (code, names, unit, number of matching rules)",
        description="List the indicator vocabulary that quantities are mapped to (config/indicators.yaml), "
        "with each code's definition and near neighbours in --json/--csv; or, with --unclaimed, what a "
        "loaded warehouse counts that no code claims yet.",
    )
    output = parser.add_mutually_exclusive_group()
    output.add_argument("--json", action="store_true", help="one JSON object per row (JSON Lines)")
    output.add_argument("--csv", action="store_true", help="CSV with a header row")
    parser.add_argument(
        "--domain",
        help="only the indicators of this domain (e.g. reconsideration); an "
        "unknown domain is an error listing the known ones",
    )
    parser.add_argument(
        "--unclaimed",
        action="store_true",
        help="list, from the warehouse, the quantity phrases no code claims (the words a number counts and "
        "its unit), most reports first, with one example sentence each: candidates for the next indicator",
    )
    parser.add_argument(
        "--limit", type=int, default=50, metavar="N", help="with --unclaimed: rows (default 50)"
    )
    add_warehouse_option(
        parser, wait=False, help=f"with --unclaimed: DuckDB file (default: ${ENV_VAR}, else warehouse.path)"
    )
    parser.set_defaults(func=run)


def write_rows_csv(rows: list[dict[str, object]]) -> None:
    import csv

    writer = csv.DictWriter(sys.stdout, fieldnames=list(rows[0]) if rows else list(COLUMNS))
    writer.writeheader()
    writer.writerows(rows)


def catalog_rows(catalog: Catalog, domain: str | None = None) -> list[dict[str, object]]:
    """One row per indicator, in catalog order, with its definition and near neighbours."""
    return [
        {
            "code": ind.code,
            "name_zh": ind.name_zh,
            "name_en": ind.name_en,
            "unit": ind.unit,
            "family": ind.family,
            "domain": ind.domain,
            "rules": len(ind.rules),
            "zero_rules": len(ind.zeros),
            "definition": ind.definition,
            "neighbours": "; ".join(f"{c}: {why}" for c, why in ind.neighbours),
        }
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


def run_unclaimed(args: argparse.Namespace, catalog: Catalog) -> int:
    from warehouse.render import render_table as render_frame
    from warehouse.render import write_csv, write_json_lines
    from warehouse.unclaimed import unclaimed_phrases

    frame = unclaimed_phrases(args.warehouse, catalog.unclaimed_lead, catalog.unclaimed_tail, args.limit)
    if args.json:
        write_json_lines(frame, sys.stdout)
    elif args.csv:
        write_csv(frame, sys.stdout)
    else:
        print(render_frame(frame, max_rows=args.limit))
    return 0


def run(args: argparse.Namespace) -> int:
    catalog = load_catalog()
    if args.unclaimed:
        return run_unclaimed(args, catalog)
    if args.warehouse or args.limit != 50:
        raise UsageError("--warehouse and --limit go with --unclaimed")
    domains = sorted({ind.domain for ind in catalog.indicators})
    if args.domain is not None and args.domain not in domains:
        raise UsageError(f"no domain {args.domain!r} in the catalog; domains: {', '.join(domains)}")
    rows = catalog_rows(catalog, args.domain)
    if args.json:
        sys.stdout.writelines(json.dumps(row, ensure_ascii=False) + "\n" for row in rows)
    elif args.csv:
        write_rows_csv(rows)
    else:
        print(render_table(rows))
        total = sum(len(ind.rules) for ind in catalog.indicators if args.domain in (None, ind.domain))
        print(f"\n{len(rows)} indicators, {total} rules")
    return 0
