"""Which CMS laid out a list page, read from its markup: Hanweb (a <datastore> of records), TRS
(createPageHTML), a JSON list API named in its scripts, or plain links (下一页 / a URL template)."""

from __future__ import annotations

from dataclasses import dataclass

from flows.cms_hanweb import hanweb_column
from flows.cms_json import api_candidates
from flows.cms_trs import trs_paging
from flows.sources import ListingMode


@dataclass(frozen=True, slots=True)
class Detection:
    """The paging mode of a list page and the markup that gave it away."""

    mode: ListingMode
    evidence: str


def detect_mode(html: str, page_url: str) -> Detection:
    """Hanweb first (its pages may carry TRS-like scripts too), then TRS, then a JSON API, else links."""
    column = hanweb_column(html, page_url, None)
    if column is not None:
        return Detection("hanweb", f"Hanweb {column.describe()}")
    paging = trs_paging(html)
    if paging is not None:
        return Detection("trs", f"TRS {paging.describe()}")
    apis = api_candidates(html, page_url)
    if apis:
        return Detection("json", f"script names a list API: {apis[0]}")
    return Detection("links", "no CMS paging script; 下一页 links and the entry's template are followed")
