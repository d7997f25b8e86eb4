"""`vendorscope demo`: the main job, end to end, on a generated fleet in a fresh embedded store.

This module does the work and reports each finished step to a callback with what it found so far; the
command line (``vendorscope.cli.demo``) prints the steps. Nothing here prints or imports the CLI.
"""

from __future__ import annotations

import json
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from vendorscope.demo.cameras import truth_pairs
from vendorscope.demo.fleet import FleetSummary, generate_fleet
from vendorscope.demo.organization import OrganizationSummary, generate_organization
from vendorscope.findings.status import DEVICE, SOFTWARE_KINDS
from vendorscope.records.search import Filters
from vendorscope.service import Service

if TYPE_CHECKING:
    from vendorscope.ingest import IngestReport
    from vendorscope.records.ingest import RecordsIngestReport
    from vendorscope.respond.package import PackageResult

SAMPLE_REQUEST = Path(__file__).with_name("request.yaml")
SECTION_889_REQUEST = Path(__file__).with_name("request-889.yaml")
STEPS = ("agency", "ingest", "exposure", "check", "review", "answer")


@dataclass
class DemoRun:
    """What the demo made and found; filled step by step (the callback sees the steps done so far)."""

    out_dir: Path
    hosts: int
    seed: int
    service: Service
    fleet: FleetSummary | None = None
    organization: OrganizationSummary | None = None
    ingest: IngestReport | None = None
    records: RecordsIngestReport | None = None
    ingest_seconds: float = 0.0
    missed: set[tuple[str, str]] = field(default_factory=set)
    extra: set[tuple[str, str]] = field(default_factory=set)
    reviewed: list[dict[str, Any]] = field(default_factory=list)
    package: PackageResult | None = None
    devices_missed: set[tuple[str, str]] = field(default_factory=set)
    devices_extra: set[tuple[str, str]] = field(default_factory=set)
    packages_889: list[PackageResult] = field(default_factory=list)

    @property
    def fleet_dir(self) -> Path:
        return self.out_dir / "fleet"

    @property
    def org_dir(self) -> Path:
        return self.out_dir / "organization"

    @property
    def db_path(self) -> Path:
        return self.out_dir / "vendorscope.db"


Step = Callable[[str, DemoRun], None]


def evidence_paths(fleet_dir: Path, org_dir: Path | None = None) -> list[Path]:
    """What the demo ingests: the fleet's inventories, and the organization's registry, ownership,
    purchases and network logs when there is one."""
    paths = [fleet_dir / name for name in ("osquery", "osqueryi", "inventory") if (fleet_dir / name).exists()]
    if org_dir is not None:
        names = ("orgs.csv", "hosts.csv", "ownership-rules.csv", "procurement.csv", "network", "devices")
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


def compare_devices_with_truth(service: Service, truth_path: Path) -> tuple[set[tuple[str, str]], set[tuple[str, str]]]:
    """(missed, extra) as (MAC, vendor): covered devices of the truth not found as devices, and device findings
    it does not have. Devices are compared by MAC: each tool names a device its own way."""
    expected = truth_pairs(truth_path, "covered")
    macs = {h["host"]: h["facts"].get("mac", h["host"]) for h in service.hosts()}
    found = {(macs.get(f["host"], f["host"]), f["vendor"]) for f in service.findings() if f["kind"] == DEVICE}
    return expected - found, found - expected


def run_demo(out_dir: Path, hosts: int, seed: int, step: Step | None = None) -> DemoRun:
    """Generate a sample agency, ingest it, check against its truth, review its mail, answer the sample request.
    ``step(name, run)`` is called after each of ``STEPS`` while the store is open."""
    _fresh(out_dir)
    run = DemoRun(out_dir, hosts, seed, Service(str(out_dir / "vendorscope.db")))
    done = step or (lambda name, run: None)
    try:
        run.fleet = generate_fleet(run.fleet_dir, hosts=hosts, seed=seed)
        host_names = run.fleet_dir.joinpath("hosts.txt").read_text(encoding="utf-8").split()
        run.organization = generate_organization(run.org_dir, host_names, seed)
        done("agency", run)
        started = time.perf_counter()
        run.ingest = run.service.ingest(evidence_paths(run.fleet_dir, run.org_dir))
        run.records = run.service.records_ingest([run.org_dir / "mail"], custodian="Sam Ortega (CIO)", workers=1)
        run.ingest_seconds = time.perf_counter() - started
        done("ingest", run)
        done("exposure", run)
        run.missed, run.extra = compare_with_truth(run.service, run.fleet.truth_path)
        truth = run.org_dir.joinpath("devices-truth.json")
        run.devices_missed, run.devices_extra = compare_devices_with_truth(run.service, truth)
        done("check", run)
        run.reviewed = review(run.service)
        done("review", run)
        run.package = run.service.respond(SAMPLE_REQUEST, out_dir / "response")
        run.packages_889 = run.service.respond_each(SECTION_889_REQUEST, out_dir / "response-889")
        done("answer", run)
    finally:
        run.service.close()
    return run


def _fresh(out_dir: Path) -> None:
    """Remove what an earlier demo left (fleet, organization, response, the store and its sidecar folders)."""
    for folder in (out_dir / "fleet", out_dir / "organization", out_dir / "response"):
        if folder.exists():
            shutil.rmtree(folder)
    for stale in [*out_dir.glob("vendorscope.db*")]:
        shutil.rmtree(stale) if stale.is_dir() else stale.unlink()
    out_dir.mkdir(parents=True, exist_ok=True)


def review(service: Service) -> list[dict[str, Any]]:
    """Step 5: a reviewer goes through the vendor-search hits since 2013 (scripted here: counsel's mail is
    privileged, the rest assesses the vendor). Returns the hits reviewed."""
    hits = service.records_vendor_search("kaspersky", Filters(since=datetime(2013, 1, 1), limit=0))
    for hit in hits:
        subject = (hit["subject"] or "").lower()
        if "counsel" in subject or "legal advice" in subject:
            service.records_tag([hit["id"]], "privileged", "demo reviewer", basis="attorney-client", family=True)
        else:
            service.records_tag([hit["id"]], "responsive", "demo reviewer", family=True)
    return hits
