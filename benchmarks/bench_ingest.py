"""Ingest + match throughput on a generated fleet, side by side with a bare orjson parse of the same files.

    python benchmarks/bench_ingest.py --hosts 10000 --items 300            # SQLite (default)
    python benchmarks/bench_ingest.py --hosts 10000 --items 300 --pg postgresql+psycopg://postgres@127.0.0.1/test

Reports rows/s end to end, peak RSS of the ingest process, the ratio to the parse-only time, the
"hosts with vendor X" query time, and whether the findings equal the fleet's ground truth.
Each phase runs in its own process so that RSS figures are the phase's own. On PostgreSQL the ingest runs in
a scratch database, dropped at the end (also when a phase fails), and the CPU of the server's backends that
serve it is reported beside the client's: the server shares the machine's cores with the client.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

import orjson
from measure import peak_rss_mb


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
    return {
        "seconds": time.perf_counter() - started,
        "cpu": _cpu_seconds() - cpu,
        "rows": rows,
        "rss_mb": peak_rss_mb(),
    }


def ingest(fleet: Path, db: str) -> dict[str, float]:
    from vendorscope.demo.run import compare_with_truth
    from vendorscope.service import Service

    service = Service(db)
    service.store  # noqa: B018 - open and migrate outside the timed part
    server = _server_cpu(db)
    cpu = _cpu_seconds()
    started = time.perf_counter()
    report = service.ingest([p for p in (fleet / "osquery", fleet / "osqueryi", fleet / "inventory") if p.exists()])
    seconds = time.perf_counter() - started
    cpu = _cpu_seconds() - cpu
    server = _server_cpu(db) - server
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
        "server_cpu": server,
        "rows": report.items,
        "files": len(report.files),
        "rss_mb": peak_rss_mb(),
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


def _server_cpu(db: str) -> float:
    """CPU seconds so far of the PostgreSQL backends serving the database of ``db`` (0 for SQLite).

    The store's pool keeps its connections, so its backends live until the service closes; a backend that ends
    during the run (none does in this benchmark) would be missed.
    """
    if not db.startswith("postgresql"):
        return 0.0
    import psutil

    name = db.rsplit("/", 1)[1]
    total = 0.0
    for process in psutil.process_iter(["cmdline"]):
        words = " ".join(process.info["cmdline"] or []).split()
        if name in words:
            try:
                times = process.cpu_times()
            except psutil.Error:
                continue  # gone meanwhile
            total += times.user + times.system
    return total


def _phase(args: list[str]) -> dict[str, float]:
    """Run a phase in a process (and process group) of its own; whatever ends this one ends the phase's group too,
    the parse worker included (an orphaned worker would keep running and keep the scratch database in use)."""
    with tempfile.TemporaryFile("w+") as out:
        proc = subprocess.Popen([sys.executable, __file__, *args], stdout=out, start_new_session=True)
        try:
            code = proc.wait()
        finally:
            with suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        if code != 0:
            raise SystemExit(f"the {args[args.index('--phase') + 1]} phase failed (exit code {code})")
        out.seek(0)
        return json.loads(out.read().strip().splitlines()[-1])


@contextmanager
def _scratch_pg(base: str) -> Iterator[str]:
    """A fresh database beside ``base`` for one run, dropped afterwards whatever happened."""
    from sqlalchemy import create_engine, text

    name = f"vs_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            yield base.rsplit("/", 1)[0] + "/" + name
        finally:
            with admin.connect() as conn:  # a phase killed mid-run may leave its backend behind
                conn.execute(
                    text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :n"), {"n": name}
                )
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
    finally:
        admin.dispose()


@contextmanager
def _scratch_sqlite(out: Path) -> Iterator[str]:
    """A fresh SQLite file for one run, removed afterwards (with its WAL and shared-memory files)."""
    db_path = out / f"bench-{uuid.uuid4().hex[:8]}.db"
    try:
        yield str(db_path)
    finally:
        for stale in out.glob(db_path.name + "*"):
            stale.unlink()


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
    common = ["--hosts", str(args.hosts), "--items", str(args.items), "--seed", str(args.seed), "--out", str(args.out)]
    parsed = _phase([*common, "--phase", "parse"])
    with _scratch_pg(args.pg) if args.pg else _scratch_sqlite(args.out) as db:
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
    if args.pg:
        print(
            f"PostgreSQL server:   {ingested['server_cpu']:.1f} s CPU (backends of the scratch database); client and "
            f"server together {ingested['cpu'] + ingested['server_cpu']:.1f} s, "
            f"{ingested['rows'] / (ingested['cpu'] + ingested['server_cpu']):,.0f} rows per CPU-second"
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


def _cpu() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return f"{line.split(':', 1)[1].strip()} x{len(os.sched_getaffinity(0))}"
    except OSError:
        pass
    return platform.processor()


if __name__ == "__main__":
    main()
