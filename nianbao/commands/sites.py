"""`nianbao sites add|list|check`: onboard a county from its home page, list the sites with their last run,
and check that each listing's first page still lists reports."""

from __future__ import annotations

import argparse
import re
import sys
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from flows.onboard import Survey

EXIT_PROBLEM = 1
EXIT_CONFIG = 2


def register(subparsers: argparse._SubParsersAction) -> None:
    sites = subparsers.add_parser("sites", help="add a site from its home page, list sites, check listings")
    commands = sites.add_subparsers(dest="sites_command", metavar="add|list|check")

    add = commands.add_parser(
        "add", help="survey a site from its home page and propose an entry in config/sources.d/"
    )
    add.add_argument("--home", required=True, type=_home, metavar="URL", help="the site's home page")
    add.add_argument("--region", required=True, type=_region, metavar="CODE", help="6-digit region code")
    add.add_argument("--id", type=_site_id, help="site id (default: from the host name)")
    add.add_argument("--name", help="site name (default: from the home page's title)")
    add.add_argument(
        "--allow-private",
        action="store_true",
        help="allow the survey to fetch a "
        "site on 127.0.0.1 or a private network (local testing) and write "
        "allow_private_addresses: true in the entry",
    )
    add.add_argument("--delay", type=float, metavar="SECONDS", help="override the per-host delay")
    add.add_argument("--force", action="store_true", help="replace this id's file in config/sources.d/")
    add.add_argument("--dry-run", action="store_true", help="print the proposed entry, write nothing")
    add.set_defaults(func=_add)

    listing = commands.add_parser("list", help="every configured site with its last run's counts")
    listing.add_argument(
        "--archive",
        metavar="URL",
        help="raw archive location (default: $NIANBAO_ARCHIVE, else archive.path in config/settings.yaml)",
    )
    listing.set_defaults(func=_list)

    check = commands.add_parser("check", help="fetch each listing's first page: reports found, CMS, errors")
    check.add_argument("ids", nargs="*", metavar="ID", help="site ids or region codes (default: all sites)")
    check.add_argument("--delay", type=float, metavar="SECONDS", help="override the per-host delay")
    check.set_defaults(func=_check)
    sites.set_defaults(func=lambda a: (sites.print_help(), EXIT_CONFIG)[1])


def _home(text: str) -> str:
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise argparse.ArgumentTypeError(f"not an http(s) URL with a host: {text!r}")
    return text


def _region(text: str) -> str:
    if not re.fullmatch(r"\d{6}", text):
        raise argparse.ArgumentTypeError(f"a region code has 6 digits: {text!r}")
    return text


def _site_id(text: str) -> str:
    if not re.fullmatch(r"[a-z0-9][a-z0-9_-]*", text):
        raise argparse.ArgumentTypeError(f"a site id is lowercase letters, digits, - and _: {text!r}")
    return text


def _overrides(args: argparse.Namespace) -> dict[str, float] | None:
    return {"delay_seconds": args.delay} if args.delay is not None else None


def _add(args: argparse.Namespace) -> int:
    import yaml

    from flows.fetch import Fetcher
    from flows.fetch_limits import load_fetch_limits
    from flows.onboard import (
        default_site_id,
        load_survey_config,
        proposed_entry,
        survey_site,
        write_proposal,
    )
    from flows.sources import load_sources
    from flows.urls import authority_key

    config = load_survey_config()
    host = (urlsplit(args.home).hostname or "").lower()
    key = authority_key(args.home)
    policy = load_sources().politeness.merged(_overrides(args))
    private_ok = [key] if args.allow_private else []
    with Fetcher({key: policy}, default=policy, private_ok=private_ok, limits=load_fetch_limits()) as fetcher:
        survey = survey_site(args.home, config, fetcher)
    print(f"surveyed {survey.pages} page(s) from {args.home} (title: {survey.title or '—'})")
    for c in survey.candidates:
        print(f"  {c.url}\n    via {c.via!r}; CMS {c.mode}: {c.evidence}\n    {c.verdict}")
    for failure in survey.failures:
        print(f"  could not read {failure}")
    if not survey.chosen:
        print(
            f"nianbao sites add: no report column found on {host} — {_why_nothing(survey)}", file=sys.stderr
        )
        return EXIT_PROBLEM
    site_id = args.id or default_site_id(args.home, args.region)
    entry = proposed_entry(survey, site_id, args.region, args.name, config, args.allow_private)
    if args.dry_run:
        print(yaml.safe_dump({"sites": [entry]}, allow_unicode=True, sort_keys=False, width=200))
        return 0
    path = write_proposal(entry, survey, force=args.force)
    print(
        f"proposed entry written to {path} — review it, then:\n  nianbao sites check {site_id}\n"
        f"  nianbao backfill --region {site_id} --years 2015-2024"
    )
    return 0


def _why_nothing(survey: Survey) -> str:
    if survey.pages and len(survey.failures) == survey.pages:
        return f"no page could be read ({survey.failures[0]})"
    named = [c for c in survey.candidates if c.named_kind]
    if named:
        return (
            f"{len(named)} column(s) named like report columns list no report title on their first page; "
            "their lists may be drawn by a script this survey could not read"
        )
    return (
        f"none of the {survey.pages} page(s) read links to a column named like a report column "
        "(config/sites.yaml survey.columns) or lists report titles; raise survey.max_pages or "
        "survey.max_depth, or start from the 政府信息公开 page (--home)"
    )


def _list(args: argparse.Namespace) -> int:
    from flows.archive import Archive
    from flows.site_check import last_runs
    from flows.sources import load_sources

    config = load_sources()
    runs = last_runs(Archive(args.archive), [s.id for s in config.sites])
    print(
        "site                  region  listings (mode)              last run                   fetched "
        "unchanged failed  years"
    )
    for site in config.sites:
        run = runs[site.id]
        modes = ", ".join(
            f"{listing.kind.split('_')[0]}:{listing.mode or 'auto'}" for listing in site.listings
        )
        years = _year_ranges(run.years)
        print(
            f"{site.id:<21} {site.region_code}  {modes[:28]:<28} {run.when or 'never':<26} "
            f"{run.fetched:>7} {run.unchanged:>9} {run.failed:>6}  {years or '—'}"
        )
    return 0


def _year_ranges(years: tuple[int, ...]) -> str:
    """2019, 2020, 2022 → '2019–2020,2022' (a gap stays visible)."""
    spans: list[list[int]] = []
    for year in years:
        if spans and year == spans[-1][1] + 1:
            spans[-1][1] = year
        else:
            spans.append([year, year])
    return ",".join(f"{a}–{b}" if b > a else str(a) for a, b in spans)


def _check(args: argparse.Namespace) -> int:
    from flows.site_check import check_sites
    from flows.sources import load_sources

    config = load_sources()
    chosen = config.select(args.ids or None, include_sample=True)
    unserved = [s.id for s in chosen if not s.base_url]
    for site_id in unserved:
        print(f"{site_id}: no base_url (the sample site is served only by `nianbao demo`); skipped")
    sites = [s for s in chosen if s.base_url]
    if not sites:
        return EXIT_PROBLEM if unserved else 0
    from flows.pipeline import build_fetcher

    with build_fetcher(sites, _overrides(args)) as fetcher:
        checks = check_sites(sites, fetcher)
    for check in checks:
        print(check.line())
    bad = [c for c in checks if not c.ok]
    print(
        f"{len(checks) - len(bad)} of {len(checks)} listing(s) list reports on their first page"
        + (f"; {len(bad)} need a look" if bad else "")
    )
    return EXIT_PROBLEM if bad else 0
