"""The agency-scale run: generate a whole agency at scale S, then ingest, records, screening and respond, end to end.

    python benchmarks/bench_agency.py --scale 0.01                  # SQLite (default)
    python benchmarks/bench_agency.py --scale 0.01 --pg postgresql+psycopg://postgres@127.0.0.1:5432/test

S × 100,000 hosts: 85 % from the sample-fleet generator (osquery snapshot, event and batch logs,
``osqueryi`` exports, collector and MDM JSONL; 40 items per host), 10 % in SCCM Add/Remove Programs
exports, 4 % in Intune per-device exports, 1 % appliances described by CycloneDX SBOMs
(``vendorscope.demo.agency``); S × 1,000,000 e-mails with attachments (the records benchmark's
generator); the sample organization (registry, host ownership, procurement, a proxy log and a Zeek DNS
log) and a registry of S × 5,000 contractors and subcontractors, a few of them covered entities. Each
phase runs in its own process, so that its peak RSS is its own; it prints wall time, CPU (the phase's
process and its workers) and peak RSS per phase and in total, then whether the software findings equal
the generated truth (fleet, SCCM, Intune, SBOMs), the supplier findings equal the covered contractors,
and the package's systems.csv lists every truth host.
"""

from __future__ import annotations

import argparse
import csv
import json
import resource
import subprocess
import sys
import time
import uuid
from pathlib import Path

from measure import peak_rss_mb

sys.path.insert(0, str(Path(__file__).parent))

PHASES = ("ingest", "records", "screening", "respond")
SHARES = (0.10, 0.04, 0.01)  # of the hosts: SCCM exports, Intune exports, appliances with an SBOM


def generate(out: Path, scale: float, seed: int) -> dict[str, int]:
    from bench_records import generate as generate_mail

    from vendorscope.demo.agency import generate_agency_extras
    from vendorscope.demo.fleet import generate_fleet
    from vendorscope.demo.organization import generate_organization

    hosts, emails = max(20, round(scale * 100_000)), max(10, round(scale * 1_000_000))
    sccm, intune, appliances = (max(1, round(hosts * share)) for share in SHARES)
    fleet = generate_fleet(out / "fleet", hosts=hosts - sccm - intune - appliances, seed=seed)
    names = (out / "fleet" / "hosts.txt").read_text(encoding="utf-8").split()
    generate_organization(out / "organization", names, seed)
    contractors = max(10, round(scale * 5_000))
    extras = generate_agency_extras(out / "extras", sccm, intune, appliances, contractors, seed)
    generate_mail(out / "mail", emails, seed)
    return {
        "hosts": hosts,
        "fleet_hosts": fleet.hosts,
        "sccm_hosts": sccm,
        "intune_hosts": intune,
        "appliances": appliances,
        "items": fleet.items + extras.rows,
        "files": fleet.files,
        "contractors": contractors,
        "emails": emails,
    }


def truth(out: Path) -> tuple[set[tuple[str, str]], set[str]]:
    """(host, product) pairs of the vendor's software, and registry keys of covered suppliers."""
    pairs: set[tuple[str, str]] = set()
    suppliers: set[str] = set()
    for path in (out / "fleet" / "truth.json", out / "extras" / "truth.json"):
        data = json.loads(path.read_text(encoding="utf-8"))
        pairs |= {(f["host"], f["product"]) for f in data["findings"] if f["vendor"] == "kaspersky"}
        suppliers |= set(data.get("suppliers", ()))
    return pairs, suppliers


def compare(service: object, out: Path) -> dict[str, float]:
    """Missed and extra software findings and supplier findings against the generated truth."""
    from vendorscope.findings.status import SOFTWARE_KINDS

    pairs, suppliers = truth(out)
    found = {(f["host"], f["product"]) for f in service.findings("kaspersky") if f["kind"] in SOFTWARE_KINDS}
    flagged = {f["org_key"] for f in service.org_findings("supplier")}
    return {
        "missed": len(pairs - found),
        "extra": len(found - pairs),
        "suppliers_missed": len(suppliers - flagged),
        "suppliers_extra": len(flagged - suppliers),
    }


def run_phase(phase: str, out: Path, db: str) -> dict[str, float]:
    """One phase on the store at ``db``; returns its own figures."""
    from vendorscope.demo.run import SAMPLE_REQUEST, evidence_paths
    from vendorscope.service import Service

    service = Service(db)
    service.store  # noqa: B018 - open and migrate before timing
    cpu, started = _cpu(), time.perf_counter()
    extra: dict[str, float] = {}
    if phase == "ingest":
        extras = [out / "extras" / name for name in ("sccm", "intune", "sbom", "registry")]
        report = service.ingest(evidence_paths(out / "fleet", out / "organization") + extras)
        extra = {"rows": report.items, "failed": report.count("failed")}
    elif phase == "records":
        report = service.records_ingest([out / "mail", out / "organization" / "mail"], custodian="agency", workers=2)
        extra = {"documents": report.documents + report.duplicates, "errors": report.error_count}
    elif phase == "screening":
        screened = service.screen_registry()
        extra = {"screened": len(screened), "covered": sum(1 for s in screened if s.get("covered"))}
    else:
        package = out / "response"
        service.respond(SAMPLE_REQUEST, package)
        extra = {"systems_match": float(_systems_match(package, out))}
    seconds, cpu = time.perf_counter() - started, _cpu() - cpu
    if phase == "ingest":
        extra |= compare(service, out)
    service.close()
    return {"seconds": seconds, "cpu": cpu, "rss_mb": peak_rss_mb()} | extra


def _systems_match(package: Path, out: Path) -> bool:
    """The package's systems.csv names every host the truth says runs the vendor's software."""
    expected = {host for host, _ in truth(out)[0]}
    found = list(package.rglob("systems.csv"))
    if not found:
        return False
    with found[0].open(encoding="utf-8-sig", newline="") as handle:  # the package writes a BOM for Excel
        rows = list(csv.DictReader(handle))
    column = next((c for c in ("host", "system", "name") if rows and c in rows[0]), None)
    return column is not None and expected <= {r[column] for r in rows}


def _cpu() -> float:
    total = 0.0
    for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN):
        usage = resource.getrusage(who)
        total += usage.ru_utime + usage.ru_stime
    return total


def _scratch_pg(base: str) -> str:
    from sqlalchemy import create_engine, text

    name = f"vs_agency_{uuid.uuid4().hex[:8]}"
    with create_engine(base, isolation_level="AUTOCOMMIT").connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    return base.rsplit("/", 1)[0] + "/" + name


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=float, default=0.01)
    parser.add_argument("--seed", type=int, default=3)
    parser.add_argument("--out", type=Path, default=Path("bench-output"))
    parser.add_argument("--pg", help="PostgreSQL base URL; a scratch database is created in it")
    parser.add_argument("--phase", choices=PHASES, help=argparse.SUPPRESS)
    parser.add_argument("--db", help=argparse.SUPPRESS)
    args = parser.parse_args()
    args.out = args.out.resolve()
    out = args.out / f"agency-s{args.scale:g}-seed{args.seed}"
    if args.phase:
        print(json.dumps(run_phase(args.phase, out, args.db)))
        return
    if not (out / "generated.json").exists():
        started = time.perf_counter()
        sizes = generate(out, args.scale, args.seed)
        (out / "generated.json").write_text(json.dumps(sizes))
        print(f"generated {sizes} in {time.perf_counter() - started:.1f} s")
    sizes = json.loads((out / "generated.json").read_text())
    db = _scratch_pg(args.pg) if args.pg else str(args.out / f"agency-{uuid.uuid4().hex[:8]}.db")
    print(f"scale {args.scale:g}: {sizes}; store: {'PostgreSQL' if args.pg else 'SQLite'}")
    figures = {}
    for phase in PHASES:
        command = [sys.executable, __file__, "--scale", str(args.scale), "--seed", str(args.seed)]
        command += ["--out", str(args.out), "--phase", phase, "--db", db]
        # in the output folder: a PostgreSQL store keeps record originals in the current folder
        done = subprocess.run(command, check=True, capture_output=True, text=True, cwd=out)
        figures[phase] = json.loads(done.stdout.strip().splitlines()[-1])
        f = figures[phase]
        rest = {k: v for k, v in f.items() if k not in ("seconds", "cpu", "rss_mb")}
        print(f"{phase:10s} {f['seconds']:8.1f} s wall {f['cpu']:8.1f} s CPU  peak RSS {f['rss_mb']:6.0f} MB  {rest}")
    total = sum(f["seconds"] for f in figures.values())
    cpu = sum(f["cpu"] for f in figures.values())
    peak = max(f["rss_mb"] for f in figures.values())
    print(f"{'total':10s} {total:8.1f} s wall {cpu:8.1f} s CPU  peak RSS {peak:6.0f} MB")
    checks = ("missed", "extra", "suppliers_missed", "suppliers_extra")
    ok = all(figures["ingest"][c] == 0 for c in checks) and figures["respond"]["systems_match"]
    print(f"matches the generated truth: {'yes' if ok else 'NO'}")
    if not ok:
        sys.exit(1)


if __name__ == "__main__":
    main()
