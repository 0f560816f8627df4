"""The --warehouse, --archive and --wait options, worded once for every command that takes them."""

from __future__ import annotations

import argparse

from nianbao.errors import WAIT_HELP, wait_seconds
from warehouse.location import ENV_VAR

WAREHOUSE_HELP = f"DuckDB file (default: ${ENV_VAR}, else warehouse.path in config/settings.yaml)"


def add_warehouse_option(
    parser: argparse.ArgumentParser, *, wait: bool = True, help: str = WAREHOUSE_HELP
) -> None:
    """--warehouse PATH, and --wait SECONDS for commands that may meet a busy warehouse."""
    parser.add_argument("--warehouse", metavar="PATH", help=help)
    if wait:
        parser.add_argument("--wait", type=wait_seconds, metavar="SECONDS", help=WAIT_HELP)


def add_archive_option(parser: argparse.ArgumentParser) -> None:
    """--archive URL: where raw pages are kept."""
    parser.add_argument(
        "--archive",
        metavar="URL",
        help="raw archive location, local path or fsspec URL "
        "(default: $NIANBAO_ARCHIVE, else archive.path in config/settings.yaml)",
    )
