"""Run every benchmark module (bench/bench_*.py) in turn; `make bench` calls this."""

from __future__ import annotations

import importlib
import json
import sys
import time
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"


def main(selected: list[str]) -> int:
    RESULTS.mkdir(exist_ok=True)
    # bench_scale last: it gathers the crawl and warehouse figures the others wrote
    names = sorted(
        (p.stem for p in Path(__file__).resolve().parent.glob("bench_*.py")),
        key=lambda name: (name == "bench_scale", name),
    )
    if selected:
        names = [n for n in names if any(s in n for s in selected)]
    for name in names:
        print(f"\n=== {name}", flush=True)
        started = time.perf_counter()
        figures = importlib.import_module(f"bench.{name}").main()
        figures["bench_seconds"] = round(time.perf_counter() - started, 2)
        out = RESULTS / f"{name.removeprefix('bench_')}.json"
        out.write_text(json.dumps(figures, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        print(f"--> {out.relative_to(Path.cwd()) if out.is_relative_to(Path.cwd()) else out}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
