"""One page → one Report without figures: decode, strip chrome, read metadata and sections (being built)."""

from __future__ import annotations

import hashlib

from transforms.model import Page, Report


def read_document(page: Page) -> Report:
    text = page.data.decode("utf-8", errors="replace")
    return Report(path=page.name, ok=bool(text.strip()), body=text.strip(),
                  content_sha256=hashlib.sha256(page.data).hexdigest(), url=page.url)
