"""`nianbao info` (where things are, what the warehouse holds) and `nianbao schema` (every table, view and
column with its comment)."""

from __future__ import annotations

import argparse
import os
import platform

import duckdb

from nianbao import __version__
from nianbao.location_options import add_archive_option, add_warehouse_option
from nianbao.settings import config_dir


def register(subparsers: argparse._SubParsersAction) -> None:
    info = subparsers.add_parser(
        "info",
        help="config, warehouse and archive locations, counts, sites configured, last load",
        description="Show where nianbao reads its rules and keeps its data, the warehouse backend, how many "
        "reports, facts and rejects the warehouse holds, the sites configured, and when it was last written. "
        "Opens the warehouse read-only and never creates one.",
    )
    add_warehouse_option(info)
    add_archive_option(info)
    info.set_defaults(func=_info)

    schema = subparsers.add_parser(
        "schema",
        help="every table, view and column of the warehouse, with its comment",
        description="List the warehouse schema: every table and view with its comment and every column with "
        "its type and comment. Without --warehouse, the schema this nianbao creates (from its migrations); "
        "with it, that file's. `make schema-doc` writes --markdown to docs/schema.md.",
    )
    schema.add_argument("--markdown", action="store_true", help="Markdown, as in docs/schema.md")
    add_warehouse_option(schema, wait=False, help="describe this file instead")
    schema.set_defaults(func=_schema)


def _info(args: argparse.Namespace) -> int:
    from flows.archive import default_archive_location
    from flows.sources import load_sources
    from warehouse.describe import warehouse_counts
    from warehouse.lake import backend_name, is_lake, warehouse_exists
    from warehouse.location import resolve_warehouse

    path = resolve_warehouse(args.warehouse)
    sites = load_sources().sites
    lines = [
        f"nianbao    {__version__} (Python {platform.python_version()})",
        f"config     {config_dir()}" + ("  ($NIANBAO_CONFIG)" if os.environ.get("NIANBAO_CONFIG") else ""),
        f"backend    {backend_name(path)} on DuckDB {duckdb.__version__}",
        f"warehouse  {path if is_lake(path) else path.absolute()}",
        f"archive    {args.archive or default_archive_location()}",
        f"sites      {len(sites)}: {', '.join(site.id for site in sites)}",
    ]
    if warehouse_exists(path):
        counts = warehouse_counts(path)
        lines += [
            f"schema     version {counts.schema_version}",
            f"reports    {counts.reports} ({counts.regions_covered} regions)",
            f"facts      {counts.facts}",
            f"rejects    {counts.rejects}",
            f"last load  {counts.last_load or 'never'}"
            + (f" (last reject {counts.last_reject})" if counts.last_reject else ""),
        ]
    else:
        lines.append("           (no warehouse file yet: `nianbao load PATH…` or `nianbao demo` creates it)")
    print("\n".join(lines))
    return 0


def _schema(args: argparse.Namespace) -> int:
    from warehouse.describe import schema_markdown, schema_relations, schema_text

    if args.warehouse:
        from nianbao.commands.warehouse import require_warehouse

        require_warehouse(args)
    items = schema_relations(args.warehouse)
    print(schema_markdown(items) if args.markdown else schema_text(items), end="")
    return 0
