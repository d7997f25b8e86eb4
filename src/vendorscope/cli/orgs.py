"""Commands about organizations: ``orgs``, ``exposure``, ``screen``, ``procurement``.

Thin like the rest of the CLI: parse, call the service, print through ``cli.output``.
"""

import csv
import io
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from vendorscope.cli.context import service
from vendorscope.cli.output import Format, FormatOption, console, emit, say
from vendorscope.errors import InputError

if TYPE_CHECKING:
    from vendorscope.orgs.screening.screener import Query

MAX_SCREEN_FILE = 64 * 1024 * 1024


class By(StrEnum):
    org = "org"
    contractor = "contractor"
    product = "product"


def register(app: typer.Typer) -> None:
    app.command("orgs")(orgs)
    app.command("exposure")(exposure)
    app.command("screen")(screen)
    app.command("procurement")(procurement)


def orgs(format: FormatOption = Format.table) -> None:
    """The organization registry as a tree, with hosts and findings counted per subtree."""
    rows = service().orgs()

    def line(row: dict[str, Any]) -> list[str]:
        flags = row["procurement_flags"] + row["covered_suppliers"]
        return [
            "  " * row["depth"] + f"{row['name']} [{row['org']}]",
            row["kind"],
            "; ".join(row["contracts"]),
            f"{row['own_hosts']} / {row['hosts_known']}",
            str(row["hosts_examined"]),
            str(row["hosts_with_findings"]),
            str(flags) if flags else "",
        ]

    headers = ["organization", "kind", "contracts", "hosts", "examined", "with findings", "flags"]
    emit(rows, list(rows[0]) if rows else ["org"], format, f"{len(rows)} organizations", line, headers)
    if format is Format.table:
        hosts = service().hosts()
        unassigned = [h for h in hosts if h["org"] == "unassigned"]
        affected = sum(1 for h in hosts if h["findings"])
        outside = sum(1 for h in unassigned if h["findings"])
        say(
            f"hosts: own / in subtree. {len(unassigned)} hosts are unassigned, {outside} of them with findings: "
            f"{affected - outside} in the tree + {outside} unassigned = {affected} hosts with findings."
        )


def exposure(
    by: Annotated[
        By, typer.Option("--by", help="Roll up per org subtree, per contractor chain, or per product.")
    ] = By.org,
    format: FormatOption = Format.table,
) -> None:
    """Hosts known, examined, with findings and products found, per organization, contractor or product."""
    from rich.table import Table
    from rich.text import Text

    rows = service().exposure(by.value)
    if format is not Format.table:
        emit(rows, list(rows[0]) if rows else ["org"], format, "")
    elif by is By.product:
        table = Table("product", "hosts", "organizations", "contractors", title="Exposure by product")
        for r in rows:
            orgs_text = ", ".join(f"{o} ({n})" for o, n in r["orgs"].items())
            table.add_row(*(Text(c) for c in (r["product"], str(r["hosts"]), orgs_text, "; ".join(r["contractors"]))))
        console.print(table)
    else:
        table = Table(
            "organization",
            "kind",
            "known",
            "examined",
            "with findings",
            "products",
            "flags",
            title=f"Exposure by {by.value}",
        )
        for r in rows:
            products = ", ".join(f"{p} ({n})" for p, n in r["products"].items())
            cells = (
                r["chain"],
                r["kind"],
                str(r["hosts_known"]),
                str(r["hosts_examined"]),
                str(r["hosts_with_findings"]),
                products,
                str(r["procurement_flags"] + r["covered_suppliers"]),
            )
            table.add_row(*(Text(c) for c in cells))
        console.print(table)


def screen(
    names: Annotated[list[str] | None, typer.Argument(help="Names (or UEI/CAGE codes) to screen.")] = None,
    files: Annotated[
        list[Path] | None,
        typer.Option("--file", help="One name per line, or CSV with name[, uei, cage] (repeatable)."),
    ] = None,
    registry: Annotated[bool, typer.Option("--registry", help="Screen every organization of the registry.")] = False,
    lists: Annotated[
        list[Path] | None,
        typer.Option("--list", help="Extra screening list YAML (repeatable).", exists=True, dir_okay=False),
    ] = None,
    format: FormatOption = Format.table,
) -> None:
    """Screen names against the covered-entity lists (FAR 52.204-23/-25, FCC Covered List)."""
    from vendorscope.orgs.screening.names import looks_like_identifier
    from vendorscope.orgs.screening.screener import Query

    queries = [Query(n, (n,) if looks_like_identifier(n) else ()) for n in names or []]
    for path in files or []:
        queries += read_queries(path)
    rows = service().screen(queries, lists) if queries else []
    if registry:
        rows += service().screen_registry()
    if not queries and not registry:
        raise typer.BadParameter("give names, --file or --registry")
    columns = ["name", "covered", "entity", "list", "score", "explanation", "hit", "relabeler"]

    def line(r: dict[str, Any]) -> list[str]:
        covered = "yes" if r["covered"] else "no"
        entity = r["entity"] or r["relabeler"] or ""
        return [r["name"], covered, r["hit"], entity, r["list"] or "", f"{r['score']:.2f}", r["explanation"]]

    covered, brands = sum(r["covered"] for r in rows), sum(1 for r in rows if r["hit"] and not r["covered"])
    title = f"{covered} of {len(rows)} names covered" + (f", {brands} relabeler brand(s)" if brands else "")
    headers = ["name", "covered", "hit", "entity / brand", "list", "score", "explanation"]
    emit(rows, columns, format, title, line, headers)


def read_queries(path: Path) -> "list[Query]":
    """Names from a file: CSV when the first line has a ``name`` column (with ``uei``/``cage``), else one per line."""
    from vendorscope.orgs.screening.names import looks_like_identifier
    from vendorscope.orgs.screening.screener import Query

    try:
        data = path.read_bytes()[: MAX_SCREEN_FILE + 1]
        text = data.decode("utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(str(path), f"cannot read ({exc})") from exc
    if len(data) > MAX_SCREEN_FILE:
        raise InputError(str(path), f"larger than {MAX_SCREEN_FILE // (1024 * 1024)} MiB; refused")
    lines = text.splitlines()
    header = [c.strip().lower() for c in next(csv.reader(lines[:1]), [])]
    if "name" not in header:
        return [Query(line, (line,) if looks_like_identifier(line) else ()) for line in lines if line.strip()]
    rows = csv.DictReader(io.StringIO(text), fieldnames=header)
    next(rows)
    return [
        Query(row["name"] or "", tuple(v.strip() for k in ("uei", "cage") if (v := row.get(k) or "").strip()))
        for row in rows
        if (row.get("name") or "").strip()
    ]


def procurement(
    format: FormatOption = Format.table,
    include_withdrawn: Annotated[bool, typer.Option("--all", help="Include withdrawn flags.")] = False,
) -> None:
    """Flagged purchase lines and covered contractors: findings tied to an organization."""
    rows = service().org_findings(None, include_withdrawn)
    columns = ["org_key", "kind", "entity", "product", "score", "status", "explanation"]

    def line(r: dict[str, Any]) -> list[str]:
        subject = r["entity"] or r["product"]
        return [r["org_key"], r["kind"], subject, f"{r['score']:.2f}", r["status"], r["explanation"]]

    headers = ["org", "kind", "entity / product", "score", "status", "why"]
    emit(rows, columns, format, f"{len(rows)} organization findings", line, headers)
