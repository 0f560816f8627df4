"""The `nianbao` command line: a thin layer over transforms, warehouse and flows."""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence

from nianbao.manifest import ManifestError
from transforms.hints import HintError

# Each module defines register(subparsers) and sets func on its parsers.
COMMAND_MODULES = ("extract", "catalog", "warehouse", "flows", "sites")

EXIT_USAGE = 2
EXIT_BROKEN_PIPE = 141  # 128 + SIGPIPE, what a shell reports for a killed writer


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="nianbao",
        description="Turn Chinese county governments' annual reports into a DuckDB warehouse.",
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(f"nianbao.commands.{name}").register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return EXIT_USAGE
    try:
        return int(args.func(args) or 0)
    except (HintError, ManifestError) as exc:  # a bad --region/--kind/--year value or manifest
        print(f"nianbao {args.command}: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except BrokenPipeError:
        # the reader went away (`nianbao catalog | head`): stop quietly, as other command-line tools do
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_BROKEN_PIPE


if __name__ == "__main__":
    sys.exit(main())
