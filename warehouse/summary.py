"""What a load did: counts of loaded, skipped, replaced and rejected inputs, each reject's reason and each
written report's warnings."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class RejectRow:
    """An input that could not be loaded; stage is read, extract, identity, duplicate, fetch or discover."""

    input: str
    stage: str
    reason: str

    def line(self) -> str:
        """One indented console line: stage, input and reason."""
        return f"  rejected [{self.stage}] {self.input}: {self.reason}"


@dataclass(frozen=True, slots=True)
class ReportWarning:
    """A warning about a report as loaded, e.g. a hint the page contradicts (kept in reports.warnings)."""

    input: str
    text: str

    def line(self) -> str:
        """One indented console line: input and warning."""
        return f"  warning {self.input}: {self.text}"


@dataclass(slots=True)
class LoadSummary:
    """Counts per input: loaded (new report), replaced (new content for a report), skipped, rejected."""

    loaded: int = 0
    skipped: int = 0
    replaced: int = 0
    rejected: int = 0
    rejects: list[RejectRow] = field(default_factory=list)
    warehouse: str | None = None
    warnings: list[ReportWarning] = field(default_factory=list)

    def add(self, other: LoadSummary) -> None:
        """Count another load (e.g. the next batch) into this one."""
        self.loaded += other.loaded
        self.replaced += other.replaced
        self.skipped += other.skipped
        self.rejected += other.rejected
        self.rejects.extend(other.rejects)
        self.warnings.extend(other.warnings)

    def describe(self) -> str:
        """A few readable lines: the counts, then one line per reject and one per warning."""
        where = f" into {self.warehouse}" if self.warehouse else ""
        lines = [
            f"loaded {self.loaded}, replaced {self.replaced}, skipped {self.skipped} (unchanged), "
            f"rejected {self.rejected}{where}"
        ]
        lines.extend(r.line() for r in self.rejects)
        lines.extend(w.line() for w in self.warnings)
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.describe()
