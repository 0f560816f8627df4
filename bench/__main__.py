"""Run every benchmark module (bench/bench_*.py) in turn, each in a process of its own; `make bench` calls
this. A module's figures go to bench/results/<name>.json.

A process of its own, because what one benchmark leaves in memory would count in the next one's figures:
bench_warehouse's 1.5 M-fact build left ~150 MB resident in the process that then ran bench_scale's ingest,
whose peak RSS is a target (the product's ingest runs in a fresh `nianbao ingest` process)."""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
import time
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"
_ONE = "--module"  # the child's argument: run this one module here


def main(selected: list[str]) -> int:
    # bench_scale last: it gathers the crawl and warehouse figures the others wrote
    names = sorted(
        (p.stem for p in Path(__file__).resolve().parent.glob("bench_*.py")),
        key=lambda name: (name == "bench_scale", name),
    )
    if selected:
        names = [n for n in names if any(s in n for s in selected)]
    failed = 0
    for name in names:
        print(f"\n=== {name}", flush=True)
        code = subprocess.call([sys.executable, "-m", "bench", _ONE, name])
        if code:
            print(f"!!! {name} failed (exit {code})", flush=True)
            failed = code
    return failed


def run_module(name: str) -> int:
    """One benchmark module in this process; its figures (with the seconds it took) to its JSON file."""
    RESULTS.mkdir(exist_ok=True)
    started = time.perf_counter()
    figures = importlib.import_module(f"bench.{name}").main()
    figures["bench_seconds"] = round(time.perf_counter() - started, 2)
    out = RESULTS / f"{name.removeprefix('bench_')}.json"
    out.write_text(json.dumps(figures, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"--> {out.relative_to(Path.cwd()) if out.is_relative_to(Path.cwd()) else out}", flush=True)
    return 0


if __name__ == "__main__":
    if sys.argv[1:2] == [_ONE]:
        sys.exit(run_module(sys.argv[2]))
    sys.exit(main(sys.argv[1:]))
