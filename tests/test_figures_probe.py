"""Second-reader probe of the figures side: hand-labelled synthetic 示例县 sentences
(fixtures/figures/probe.yaml) run through the real transform, scored like the corpus scorer (multisets of
(value, unit) and (code, value)).

Run as a script for the report by code family:  .venv/bin/python tests/test_figures_probe.py [--misses]
"""

from __future__ import annotations

import sys
from collections import Counter, defaultdict
from pathlib import Path

import pytest
import yaml

from transforms.figures import measure_bodies

PROBE = Path(__file__).resolve().parent / "fixtures" / "figures" / "probe.yaml"
SENTENCES: list[dict] = yaml.safe_load(PROBE.read_text(encoding="utf-8"))["sentences"]


def _key(value: object) -> float:
    return round(float(value), 4)  # type: ignore[arg-type]


def _measure() -> list[dict]:
    """Per sentence: expected and found quantities and indicators as multisets, optional ones apart."""
    frames = measure_bodies([(n, s["text"]) for n, s in enumerate(SENTENCES)])
    found_q: dict[int, Counter] = defaultdict(Counter)
    found_i: dict[int, Counter] = defaultdict(Counter)
    for row in frames.quantities.iter_rows(named=True):
        found_q[row["doc"]][(_key(row["value"]), row["unit"])] += 1
    for row in frames.facts.iter_rows(named=True):
        found_i[row["doc"]][(row["code"], _key(row["value"]))] += 1
    rows = []
    for n, s in enumerate(SENTENCES):
        rows.append(
            {
                "text": s["text"],
                "q": Counter((_key(v), u) for v, u in s.get("q", [])),
                "oq": Counter((_key(v), u) for v, u in s.get("oq", [])),
                "i": Counter((c, _key(v)) for c, v in s.get("i", [])),
                "oi": Counter((c, _key(v)) for c, v in s.get("oi", [])),
                "found_q": found_q[n],
                "found_i": found_i[n],
            }
        )
    return rows


def _errors(gold: Counter, optional: Counter, found: Counter) -> tuple[Counter, Counter]:
    """(missing, extra): gold not found; found that is neither gold nor optional."""
    return gold - found, (found - gold) - optional


def score(rows: list[dict], kind: str) -> dict[str, tuple[int, int, int]]:
    """(true positives, counted predictions, gold) overall ('*') and per code family (indicators)."""
    acc: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    for r in rows:
        gold, opt, found = (r["q"], r["oq"], r["found_q"]) if kind == "q" else (r["i"], r["oi"], r["found_i"])
        missing, extra = _errors(gold, opt, found)
        for key, count in gold.items():
            fams = ["*"] + ([key[0].split(".")[0]] if kind == "i" else [])
            for fam in fams:
                acc[fam][0] += count - missing[key]
                acc[fam][1] += count - missing[key]
                acc[fam][2] += count
        for key, count in extra.items():
            for fam in ["*"] + ([key[0].split(".")[0]] if kind == "i" else []):
                acc[fam][1] += count
    return {fam: (tp, npred, ngold) for fam, (tp, npred, ngold) in acc.items()}


def prf(tp: int, npred: int, ngold: int) -> tuple[float, float, float]:
    p = tp / npred if npred else 1.0
    r = tp / ngold if ngold else 1.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


ROWS = _measure()


@pytest.mark.parametrize("row", ROWS, ids=[f"s{n}" for n in range(len(ROWS))])
def test_probe_sentence_indicators(row: dict) -> None:
    assert _all_errors(row) == [], row["text"]


@pytest.mark.parametrize("row", ROWS, ids=[f"s{n}" for n in range(len(ROWS))])
def test_probe_sentence_quantities(row: dict) -> None:
    missing, extra = _errors(row["q"], row["oq"], row["found_q"])
    assert (dict(missing), dict(extra)) == ({}, {}), row["text"]


def _all_errors(r: dict) -> list[tuple[str, str, float]]:
    missing, extra = _errors(r["i"], r["oi"], r["found_i"])
    return [("missing", c, v) for c, v in missing.elements()] + [("extra", c, v) for c, v in extra.elements()]


def _report(show_misses: bool) -> None:
    for kind, label in (("q", "quantities"), ("i", "indicators")):
        table = score(ROWS, kind)
        for fam in sorted(table, key=lambda f: (f != "*", f)):
            p, r, f = prf(*table[fam])
            tp, npred, ngold = table[fam]
            print(
                f"{label:10} {fam:16} P {p:.3f}  R {r:.3f}  F1 {f:.3f}  (tp {tp}, pred {npred}, gold {ngold})"
            )
    if show_misses:
        for r in ROWS:
            for kind, code, value in _all_errors(r):
                print(f"{kind:7} {code} {value:g}  | {r['text']}")
            missing, extra = _errors(r["q"], r["oq"], r["found_q"])
            for value, unit in missing.elements():
                print(f"q-miss  {value:g} {unit}  | {r['text']}")
            for value, unit in extra.elements():
                print(f"q-extra {value:g} {unit}  | {r['text']}")


if __name__ == "__main__":
    _report("--misses" in sys.argv)
