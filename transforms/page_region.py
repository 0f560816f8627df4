"""The region whose government issued a report page, how it was found, and the candidates when a shared name
(白云区, 江北区) stays ambiguous: never a silent pick. Order and clues: config/region_clues.yaml.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from transforms.model import Metadata, RegionNote, StrippedPage
from transforms.region_clues import Clue, Clues, clue_rules, page_clues, site_owners
from transforms.regions import LEVELS, Region, code_prefix, find_mentions, region_by_code
from transforms.textmap import to_simplified


@dataclass(frozen=True, slots=True)
class Ambiguous:
    """A name the page gives its region by, which several divisions share and no clue settles."""

    name: str
    candidates: tuple[Region, ...]


@dataclass(slots=True)
class RegionFinding:
    region: Region | None
    method: str | None
    clues: tuple[Clue, ...] = ()
    ambiguous: Ambiguous | None = None
    warnings: list[str] = field(default_factory=list)

    def note(self) -> RegionNote:
        candidates = self.ambiguous.candidates if self.ambiguous else ()
        return RegionNote(
            method=self.method,
            clues=[clue.describe() for clue in self.clues],
            candidates=[{"code": r.code, "name": r.name, "path": path_of(r)} for r in candidates],
        )


def path_of(region: Region) -> str:
    """广东省/广州市/白云区 (a municipality's districts: 重庆市/江北区)."""
    parts = [region.province] if region.level != "province" else []
    if region.city and region.city != region.province:
        parts.append(region.city)
    return "/".join([*parts, region.name])


def _listed(ambiguous: Ambiguous) -> str:
    return ", ".join(f"{r.code} {path_of(r)}" for r in ambiguous.candidates)


def _inside(region: Region, outer: Region) -> bool:
    return (
        region.code != outer.code
        and region.code.startswith(code_prefix(outer))
        and (LEVELS.index(region.level) > LEVELS.index(outer.level))
    )


def _in_text(text: str, clues: Clues) -> tuple[Region | Ambiguous | None, tuple[Clue, ...]]:
    """The most specific division a short text (title, issuer, a header line) names: its first mention, or a
    later one lying inside it; an Ambiguous when its first mention is a name the clues cannot settle."""
    chosen: Region | None = None
    decided: tuple[Clue, ...] = ()
    for mention in find_mentions(text):
        choice = clues.choose(mention.candidates)
        if choice.region is None:
            if chosen is None:
                return Ambiguous(mention.name, choice.candidates), ()
            continue
        if chosen is None or _inside(choice.region, chosen):
            chosen, decided = choice.region, choice.decided_by
    return chosen, decided


def _body_region(
    body_lines: list[str], skip_first: bool, clues: Clues, prefer: Region | None
) -> tuple[Region | Ambiguous | None, tuple[Clue, ...]]:
    """The region a body is about: the one named most; a subject mention (X区政府, X县坚持…) counts double.

    A superior named as leading the work (在XX市委…领导下) does not count; a body that calls itself 我县/全区
    is about a county-level region; ``prefer`` (the site's own region) breaks ties. A name that wins but
    stays ambiguous gives an Ambiguous.
    """
    rules = clue_rules()
    lines = body_lines[1:] if skip_first else body_lines
    text = "\n".join(lines)[: rules.body_chars]
    scores: Counter[str] = Counter()
    first_seen: dict[str, int] = {}
    found: dict[str, tuple[Region | Ambiguous, tuple[Clue, ...]]] = {}
    for mention in find_mentions(text):
        end = mention.start + len(mention.name)
        if rules.superior_after.match(text, end):
            continue
        choice = clues.choose(mention.candidates)
        key = choice.region.code if choice.region else f"?{mention.name}"
        if key not in found:
            found[key] = (
                (choice.region, choice.decided_by)
                if choice.region
                else (Ambiguous(mention.name, choice.candidates), ())
            )
            first_seen[key] = mention.start
        scores[key] += 2 if rules.subject_after.match(text, end) else 1
    if rules.county_self_reference.search(to_simplified(text)):

        def is_county(key: str) -> bool:
            value = found[key][0]
            rows = value.candidates if isinstance(value, Ambiguous) else (value,)
            return any(r.level == "county" for r in rows)

        counties = Counter({key: n for key, n in scores.items() if is_county(key)})
        scores = counties or scores
    if not scores:
        return None, ()
    preferred = prefer.code if prefer else None
    best = max(scores, key=lambda key: (scores[key], key == preferred, -first_seen[key]))
    return found[best]


def _head_text(stripped: StrippedPage, page_text: str) -> str:
    """The lines a text capture prints above its body (masthead, title block); '' for HTML pages."""
    if stripped.is_html or not stripped.body_lines:
        return ""
    at = page_text.find(stripped.body_lines[0])
    return page_text[:at] if at > 0 else ""


@dataclass(frozen=True, slots=True)
class PageOrigin:
    """What is known of a page beyond its stripped text: all of it as decoded (footer with ICP and filing
    numbers, canonical address), the URL it came from, the user's region hint."""

    text: str = ""
    url: str | None = None
    hint: Region | None = None


class _PageSources:
    """What the whole page says of its site beyond the report's own words: the site owner's names (footer
    主办/版权所有, window title), the clues and the config/sources.yaml site's region. Read on first use: each
    is a scan of the whole page as decoded, which a page whose issuer, title, source or header lines name its
    region needs none of."""

    def __init__(
        self,
        stripped: StrippedPage,
        metadata: Metadata,
        origin: PageOrigin,
        head: str,
        site_name: str | None,
    ) -> None:
        self._stripped = stripped
        self._metadata = metadata
        self._origin = origin
        self._head = head
        self._site_name = site_name
        self._owners: list[str] | None = None
        self._clues: tuple[Clues, Region | None] | None = None

    @property
    def owners(self) -> list[str]:
        if self._owners is None:
            self._owners = site_owners(self._origin.text)
        return self._owners

    def _found(self) -> tuple[Clues, Region | None]:
        if self._clues is None:
            stripped, metadata, origin = self._stripped, self._metadata, self._origin
            body_start = "\n".join(stripped.body_lines)[: clue_rules().body_chars]
            own_words = "\n".join(
                filter(
                    None,
                    [
                        metadata.title,
                        metadata.issuer,
                        metadata.source,
                        *stripped.header_lines,
                        self._head,
                        self._site_name,
                        *self.owners,
                        body_start,
                    ],
                )
            )
            named = [o for o in (self._site_name, *self.owners) if o]
            clues, site_region = page_clues(own_words, origin.text, origin.url, named)
            self._clues = clues.with_hint(origin.hint), site_region
        return self._clues

    @property
    def clues(self) -> Clues:
        """Every clue the page gives, the region hint's too (gathered when first weighed)."""
        return Clues(lambda: (self._found()[0].items, self._found()[0].text))

    @property
    def site_region(self) -> Region | None:
        return self._found()[1]


def find_region(stripped: StrippedPage, metadata: Metadata, origin: PageOrigin) -> RegionFinding:
    """Where the page names its region: the issuer (the government or department the title or signature
    names), the title, the source, the header lines; else the body, the URL's site, the lines above the body,
    the SiteName meta tag, the site's owner. A region hint fills in when the page names no region or an
    ambiguous one, and wins over the body and the site; a region the issuer, title, source or header lines
    name unambiguously wins over it."""
    page_text, hint = origin.text, origin.hint
    head = _head_text(stripped, page_text)
    site_name = stripped.meta_tags.get("sitename")
    sources = _PageSources(stripped, metadata, origin, head, site_name)
    clues = sources.clues
    stated: list[tuple[str, str | None]] = [
        ("issuer", metadata.issuer),
        ("title", metadata.title),
        ("source", metadata.source),
        *(("header", line) for line in stripped.header_lines),
    ]
    for method, text in stated:
        if not text:
            continue
        value, decided = _in_text(text, clues)
        if isinstance(value, Region):
            finding = RegionFinding(value, method, decided)
            if hint is not None and hint.code != value.code:
                finding.warnings.append(
                    f"the page's {method} names {value.code} {path_of(value)}: it is "
                    f"kept over the region hint {hint.code} {path_of(hint)}"
                )
            return finding
        if isinstance(value, Ambiguous):
            return _settle(value, method, hint)
    owners, site_region = sources.owners, sources.site_region
    named_sites = [_in_text(text, clues)[0] for text in (site_name, *owners) if text]
    prefer = site_region or next((r for r in named_sites if isinstance(r, Region)), None)
    value, decided = _body_region(stripped.body_lines, metadata.addressee is not None, clues, prefer)
    if site_region is not None and not (isinstance(value, Region) and _inside(value, site_region)):
        value, decided, method = site_region, tuple(c for c in clues.items if c.kind == "site"), "host"
    else:
        method = "body"
    fallbacks = (("page_head", head), ("site_name", site_name), *(("site_owner", text) for text in owners))
    for fallback, text in fallbacks if value is None else ():
        value, decided = _in_text(text, clues) if text else (None, ())
        if value is not None:
            method = fallback
            break
    if isinstance(value, Ambiguous):
        return _settle(value, method, hint)
    if hint is not None:
        finding = RegionFinding(hint, "hint")
        if value is not None and value.code != hint.code:
            finding.warnings.append(
                f"the page's {method} suggests {value.code} {path_of(value)}; the region "
                f"hint {hint.code} {path_of(hint)} is used"
            )
        return finding
    return RegionFinding(value, method if value else None, decided)


def _settle(ambiguous: Ambiguous, method: str, hint: Region | None) -> RegionFinding:
    if hint is not None:
        finding = RegionFinding(hint, "hint", ambiguous=ambiguous)
        if hint.code not in {r.code for r in ambiguous.candidates}:
            finding.warnings.append(
                f"the page's {method} names {ambiguous.name} ({_listed(ambiguous)}); the "
                f"region hint {hint.code} {path_of(hint)} is used"
            )
        return finding
    return RegionFinding(
        None,
        None,
        ambiguous=ambiguous,
        warnings=[
            f"region left empty: the page's {method} names {ambiguous.name}, which several divisions share "
            f"({_listed(ambiguous)}), and no clue on the page tells which; pass --region CODE"
        ],
    )


def region_hint(code: str | None) -> Region | None:
    """The region a checked hint code denotes."""
    return region_by_code(code) if code else None
