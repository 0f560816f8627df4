"""Text captures: read_document speed on 10 KB captures, and region lookup against jionlp, same process.

Captures are built from the project's synthetic fixtures (tests/fixtures/captures), grown to ~10 KB. The
region comparison uses the dev gold files (../shared/corpus/dev/gold) when present, else the fixtures.
"""

from __future__ import annotations

import contextlib
import io
import json
import time
from collections.abc import Callable
from pathlib import Path

from transforms.document import read_document
from transforms.model import Page
from transforms.regions import all_regions, resolve_region

ROOT = Path(__file__).resolve().parents[1]
CAPTURES = ROOT / "tests" / "fixtures" / "captures"
DEV_GOLD = ROOT.parent / "shared" / "corpus" / "dev" / "gold"
TARGET_BYTES = 10 * 1024
BATCH = 1000
MIN_SECONDS = 1.0


def _grown_capture(text: str, n: int) -> bytes:
    """The capture with its body paragraphs repeated (figures varied) until it is about 10 KB."""
    lines = text.splitlines()
    body = [line for line in lines if "。" in line]
    grown = list(lines)
    i = 0
    while len("\n".join(grown).encode()) < TARGET_BYTES and body:
        grown.insert(len(grown) - 3, body[i % len(body)].replace("12345", str(10000 + n + i)))
        i += 1
    return "\n".join(grown).encode("utf-8")


def _captures() -> list[Page]:
    sources = [p for p in sorted(CAPTURES.glob("*.txt")) if "law" in p.stem or "disclosure" in p.stem]
    texts = [p.read_text(encoding="utf-8") for p in sources]
    return [Page(name=f"c{n}.txt", data=_grown_capture(texts[n % len(texts)], n)) for n in range(BATCH)]


def _per_second(work: Callable[[], int]) -> float:
    done, started = 0, time.perf_counter()
    while time.perf_counter() - started < MIN_SECONDS:
        done += work()
    return done / (time.perf_counter() - started)


def _region_cases() -> tuple[str, list[tuple[str, str, str]]]:
    """(where from, [(text naming the region, body context, expected code)])."""
    cases = []
    for path in sorted(DEV_GOLD.glob("*.json")):
        gold = json.loads(path.read_text(encoding="utf-8"))
        meta = gold["metadata"]
        text = meta.get("issuer") or meta.get("title")
        if text and meta.get("region_code"):
            cases.append((text, "", meta["region_code"]))
    if cases:
        return f"dev gold {DEV_GOLD}", cases
    titles = [
        ("示例县人民政府关于2021年度法治政府建设情况的报告", "", "990121"),
        ("北京市东城区人民政府工作报告", "", "110101"),
        ("2020年静海区法治政府建设情况报告", "", "120118"),
    ]
    return "built-in examples (../shared absent)", titles


def _jionlp_lookup() -> Callable[[str], str | None] | None:
    """jionlp.parse_location mapped to a code through our table (it returns names only)."""
    with contextlib.redirect_stdout(io.StringIO()):  # jionlp prints a banner on import
        try:
            import jionlp
        except ImportError:
            return None
    regions = all_regions()
    by_path = {(r.province, r.city or r.province, r.name): r.code for r in regions if r.level == "county"}
    by_city = {(r.province, r.name): r.code for r in regions if r.level == "city"}

    def lookup(text: str) -> str | None:
        found = jionlp.parse_location(text)
        if found.get("county"):
            return by_path.get((found["province"], found["city"], found["county"]))
        if found.get("city"):
            return by_city.get((found["province"], found["city"]))
        return None

    return lookup


def main() -> dict:
    pages = _captures()
    mean_kb = sum(len(p.data) for p in pages) / len(pages) / 1024
    read_document(pages[0])
    rate = _per_second(lambda: sum(1 for p in pages if read_document(p).ok))
    print(
        f"read_document on {len(pages)} synthetic captures of {mean_kb:.1f} KB: "
        f"{rate:,.0f} reports/s on one core"
    )

    where, cases = _region_cases()
    ours = [resolve_region(text, context) for text, context, _ in cases]
    our_right = sum(1 for r, (_, _, code) in zip(ours, cases, strict=True) if r and r.code == code)
    our_rate = _per_second(lambda: sum(1 for text, context, _ in cases if resolve_region(text, context) or 1))
    figures = {
        "capture_kb": round(mean_kb, 1),
        "reports_per_second": round(rate),
        "region_cases": len(cases),
        "region_cases_from": where,
        "regions_right": our_right,
        "region_lookups_per_second": round(our_rate),
    }
    print(f"region lookup over {len(cases)} issuers/titles ({where}):")
    print(f"  nianbao resolve_region: {our_right}/{len(cases)} right codes, {our_rate:,.0f} lookups/s")
    lookup = _jionlp_lookup()
    if lookup is not None:
        jio_right = sum(1 for text, _, code in cases if lookup(text) == code)
        jio_rate = _per_second(lambda: sum(1 for text, _, _ in cases if lookup(text) or 1))
        figures.update(
            jionlp_regions_right=jio_right,
            jionlp_lookups_per_second=round(jio_rate),
            speed_ratio=round(our_rate / jio_rate, 1),
        )
        print(f"  jionlp parse_location:  {jio_right}/{len(cases)} right codes, {jio_rate:,.0f} lookups/s")
        print(f"  ratio: nianbao is {our_rate / jio_rate:,.1f}x faster")
    return figures
