"""The `nianbao` command line: a thin layer over transforms, warehouse and flows.

Errors a user can cause become one line on stderr and an exit status here, in `exit_status`, and nowhere
else: 2 for a refused query, bad usage or a bad config file, 1 for anything else that failed (unknown
region or site, busy or broken warehouse, an output path that cannot be written, a temporary Prefect
server that did not start), 130 for Ctrl-C, 141 for a closed stdout. Bugs still show their traceback.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence

from flows.prefect_api import ServerStartError
from nianbao import __version__
from nianbao.errors import UsageError, output_error
from nianbao.manifest import ManifestError
from nianbao.settings import ConfigError
from transforms.hints import HintError
from warehouse.connection import LockWait
from warehouse.errors import QueryRefusedError, WarehouseError

# Each module defines register(subparsers) and sets func on its parsers.
COMMAND_MODULES = ("extract", "catalog", "warehouse", "explore", "info", "flows", "sites")

EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130  # 128 + SIGINT
EXIT_BROKEN_PIPE = 141  # 128 + SIGPIPE, what a shell reports for a killed writer


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="nianbao",
        description="Turn Chinese county governments' annual reports into a DuckDB warehouse.",
    )
    parser.add_argument("--version", action="version", version=f"nianbao {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(f"nianbao.commands.{name}").register(subparsers)
    return parser


def exit_status(command: str, exc: BaseException) -> int | None:
    """Print the one-line message for an error a user can cause and return its exit status; None for a bug
    (the caller re-raises it)."""
    if isinstance(exc, BrokenPipeError):
        # the reader went away (`nianbao catalog | head`): stop quietly, as other command-line tools do
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_BROKEN_PIPE
    if isinstance(exc, KeyboardInterrupt):
        print(f"nianbao {command}: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    if isinstance(exc, QueryRefusedError | UsageError | ConfigError | HintError | ManifestError):
        message, status = str(exc), EXIT_USAGE
    elif isinstance(exc, WarehouseError | ServerStartError):
        message, status = str(exc), EXIT_FAILED
    elif isinstance(exc, OSError):  # a path that cannot be read or written, a full disk, …
        message, status = output_error(exc), EXIT_FAILED
    else:
        return None
    print(f"nianbao {command}: {message}", file=sys.stderr)
    return status


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return EXIT_USAGE
    LockWait.notice = lambda message: print(f"nianbao {args.command}: {message}", file=sys.stderr, flush=True)
    LockWait.seconds = getattr(args, "wait", None)
    try:
        return int(args.func(args) or 0)
    except (Exception, KeyboardInterrupt) as exc:
        status = exit_status(args.command, exc)
        if status is None:
            raise
        return status


if __name__ == "__main__":
    sys.exit(main())
