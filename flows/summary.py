"""A run's summary: pages found, fetched, unchanged, failed, loaded, rejected (with reasons); as text and as
Prefect table and markdown artifacts."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from prefect.artifacts import create_markdown_artifact, create_table_artifact

from warehouse.load import LoadSummary, RejectRow

MAX_LISTED = 50  # rejects listed one by one in the markdown artifact; the rest are counted
# RunSummary's count fields, in the order the table artifact lists them
COUNTS = ("found", "fetched", "unchanged", "failed", "ingested", "loaded", "replaced", "skipped", "rejected")


class NothingLoadedError(RuntimeError):
    """A run that found pages (or was asked for some) but could load none of them."""


@dataclass(slots=True)
class RunSummary:
    """Counts of one scrape/ingest/backfill run and every reject with its stage and reason."""

    found: int = 0
    fetched: int = 0
    unchanged: int = 0
    failed: int = 0
    loaded: int = 0
    replaced: int = 0
    skipped: int = 0
    rejected: int = 0
    ingested: int = 0
    rejects: list[RejectRow] = field(default_factory=list)
    skipped_links: Counter[str] = field(default_factory=Counter)

    def add_load(self, load: LoadSummary, pages: int) -> None:
        self.ingested += pages
        self.loaded += load.loaded
        self.replaced += load.replaced
        self.skipped += load.skipped
        self.rejected += load.rejected
        self.rejects.extend(load.rejects)

    def add_rejects(self, rejects: list[RejectRow]) -> None:
        """Count inputs rejected outside a load (fetch, discover, archive) and keep their reasons."""
        self.rejected += len(rejects)
        self.rejects.extend(rejects)

    def merge(self, other: RunSummary) -> RunSummary:
        for name in COUNTS:
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.rejects.extend(other.rejects)
        self.skipped_links.update(other.skipped_links)
        return self

    @property
    def usable(self) -> int:
        """Pages now in the warehouse from this run: loaded, replaced, or already there unchanged."""
        return self.loaded + self.replaced + self.skipped

    def rows(self) -> list[dict[str, object]]:
        return [{"measure": name, "count": getattr(self, name)} for name in COUNTS]

    def describe(self) -> str:
        """Plain lines for the console."""
        lines = [
            f"pages found {self.found}: fetched {self.fetched}, unchanged (304) {self.unchanged}, "
            f"failed {self.failed}",
            f"warehouse: loaded {self.loaded}, replaced {self.replaced}, skipped (unchanged) {self.skipped}, "
            f"rejected {self.rejected}",
        ]
        lines += [r.line() for r in self.rejects[:MAX_LISTED]]
        if len(self.rejects) > MAX_LISTED:
            lines.append(f"  … and {len(self.rejects) - MAX_LISTED} more rejects")
        return "\n".join(lines)

    def markdown(self, title: str) -> str:
        out = [f"# {title}", "", "| measure | count |", "|---|---:|"]
        out += [f"| {row['measure']} | {row['count']} |" for row in self.rows()]
        if self.rejects:
            out += ["", "## Rejected", "", "| stage | input | reason |", "|---|---|---|"]
            out += [
                f"| {r.stage} | {_cell(r.input)} | {_cell(r.reason)} |" for r in self.rejects[:MAX_LISTED]
            ]
            if len(self.rejects) > MAX_LISTED:
                out.append(f"\n… and {len(self.rejects) - MAX_LISTED} more.")
        if self.skipped_links:
            out += ["", "## Links skipped by discovery", "", "| reason | links |", "|---|---:|"]
            out += [f"| {_cell(reason)} | {n} |" for reason, n in self.skipped_links.most_common()]
        return "\n".join(out) + "\n"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def publish_artifacts(summary: RunSummary, key: str, title: str) -> None:
    """The summary as a Prefect table artifact and a markdown artifact (visible in the Prefect UI)."""
    create_table_artifact(summary.rows(), key=f"{key}-counts", description=title)
    create_markdown_artifact(summary.markdown(title), key=f"{key}-summary", description=title)
