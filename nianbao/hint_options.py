"""The --region, --kind and --year hints that `extract` and `load` share."""

from __future__ import annotations

import argparse

from transforms.hints import parse_hints
from transforms.model import Hints

HINTS_HELP = (
    "Hints fill what a page does not say. For kind and year the page wins when it states another value "
    "(with a warning); the region hint also settles a name several divisions share (白云区), but a region "
    "the page's title, issuer, source or header lines name without ambiguity wins over it (with a warning)."
)


def add_hint_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("hints", HINTS_HELP)
    group.add_argument(
        "--region",
        metavar="CODE|NAME",
        help="region of the pages: 6-digit code, name (示例县) or name with its city (广州市白云区)",
    )
    group.add_argument(
        "--kind",
        metavar="KIND",
        help="report kind: law_based_government_annual_report, government_work_report, "
        "gov_info_disclosure_annual_report, or words naming it (政府工作报告)",
    )
    group.add_argument(
        "--year",
        metavar="YEAR",
        help="the year the reports cover (for a 政府工作报告: the year before its session)",
    )


def hints_from(args: argparse.Namespace) -> Hints:
    """The checked hints of the command line (HintError, exit status 2, for a bad value)."""
    return parse_hints(args.region, args.kind, args.year)
