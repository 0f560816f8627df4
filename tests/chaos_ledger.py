"""What a chaos run tried and lost, printed as a table at the end of the pytest session.

Tests record through the `chaos_ledger` fixture (tests/conftest.py); the session summary prints one row per
fault class and ends with `data lost: N`, N being the reports an uninterrupted run loads that the faulted
run lost or half-wrote. Fault classes of the fetch side (issue 9, items 1-5 and the HTTP faults) are listed
in FETCH_FAULTS, from tests/faults_http.py; tests/test_fetch_faults.py records them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from faults_http import FAULT_CLASSES, ROBOTS

# Fetch-side fault classes (tests/faults_http.py, exercised by tests/test_fetch_faults.py): a row is listed
# even when the run did not reach it, so a missing class shows as "-" rather than vanishing from the table.
FETCH_FAULTS: tuple[str, ...] = (
    *FAULT_CLASSES,
    *(f"robots.txt {mode}" for mode in ROBOTS if mode != "allow"),
)


@dataclass(slots=True)
class Row:
    section: str
    fault: str
    tried: int = 0
    lost: int = 0
    notes: list[str] = field(default_factory=list)


@dataclass(slots=True)
class ChaosLedger:
    """Rows keyed by (section, fault); `long` says whether this is `make chaos` or the short run."""

    long: bool = False
    seed: int = 0
    rows: dict[tuple[str, str], Row] = field(default_factory=dict)

    def record(
        self, section: str, fault: str, tried: int = 1, lost: int = 0, note: str | None = None
    ) -> None:
        row = self.rows.setdefault((section, fault), Row(section, fault))
        row.tried += tried
        row.lost += lost
        if note and note not in row.notes:
            row.notes.append(note)

    def plain_rows(self) -> list[tuple[str, str, int, int, list[str]]]:
        """The rows as plain values, for a pytest-xdist worker to hand to the controlling process."""
        return [(row.section, row.fault, row.tried, row.lost, list(row.notes)) for row in self.rows.values()]

    def add_rows(self, rows: list[tuple[str, str, int, int, list[str]]]) -> None:
        """Add a worker's `plain_rows()` to this ledger (the controlling process prints the sum)."""
        for section, fault, tried, lost, notes in rows:
            self.record(section, fault, tried, lost)
            for note in notes:
                self.record(section, fault, tried=0, note=note)

    @property
    def data_lost(self) -> int:
        return sum(row.lost for row in self.rows.values())

    def table(self) -> list[str]:
        rows = list(self.rows.values())
        recorded = {row.fault for row in rows}
        rows += [
            Row("fetch", fault, notes=["not run (tests/test_fetch_faults.py)"])
            for fault in FETCH_FAULTS
            if fault not in recorded
        ]
        width = max(len(row.fault) for row in rows)
        lines = [
            f"chaos run: {'long (make chaos)' if self.long else 'short (make test)'}, seed {self.seed}",
            f"{'section':<8}  {'fault class':<{width}}  {'tried':>6}  {'lost':>5}  notes",
        ]
        for row in rows:
            tried = str(row.tried) if row.tried else "-"
            lost = str(row.lost) if row.tried else "-"
            notes = "; ".join(row.notes)
            lines.append(f"{row.section:<8}  {row.fault:<{width}}  {tried:>6}  {lost:>5}  {notes}")
        lines.append(f"data lost: {self.data_lost}")
        return lines
