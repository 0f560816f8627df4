"""Warehouse subcommands: load, sql, yoy, export, chart (each takes --warehouse PATH)."""

from __future__ import annotations

import argparse
import sys
from collections import Counter, deque
from concurrent.futures import Future
from pathlib import Path

import polars as pl

from ingest.files import LOADABLE_SUFFIXES, loadable_files
from nianbao.hint_options import add_hint_options, hints_from
from nianbao.location_options import add_warehouse_option
from nianbao.manifest import ManifestError
from transforms.model import Hints, Page
from warehouse.errors import WarehouseError

EXIT_FAILED = 1


def register(subparsers: argparse._SubParsersAction) -> None:
    _register_load(subparsers)
    _register_sql(subparsers)
    _register_yoy(subparsers)
    _register_export(subparsers)
    _register_chart(subparsers)


def _output_options(parser: argparse.ArgumentParser, parquet: bool) -> None:
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--csv", action="store_true", help="CSV with a header row")
    group.add_argument("--json", action="store_true", help="one JSON object per row (JSON Lines)")
    if parquet:
        group.add_argument("--parquet", metavar="FILE", help="write the result to a Parquet file")
    parser.add_argument(
        "--max-rows",
        type=int,
        default=200,
        metavar="N",
        help="rows shown in the text table (default 200; --csv/--json print all)",
    )


def _register_load(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "load",
        help="extract local captures or saved HTML pages and load them into the warehouse",
        description="Extract and load files (folders are searched for "
        f"{', '.join(LOADABLE_SUFFIXES)}), one transaction per batch; only regular files up to "
        "ingest.max_input_bytes are read (others are rejects). A report already loaded with the "
        "same content and extractor version is skipped; new content for a report replaces all its rows. "
        "Exit status: 0 when no input was rejected, 1 otherwise, 2 for bad usage (a bad hint or manifest).",
        epilog="manifest: a CSV file with a header row naming path and any of url, region_code, kind, year "
        "(cells may be empty; a relative path is relative to the manifest; a path may be a folder, and a row "
        "naming one of its files wins over the folder's row, which fills the cells it leaves empty). A row's "
        "values win over --region/--kind/--year, which fill what is still empty. A URL's host that "
        "belongs to a site of config/sources.yaml gives that site's region.",
    )
    parser.add_argument("paths", nargs="*", metavar="PATH", help="file or folder")
    parser.add_argument("--manifest", metavar="FILE", help="CSV of files with their url and hints (below)")
    parser.add_argument("--batch-size", type=int, default=500, metavar="N", help="files per transaction")
    parser.add_argument(
        "--workers",
        type=int,
        metavar="N",
        help="transform worker processes (default: "
        "ingest.workers in config/settings.yaml; 0 there: one per CPU)",
    )
    add_hint_options(parser)
    add_warehouse_option(parser)
    parser.set_defaults(func=_run_load)


def _register_sql(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "sql",
        help="run one read-only SELECT on the warehouse",
        description="Run one read-only query (SELECT, WITH, FROM, DESCRIBE, SHOW, SUMMARIZE, PIVOT, "
        "EXPLAIN) on the warehouse opened read-only, stopped after warehouse.query_timeout_seconds and held "
        "to warehouse.query_memory_limit (config/settings.yaml). Anything that writes or reaches outside "
        "the file is refused with exit status 2: INSERT/UPDATE/DELETE/MERGE, CREATE/DROP/ALTER, COPY, "
        "EXPORT, ATTACH, INSTALL/LOAD, SET/RESET/USE, PRAGMA, CALL/CHECKPOINT, several statements, WITH "
        "clauses that write, file readers such as read_csv, and functions of extensions. "
        "Tables: reports, sections, quantities, facts, regions, indicators, rejects; views: "
        "indicator_values, indicator_yoy, coverage, latest_reports.",
        epilog='example: nianbao sql "SELECT region_name, report_year, value FROM indicator_values '
        "WHERE code = 'reconsideration.accepted' ORDER BY 1, 2\"",
    )
    parser.add_argument("query", metavar="SQL", help="one SELECT statement")
    _output_options(parser, parquet=True)
    add_warehouse_option(parser)
    parser.set_defaults(func=_run_sql)


def _register_yoy(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "yoy",
        help="year-over-year table of one indicator",
        description="Value, previous year's value, change and percent change of one indicator per region "
        "and year. A year whose previous year is not loaded has no previous value (never the value from "
        "two years earlier).",
        epilog="example: nianbao yoy reconsideration.accepted --region 示例县 --from 2018",
    )
    parser.add_argument("code", help="indicator code, e.g. reconsideration.accepted (see `nianbao catalog`)")
    parser.add_argument(
        "--region",
        action="append",
        default=[],
        metavar="NAME|CODE",
        help="region name or 6-digit code (repeatable; default: all regions)",
    )
    parser.add_argument("--from", dest="from_year", type=int, metavar="YEAR", help="first report year")
    parser.add_argument("--to", dest="to_year", type=int, metavar="YEAR", help="last report year")
    _output_options(parser, parquet=False)
    add_warehouse_option(parser)
    parser.set_defaults(func=_run_yoy)


def _register_export(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "export",
        help="write the warehouse as Hive-partitioned Parquet (kind=/year=)",
        description="Write reports, sections, quantities and facts under DIR/<table>/kind=…/year=…/ and "
        "regions, indicators, rejects as DIR/<table>.parquet, for tools that cannot share the DuckDB file. "
        "Each export is written complete beside DIR (.DIR.versions/) and DIR, a symbolic link, is switched "
        "to it with one atomic rename: readers see the old export or the new one, never a table missing.",
        epilog='example: nianbao export data/parquet && duckdb -c "SELECT count(*) FROM '
        "read_parquet('data/parquet/facts/*/*/*.parquet', hive_partitioning = true)\"",
    )
    parser.add_argument("out_dir", metavar="DIR")
    add_warehouse_option(parser)
    parser.set_defaults(func=_run_export)


def _register_chart(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "chart",
        help="line chart (PNG or SVG) of one indicator over the years",
        description="One line per region (and scope); a year without a value breaks the line. The suffix of "
        "--out decides the format: .png, or .svg whose labels stay text, so Chinese labels show in any "
        "browser even where no CJK font is installed for the PNG.",
        epilog="example: nianbao chart reconsideration.accepted --region 示例县 --out data/accepted.png",
    )
    parser.add_argument("code", help="indicator code")
    parser.add_argument(
        "--region",
        action="append",
        required=True,
        metavar="NAME|CODE",
        help="region name or 6-digit code (repeatable)",
    )
    parser.add_argument(
        "--out", required=True, metavar="FILE.png|FILE.svg", help="output file (.png or .svg)"
    )
    parser.add_argument("--from", dest="from_year", type=int, metavar="YEAR")
    parser.add_argument("--to", dest="to_year", type=int, metavar="YEAR")
    add_warehouse_option(parser)
    parser.set_defaults(func=_run_chart)


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


def load_inputs(args: argparse.Namespace) -> tuple[list[tuple[str, str | None, Hints]], Counter[str]]:
    """(file, url, hints) of each file to load: the manifest's rows first, then the PATHs it does not list;
    and the files of the folders left out, counted by reason."""
    from nianbao.manifest import merged, read_manifest

    default = hints_from(args)
    listed: dict[str, tuple[str | None, Hints]] = {}
    ignored: Counter[str] = Counter()
    entries = read_manifest(args.manifest) if args.manifest else []
    # folder rows first: a row naming one of the folder's files wins over the folder's row, whose values fill
    # the cells it leaves empty
    for entry in sorted(entries, key=lambda e: not e.path.is_dir()):
        files, left_out = loadable_files([str(entry.path)])
        ignored.update(left_out)
        for file in files:
            url, hints = listed.get(file, (None, default))
            listed[file] = (entry.url or url, merged(entry.hints, hints))
    inputs = [(file, url, hints) for file, (url, hints) in listed.items()]
    known = {Path(file).resolve() for file in listed}
    files, left_out = loadable_files(args.paths)
    ignored.update(left_out)
    inputs.extend((file, None, default) for file in files if Path(file).resolve() not in known)
    return inputs, ignored


def _run_load(args: argparse.Namespace) -> int:
    from ingest.files import read_input
    from ingest.run import IngestRun
    from ingest.workers import ProcessPool
    from warehouse.connection import check_warehouse
    from warehouse.summary import LoadSummary

    if not args.paths and not args.manifest:
        raise ManifestError("give files or folders to load, or --manifest FILE")
    check_warehouse(args.warehouse)  # a damaged or foreign file is one line before any work starts
    files, ignored = load_inputs(args)
    why = ", ".join(f"{n} {reason}" for reason, n in sorted(ignored.items()))
    n_ignored = sum(ignored.values())
    note = f"; ignored {n_ignored}: {why}" if ignored else ""
    print(f"load: {len(files)} files to read{note}", file=sys.stderr, flush=True)
    total = LoadSummary()
    size = max(1, args.batch_size)
    written: deque[tuple[int, Future[LoadSummary]]] = deque()

    def count(part: LoadSummary, done: int) -> None:
        total.add(part)
        total.warehouse = part.warehouse
        print(
            f"load: {done}/{len(files)} files ({100 * done // len(files)}%): loaded {total.loaded}, "
            f"replaced {total.replaced}, skipped {total.skipped}, rejected {total.rejected}",
            file=sys.stderr,
            flush=True,
        )

    # the workers transform the next batch while the previous one is written
    with ProcessPool(args.workers) as workers, IngestRun(args.warehouse, workers) as run:
        for start in range(0, len(files), size):
            read = [read_input(file, url, hints) for file, url, hints in files[start : start + size]]
            pages = [item for item in read if isinstance(item, Page)]
            rejects = [item for item in read if not isinstance(item, Page)]
            written.append((min(start + size, len(files)), run.submit(pages, rejects)))
            while written and written[0][1].done():
                done, future = written.popleft()
                count(future.result(), done)
        run.close()
        for done, future in written:
            count(future.result(), done)
    print(total.describe())
    if ignored:
        print(f"ignored {n_ignored} files in the folders: {why}")
    return EXIT_FAILED if total.rejected else 0


def require_warehouse(args: argparse.Namespace) -> None:
    """Reading commands never create a warehouse: a mistyped path is an error, not an empty result."""
    from warehouse.lake import warehouse_exists
    from warehouse.location import resolve_warehouse

    path = resolve_warehouse(args.warehouse)
    if not warehouse_exists(path):
        raise WarehouseError(
            f"{path}: no warehouse here yet (load reports with `nianbao load PATH…` "
            "or `nianbao demo`, or pass --warehouse)"
        )


def _run_sql(args: argparse.Namespace) -> int:
    from warehouse.query import run_query

    require_warehouse(args)
    _emit(run_query(args.query, args.warehouse), args)
    return 0


def _run_yoy(args: argparse.Namespace) -> int:
    from warehouse.yoy import yoy_frame

    require_warehouse(args)
    frame = yoy_frame(args.code, args.region, args.from_year, args.to_year, args.warehouse)
    if frame.is_empty():
        print(f"no values for {args.code} in the selected regions and years", file=sys.stderr)
        return EXIT_FAILED
    if not (args.csv or args.json):  # the table names the indicator once, above it
        print(f"{args.code}  {frame['indicator_name'][0] or ''}")
        frame = frame.drop("code", "indicator_name")
    _emit(frame, args, null="")
    return 0


def _run_export(args: argparse.Namespace) -> int:
    from warehouse.export import export_parquet

    require_warehouse(args)
    for path in export_parquet(args.out_dir, args.warehouse):
        print(path)
    return 0


def _run_chart(args: argparse.Namespace) -> int:
    from warehouse.chart import chart_indicator

    require_warehouse(args)
    result = chart_indicator(args.code, args.region, args.out, args.warehouse, args.from_year, args.to_year)
    for note in result.notes:
        print(f"note: {note}", file=sys.stderr)
    print(f"wrote {result.path} ({result.lines} line{'s' if result.lines != 1 else ''})")
    return 0 if result.lines else EXIT_FAILED
