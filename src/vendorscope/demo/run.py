"""`vendorscope demo`: the main job, end to end, on a generated fleet in a fresh embedded store."""

from __future__ import annotations

import json
import shutil
import time
from datetime import datetime
from pathlib import Path

from rich.console import Console

from vendorscope.demo.fleet import generate_fleet
from vendorscope.demo.organization import generate_organization
from vendorscope.findings.status import SOFTWARE_KINDS
from vendorscope.records.search import Filters
from vendorscope.service import Service

SAMPLE_REQUEST = Path(__file__).with_name("request.yaml")


def evidence_paths(fleet_dir: Path, org_dir: Path | None = None) -> list[Path]:
    """What the demo ingests: the fleet's inventories, and the organization's registry, ownership,
    purchases and network logs when there is one."""
    paths = [fleet_dir / name for name in ("osquery", "osqueryi", "inventory") if (fleet_dir / name).exists()]
    if org_dir is not None:
        names = ("orgs.csv", "hosts.csv", "ownership-rules.csv", "procurement.csv", "network")
        paths += [org_dir / name for name in names if (org_dir / name).exists()]
    return paths


def compare_with_truth(service: Service, truth_path: Path) -> tuple[set[tuple[str, str]], set[tuple[str, str]]]:
    """(missed, extra): truth pairs not found, and software findings the truth does not have.

    The truth describes software; network findings (the organization's logs) are checked separately.
    """
    truth = json.loads(truth_path.read_text(encoding="utf-8"))
    expected = {(f["host"], f["product"]) for f in truth["findings"] if f["vendor"] == "kaspersky"}
    found = {(f["host"], f["product"]) for f in service.findings("kaspersky") if f["kind"] in SOFTWARE_KINDS}
    return expected - found, found - expected


def run_demo(out_dir: Path, hosts: int, seed: int, console: Console) -> None:
    fleet_dir, org_dir = out_dir / "fleet", out_dir / "organization"
    db_path = out_dir / "vendorscope.db"
    for folder in (fleet_dir, org_dir, out_dir / "response"):
        if folder.exists():
            shutil.rmtree(folder)
    for stale in [*out_dir.glob("vendorscope.db*")]:
        shutil.rmtree(stale) if stale.is_dir() else stale.unlink()
    out_dir.mkdir(parents=True, exist_ok=True)
    console.print(f"[bold]1. Sample agency[/]: {hosts} hosts (seed {seed}) in {fleet_dir}, the rest in {org_dir}")
    fleet = generate_fleet(fleet_dir, hosts=hosts, seed=seed)
    host_names = fleet_dir.joinpath("hosts.txt").read_text(encoding="utf-8").split()
    org = generate_organization(org_dir, host_names, seed)
    console.print(
        f"   {fleet.items:,} software items in {fleet.files} files (osquery logs, osqueryi JSON, JSONL); "
        f"{org.orgs} organizations (agency, offices, prime, sub), ownership, purchases, network logs, "
        f"{org.emails} e-mails"
    )
    service = Service(str(db_path))
    try:
        started = time.perf_counter()
        report = service.ingest(evidence_paths(fleet_dir, org_dir))
        records = service.records_ingest([org_dir / "mail"], custodian="Sam Ortega (CIO)", workers=1)
        console.print(
            f"[bold]2. Ingest[/] into {db_path}: {report.count('ingested')} files, {report.items:,} items, and "
            f"{records.documents} documents in {time.perf_counter() - started:.1f} s"
        )
        console.print("[bold]3. Exposure[/]: which systems run Kaspersky software, and how we know")
        from vendorscope.cli import print_summary

        print_summary(service, "kaspersky")
        sample = next(iter(service.findings("kaspersky")), None)
        if sample:
            console.print(f"   e.g. {sample['host']}: {sample['explanation'][:300]}", highlight=False)
        missed, extra = compare_with_truth(service, fleet.truth_path)
        verdict = "[green]match[/]" if not missed and not extra else "[red]differ from[/]"
        console.print(
            f"[bold]4. Check[/]: the findings {verdict} the fleet's ground truth "
            f"({len(missed)} missed, {len(extra)} extra)."
        )
        _review(service, console)
        _answer_request(service, out_dir, console)
        console.print(
            f"   Explore: vendorscope --db {db_path} findings | hosts | orgs | exposure --by contractor | "
            "records search --vendor kaspersky --since 2013-01-01 | remediation | report bod-17-01"
        )
    finally:
        service.close()


def _review(service: Service, console: Console) -> None:
    """Step 5: a reviewer goes through the vendor-search hits since 2013 (scripted here: counsel's mail is
    privileged, the rest assesses the vendor)."""
    hits = service.records_vendor_search("kaspersky", Filters(since=datetime(2013, 1, 1), limit=0))
    for hit in hits:
        privileged = "counsel" in (hit["subject"] or "").lower() or "legal advice" in (hit["subject"] or "").lower()
        if privileged:
            service.records_tag([hit["id"]], "privileged", "demo reviewer", basis="attorney-client", family=True)
        else:
            service.records_tag([hit["id"]], "responsive", "demo reviewer", family=True)
    subjects = "; ".join(f'"{h["subject"]}"' for h in hits)
    console.print(
        f"[bold]5. Review[/]: the vendor search since 2013 finds {len(hits)} families ({subjects}); "
        "tagged responsive, counsel's advice privileged",
        highlight=False,
    )


def _answer_request(service: Service, out_dir: Path, console: Console) -> None:
    """Step 6: the main job — answer the sample request with a package."""
    from vendorscope.commands.respond import print_package

    console.print(f"[bold]6. Answer[/] the sample request {SAMPLE_REQUEST.name}:")
    print_package(service.respond(SAMPLE_REQUEST, out_dir / "response"), console)
