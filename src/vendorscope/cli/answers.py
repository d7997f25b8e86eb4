"""``findings``, ``hosts`` and ``summary``: what was found where, and what was examined."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table
from rich.text import Text

from vendorscope.cli.context import service
from vendorscope.cli.output import Format, FormatOption, console, emit, say

if TYPE_CHECKING:
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


def summary(vendor: Annotated[str | None, typer.Option(help="Only this vendor.")] = None) -> None:
    """Exposure summary: products, hosts, confidence and how they were found."""
    print_summary(service(), vendor)


def print_summary(svc: Service, vendor: str | None) -> None:
    """The exposure table by product, and one line on hosts affected, examined and not examined."""
    rows = svc.summary(vendor)
    known = svc.hosts()
    affected = {h["host"] for h in known if h["findings"]}
    examined = sum(1 for h in known if h["examined"])
    table = Table("product", "kind", "hosts", "confidence", "how found", title="Exposure by product")
    for row in rows:
        how = ", ".join(f"{k} ({n})" for k, n in row.how_found.most_common(4))
        cells = [
            svc.product_name(row.vendor, row.product),
            row.kind,
            str(row.hosts),
            f"{row.min_confidence:.2f}–{row.max_confidence:.2f}",
            how,
        ]
        table.add_row(*(Text(c) for c in cells))
    console.print(table)
    say(
        f"{len(affected)} of {len(known)} known hosts have vendor software; {examined} examined, "
        f"{len(known) - examined} not examined."
    )
