"""Warehouse subcommands: load, sql, yoy, export, chart (each takes --warehouse PATH)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

import polars as pl

from nianbao.settings import ConfigError
from warehouse.errors import QueryRefusedError, WarehouseError
from warehouse.location import ENV_VAR

EXIT_FAILED = 1
EXIT_REFUSED = 2
LOADABLE_SUFFIXES = (".txt", ".html", ".htm", ".shtml", ".xhtml", ".pdf", ".docx", ".doc", ".wps", ".ofd")


def register(subparsers: argparse._SubParsersAction) -> None:
    _register_load(subparsers)
    _register_sql(subparsers)
    _register_yoy(subparsers)
    _register_export(subparsers)
    _register_chart(subparsers)


def _warehouse_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--warehouse", metavar="PATH",
        help=f"DuckDB file (default: ${ENV_VAR}, else warehouse.path in config/settings.yaml)",
    )


def _output_options(parser: argparse.ArgumentParser, parquet: bool) -> None:
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--csv", action="store_true", help="CSV with a header row")
    group.add_argument("--json", action="store_true", help="one JSON object per row (JSON Lines)")
    if parquet:
        group.add_argument("--parquet", metavar="FILE", help="write the result to a Parquet file")
    parser.add_argument("--max-rows", type=int, default=200, metavar="N",
                        help="rows shown in the text table (default 200; --csv/--json print all)")


def _register_load(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "load", help="extract local captures or saved HTML pages and load them into the warehouse",
        description="Extract and load files (folders are searched for "
        f"{', '.join(LOADABLE_SUFFIXES)}), one transaction per batch. A report already loaded with the "
        "same content and extractor version is skipped; new content for a report replaces all its rows. "
        "Exit status: 0 when no input was rejected, 1 otherwise.",
    )
    parser.add_argument("paths", nargs="+", metavar="PATH", help="file or folder")
    parser.add_argument("--batch-size", type=int, default=500, metavar="N", help="files per transaction")
    _warehouse_option(parser)
    parser.set_defaults(func=_guarded(_run_load))


def _register_sql(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "sql", help="run one read-only SELECT on the warehouse",
        description="Run one read-only query (SELECT, WITH, FROM, DESCRIBE, SHOW, SUMMARIZE) on the "
        "warehouse opened read-only. Anything that writes or reaches outside the file is refused with "
        "exit status 2: INSERT/UPDATE/DELETE/MERGE, CREATE/DROP/ALTER, COPY, EXPORT, ATTACH, INSTALL/LOAD, "
        "SET/RESET/USE, PRAGMA, CALL/CHECKPOINT, several statements, WITH clauses that write, file "
        "readers such as read_csv, and functions of extensions. "
        "Tables: reports, sections, quantities, facts, regions, indicators, rejects; views: "
        "indicator_values, indicator_yoy, coverage, latest_reports.",
        epilog='example: nianbao sql "SELECT region_name, report_year, value FROM indicator_values '
        "WHERE code = 'reconsideration.accepted' ORDER BY 1, 2\"",
    )
    parser.add_argument("query", metavar="SQL", help="one SELECT statement")
    _output_options(parser, parquet=True)
    _warehouse_option(parser)
    parser.set_defaults(func=_guarded(_run_sql))


def _register_yoy(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "yoy", help="year-over-year table of one indicator",
        description="Value, previous year's value, change and percent change of one indicator per region "
        "and year. A year whose previous year is not loaded has no previous value (never the value from "
        "two years earlier).",
        epilog="example: nianbao yoy reconsideration.accepted --region 示例县 --from 2018",
    )
    parser.add_argument("code", help="indicator code, e.g. reconsideration.accepted (see `nianbao catalog`)")
    parser.add_argument("--region", action="append", default=[], metavar="NAME|CODE",
                        help="region name or 6-digit code (repeatable; default: all regions)")
    parser.add_argument("--from", dest="from_year", type=int, metavar="YEAR", help="first report year")
    parser.add_argument("--to", dest="to_year", type=int, metavar="YEAR", help="last report year")
    _output_options(parser, parquet=False)
    _warehouse_option(parser)
    parser.set_defaults(func=_guarded(_run_yoy))


def _register_export(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "export", help="write the warehouse as Hive-partitioned Parquet (kind=/year=)",
        description="Write reports, sections, quantities and facts under DIR/<table>/kind=…/year=…/ and "
        "regions, indicators, rejects as DIR/<table>.parquet, for tools that cannot share the DuckDB file. "
        "Each table is swapped in whole, so readers never see half an export.",
        epilog="example: nianbao export data/parquet && duckdb -c \"SELECT count(*) FROM "
        "read_parquet('data/parquet/facts/*/*/*.parquet', hive_partitioning = true)\"",
    )
    parser.add_argument("out_dir", metavar="DIR")
    _warehouse_option(parser)
    parser.set_defaults(func=_guarded(_run_export))


def _register_chart(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "chart", help="line chart (PNG and SVG) of one indicator over the years",
        description="One line per region (and scope); a year without a value breaks the line.",
        epilog="example: nianbao chart reconsideration.accepted --region 示例县 --out data/accepted.png",
    )
    parser.add_argument("code", help="indicator code")
    parser.add_argument("--region", action="append", required=True, metavar="NAME|CODE",
                        help="region name or 6-digit code (repeatable)")
    parser.add_argument("--out", required=True, metavar="FILE.png", help="PNG path; the SVG goes beside it")
    parser.add_argument("--from", dest="from_year", type=int, metavar="YEAR")
    parser.add_argument("--to", dest="to_year", type=int, metavar="YEAR")
    _warehouse_option(parser)
    parser.set_defaults(func=_guarded(_run_chart))


def _guarded(run: Callable[[argparse.Namespace], int]) -> Callable[[argparse.Namespace], int]:
    """Errors become one line on stderr: exit 2 for a refused query, 1 for anything else."""
    def guarded(args: argparse.Namespace) -> int:
        try:
            return run(args)
        except QueryRefusedError as exc:
            print(f"nianbao {args.command}: {exc}", file=sys.stderr)
            return EXIT_REFUSED
        except (WarehouseError, ConfigError) as exc:
            print(f"nianbao {args.command}: {exc}", file=sys.stderr)
            return EXIT_FAILED
    return guarded


def _emit(frame: pl.DataFrame, args: argparse.Namespace, null: str = "NULL") -> None:
    from warehouse.render import render_table, write_csv, write_json_lines, write_parquet

    if getattr(args, "parquet", None):
        write_parquet(frame, Path(args.parquet))
        print(f"wrote {frame.height} rows to {args.parquet}")
    elif args.csv:
        write_csv(frame, sys.stdout)
    elif args.json:
        write_json_lines(frame, sys.stdout)
    else:
        print(render_table(frame, max_rows=args.max_rows, null=null))


def loadable_files(paths: list[str]) -> list[str]:
    """Files as given; folders expanded (recursively, sorted) to files with a page or capture suffix."""
    files: list[str] = []
    for path in paths:
        folder = Path(path)
        if folder.is_dir():
            files.extend(str(p) for p in sorted(folder.rglob("*"))
                         if p.is_file() and p.suffix.lower() in LOADABLE_SUFFIXES)
        else:
            files.append(path)
    return files


def _run_load(args: argparse.Namespace) -> int:
    from warehouse.load import LoadSummary, load_batch

    files = loadable_files(args.paths)
    total = LoadSummary()
    size = max(1, args.batch_size)
    for start in range(0, len(files), size):
        part = load_batch(files[start:start + size], args.warehouse)
        total.add(part)
        total.warehouse = part.warehouse
    print(total.describe())
    return EXIT_FAILED if total.rejected else 0


def _require_warehouse(args: argparse.Namespace) -> None:
    """Reading commands never create a warehouse: a mistyped path is an error, not an empty result."""
    from warehouse.location import resolve_warehouse

    path = resolve_warehouse(args.warehouse)
    if not path.exists():
        raise WarehouseError(f"{path}: no warehouse here yet (load reports with `nianbao load PATH…` "
                             "or `nianbao demo`, or pass --warehouse)")


def _run_sql(args: argparse.Namespace) -> int:
    from warehouse.query import run_query

    _require_warehouse(args)
    _emit(run_query(args.query, args.warehouse), args)
    return 0


def _run_yoy(args: argparse.Namespace) -> int:
    from warehouse.yoy import yoy_frame

    _require_warehouse(args)
    frame = yoy_frame(args.code, args.region, args.from_year, args.to_year, args.warehouse)
    if frame.is_empty():
        print(f"no values for {args.code} in the selected regions and years", file=sys.stderr)
        return EXIT_FAILED
    _emit(frame, args, null="")
    return 0


def _run_export(args: argparse.Namespace) -> int:
    from warehouse.export import export_parquet

    _require_warehouse(args)
    for path in export_parquet(args.out_dir, args.warehouse):
        print(path)
    return 0


def _run_chart(args: argparse.Namespace) -> int:
    from warehouse.chart import chart_indicator

    _require_warehouse(args)
    result = chart_indicator(args.code, args.region, args.out, args.warehouse, args.from_year, args.to_year)
    for note in result.notes:
        print(f"note: {note}", file=sys.stderr)
    print(f"wrote {result.png} and {result.svg} ({result.lines} line{'s' if result.lines != 1 else ''})")
    return 0 if result.lines else EXIT_FAILED
