"""``findings``, ``hosts`` and ``summary``: what was found where, and what was examined."""

from typing import TYPE_CHECKING, Annotated, Any

import typer

from vendorscope.cli.context import service
from vendorscope.cli.output import Format, FormatOption, console, emit, say, write_csv, write_json

if TYPE_CHECKING:
    from vendorscope.respond.summary import Summary
    from vendorscope.service import Service

FINDING_COLUMNS = [
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
]
HOST_COLUMNS = ["host", "org", "examined", "coverage", "sources", "last_examined", "software", "findings"]


def register(app: typer.Typer) -> None:
    app.command()(findings)
    app.command()(hosts)
    app.command()(summary)


def findings(
    vendor: Annotated[str | None, typer.Option(help="Only this vendor (catalog id).")] = None,
    format: FormatOption = Format.table,
    include_absent: Annotated[bool, typer.Option("--all", help="Include removed and withdrawn findings.")] = False,
) -> None:
    """Vendor software found on hosts, with confidence and evidence."""
    svc = service()
    rows = svc.findings(vendor, include_absent)

    def line(row: dict[str, Any]) -> list[str]:
        status = row["status"] if row["present"] else f"{row['status']} (absent)"
        name = svc.product_name(row["vendor"], row["product"])
        return [row["host"], name, row["kind"], f"{row['confidence']:.2f}", status, _how(row["evidence"])]

    headers = ["host", "product", "kind", "confidence", "status", "how found"]
    emit(rows, FINDING_COLUMNS, format, f"{len(rows)} findings", line, headers)


def _how(evidence: list[dict[str, Any]]) -> str:
    return ", ".join(sorted({f"{e['source']}.{e['field']}" for e in evidence}))


def hosts(format: FormatOption = Format.table) -> None:
    """Every known host: how it was examined ('not examined' where nothing did) and what was found."""
    rows = service().hosts()

    def line(row: dict[str, Any]) -> list[str]:
        return [
            row["host"],
            row["org"],
            row["coverage"],
            ", ".join(row["sources"]),
            str(row["software"]),
            ", ".join(row["findings"]),
        ]

    headers = ["host", "org", "coverage", "sources", "software", "findings"]
    emit(rows, HOST_COLUMNS, format, f"{len(rows)} hosts", line, headers)


def summary(
    vendor: Annotated[str | None, typer.Option(help="Vendor (catalog id; default kaspersky, else the first).")] = None,
    format: FormatOption = Format.table,
) -> None:
    """The answer's counts and products: the numbers the package, the reports, the dashboard and the API show."""
    svc = service()
    answer = svc.answer_summary(vendor or svc.default_vendor())
    if format is Format.json:
        write_json(answer.as_dict())
    elif format is Format.csv:
        write_csv([{"count": k, "value": v} for k, v in answer.counts.as_dict().items()], ["count", "value"])
    else:
        print_summary(svc, answer.vendor, answer)


def print_summary(svc: "Service", vendor: str, answer: "Summary | None" = None) -> None:
    """Hosts per product (each product once), then the headline with its reconciliation."""
    from rich.table import Table
    from rich.text import Text

    answer = answer or svc.answer_summary(vendor)
    table = Table("product", "hosts", title=f"{answer.vendor_name}: hosts by product (installed or on the network)")
    for product in answer.products:
        table.add_row(Text(product.product), str(product.hosts))
    console.print(table)
    say(answer.headline())
