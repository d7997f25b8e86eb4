"""`vendorscope demo`: the main job, end to end, on a generated fleet in a fresh embedded store."""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path

from rich.console import Console

from vendorscope.demo.fleet import generate_fleet
from vendorscope.service import Service

SAMPLE_REQUEST = Path(__file__).with_name("request.yaml")


def evidence_paths(fleet_dir: Path) -> list[Path]:
    """What the demo ingests. Sample organization files (registry, mailbox, network logs) go in this list."""
    return [fleet_dir / name for name in ("osquery", "osqueryi", "inventory") if (fleet_dir / name).exists()]


def compare_with_truth(service: Service, truth_path: Path) -> tuple[set[tuple[str, str]], set[tuple[str, str]]]:
    """(missed, extra): truth pairs not found, and findings the truth does not have."""
    truth = json.loads(truth_path.read_text(encoding="utf-8"))
    expected = {(f["host"], f["product"]) for f in truth["findings"] if f["vendor"] == "kaspersky"}
    found = {(f["host"], f["product"]) for f in service.findings("kaspersky")}
    return expected - found, found - expected


def run_demo(out_dir: Path, hosts: int, seed: int, console: Console) -> None:
    fleet_dir = out_dir / "fleet"
    db_path = out_dir / "vendorscope.db"
    if fleet_dir.exists():
        shutil.rmtree(fleet_dir)
    for stale in out_dir.glob("vendorscope.db*"):
        stale.unlink()
    out_dir.mkdir(parents=True, exist_ok=True)
    console.print(f"[bold]1. Sample fleet[/]: generating {hosts} hosts (seed {seed}) in {fleet_dir}")
    fleet = generate_fleet(fleet_dir, hosts=hosts, seed=seed)
    console.print(f"   {fleet.items:,} software items in {fleet.files} files (osquery logs, osqueryi JSON, JSONL)")
    service = Service(str(db_path))
    try:
        started = time.perf_counter()
        report = service.ingest(evidence_paths(fleet_dir))
        elapsed = time.perf_counter() - started
        console.print(
            f"[bold]2. Ingest[/] into {db_path}: {report.count('ingested')} files, "
            f"{report.items:,} items in {elapsed:.1f} s"
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
        _answer_request(service, out_dir, console)
        console.print(
            f"   Explore: vendorscope --db {db_path} findings | hosts | summary | remediation | report bod-17-01"
        )
    finally:
        service.close()


def _answer_request(service: Service, out_dir: Path, console: Console) -> None:
    """Step 5: the main job — answer the sample request with a package."""
    from vendorscope.commands.respond import print_package

    console.print(f"[bold]5. Answer[/] the sample request {SAMPLE_REQUEST.name}:")
    print_package(service.respond(SAMPLE_REQUEST, out_dir / "response"), console)
