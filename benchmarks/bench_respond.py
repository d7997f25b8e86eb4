"""Time to answer a request on a generated fleet, phase by phase.

    python benchmarks/bench_respond.py --hosts 5000

Ingests the fleet into a fresh SQLite store (not timed here: see bench_ingest.py), then times the
answer (queries, risk), each writer (CSV, HTML with charts, PDF, XLSX, manifest) and the whole
`Service.respond`, and prints the package's size.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from vendorscope.demo.fleet import generate_fleet
from vendorscope.demo.run import SAMPLE_REQUEST, evidence_paths
from vendorscope.respond.answer import CONTRACTORS_COLUMNS, COVERAGE_COLUMNS, SYSTEMS_COLUMNS
from vendorscope.respond.package import PackageMeta, generation_time, render_html, write_csv
from vendorscope.respond.render import write_pdf, write_xlsx
from vendorscope.respond.request import load_request
from vendorscope.service import Service


def timed(label: str, fn, *args):  # type: ignore[no-untyped-def]
    started, cpu = time.perf_counter(), time.process_time()
    result = fn(*args)
    print(f"{label:<28} {time.perf_counter() - started:7.2f} s wall {time.process_time() - cpu:7.2f} s CPU")
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--hosts", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=2017)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        generate_fleet(root / "fleet", hosts=args.hosts, seed=args.seed)
        service = Service(str(root / "store.db"))
        service.ingest(evidence_paths(root / "fleet"))
        request = load_request(SAMPLE_REQUEST)
        answer = timed("answer (queries, risk)", service.answer, request)
        meta = PackageMeta(generation_time(), {}, timed("store fingerprint", service.store_fingerprint))
        timed("systems.csv", write_csv, root / "systems.csv", SYSTEMS_COLUMNS, answer.systems)
        timed("contractors.csv", write_csv, root / "contractors.csv", CONTRACTORS_COLUMNS, answer.contractors)
        timed("coverage.csv", write_csv, root / "coverage.csv", COVERAGE_COLUMNS, answer.coverage)
        html = timed("report.html (with charts)", render_html, answer, meta, "")
        timed("report.pdf", write_pdf, html, root / "report.pdf")
        timed("report.xlsx", write_xlsx, answer, root / "report.xlsx", meta.generated_at, "")
        result = timed("whole respond", service.respond, SAMPLE_REQUEST, root / "pkg")
        size = sum(p.stat().st_size for p in result.folder.rglob("*") if p.is_file())
        print(
            f"{args.hosts} hosts, {len(answer.systems)} findings, "
            f"{answer.summary.counts.hosts_affected} affected hosts; "
            f"package {size / 1e6:.1f} MB in {len(result.files) + 1} files"
        )
        service.close()


if __name__ == "__main__":
    main()
