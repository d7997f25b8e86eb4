"""``vendorscope records …``: ingest, search, tag, produce and list exceptions of documents."""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

import typer

from vendorscope.cli.context import service
from vendorscope.cli.output import Format, FormatOption, emit, error, say
from vendorscope.errors import VendorscopeError
from vendorscope.records.produce import EXCEPTION_FIELDS
from vendorscope.records.review import TAGS
from vendorscope.records.search import Filters
from vendorscope.safe_csv import SafeWriter

records_app = typer.Typer(help="Find, review and produce the documents that assess a vendor.", no_args_is_help=True)
MAX_ERROR_LINES = 20


def register(app: typer.Typer) -> None:
    app.add_typer(records_app, name="records")


def _date(value: str | None, option: str) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError as exc:
        raise VendorscopeError(f"{option} {value!r}: not a date (YYYY-MM-DD)") from exc


RecordsDir = Annotated[
    Path | None, typer.Option("--records-dir", help="Folder of originals [env VENDORSCOPE_RECORDS_DIR; <db>.records]")
]


@records_app.command("ingest")
def ingest(
    paths: Annotated[list[Path], typer.Argument(help="Files and folders (recursive).")],
    custodian: Annotated[str, typer.Option(help="Whose documents these are.")],
    dask: Annotated[str | None, typer.Option(help="Dask scheduler address, e.g. tcp://scheduler:8786.")] = None,
    workers: Annotated[int | None, typer.Option(min=1, help="Local worker processes [default: CPU count].")] = None,
    records_dir: RecordsDir = None,
    follow_links: Annotated[
        bool, typer.Option("--follow-links", help="Read symbolic links that lead out of the folders given.")
    ] = False,
) -> None:
    """Ingest email (.eml, mbox, .msg, .pst), PDF, Office, HTML, text and ZIP; unreadable files are listed."""
    options = {"workers": workers, "dask": dask, "records_dir": records_dir, "follow_links": follow_links}
    report = service().records_ingest(paths, custodian, **options)
    for path, reason in report.errors[:MAX_ERROR_LINES]:
        error(f"{path}: {reason}")
    if len(report.errors) > MAX_ERROR_LINES:
        error(f"… and {len(report.errors) - MAX_ERROR_LINES} more (vendorscope records exceptions)")
    say(
        f"{report.files} files ingested ({report.documents} new documents, {report.duplicates} duplicates), "
        f"{report.skipped} already in the store; {len(report.errors)} documents with errors; "
        f"{report.threads} threads, {report.near_duplicate_groups} near-duplicate groups"
    )
    if not report.ok:
        raise typer.Exit(2)


@records_app.command("search")
def search(
    query: Annotated[str | None, typer.Argument(help='Words or "phrases", all required.')] = None,
    vendor: Annotated[str | None, typer.Option(help="Search for a vendor with its catalog's terms.")] = None,
    since: Annotated[str | None, typer.Option(help="From this date (family date: sent date, else file dates).")] = None,
    until: Annotated[str | None, typer.Option(help="Before this date.")] = None,
    custodian: Annotated[str | None, typer.Option(help="Only this custodian's documents.")] = None,
    limit: Annotated[int, typer.Option(min=0, help="Families to show; 0 for all.")] = 100,
    format: FormatOption = Format.table,
) -> None:
    """Responsive families, best first. Undated documents are listed (marked), never dropped by --since."""
    if bool(query) == bool(vendor):
        raise VendorscopeError("give either a QUERY or --vendor")
    filters = Filters(_date(since, "--since"), _date(until, "--until"), custodian, limit)
    svc = service()
    rows = svc.records_vendor_search(vendor, filters) if vendor else svc.records_search(query or "", filters)

    def line(row: dict[str, Any]) -> list[str]:
        hits = ", ".join(f"{k} ×{v}" for k, v in list(row["hits"].items())[:4])
        subject = row["subject"] or row["path"]
        return [str(row["id"]), row["date"] or "undated", row["custodian"], subject, f"{row['score']:.2f}", hits]

    columns = list(rows[0]) if rows else ["id"]
    headers = ["id", "date", "custodian", "subject / path", "score", "hits"]
    emit(rows, columns, format, f"{len(rows)} families", line, headers)


@records_app.command("tag")
def tag(
    ids: Annotated[list[int], typer.Argument(help="Document ids (from search).")],
    tag: Annotated[str, typer.Option(help=f"One of: {', '.join(TAGS)}.")],
    reviewer: Annotated[str, typer.Option(help="Who decided.")],
    basis: Annotated[str | None, typer.Option(help="Privilege basis (required for privileged).")] = None,
    note: Annotated[str | None, typer.Option(help="Free text kept with the decision.")] = None,
    family: Annotated[bool, typer.Option("--family", help="Tag every member of the documents' families.")] = False,
) -> None:
    """Record a review decision (with reviewer and time); the newest decision is the document's tag."""
    tagged = service().records_tag(ids, tag, reviewer, basis=basis, note=note, family=family)
    say(f"{len(tagged)} documents tagged {tag}")


@records_app.command("produce")
def produce(
    out_dir: Annotated[Path, typer.Option("--out", help="New folder for the production volume.")],
    prefix: Annotated[str, typer.Option(help="Bates prefix, e.g. ABC.")],
    records_dir: RecordsDir = None,
) -> None:
    """Bates-number responsive, non-privileged families: natives, text, DAT, privilege log, exceptions."""
    report = service().records_produce(out_dir, prefix, records_dir)
    span = f"{report.first}–{report.last}" if report.first else "nothing new to produce"
    say(
        f"{report.documents} documents produced ({span}), {report.withheld} withheld as privileged, "
        f"{report.exceptions} exceptions; volume in {report.out_dir}"
    )


@records_app.command("reindex")
def reindex() -> None:
    """Rebuild the full-text index from the stored text (it is derived data)."""
    say(f"{service().records_reindex():,} documents indexed")


@records_app.command("exceptions")
def exceptions() -> None:
    """Every document or file that could not be (fully) read, and why (CSV)."""
    writer = SafeWriter(sys.stdout)
    writer.header(EXCEPTION_FIELDS)
    writer.writerows(service().records_exceptions())
