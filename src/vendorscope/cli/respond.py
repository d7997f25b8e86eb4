"""CLI for answering requests: `respond`, `report bod-17-01 | far`, `remediation`. Thin: parse, call, print."""

from datetime import date, datetime
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from vendorscope.cli.context import service
from vendorscope.cli.output import Format, FormatOption, emit, say, write_json
from vendorscope.errors import InputError

if TYPE_CHECKING:
    from rich.console import Console

    from vendorscope.respond.package import PackageResult

DATE = ["%Y-%m-%d"]
report_app = typer.Typer(help="Directive reports: BOD 17-01 and FAR 52.204-23/-25.", no_args_is_help=True)
remediation_app = typer.Typer(help="Remediation work: status, owner, due date, history.")


class Clause(StrEnum):
    far_23 = "52.204-23"
    far_25 = "52.204-25"


def register(app: typer.Typer) -> None:
    """Add the response commands to the root app (``cli.root`` calls this once)."""
    app.command("respond")(respond)
    app.add_typer(report_app, name="report")
    app.add_typer(remediation_app, name="remediation")


def _day(value: datetime | None) -> date | None:
    return value.date() if value else None


# -- respond ---------------------------------------------------------------------------------------


def respond(
    request: Annotated[
        Path, typer.Argument(help="The request file (YAML; see docs/requests.md).", exists=True, dir_okay=False)
    ],
    out_dir: Annotated[Path, typer.Option("--out", help="Folder for the package (created; replaced if a package).")],
    key: Annotated[
        Path | None,
        typer.Option("--key", help="Signing key (default: the store's key from `keys create`, when there is one)."),
    ] = None,
    by: Annotated[str, typer.Option("--by", envvar="USER", help="Who builds the package [env USER].")] = "",
    since_package: Annotated[
        Path | None,
        typer.Option("--since-package", help="An earlier package: the report says what changed since (changes.json)."),
    ] = None,
    bom: Annotated[
        bool, typer.Option("--bom/--no-bom", help="Start the CSVs with a UTF-8 byte-order mark (Excel needs it).")
    ] = True,
) -> None:
    """Answer a request: systems, contractors, coverage, documents, report (HTML, PDF, XLSX) and manifest.

    A request naming several vendors (``vendors: [huawei, zte, ...]``) gets one package per vendor in OUT/VENDOR."""
    from vendorscope.respond.build import BuildOptions

    options = BuildOptions(key=key, built_by=by, since=since_package)
    for result in service().respond_each(request, out_dir, csv_bom=bom, options=options):
        print_package(result)


def print_package(result: "PackageResult", console: "Console | None" = None) -> None:
    """Where the package is and what it says, in a few lines (on ``console``, default the CLI's)."""
    line = (lambda text: console.print(text, markup=False)) if console else say
    answer = result.answer
    line(f"Package for request {answer.request.id} in {result.folder}/")
    line(f"  {answer.summary.headline()}")
    for product in answer.summary.products[:5]:
        line(f"  {product.product}: {product.hosts} host{'' if product.hosts == 1 else 's'}")
    if answer.request.asks("documents"):
        line(f"  documents: {result.documents_line}")
    worst = answer.product_risks[0] if answer.product_risks else None
    if worst:
        line(f"  highest risk: {worst.product} — {worst.risk.text}: {worst.risk.because}")
    for note in answer.notes:
        line(f"  note: {note}")
    line(f"  {len(result.files) + 1} files; see {result.folder / 'report.html'}")
    signature = result.signature
    signed = f"signed by {signature['signer']} ({signature['fingerprint']})" if signature else "not signed"
    line(f"  {signed}; check with: sha256sum -c SHA256SUMS (see README.txt)")


# -- directive reports -----------------------------------------------------------------------------


@report_app.command("bod-17-01")
def report_bod(
    vendor: Annotated[str, typer.Option(help="Vendor (catalog id).")] = "kaspersky",
    replacements: Annotated[
        Path | None,
        typer.Option(help="YAML mapping product category → proposed replacement.", exists=True, dir_okay=False),
    ] = None,
    output: FormatOption = Format.table,
) -> None:
    """BOD 17-01: products present, affected endpoints, methods used, removal plan by host."""
    report = service().bod_17_01(vendor, _replacements(replacements) if replacements else None)
    if output is Format.json:
        write_json(report)
        return
    if output is Format.table:
        say(
            f"{report['directive']} — {report['vendor_name']}: {report['affected_endpoints']} affected endpoints; "
            f"{report['hosts_examined']} of {report['hosts_known']} known hosts examined "
            f"({', '.join(f'{k}: {n}' for k, n in report['methods'].items()) or 'no method'}); policy "
            f"{report['policy']}: " + ", ".join(f"{k} by {v}" for k, v in report["milestones"].items())
        )
        say(report["reconciliation"])
        emit(report["products"], ["product", "endpoints", "found_by"], output, "Products present")
    columns = ["host", "product", "category", "status", "owner", "due", "replacement", "impact"]
    emit(report["plan"], columns, output, "Removal plan")


def _replacements(path: Path) -> dict[str, str]:
    import yaml

    from vendorscope import safe_yaml

    try:
        data = safe_yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise InputError(str(path), f"cannot read replacements: {exc}") from exc
    if not isinstance(data, dict) or not all(isinstance(v, str) for v in data.values()):
        raise InputError(str(path), "replacements: a mapping of category to text (endpoint-protection: …)")
    return {str(k): v for k, v in data.items()}


@report_app.command("far")
def report_far(
    clause: Annotated[Clause, typer.Option(help="FAR clause.")],
    contract: Annotated[str, typer.Option(help="Contract number.")],
    rule: Annotated[str, typer.Option(help="Text of the clause: current, or 2018 (52.204-23: 1 business day).")] = (
        "current"
    ),
    vendor: Annotated[str, typer.Option(help="Vendor (catalog id); default: every vendor the clause covers.")] = "",
    identified: Annotated[
        datetime | None, typer.Option(formats=DATE, help="Identification date (default: earliest finding).")
    ] = None,
    output: FormatOption = Format.table,
) -> None:
    """FAR 52.204-23/-25 report lines for one contract, with due dates in US federal business days."""
    report = service().far_report(clause.value, contract, vendor, rule, _day(identified))
    columns = ["contract", "order", "supplier", "supplier_uei", "supplier_cage", "brand", "model"]
    columns += ["item_description", "mitigation", "identified"]
    if output is Format.json:
        write_json(report.as_dict())
        return
    if output is Format.table:
        say(
            f"FAR {report.clause} ({report.text} text), contract {report.contract}: identified "
            f"{report.identified or '—'}; first report due {report.first_report_due or '—'}; "
            f"follow-up due {report.follow_up_due or '—'}"
        )
        say(f"  the answer: {report.summary.headline()}")
        for holiday in report.holidays:
            say(f"  federal holiday skipped: {holiday}")
        for note in report.notes:
            say(f"  note: {note}")
    emit(report.lines, columns, output, f"{len(report.lines)} lines to report")


# -- remediation -----------------------------------------------------------------------------------


@remediation_app.callback(invoke_without_command=True)
def remediation(
    ctx: typer.Context,
    overdue: Annotated[bool, typer.Option("--overdue", help="Only work past its due date.")] = False,
    include_closed: Annotated[bool, typer.Option("--all", help="Include verified removals and exceptions.")] = False,
    vendor: Annotated[str | None, typer.Option(help="Only this vendor.")] = None,
    as_of: Annotated[datetime | None, typer.Option("--as-of", formats=DATE, help="Judge due dates on this day.")] = (
        None
    ),
    output: FormatOption = Format.table,
) -> None:
    """List the remediation work (open, removal planned, removed awaiting verification)."""
    if ctx.invoked_subcommand is not None:
        return
    rows = service().remediation(vendor, _day(as_of), overdue, include_closed)
    for row in rows:
        row["overdue"] = "overdue" if row["overdue"] else ""
    columns = ["id", "host", "product", "kind", "status", "owner", "due", "overdue", "replacement", "note"]
    emit(rows, columns, output, f"{len(rows)} findings{' overdue' if overdue else ''}")


@remediation_app.command("set")
def remediation_set(
    finding_ids: Annotated[list[int], typer.Argument(help="Finding ids (see `vendorscope remediation`).")],
    status: Annotated[str | None, typer.Option(help="open | removal planned | removed | exception")] = None,
    owner: Annotated[str | None, typer.Option(help="Who does the work.")] = None,
    due: Annotated[datetime | None, typer.Option(formats=DATE, help="Due date (overrides the policy).")] = None,
    replacement: Annotated[str | None, typer.Option(help="Product replacing it.")] = None,
    note: Annotated[str, typer.Option(help="Why (required for an exception).")] = "",
    by: Annotated[str, typer.Option("--by", envvar="USER", help="Who makes the change [env USER].")] = "unknown",
) -> None:
    """Change status, owner, due date or replacement of findings; every change is kept in their history."""
    from vendorscope.findings.lifecycle import Change

    change = Change(status=status, owner=owner, due=_day(due), replacement=replacement, note=note, actor=by)
    events = service().set_remediation(finding_ids, change)
    say(f"{len(set(finding_ids))} findings, {events} changes recorded")


@remediation_app.command("history")
def remediation_history(
    finding_id: Annotated[int, typer.Argument(help="Finding id.")],
    output: FormatOption = Format.table,
) -> None:
    """A finding's history: who changed what, when, and the evidence of verified removals."""
    rows = service().finding_history(finding_id)
    for row in rows:
        row["evidence"] = ", ".join(str(a)[:16] for a in row["evidence"].get("artifacts", []))
    emit(rows, ["at", "actor", "action", "old", "new", "note", "evidence"], output, f"finding {finding_id}")


@remediation_app.command("policy")
def remediation_policy(
    start: Annotated[datetime | None, typer.Option(formats=DATE, help="Start of the clock.")] = None,
    from_first_seen: Annotated[bool, typer.Option(help="Each finding's clock starts when it was first seen.")] = False,
    remove: Annotated[int | None, typer.Option(min=1, help="Days to removal.")] = None,
    plan: Annotated[int | None, typer.Option(min=1, help="Days to a removal plan.")] = None,
    name: Annotated[str | None, typer.Option(help="Name shown with due dates.")] = None,
) -> None:
    """Show the due-date policy (default BOD 17-01: 30/60/90 days from 2017-09-13), or change it."""
    from vendorscope.findings.lifecycle import Policy

    svc = service()
    policy = svc.policy()
    if any(v is not None for v in (start, remove, plan, name)) or from_first_seen:
        milestones = dict(policy.milestones)
        milestones.update({k: v for k, v in (("remove", remove), ("plan", plan)) if v is not None})
        policy = Policy(
            name=name or policy.name,
            start=None if from_first_seen else (_day(start) or policy.start),
            milestones=milestones,
        )
        svc.set_policy(policy)
    start_text = policy.start.isoformat() if policy.start else "each finding's first sighting"
    days = ", ".join(f"{k} {v} days" for k, v in sorted(policy.milestones.items(), key=lambda kv: kv[1]))
    say(f"policy {policy.name}: from {start_text}: {days}")
