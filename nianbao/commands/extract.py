"""`nianbao extract`: the pure transform on local files, as JSON Lines or a readable summary."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from nianbao.hint_options import add_hint_options, hints_from
from transforms.extract import extract_pages
from transforms.model import Hints, Page, Report


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "extract",
        help="extract metadata, body, sections, quantities and indicators from pages (no warehouse)",
        description="Read saved HTML pages or text captures and print what nianbao extracts from each. "
        "Exit status: 0 when every input was read, 1 when any failed, 2 for bad usage (a bad hint too).",
    )
    parser.add_argument("paths", nargs="+", metavar="PATH", help="saved HTML page or text capture")
    parser.add_argument("--json", action="store_true", help="one JSON object per input (JSON Lines)")
    add_hint_options(parser)
    parser.set_defaults(func=run)


def read_pages(paths: list[str], hints: Hints | None = None) -> tuple[list[Page], list[Report]]:
    """Pages for the readable paths; failed reports for the unreadable ones (by input position)."""
    pages: list[Page] = []
    failures: list[Report] = []
    hints = hints or Hints()
    for path in paths:
        try:
            pages.append(Page(name=path, data=Path(path).read_bytes(), hints=hints))
        except OSError as exc:
            failures.append(Report(path=path, ok=False, error=f"cannot read file: {exc.strerror or exc}"))
            pages.append(Page(name=path, data=b""))
    return pages, failures


def run(args: argparse.Namespace) -> int:
    pages, failures = read_pages(args.paths, hints_from(args))
    reports = extract_pages(pages).reports
    failed_paths = {f.path: f for f in failures}
    reports = [failed_paths.get(r.path, r) for r in reports]
    for report in reports:
        if args.json:
            sys.stdout.write(json.dumps(report.to_json_dict(), ensure_ascii=False) + "\n")
        else:
            sys.stdout.write(render_report(report) + "\n")
    sys.stdout.flush()
    return 0 if all(r.ok for r in reports) else 1


def render_report(report: Report, body_chars: int = 600) -> str:
    """A readable summary: metadata, sections, the start of the body, figures."""
    lines = [f"== {report.path}"]
    if not report.ok:
        lines.append(f"   not a report: {report.error}")
        return "\n".join(lines)
    lines.append(f"   kind: {report.kind}   encoding: {report.encoding}")
    for name, value in vars_of(report.metadata).items():
        if value is not None:
            lines.append(f"   {name:15} {value}")
    if report.region and (report.region.method or report.region.candidates):
        how = f"   region from: {report.region.method or 'nothing certain'}"
        if report.region.clues:
            how += f" (clues: {'; '.join(report.region.clues)})"
        lines.append(how)
        lines.extend(f"     candidate {c['code']} {c['path']}" for c in report.region.candidates)
    if report.sections:
        lines.append("   sections:")
        lines.extend(f"     {'  ' * (s.level - 1)}{s.number} {s.title}" for s in report.sections)
    body = report.body if len(report.body) <= body_chars else report.body[:body_chars] + " …"
    lines.append("   body:")
    lines.extend(f"     {line}" for line in body.splitlines())
    lines.append(f"   quantities: {len(report.quantities)}   indicators: {len(report.indicators)}")
    lines.extend(
        f"     {i.code:34} {i.value:>14,g} {i.unit}{'  [' + i.scope + ']' if i.scope else ''}"
        for i in report.indicators
    )
    for check in report.table_checks:
        if not check["ok"]:
            scope = f" [{check['scope']}]" if check["scope"] else ""
            lines.append(
                f"   table check failed: {check['table_id']} {check['check_id']}{scope}: {check['detail']}"
            )
    for warning in report.warnings:
        lines.append(f"   warning: {warning}")
    return "\n".join(lines)


def vars_of(obj: object) -> dict[str, object]:
    return {name: getattr(obj, name) for name in obj.__slots__}  # type: ignore[attr-defined]
