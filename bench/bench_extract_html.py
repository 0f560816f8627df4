"""HTML extraction speed: decode + strip (and the whole read_document) against trafilatura, same process.

Runs over the dev corpus HTML pages (../shared/corpus/dev/html); on a fresh clone without ../shared it
falls back to the project's own synthetic fixtures (tests/fixtures/html) and says so.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable
from pathlib import Path

import trafilatura
from selectolax.lexbor import LexborHTMLParser

from transforms.decode import decode_bytes
from transforms.document import read_document
from transforms.errors import ExtractError
from transforms.html_containers import known_containers, page_rules
from transforms.html_strip import strip_html
from transforms.model import Page

ROOT = Path(__file__).resolve().parents[1]
DEV_HTML = ROOT.parent / "shared" / "corpus" / "dev" / "html"
FIXTURES = ROOT / "tests" / "fixtures" / "html"
ROUND_SECONDS = 0.4
ROUNDS = 5


def _corpus() -> tuple[str, list[Path]]:
    dev = sorted(DEV_HTML.glob("*.html"))
    if dev:
        return f"dev corpus {DEV_HTML}", dev
    return f"project fixtures {FIXTURES} (../shared absent)", sorted(FIXTURES.glob("*.html"))


def _round(work: Callable[[], None], pages: int) -> float:
    """Pages per second over one round: the whole set repeated for at least ROUND_SECONDS."""
    done, started = 0, time.perf_counter()
    while True:
        work()
        done += pages
        elapsed = time.perf_counter() - started
        if elapsed >= ROUND_SECONDS:
            return done / elapsed


def _rates(methods: dict[str, Callable[[], None]], pages: int) -> dict[str, float]:
    """Best rate of each method over ROUNDS interleaved rounds (a noisy machine slows all of them alike)."""
    best = dict.fromkeys(methods, 0.0)
    for _ in range(ROUNDS):
        for name, work in methods.items():
            best[name] = max(best[name], _round(work, pages))
    return best


def main() -> dict[str, object]:
    source, paths = _corpus()
    raw = [p.read_bytes() for p in paths]
    texts = [decode_bytes(b).text for b in raw]
    pages = [Page(name=str(p), data=b) for p, b in zip(paths, raw, strict=True)]

    def strip_all() -> None:
        for data in raw:
            with contextlib.suppress(ExtractError):  # fixtures include non-article pages
                decoded = decode_bytes(data)
                strip_html(decoded.text, utf8=decoded.utf8)  # as read_document calls it

    def documents() -> None:
        for page in pages:
            read_document(page)

    def traf() -> None:
        for text in texts:
            trafilatura.extract(text)

    n = len(paths)
    size_kb = sum(len(b) for b in raw) / 1024
    rates = _rates({"strip": strip_all, "document": documents, "trafilatura": traf}, n)
    strip_rate, doc_rate, traf_rate = rates["strip"], rates["document"], rates["trafilatura"]
    selectors = page_rules().containers
    known = [t for t in texts if known_containers(LexborHTMLParser(t), selectors)]
    unknown = [t for t in texts if t not in known]
    by_path: dict[str, object] = {}
    for label, subset in (("known_container", known), ("density_fallback", unknown)):
        if not subset:
            continue
        sub = _rates(
            {
                "strip": lambda subset=subset: _strip_texts(subset),
                "trafilatura": lambda subset=subset: _traf_texts(subset),
            },
            len(subset),
        )
        by_path[label] = {
            "pages": len(subset),
            "nianbao_strip_pages_per_s": round(sub["strip"], 1),
            "trafilatura_pages_per_s": round(sub["trafilatura"], 1),
            "ratio": round(sub["strip"] / sub["trafilatura"], 1),
        }
    figures: dict[str, object] = {
        "corpus": source,
        "pages": n,
        "mean_page_kb": round(size_kb / n, 1),
        "nianbao_decode_strip_pages_per_s": round(strip_rate, 1),
        "nianbao_read_document_pages_per_s": round(doc_rate, 1),
        "trafilatura_extract_pages_per_s": round(traf_rate, 1),
        "ratio_decode_strip_vs_trafilatura": round(strip_rate / traf_rate, 1),
        "ratio_read_document_vs_trafilatura": round(doc_rate / traf_rate, 1),
        "strip_only_by_path": by_path,
    }
    print(f"corpus: {source}: {n} pages, mean {size_kb / n:.1f} KB")
    print(f"nianbao decode+strip   {strip_rate:8.1f} pages/s  ({1000 / strip_rate:.2f} ms/page)")
    print(f"nianbao read_document  {doc_rate:8.1f} pages/s  ({1000 / doc_rate:.2f} ms/page)")
    print(f"trafilatura.extract    {traf_rate:8.1f} pages/s  ({1000 / traf_rate:.2f} ms/page)")
    print(
        f"ratio vs trafilatura: decode+strip {strip_rate / traf_rate:.1f}x, "
        f"read_document {doc_rate / traf_rate:.1f}x (aim >= 20x)"
    )
    for label, row in by_path.items():
        print(f"  {label}: {row}")
    return figures


def _strip_texts(texts: list[str]) -> None:
    for text in texts:
        with contextlib.suppress(ExtractError):
            strip_html(text)


def _traf_texts(texts: list[str]) -> None:
    for text in texts:
        trafilatura.extract(text)
