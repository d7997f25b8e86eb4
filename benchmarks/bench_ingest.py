"""Ingest + match throughput on a generated fleet, side by side with a bare orjson parse of the same files.

    python benchmarks/bench_ingest.py --hosts 10000 --items 300            # SQLite (default)
    python benchmarks/bench_ingest.py --hosts 10000 --items 300 --pg postgresql+psycopg://postgres@127.0.0.1/test

Reports rows/s end to end, peak RSS of the ingest process, the ratio to the parse-only time, the
"hosts with vendor X" query time, and whether the findings equal the fleet's ground truth.
Each phase runs in its own process so that RSS figures are the phase's own.
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path

import orjson


def parse_only(fleet: Path) -> dict[str, float]:
    """The baseline: read and JSON-decode every file, touching nothing else."""
    cpu = _cpu_seconds()
    started = time.perf_counter()
    rows = 0
    for path in sorted(p for p in fleet.rglob("*") if p.is_file() and p.suffix in (".log", ".json", ".jsonl")):
        if path.name in ("truth.json",):
            continue
        if path.suffix == ".json":
            rows += len(orjson.loads(path.read_bytes()))
            continue
        with path.open("rb") as handle:
            for line in handle:
                obj = orjson.loads(line)
                if "snapshot" in obj:
                    rows += len(obj["snapshot"])
                elif "diffResults" in obj:
                    rows += len(obj["diffResults"].get("added", [])) + len(obj["diffResults"].get("removed", []))
                else:
                    rows += 1
    return {"seconds": time.perf_counter() - started, "cpu": _cpu_seconds() - cpu, "rows": rows, "rss_mb": _rss_mb()}


def ingest(fleet: Path, db: str) -> dict[str, float]:
    from vendorscope.demo.run import compare_with_truth
    from vendorscope.service import Service

    service = Service(db)
    service.store  # noqa: B018 - open and migrate outside the timed part
    cpu = _cpu_seconds()
    started = time.perf_counter()
    report = service.ingest([p for p in (fleet / "osquery", fleet / "osqueryi", fleet / "inventory") if p.exists()])
    seconds = time.perf_counter() - started
    cpu = _cpu_seconds() - cpu
    missed, extra = compare_with_truth(service, fleet / "truth.json")
    timings = []
    for _ in range(21):
        t0 = time.perf_counter()
        hosts = service.hosts_with("kaspersky")
        timings.append((time.perf_counter() - t0) * 1000)
    service.close()
    return {
        "seconds": seconds,
        "cpu": cpu,
        "rows": report.items,
        "files": len(report.files),
        "rss_mb": _rss_mb(),
        "failed": report.count("failed"),
        "missed": len(missed),
        "extra": len(extra),
        "hosts_with": len(hosts),
        "query_ms_cold": timings[0],
        "query_ms_median": statistics.median(timings[1:]),
        "query_ms_max": max(timings[1:]),
    }


def _cpu_seconds() -> float:
    """CPU of this process and its finished children (the parse-ahead worker)."""
    total = 0.0
    for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN):
        usage = resource.getrusage(who)
        total += usage.ru_utime + usage.ru_stime
    return total


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _phase(args: list[str]) -> dict[str, float]:
    out = subprocess.run([sys.executable, __file__, *args], check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def _scratch_pg(base: str) -> str:
    from sqlalchemy import create_engine, text

    name = f"vs_bench_{uuid.uuid4().hex[:8]}"
    with create_engine(base, isolation_level="AUTOCOMMIT").connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    return base.rsplit("/", 1)[0] + "/" + name


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--hosts", type=int, default=10_000)
    parser.add_argument("--items", type=int, default=300)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, default=Path("bench-output"))
    parser.add_argument("--pg", help="PostgreSQL base URL; a scratch database is created in it")
    parser.add_argument("--phase", choices=["parse", "ingest"], help=argparse.SUPPRESS)
    parser.add_argument("--db", help=argparse.SUPPRESS)
    args = parser.parse_args()
    fleet = args.out / f"fleet-{args.hosts}x{args.items}-s{args.seed}"
    if args.phase == "parse":
        print(json.dumps(parse_only(fleet)))
        return
    if args.phase == "ingest":
        print(json.dumps(ingest(fleet, args.db)))
        return

    from vendorscope.demo.fleet import generate_fleet

    if not (fleet / "truth.json").exists():
        t0 = time.perf_counter()
        summary = generate_fleet(fleet, hosts=args.hosts, seed=args.seed, items_per_host=args.items, osquery_only=True)
        print(f"generated {summary.items:,} rows in {summary.files} files in {time.perf_counter() - t0:.1f} s")
    size = sum(p.stat().st_size for p in fleet.rglob("*") if p.is_file())
    if args.pg:
        db = _scratch_pg(args.pg)
    else:
        db_path = args.out / f"bench-{uuid.uuid4().hex[:8]}.db"
        db = str(db_path)
    common = ["--hosts", str(args.hosts), "--items", str(args.items), "--seed", str(args.seed), "--out", str(args.out)]
    parsed = _phase([*common, "--phase", "parse"])
    ingested = _phase([*common, "--phase", "ingest", "--db", db])
    rate = ingested["rows"] / ingested["seconds"]
    print(f"machine: {platform.machine()}, {_cpu()}, Python {platform.python_version()}")
    print(
        f"fleet: {args.hosts:,} hosts x {args.items} items, {ingested['rows']:,} rows, {ingested['files']} files, "
        f"{size / 1e6:,.0f} MB; store: {'PostgreSQL' if args.pg else 'SQLite'}"
    )
    print(
        f"parse only (orjson): {parsed['seconds']:.1f} s wall, {parsed['cpu']:.1f} s CPU, "
        f"{parsed['rows'] / parsed['seconds']:,.0f} rows/s"
    )
    print(
        f"ingest + match:      {ingested['seconds']:.1f} s wall, {ingested['cpu']:.1f} s CPU (with the parse worker), "
        f"{rate:,.0f} rows/s, peak RSS {ingested['rss_mb']:.0f} MB"
    )
    print(
        f"ratio to parse-only: {ingested['seconds'] / parsed['seconds']:.1f}x wall, "
        f"{ingested['cpu'] / parsed['cpu']:.1f}x CPU; rows/s per CPU-second of ingest: "
        f"{ingested['rows'] / ingested['cpu']:,.0f}"
    )
    print(
        f"hosts with kaspersky: {ingested['hosts_with']} hosts; query cold {ingested['query_ms_cold']:.1f} ms, "
        f"median {ingested['query_ms_median']:.1f} ms, max {ingested['query_ms_max']:.1f} ms"
    )
    print(f"ground truth: {ingested['missed']} missed, {ingested['extra']} extra, {ingested['failed']} files failed")
    if not args.pg:
        for stale in args.out.glob(Path(db).name + "*"):
            stale.unlink()


def _cpu() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return f"{line.split(':', 1)[1].strip()} x{len(__import__('os').sched_getaffinity(0))}"
    except OSError:
        pass
    return platform.processor()


if __name__ == "__main__":
    main()
