"""TRS WCM columns: the page count printed as createPageHTML(total, current, "index", "html").

Page 0 is index.html, page n (n ≥ 1) is index_n.html, next to the first page. The arguments may be
numbers or variables the page sets (`var countPage = 12;`); newer templates put a div id first and a record
count last.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urljoin

_ARG = r"\s*(\w+)\s*"
_NAME = r"\s*['\"]([\w.-]+)['\"]\s*"
_CALL = re.compile(
    r"createPageHTML\(\s*(?:['\"][^'\"]*['\"]\s*,)?" + _ARG + "," + _ARG + "," + _NAME + "," + _NAME
)
_VAR = r"(?:var|let|const)?\s*{name}\s*=\s*['\"]?(\d+)"


@dataclass(frozen=True, slots=True)
class TrsPaging:
    """What createPageHTML said: how many pages, which one this is, and the file name and extension."""

    total: int
    current: int
    name: str
    ext: str

    def page_urls(self, first_url: str, max_pages: int) -> list[str]:
        """URLs of pages 1 … total-1 (page 0 is the first page itself), at most max_pages - 1 of them."""
        last = min(self.total, max_pages)
        return [urljoin(first_url, f"{self.name}_{n}.{self.ext}") for n in range(1, last)]

    def describe(self) -> str:
        return f'createPageHTML({self.total}, {self.current}, "{self.name}", "{self.ext}")'


def trs_paging(html: str) -> TrsPaging | None:
    """The first createPageHTML call whose count resolves to a number (function definitions do not)."""
    for match in _CALL.finditer(html):
        total, current = _resolve(match.group(1), html), _resolve(match.group(2), html)
        if total is not None and total >= 1:
            return TrsPaging(total, current or 0, match.group(3), match.group(4))
    return None


def _resolve(arg: str, html: str) -> int | None:
    if arg.isdigit():
        return int(arg)
    found = re.search(_VAR.format(name=re.escape(arg)), html)
    return int(found.group(1)) if found else None
