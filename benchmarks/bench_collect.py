"""Full `vendorscope collect` of this machine: wall time and peak RSS (targets: < 15 s, < 150 MB).

Run: .venv/bin/python benchmarks/bench_collect.py [--runs 3]
The collect runs in a child process so its peak RSS is measured alone (getrusage of children).
"""

from __future__ import annotations

import argparse
import gzip
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def run_once(out: Path) -> tuple[float, float]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "vendorscope", "collect", "--out", str(out)], check=True, stdout=subprocess.DEVNULL
    )
    elapsed = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss  # KiB on Linux; the max over children so far
    return elapsed, max(peak, before) / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "bundle.json.gz"
        figures = [run_once(out) for _ in range(args.runs)]
        doc = json.loads(gzip.decompress(out.read_bytes()))
        size = out.stat().st_size
    best = min(t for t, _ in figures)
    peak = max(m for _, m in figures)
    read = sorted(s["name"] for s in doc["sources"] if s["status"] == "read")
    print(f"collect of this machine: {len(doc['items']):,} items from {len(read)} sources ({', '.join(read)})")
    print(f"bundle: {size / 1024:.0f} KiB gzip")
    print(f"wall time: best {best:.2f} s of {args.runs} runs (all: {', '.join(f'{t:.2f}' for t, _ in figures)})")
    print(f"peak RSS: {peak:.0f} MB")
    print(f"targets: < 15 s {'met' if best < 15 else 'MISSED'}, < 150 MB {'met' if peak < 150 else 'MISSED'}")


if __name__ == "__main__":
    main()
