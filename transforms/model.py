"""Data classes for one extracted report, as the `nianbao extract` contract describes it."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

METADATA_FIELDS = (
    "title",
    "issuer",
    "region_name",
    "region_code",
    "report_year",
    "published_at",
    "source",
    "doc_number",
    "signer",
    "addressee",
    "signed_on",
    "contact_person",
    "contact_phone",
    "cc",
)


@dataclass(frozen=True, slots=True)
class Hints:
    """What the user knows about a page that it may not say (checked by transforms.hints.parse_hints)."""

    region_code: str | None = None
    kind: str | None = None
    year: int | None = None


@dataclass(slots=True)
class Page:
    """One input: raw bytes plus what the transport and the user know about them."""

    name: str
    data: bytes
    http_charset: str | None = None
    url: str | None = None
    hints: Hints = field(default_factory=Hints)
    parent: Page | None = None  # an attachment's report page: it gives 发布时间 and 来源 the document lacks
    sha256: str | None = None  # data's sha256 (hex) where the caller has hashed it already: not hashed again


@dataclass(slots=True)
class Metadata:
    """Report metadata; a field the page does not state stays None."""

    title: str | None = None
    issuer: str | None = None
    region_name: str | None = None
    region_code: str | None = None
    report_year: int | None = None
    published_at: str | None = None
    source: str | None = None
    doc_number: str | None = None
    signer: str | None = None
    addressee: str | None = None
    signed_on: str | None = None
    contact_person: str | None = None
    contact_phone: str | None = None
    cc: str | None = None


@dataclass(slots=True)
class Section:
    """A numbered heading: level 1 一、, level 2 (一), level 3 一是."""

    level: int
    number: str
    title: str
    start: int = 0


@dataclass(slots=True)
class Quantity:
    """A number with its unit as found in the body; offsets index the body."""

    text: str
    value: float
    unit: str
    qualifier: str | None
    start: int
    end: int
    sentence: str
    value_high: float | None = None


@dataclass(slots=True)
class Indicator:
    """A quantity (or stated zero) mapped to a code of the indicator catalog."""

    code: str
    value: float
    unit: str
    qualifier: str | None
    scope: str | None
    evidence: str
    value_high: float | None = None


@dataclass(slots=True)
class StrippedPage:
    """A page with its site chrome removed, before metadata is read from it."""

    body_lines: list[str]
    header_lines: list[str] = field(default_factory=list)
    meta_tags: dict[str, str] = field(default_factory=dict)
    title_hint: str | None = None
    is_html: bool = False


@dataclass(slots=True)
class RegionNote:
    """How region_code was found (method: issuer, title, source, header, body, host, page_head, site_name,
    site_owner, hint; None when not found), the clues that settled a shared name, and the candidates a name
    left open."""

    method: str | None = None
    clues: list[str] = field(default_factory=list)
    candidates: list[dict[str, str]] = field(default_factory=list)


@dataclass(slots=True)
class Report:
    """Everything extracted from one page."""

    path: str
    ok: bool
    error: str | None = None
    kind: str | None = None
    metadata: Metadata = field(default_factory=Metadata)
    body: str = ""
    sections: list[Section] = field(default_factory=list)
    quantities: list[Quantity] = field(default_factory=list)
    indicators: list[Indicator] = field(default_factory=list)
    url: str | None = None
    encoding: str | None = None
    replaced_chars: int = 0
    content_sha256: str | None = None
    warnings: list[str] = field(default_factory=list)
    region: RegionNote | None = None
    origins: list[str] = field(default_factory=list)  # documents: where each body line came from (p.3)
    table_checks: list[dict[str, Any]] = field(default_factory=list)  # 信息公开 tables' arithmetic

    def to_json_dict(self) -> dict[str, Any]:
        """The object `nianbao extract --json` prints for this report."""
        return {
            "path": self.path,
            "ok": self.ok,
            "error": self.error,
            "kind": self.kind,
            "metadata": asdict(self.metadata),
            "body": self.body,
            "sections": [{"level": s.level, "number": s.number, "title": s.title} for s in self.sections],
            "quantities": [_drop_none_high(asdict(q)) for q in self.quantities],
            "indicators": [_drop_none_high(asdict(i)) for i in self.indicators],
            "encoding": self.encoding,
            "replaced_chars": self.replaced_chars,
            "warnings": self.warnings,
            "region": asdict(self.region) if self.region else None,
            **({"line_origins": self.origins} if self.origins else {}),
            **({"table_checks": self.table_checks} if self.table_checks else {}),
        }


def _drop_none_high(row: dict[str, Any]) -> dict[str, Any]:
    if row.get("value_high") is None:
        row.pop("value_high", None)
    return row
