"""`nianbao explore`: build the static explorer site from the warehouse, and optionally serve it locally."""

from __future__ import annotations

import argparse
import functools
import http.server
import sys
from pathlib import Path

from nianbao.errors import UsageError
from nianbao.location_options import add_warehouse_option

DEFAULT_PORT = 8765


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "explore",
        help="build a static explorer site (charts, evidence, coverage, review) from the warehouse",
        description="Write a self-contained static site into DIR: an indicator picker by domain with 中文名 "
        "and definition; year-over-year line charts for one or several regions with the table beside them; "
        "for every value its evidence (sentence, report title, date, source URL); a coverage matrix "
        "(region × year × kind); and the review list. It opens from disk or any static host and needs no "
        "network (Apache ECharts is bundled with its licence). --serve also serves it on 127.0.0.1.",
        epilog="example: nianbao explore --out data/explorer --serve",
    )
    parser.add_argument(
        "--out", metavar="DIR", help="folder to write (default: explorer/ beside the warehouse)"
    )
    parser.add_argument("--serve", action="store_true", help="serve the site on 127.0.0.1 until Ctrl-C")
    parser.add_argument(
        "--port",
        type=int,
        default=DEFAULT_PORT,
        help=f"port for --serve (default {DEFAULT_PORT}; 0 picks a free one)",
    )
    add_warehouse_option(parser)
    parser.set_defaults(func=run)


def default_site_folder(warehouse: str | None) -> Path:
    from warehouse.location import resolve_warehouse

    return resolve_warehouse(warehouse).parent / "explorer"


def run(args: argparse.Namespace) -> int:
    from nianbao.commands.warehouse import require_warehouse
    from warehouse.explore import build_site

    require_warehouse(args)
    out = Path(args.out) if args.out else default_site_folder(args.warehouse)
    if out.exists() and not out.is_dir():
        raise UsageError(f"{out}: is a file; --out takes a folder")
    site = build_site(out, args.warehouse)
    print(
        f"wrote {site.index} ({site.indicators_with_values} indicators with values, {site.values} values, "
        f"{site.reports} reports, {site.review_rows} to review); open it in a browser"
    )
    if args.serve:
        serve(site.out, args.port)
    return 0


def serve(folder: Path, port: int) -> None:
    """Serve folder on 127.0.0.1 until interrupted."""
    handler = functools.partial(_QuietHandler, directory=str(folder))
    with http.server.ThreadingHTTPServer(("127.0.0.1", port), handler) as server:
        print(f"serving http://127.0.0.1:{server.server_address[1]}/ (Ctrl-C stops)", flush=True)
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            print("stopped", file=sys.stderr)


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass
