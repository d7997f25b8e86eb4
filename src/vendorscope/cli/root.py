"""Command line: parse, call the service, print. User mistakes become one line, never a traceback."""

from __future__ import annotations

import csv
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import orjson
import typer
from rich.console import Console
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from vendorscope import __version__
from vendorscope.cli import collect as collect_command
from vendorscope.cli import orgs as orgs_commands
from vendorscope.cli import respond as respond_commands
from vendorscope.cli.records import records_app
from vendorscope.cli.server import register as register_server_commands
from vendorscope.errors import VendorscopeError
from vendorscope.ingest import IngestReport
from vendorscope.service import Service
from vendorscope.sources.base import Hints
from vendorscope.sources.mapped_csv import MappingError, parse_mapping

app = typer.Typer(
    help="Find a vendor of concern in your organization and answer for it with evidence.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
)
catalog_app = typer.Typer(help="Inspect and validate vendor catalogs.", no_args_is_help=True)
app.add_typer(catalog_app, name="catalog")
respond_commands.register(app)
app.add_typer(records_app, name="records")
out = Console()
err = Console(stderr=True, soft_wrap=True)
MAX_PROBLEM_LINES = 10


class Format(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"


class State:
    service: Service


state = State()


def _version(value: bool) -> None:
    if value:
        out.print(f"vendorscope {__version__}")
        raise typer.Exit()


@app.callback()
def _global(
    db: Annotated[
        str | None,
        typer.Option("--db", help="Store URL or SQLite path [env VENDORSCOPE_DB; default ./vendorscope.db]"),
    ] = None,
    catalog: Annotated[list[Path] | None, typer.Option("--catalog", help="Extra catalog YAML (repeatable).")] = None,
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True)] = False,
) -> None:
    state.service = Service(db, catalog or [])


# -- evidence --------------------------------------------------------------------------------------


@app.command()
def ingest(
    paths: Annotated[list[Path], typer.Argument(help="Files and folders (recursive); .gz read transparently.")],
    host: Annotated[str, typer.Option(help="Host for files that do not name one (osqueryi output, an SBOM).")] = "",
    org: Annotated[str, typer.Option(help="Organization the files belong to (an SBOM's owner).")] = "",
    map: Annotated[
        str, typer.Option("--map", help="Read CSV through a column mapping: name=DisplayName,publisher=…,host=…")
    ] = "",
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")] = False,
) -> None:
    """Ingest inventories, SBOMs and network logs; the format of each file is detected. Same file twice: no change."""
    hints = Hints(host=host, org=org, mapping=_mapping(map))
    total = sum(p.stat().st_size for p in _files(paths))
    with _progress(quiet) as progress:
        task = progress.add_task("ingest", total=total or None)
        report = state.service.ingest(paths, hints, lambda path, size: progress.advance(task, size))
    _print_ingest(report)
    if not report.ok:
        raise typer.Exit(2)


def _mapping(text: str) -> tuple[tuple[str, str], ...]:
    try:
        return parse_mapping(text) if text else ()
    except MappingError as exc:
        raise typer.BadParameter(str(exc).removeprefix("--map: "), param_hint="--map") from exc


def _files(paths: list[Path]) -> list[Path]:
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(p for p in path.rglob("*") if p.is_file())
        elif path.is_file():
            files.append(path)
    return files


def _progress(quiet: bool) -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        DownloadColumn(),
        TimeRemainingColumn(),
        console=err,
        disable=quiet or not err.is_terminal,
        transient=True,
    )


def _print_ingest(report: IngestReport) -> None:
    for result in report.files:
        lines = result.messages()
        for line in lines[:MAX_PROBLEM_LINES]:
            err.print(f"error: {line}", markup=False, highlight=False)
        if len(lines) > MAX_PROBLEM_LINES:
            err.print(f"error: {result.path}: … and {len(lines) - MAX_PROBLEM_LINES} more problems", markup=False)
    out.print(
        f"{report.count('ingested')} files ingested ({report.items:,} items), "
        f"{report.count('duplicate')} already in the store, {report.count('failed')} failed",
        highlight=False,
    )


@app.command()
def rematch() -> None:
    """Re-evaluate every title against the current catalogs (no re-ingest)."""
    result = state.service.rematch()
    out.print(
        f"{result['titles']:,} titles re-matched, {result['attributed']:,} attributed; findings: "
        f"{result['new_findings']} new, {result['updated_findings']} updated, "
        f"{result['withdrawn_findings']} withdrawn",
        highlight=False,
    )


collect_command.register(app)

# -- answers ----------------------------------------------------------------------------------------


@app.command()
def findings(
    vendor: Annotated[str | None, typer.Option(help="Only this vendor (catalog id).")] = None,
    format: Annotated[Format, typer.Option("--format", "-f")] = Format.table,
    include_absent: Annotated[bool, typer.Option("--all", help="Include removed and withdrawn findings.")] = False,
) -> None:
    """Vendor software found on hosts, with confidence and evidence."""
    rows = state.service.findings(vendor, include_absent)
    if format is Format.json:
        _json(rows)
    elif format is Format.csv:
        _csv(
            rows,
            [
                "host",
                "vendor",
                "product",
                "kind",
                "confidence",
                "present",
                "status",
                "first_seen",
                "last_seen",
                "evidence",
                "explanation",
            ],
        )
    else:
        table = Table("host", "product", "kind", "confidence", "status", "how found", title=f"{len(rows)} findings")
        for row in rows:
            name = state.service.product_name(row["vendor"], row["product"])
            status = row["status"] if row["present"] else f"{row['status']} (absent)"
            table.add_row(row["host"], name, row["kind"], f"{row['confidence']:.2f}", status, _how(row["evidence"]))
        out.print(table)


def _how(evidence: list[dict[str, Any]]) -> str:
    return ", ".join(sorted({f"{e['source']}.{e['field']}" for e in evidence}))


@app.command()
def hosts(format: Annotated[Format, typer.Option("--format", "-f")] = Format.table) -> None:
    """Every known host: how it was examined ('not examined' where nothing did) and what was found."""
    rows = state.service.hosts()
    if format is Format.json:
        _json(rows)
    elif format is Format.csv:
        _csv(rows, ["host", "org", "examined", "coverage", "sources", "last_examined", "software", "findings"])
    else:
        table = Table("host", "org", "coverage", "sources", "software", "findings", title=f"{len(rows)} hosts")
        for row in rows:
            table.add_row(
                row["host"],
                row["org"],
                row["coverage"],
                ", ".join(row["sources"]),
                str(row["software"]),
                ", ".join(row["findings"]),
            )
        out.print(table)


@app.command()
def summary(vendor: Annotated[str | None, typer.Option(help="Only this vendor.")] = None) -> None:
    """Exposure summary: products, hosts, confidence and how they were found."""
    print_summary(state.service, vendor)


def print_summary(service: Service, vendor: str | None) -> None:
    rows = service.summary(vendor)
    hosts = service.hosts()
    affected = {h["host"] for h in hosts if h["findings"]}
    examined = sum(1 for h in hosts if h["examined"])
    table = Table("product", "kind", "hosts", "confidence", "how found", title="Exposure by product")
    for row in rows:
        how = ", ".join(f"{k} ({n})" for k, n in row.how_found.most_common(4))
        table.add_row(
            service.product_name(row.vendor, row.product),
            row.kind,
            str(row.hosts),
            f"{row.min_confidence:.2f}–{row.max_confidence:.2f}",
            how,
        )
    out.print(table)
    out.print(
        f"{len(affected)} of {len(hosts)} known hosts have vendor software; {examined} examined, "
        f"{len(hosts) - examined} not examined.",
        highlight=False,
    )


# -- catalogs ---------------------------------------------------------------------------------------


@catalog_app.command("validate")
def catalog_validate(paths: Annotated[list[Path], typer.Argument(help="Catalog YAML files.")]) -> None:
    """Check catalog files against the format; one line per file."""
    for path in paths:
        catalog = state.service.validate_catalog(path)
        out.print(
            f"{path}: ok — {catalog.vendor.name} catalog {catalog.version}, {len(catalog.entities)} entities, "
            f"{len(catalog.products)} products, {len(catalog.all_indicators())} indicators",
            highlight=False,
        )


@catalog_app.command("show")
def catalog_show(
    vendor: Annotated[str | None, typer.Option(help="Vendor id (default: all).")] = None,
    format: Annotated[Format, typer.Option("--format", "-f")] = Format.table,
) -> None:
    """The loaded catalogs: products and their indicators, with sources."""
    catalogs = [state.service.vendor(vendor)] if vendor else state.service.catalogs
    if format is Format.json:
        _json([c.model_dump(mode="json") for c in catalogs])
        return
    for catalog in catalogs:
        table = Table(
            "product",
            "kind",
            "category",
            "platforms",
            "capabilities",
            "indicators",
            title=f"{catalog.vendor.name} — catalog {catalog.version} ({catalog.updated})",
        )
        for p in catalog.products:
            table.add_row(
                f"{p.name} [{p.id}]",
                p.kind.value,
                p.category,
                ", ".join(p.platforms),
                ", ".join(c.value for c in p.capabilities),
                str(len(p.indicators)),
            )
        out.print(table)
        out.print(
            f"{len(catalog.entities)} entities, {len(catalog.indicators)} vendor-level indicators, "
            f"{len(catalog.sources)} sources",
            highlight=False,
        )


# -- demo -------------------------------------------------------------------------------------------


@app.command("sample-fleet")
def sample_fleet(
    out_dir: Annotated[Path, typer.Option("--out", help="Folder to write the fleet into.")],
    hosts: Annotated[int, typer.Option(min=1, max=1_000_000)] = 300,
    seed: Annotated[int, typer.Option()] = 2017,
    items_per_host: Annotated[int, typer.Option(min=5, max=5000)] = 40,
    osquery_only: Annotated[bool, typer.Option(help="Desktops and servers in osquery formats only.")] = False,
) -> None:
    """Generate a realistic sample fleet (osquery and JSONL) with a ground-truth file."""
    from vendorscope.demo.fleet import generate_fleet

    result = generate_fleet(out_dir, hosts=hosts, seed=seed, items_per_host=items_per_host, osquery_only=osquery_only)
    out.print(
        f"{result.hosts} hosts, {result.items:,} items in {result.files} files under {out_dir}; "
        f"truth: {result.truth_path}",
        highlight=False,
    )


@app.command()
def demo(
    out_dir: Annotated[Path, typer.Option("--out", help="Folder for the fleet and the store.")] = Path("demo-output"),
    hosts: Annotated[int, typer.Option(min=10, max=100_000)] = 300,
    seed: Annotated[int, typer.Option()] = 2017,
) -> None:
    """Generate a sample fleet, ingest it into a fresh embedded store, print the exposure."""
    from vendorscope.demo.run import run_demo

    run_demo(out_dir, hosts, seed, out)


orgs_commands.register(app)


# -- output helpers ---------------------------------------------------------------------------------


def _json(rows: Any) -> None:
    sys.stdout.buffer.write(orjson.dumps(rows, option=orjson.OPT_INDENT_2) + b"\n")


def _csv(rows: list[dict[str, Any]], columns: list[str]) -> None:
    writer = csv.writer(sys.stdout, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_cell(row.get(c)) for c in columns])


def _cell(value: Any) -> str:
    if isinstance(value, list):
        return "; ".join(f"{v['field']}={v['value']} ({v['rule']})" if isinstance(v, dict) else str(v) for v in value)
    if value is None:
        return ""
    return str(value)


register_server_commands(app)


def main() -> None:
    """Entry point: Typer handles usage errors; our own errors become one line and an exit code."""
    try:
        app()
    except VendorscopeError as exc:
        err.print(f"error: {exc}", markup=False, highlight=False)
        sys.exit(exc.exit_code)
    finally:
        if hasattr(state, "service"):
            state.service.close()
