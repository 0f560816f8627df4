"""Flow subcommands: scrape, ingest, backfill, reprocess, run, serve, demo (Prefect is imported on use)."""

from __future__ import annotations

import argparse
import os
import re
import sys
from typing import Any

from nianbao.location_options import add_archive_option, add_warehouse_option

EXIT_FAILED = 1
EXIT_USAGE = 2
RUN_URL_NOTE = (
    "Runs against a temporary local Prefect server unless PREFECT_API_URL names a server, in which case the "
    "flow run's URL is printed."
)


def register(subparsers: argparse._SubParsersAction) -> None:
    scrape = subparsers.add_parser(
        "scrape",
        help="discover report pages and fetch them into the raw archive",
        description="A Prefect flow: read the listing pages of the sites in config/sources.yaml (or those "
        "--region names), find the report pages whose titles match, and fetch each into the raw archive "
        "(content-addressed; pages already archived are not fetched again), politely (per-host delay, "
        "robots.txt). Loads nothing into the warehouse: `nianbao ingest` does. " + RUN_URL_NOTE,
    )
    _selection(scrape)
    _politeness(scrape)
    _paths(scrape)
    scrape.set_defaults(func=_scrape)

    ingest = subparsers.add_parser(
        "ingest",
        help="load archived pages into the warehouse (no network)",
        description="A Prefect flow: take every page in the raw archive (its latest body per URL), run the "
        "transforms on them in batches and load each batch in one warehouse transaction; pages already "
        "loaded unchanged are skipped, pages that cannot be read become rejects with the reason. "
        "No network. " + RUN_URL_NOTE,
    )
    _selection(ingest)
    _paths(ingest)
    _batch(ingest)
    _compute(ingest)
    ingest.set_defaults(func=lambda a: _run_archive_flow("ingest", a))

    backfill = subparsers.add_parser(
        "backfill",
        help="scrape and load past years (e.g. --years 2019-2024)",
        description="A Prefect flow: scrape the sites for the reports of the given years, then ingest what "
        "was fetched — the way to fill the warehouse the first time. " + RUN_URL_NOTE,
    )
    _selection(backfill)
    _politeness(backfill)
    _paths(backfill)
    _batch(backfill)
    backfill.set_defaults(
        func=lambda a: _run_flow(
            "backfill",
            years=a.years,
            regions=a.region,
            politeness=_politeness_overrides(a),
            archive=a.archive,
            warehouse=a.warehouse,
            batch_size=a.batch_size,
        )
    )

    reprocess = subparsers.add_parser(
        "reprocess",
        help="re-derive the warehouse from the archive after rules changed (no network)",
        description="A Prefect flow: run the transforms again on every archived page (or those of --years "
        "and --region) and replace the reports whose extraction changed, after an edit of config/ (the "
        "extractor version includes a digest of the rule files). No network. " + RUN_URL_NOTE,
    )
    _selection(reprocess)
    _paths(reprocess)
    _batch(reprocess)
    _compute(reprocess)
    reprocess.set_defaults(func=lambda a: _run_archive_flow("reprocess", a))

    run = subparsers.add_parser(
        "run",
        help="the scheduled job: last year's reports from every site",
        description="A Prefect flow: scrape and ingest the reports of one year (default: last year, the one "
        "published in this reporting season) from every site, or those --region names. `nianbao serve` "
        "runs it on a schedule. " + RUN_URL_NOTE,
    )
    run.add_argument("--region", action="append", metavar="ID|CODE", help="site id or region code (repeat)")
    run.add_argument("--year", type=int, help="the report year to look for (default: last year)")
    _paths(run)
    run.set_defaults(
        func=lambda a: _run_flow(
            "run", regions=a.region, year=a.year, archive=a.archive, warehouse=a.warehouse
        )
    )

    serve = subparsers.add_parser(
        "serve",
        help="serve the `run` flow on the reporting-season cron (needs `prefect server start`)",
        description="Register the `run` flow as a Prefect deployment with the reporting-season cron of "
        "prefect.yaml and keep serving it until Ctrl-C. Schedules fire only against a Prefect server or "
        "Prefect Cloud (PREFECT_API_URL); ephemeral mode has no scheduler.",
    )
    serve.add_argument("--region", action="append", metavar="ID|CODE", help="site id or region code (repeat)")
    _paths(serve)
    serve.set_defaults(func=_serve)

    demo = subparsers.add_parser(
        "demo",
        help="serve the bundled FICTIONAL sample site on 127.0.0.1, backfill it, print a YoY table",
        description="Serve a bundled sample site of the FICTIONAL county 示例县 (code 990121, synthetic "
        "figures) on 127.0.0.1, backfill every year it has through real HTTP and a Prefect flow into the "
        "warehouse, print a year-over-year table, build the explorer beside the warehouse and print the "
        "commands to try next.",
    )
    _paths(demo)
    demo.add_argument(
        "--delay",
        type=float,
        metavar="SECONDS",
        help="politeness delay per request (default from config/sources.yaml for the sample site)",
    )
    demo.set_defaults(func=_demo)


def _years(text: str) -> list[int]:
    """'2019-2024', '2019,2021' or '2020'."""
    years: list[int] = []
    for part in text.split(","):
        match = re.fullmatch(r"\s*(\d{4})\s*(?:[-–]\s*(\d{4})\s*)?", part)
        if not match:
            raise argparse.ArgumentTypeError(f"not a year or range of years: {part!r}")
        first, last = int(match.group(1)), int(match.group(2) or match.group(1))
        if last < first:
            raise argparse.ArgumentTypeError(f"range runs backwards: {part!r}")
        years.extend(range(first, last + 1))
    return years


def _positive(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"not a positive whole number: {text!r}")
    return int(text)


def _selection(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--years", type=_years, metavar="YEARS", help="report years: 2019-2024 or 2019,2021")
    parser.add_argument(
        "--region",
        action="append",
        metavar="ID|CODE",
        help="site id or region code from config/sources.yaml (repeat; default: all)",
    )


def _politeness(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--delay", type=float, metavar="SECONDS", help="override the per-host delay")


def _politeness_overrides(args: argparse.Namespace) -> dict[str, Any] | None:
    return {"delay_seconds": args.delay} if getattr(args, "delay", None) is not None else None


def _paths(parser: argparse.ArgumentParser) -> None:
    add_warehouse_option(parser)
    add_archive_option(parser)


def _batch(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--batch-size",
        type=_positive,
        default=200,
        metavar="N",
        help="pages per ingest task and warehouse transaction (default 200)",
    )


def _compute(parser: argparse.ArgumentParser) -> None:
    add_workers(parser)
    parser.add_argument(
        "--runner",
        choices=("local", "dask"),
        help="where the transform runs: local worker "
        "processes, or prefect-dask's DaskTaskRunner (a LocalCluster of --workers processes, "
        "or the scheduler at ingest.dask_address) (default: ingest.runner in "
        "config/settings.yaml)",
    )


def add_workers(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--workers",
        type=_positive,
        metavar="N",
        help="transform worker processes "
        "(default: ingest.workers in config/settings.yaml; 0 there: one per CPU)",
    )


def _quiet_prefect() -> None:
    """Keep Prefect offline and terse unless the user asked otherwise; must run before prefect is imported."""
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")


def _check_sites(regions: list[str] | None) -> None:
    """An unknown site or region, or a broken sources.yaml, is a one-line error before any flow starts
    (inside a flow run Prefect would log it with a traceback)."""
    from flows.sources import load_sources

    if regions:
        load_sources().select(regions, include_sample=True)


def _scrape(args: argparse.Namespace) -> int:
    _check_sites(args.region)
    _quiet_prefect()
    from flows import pipeline
    from flows.prefect_api import prefect_api

    with prefect_api():
        state = pipeline.scrape(
            years=args.years,
            regions=args.region,
            politeness=_politeness_overrides(args),
            archive=args.archive,
            warehouse=args.warehouse,
            return_state=True,
        )
    _print_run_url(state)
    if state.is_failed():
        print(f"nianbao scrape: {state.message}", file=sys.stderr)
        return EXIT_FAILED
    result = state.result()
    print(result.summary.describe())
    failed = result.summary.found or result.summary.rejected  # pages or list pages that could not be had
    return EXIT_FAILED if failed and not result.rows else 0


def _run_archive_flow(name: str, args: argparse.Namespace) -> int:
    """ingest and reprocess: the same options, from the archive to the warehouse."""
    return _run_flow(
        name,
        years=args.years,
        regions=args.region,
        archive=args.archive,
        warehouse=args.warehouse,
        batch_size=args.batch_size,
        workers=args.workers,
        runner=args.runner,
    )


def _run_flow(name: str, **params: Any) -> int:
    """Run one flow; a failed flow state (e.g. nothing could be loaded) exits 1 with its message, as does a
    warehouse that is damaged or not a nianbao warehouse (checked before the flow starts)."""
    _check_sites(params.get("regions"))
    _quiet_prefect()
    from warehouse.connection import check_warehouse
    from warehouse.errors import WarehouseError

    try:
        check_warehouse(params.get("warehouse"))
    except WarehouseError as exc:
        print(f"nianbao {name}: {exc}", file=sys.stderr)
        return EXIT_FAILED
    from flows import pipeline
    from flows.prefect_api import prefect_api
    from flows.runners import resolve_runner, with_runner

    flow = getattr(pipeline, name)
    with prefect_api():
        if "runner" in params:
            params["runner"] = resolve_runner(params["runner"])
            flow = with_runner(flow, params["runner"], params.get("workers"))
        state = flow(**params, return_state=True)
    _print_run_url(state)
    if state.is_failed():
        print(f"nianbao {name}: {state.message}", file=sys.stderr)
        return EXIT_FAILED
    print(state.result().describe())
    return 0


def _print_run_url(state: Any) -> None:
    """Against the user's Prefect server (PREFECT_API_URL set), print the flow run's page in its UI; runs on
    a temporary server (flows.prefect_api, gone when the command ends) have none."""
    from prefect.settings import PREFECT_API_URL
    from prefect.utilities.urls import url_for

    run_id = state.state_details.flow_run_id
    url = url_for("flow-run", obj_id=run_id) if PREFECT_API_URL.value() and run_id else None
    if url:
        print(f"flow run: {url}", file=sys.stderr)


def _serve(args: argparse.Namespace) -> int:
    _check_sites(args.region)
    _quiet_prefect()
    from flows import pipeline
    from flows.schedule import season_schedule

    schedule = season_schedule()
    print(
        f"serving {schedule.deployment} on cron {schedule.cron!r} ({schedule.timezone}); the schedule only "
        "fires against a running `prefect server start` (or Prefect Cloud) — ephemeral mode has no "
        "scheduler. Ctrl-C stops.",
        file=sys.stderr,
    )
    from prefect.schedules import Cron

    parameters = {"regions": args.region, "archive": args.archive, "warehouse": args.warehouse}
    pipeline.run.serve(
        name=schedule.deployment,
        schedule=Cron(schedule.cron, timezone=schedule.timezone),
        parameters={k: v for k, v in parameters.items() if v},
    )
    return 0


def _demo(args: argparse.Namespace) -> int:
    _quiet_prefect()
    from flows.demo import print_demo, run_demo
    from flows.prefect_api import prefect_api

    print(
        "nianbao demo: a sample site of the FICTIONAL county 示例县 (code 990121; synthetic figures), "
        "served on 127.0.0.1 and backfilled through Prefect …",
        flush=True,
    )
    with prefect_api():
        result = run_demo(warehouse=args.warehouse, archive=args.archive, delay=args.delay)
    print_demo(result, sys.stdout)
    return EXIT_FAILED if result.state_failed else 0
