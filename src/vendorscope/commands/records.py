"""``vendorscope records …``: ingest, search, tag, produce and list exceptions of documents."""

from __future__ import annotations

import csv
import sys
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import orjson
import typer
from rich.console import Console
from rich.table import Table

from vendorscope.errors import VendorscopeError
from vendorscope.records.produce import EXCEPTION_FIELDS
from vendorscope.records.review import TAGS
from vendorscope.records.search import Filters
from vendorscope.service import Service

records_app = typer.Typer(help="Find, review and produce the documents that assess a vendor.", no_args_is_help=True)
out = Console()
err = Console(stderr=True, soft_wrap=True)
MAX_ERROR_LINES = 20


class Output(StrEnum):
    table = "table"
    json = "json"


def _service() -> Service:
    from vendorscope.cli import state

    return state.service


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
    ocr: Annotated[bool, typer.Option("--ocr", help="Read scanned PDFs and images with Tesseract.")] = False,
    ocr_languages: Annotated[
        str, typer.Option("--ocr-languages", help="Tesseract languages, '+'-separated.")
    ] = "eng+rus",
) -> None:
    """Ingest email (.eml, mbox, .msg, .pst), PDF, Office, images, HTML, text and ZIP; unreadable files are listed."""
    report = _service().records_ingest(
        paths, custodian, workers=workers, dask=dask, records_dir=records_dir, ocr=ocr, ocr_languages=ocr_languages
    )
    for path, reason in report.errors[:MAX_ERROR_LINES]:
        err.print(f"error: {path}: {reason}", markup=False, highlight=False)
    if len(report.errors) > MAX_ERROR_LINES:
        err.print(f"error: … and {len(report.errors) - MAX_ERROR_LINES} more (vendorscope records exceptions)")
    out.print(
        f"{report.files} files ingested ({report.documents} new documents, {report.duplicates} duplicates), "
        f"{report.skipped} already in the store; {len(report.errors)} documents with errors; "
        f"{report.threads} threads, {report.near_duplicate_groups} near-duplicate groups",
        highlight=False,
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
    format: Annotated[Output, typer.Option("--format", "-f")] = Output.table,
    explain: Annotated[
        bool, typer.Option("--explain", help="Say why each family is a hit: terms, documents, thread.")
    ] = False,
) -> None:
    """Responsive families, best first. Undated documents are listed (marked), never dropped by --since."""
    if bool(query) == bool(vendor):
        raise VendorscopeError("give either a QUERY or --vendor")
    filters = Filters(_date(since, "--since"), _date(until, "--until"), custodian, limit)
    service = _service()
    rows = service.records_vendor_search(vendor, filters) if vendor else service.records_search(query or "", filters)
    if format is Output.json:
        sys.stdout.buffer.write(orjson.dumps(rows, option=orjson.OPT_INDENT_2) + b"\n")
        return
    if explain:
        _explain(rows)
        return
    table = Table("id", "date", "custodian", "subject / path", "score", "hits", title=f"{len(rows)} families")
    for row in rows:
        hits = ", ".join(f"{k} ×{v}" for k, v in list(row["hits"].items())[:4])
        table.add_row(str(row["id"]), row["date"] or "undated", row["custodian"], row["subject"] or row["path"],
                      f"{row['score']:.2f}", hits)  # fmt: skip
    out.print(table)


def _explain(rows: list[dict[str, Any]]) -> None:
    """One block per family: what it is, then every reason it is a hit and the words around the first hits."""
    out.print(f"{len(rows)} families", highlight=False)
    for row in rows:
        title = row["subject"] or row["path"]
        out.print(f"\n#{row['id']} {row['date'] or 'undated'} {row['custodian']}: {title} (score {row['score']:.2f})",
                  markup=False, highlight=False)  # fmt: skip
        for reason in row.get("reasons", []):
            out.print(f"  - {reason}", markup=False, highlight=False)
        for snippet in row["snippets"]:
            out.print(f"    “{snippet}”", markup=False, highlight=False)


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
    tagged = _service().records_tag(ids, tag, reviewer, basis=basis, note=note, family=family)
    out.print(f"{len(tagged)} documents tagged {tag}", highlight=False)


@records_app.command("produce")
def produce(
    out_dir: Annotated[Path, typer.Option("--out", help="New folder for the production volume.")],
    prefix: Annotated[str, typer.Option(help="Bates prefix, e.g. ABC.")],
    records_dir: RecordsDir = None,
) -> None:
    """Bates-number responsive, non-privileged families: natives, text, DAT, privilege log, exceptions."""
    report = _service().records_produce(out_dir, prefix, records_dir)
    span = f"{report.first}–{report.last}" if report.first else "nothing new to produce"
    out.print(
        f"{report.documents} documents produced ({span}), {report.withheld} withheld as privileged, "
        f"{report.exceptions} exceptions; volume in {report.out_dir}",
        highlight=False,
    )


@records_app.command("reindex")
def reindex() -> None:
    """Rebuild the full-text index from the stored text (it is derived data)."""
    out.print(f"{_service().records_reindex():,} documents indexed", highlight=False)


@records_app.command("exceptions")
def exceptions() -> None:
    """Every document or file that could not be (fully) read, and why (CSV)."""
    writer = csv.writer(sys.stdout, lineterminator="\n")
    writer.writerow(EXCEPTION_FIELDS)
    rows: list[Any] = _service().records_exceptions()
    writer.writerows(rows)
