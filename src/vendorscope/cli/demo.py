"""``demo`` and ``sample-fleet``: the main job on generated data, narrated step by step."""

import shutil
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from vendorscope.cli.answers import print_summary
from vendorscope.cli.output import console, say
from vendorscope.cli.respond import print_package

if TYPE_CHECKING:
    from vendorscope.demo.run import DemoRun


def register(app: typer.Typer) -> None:
    app.command("sample-fleet")(sample_fleet)
    app.command()(demo)


def sample_fleet(
    out_dir: Annotated[Path, typer.Option("--out", help="Folder to write the fleet into.")],
    hosts: Annotated[int, typer.Option(min=1, max=1_000_000, help="Hosts in the fleet.")] = 300,
    seed: Annotated[int, typer.Option(help="Random seed: the same seed gives the same files.")] = 2017,
    items_per_host: Annotated[int, typer.Option(min=5, max=5000, help="Software items per host, about.")] = 40,
    osquery_only: Annotated[bool, typer.Option(help="Desktops and servers in osquery formats only.")] = False,
) -> None:
    """Generate a realistic sample fleet (osquery and JSONL) with a ground-truth file."""
    from vendorscope.demo.fleet import generate_fleet

    result = generate_fleet(out_dir, hosts=hosts, seed=seed, items_per_host=items_per_host, osquery_only=osquery_only)
    say(
        f"{result.hosts} hosts, {result.items:,} items in {result.files} files under {out_dir}; "
        f"truth: {result.truth_path}"
    )


def demo(
    out_dir: Annotated[Path, typer.Option("--out", help="Folder for the fleet and the store.")] = Path("demo-output"),
    hosts: Annotated[int, typer.Option(min=10, max=100_000, help="Hosts in the sample agency.")] = 300,
    seed: Annotated[int, typer.Option(help="Random seed: the same seed gives the same agency.")] = 2017,
) -> None:
    """Generate a sample fleet, ingest it into a fresh embedded store, print the exposure."""
    from vendorscope.demo.run import run_demo

    run_demo(out_dir, hosts, seed, _narrate)


def _narrate(step: str, run: "DemoRun") -> None:
    """Print one finished step of the demo."""
    if step == "agency" and run.fleet and run.organization:
        console.print(f"[bold]1. Sample agency[/]: {run.hosts} hosts (seed {run.seed}) in {run.fleet_dir}, "
                      f"the rest in {run.org_dir}")  # fmt: skip
        say(
            f"   {run.fleet.items:,} software items in {run.fleet.files} files (osquery logs, osqueryi JSON, JSONL); "
            f"{run.organization.orgs} organizations (agency, offices, prime, sub), ownership, purchases, "
            f"network logs, {run.organization.emails} e-mails"
        )
    elif step == "ingest" and run.ingest and run.records:
        console.print(
            f"[bold]2. Ingest[/] into {run.db_path}: {run.ingest.count('ingested')} files, {run.ingest.items:,} "
            f"items, and {run.records.documents} documents in {run.ingest_seconds:.1f} s"
        )
    elif step == "exposure":
        console.print("[bold]3. Exposure[/]: which systems run Kaspersky software, and how we know")
        print_summary(run.service, "kaspersky")
        sample = next(iter(run.service.findings("kaspersky")), None)
        if sample:
            say(f"   e.g. {sample['host']}: {sample['explanation'][:300]}")
    elif step == "check":
        verdict = "[green]match[/]" if not run.missed and not run.extra else "[red]differ from[/]"
        console.print(
            f"[bold]4. Check[/]: the findings {verdict} the fleet's ground truth "
            f"({len(run.missed)} missed, {len(run.extra)} extra)."
        )
        devices = "[green]match[/]" if not run.devices_missed and not run.devices_extra else "[red]differ from[/]"
        console.print(
            f"   The covered devices {devices} the camera network's ground truth "
            f"({len(run.devices_missed)} missed, {len(run.devices_extra)} extra)."
        )
    elif step == "review":
        subjects = "; ".join(f'"{h["subject"]}"' for h in run.reviewed)
        console.print("[bold]5. Review[/]: ", end="")
        say(
            f"the vendor search since 2013 finds {len(run.reviewed)} families ({subjects}); "
            "tagged responsive, counsel's advice privileged"
        )
    elif step == "answer" and run.package:
        console.print("[bold]6. Answer[/] the sample request request.yaml:")
        print_package(run.package, console)
        console.print("   and the Section 889 request request-889.yaml, one package per vendor:")
        for package in run.packages_889:
            print_package(package, console)
        command = f"{_command()} --db {run.db_path}"
        say(
            "   More to explore: findings | hosts | orgs | exposure --by contractor | "
            "records search --vendor kaspersky --since 2013-01-01 | remediation | report bod-17-01"
        )
        say(f"Explore this store:\n  {command} summary")


def _command() -> str:
    """How to run vendorscope from here: its name when it is on the PATH, else the path of this script
    (.venv/bin/vendorscope after `make demo`; `make install` or `. .venv/bin/activate` puts it on the PATH)."""
    script = Path(sys.argv[0])
    found = shutil.which("vendorscope")
    if script.name == "vendorscope" and (not found or Path(found).resolve() != script.resolve()):
        try:
            return str(script.resolve().relative_to(Path.cwd()))
        except ValueError:
            return str(script)
    return "vendorscope"
