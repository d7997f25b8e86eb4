"""``vendorscope records …``: ingest, search, tag, produce and list exceptions of documents."""

import sys
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

import typer

from vendorscope.cli.context import allow_new_store, service
from vendorscope.cli.output import Format, FormatOption, emit, error, say
from vendorscope.errors import VendorscopeError
from vendorscope.records.tags import TAGS
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
    ocr: Annotated[bool, typer.Option("--ocr", help="Read scanned PDFs and images with Tesseract.")] = False,
    ocr_languages: Annotated[
        str, typer.Option("--ocr-languages", help="Tesseract languages, '+'-separated.")
    ] = "eng+rus",
    follow_links: Annotated[
        bool, typer.Option("--follow-links", help="Read symbolic links that lead out of the folders given.")
    ] = False,
) -> None:
    """Ingest email (.eml, mbox, .msg, .pst), PDF, Office, images, HTML, text and ZIP; unreadable files are listed."""
    allow_new_store()
    report = service().records_ingest(
        paths,
        custodian,
        workers=workers,
        dask=dask,
        records_dir=records_dir,
        ocr=ocr,
        ocr_languages=ocr_languages,
        follow_links=follow_links,
    )
    _report_ingest(report)


def _report_ingest(report: Any) -> None:
    for path, reason in report.errors[:MAX_ERROR_LINES]:
        error(f"{path}: {reason}")
    if report.error_count > MAX_ERROR_LINES:
        error(f"… and {report.error_count - MAX_ERROR_LINES} more (vendorscope records exceptions)")
    say(
        f"{report.files} files ingested ({report.documents} new documents, {report.duplicates} duplicates), "
        f"{report.skipped} already in the store; {report.error_count} documents with errors; "
        f"{report.threads} threads, {report.near_duplicate_groups} near-duplicate groups"
    )
    if not report.ok:
        raise typer.Exit(2)


@records_app.command("ingest-export")
def ingest_export(
    root: Annotated[Path, typer.Argument(help="The export's folder.")],
    custodian: Annotated[str, typer.Option(help="Custodian of items the export does not attribute.")],
    kind: Annotated[str, typer.Option(help="auto, vault, purview, dat or folder.")] = "auto",
    custodian_from_folder: Annotated[
        bool, typer.Option("--custodian-from-folder", help="Folder trees: the first folder level is the custodian.")
    ] = False,
    workers: Annotated[int | None, typer.Option(min=1, help="Local worker processes [default: CPU count].")] = None,
    records_dir: RecordsDir = None,
    ocr: Annotated[bool, typer.Option("--ocr", help="Read scanned PDFs and images with Tesseract.")] = False,
) -> None:
    """Ingest a Google Vault, Purview or DAT export or a folder tree, keeping each item's custodian and path."""
    from vendorscope.records.exports import KINDS

    if kind not in KINDS:
        raise VendorscopeError(f"--kind {kind!r}: one of {', '.join(KINDS)}")
    allow_new_store()  # ingesting evidence may start the store
    report = service().records_ingest_export(
        root, kind, custodian, custodian_from_folder=custodian_from_folder, workers=workers,
        records_dir=records_dir, ocr=ocr,
    )  # fmt: skip
    _report_ingest(report)


@records_app.command("search")
def search(
    query: Annotated[str | None, typer.Argument(help='Words or "phrases", all required.')] = None,
    vendor: Annotated[str | None, typer.Option(help="Search for a vendor with its catalog's terms.")] = None,
    since: Annotated[str | None, typer.Option(help="From this date (family date: sent date, else file dates).")] = None,
    until: Annotated[str | None, typer.Option(help="Before this date.")] = None,
    custodian: Annotated[str | None, typer.Option(help="Only this custodian's documents.")] = None,
    limit: Annotated[int, typer.Option(min=0, help="Families to show; 0 for all.")] = 100,
    format: FormatOption = Format.table,
    explain: Annotated[
        bool, typer.Option("--explain", help="Say why each family is a hit: terms, documents, thread.")
    ] = False,
) -> None:
    """Responsive families, best first. Undated documents are listed (marked), never dropped by --since."""
    if bool(query) == bool(vendor):
        raise VendorscopeError("give either a QUERY or --vendor")
    from vendorscope.records.search import Filters

    filters = Filters(_date(since, "--since"), _date(until, "--until"), custodian, limit)
    svc = service()
    rows = svc.records_vendor_search(vendor, filters) if vendor else svc.records_search(query or "", filters)
    if explain and format is Format.table:
        _explain(rows)
        return

    def line(row: dict[str, Any]) -> list[str]:
        hits = ", ".join(f"{k} ×{v}" for k, v in list(row["hits"].items())[:4])
        subject = row["subject"] or row["path"]
        return [str(row["id"]), row["date"] or "undated", row["custodian"], subject, f"{row['score']:.2f}", hits]

    columns = list(rows[0]) if rows else ["id"]
    headers = ["id", "date", "custodian", "subject / path", "score", "hits"]
    emit(rows, columns, format, f"{len(rows)} families", line, headers)


def _explain(rows: list[dict[str, Any]]) -> None:
    """One block per family: what it is, then every reason it is a hit and the words around the first hits."""
    say(f"{len(rows)} families")
    for row in rows:
        title = row["subject"] or row["path"]
        say(f"\n#{row['id']} {row['date'] or 'undated'} {row['custodian']}: {title} (score {row['score']:.2f})")
        for reason in row.get("reasons", []):
            say(f"  - {reason}")
        for snippet in row["snippets"]:
            say(f"    “{snippet}”")


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
    digits: Annotated[int, typer.Option(min=4, max=12, help="Digits of the Bates number.")] = 9,
    volume: Annotated[str | None, typer.Option(help="Volume name [default: VOL001, VOL002… per prefix].")] = None,
    images: Annotated[str, typer.Option(help="Page images: pdf (one per document), tiff (300 dpi) or none.")] = "pdf",
    encoding: Annotated[str, typer.Option(help="DAT encoding, with its byte-order mark: utf-8 or utf-16.")] = "utf-8",
    confidentiality: Annotated[
        str, typer.Option(help="Legend stamped on every page and the CONFIDENTIALITY field.")
    ] = "CONFIDENTIAL",
) -> None:
    """Bates-stamped page images, OPT and DAT, natives, text, privilege log and exceptions of responsive families."""
    from vendorscope.records.produce import ProductionOptions

    options = ProductionOptions(digits, volume, images, encoding, confidentiality)
    report = service().records_produce(out_dir, prefix, records_dir, options=options)
    span = f"{report.first}–{report.last}" if report.first else "nothing new to produce"
    say(
        f"{report.documents} documents, {report.pages} pages produced ({span}) in {report.volume}, "
        f"{report.withheld} withheld as privileged, {report.exceptions} exceptions; volume in {report.out_dir}"
    )


@records_app.command("redact")
def redact(
    ids: Annotated[list[int], typer.Argument(help="Document ids.")],
    reason: Annotated[str, typer.Option(help="Shown on the redaction box, e.g. PII.")],
    reviewer: Annotated[str, typer.Option(help="Who decided.")],
    text: Annotated[str | None, typer.Option(help="Exact text to redact (every occurrence).")] = None,
    regex: Annotated[str | None, typer.Option(help="Regular expression to redact (every match).")] = None,
    span: Annotated[str | None, typer.Option(help="START:END character offsets of the extracted text.")] = None,
) -> None:
    """Mark text to redact in production: the images and text carry a box, the native is withheld."""
    given = [(kind, value) for kind, value in (("text", text), ("regex", regex), ("span", span)) if value]
    if len(given) != 1:
        raise VendorscopeError("give one of --text, --regex or --span")
    kind, value = given[0]
    marked = service().records_redact(ids, kind, value, reason, reviewer)
    say(f"{len(marked)} documents marked for redaction ({kind})")


@records_app.command("reindex")
def reindex() -> None:
    """Rebuild the full-text index from the stored text (it is derived data)."""
    say(f"{service().records_reindex():,} documents indexed")


@records_app.command("exceptions")
def exceptions() -> None:
    """Every document or file that could not be (fully) read, and why (CSV)."""
    from vendorscope.records.produce import EXCEPTION_FIELDS

    writer = SafeWriter(sys.stdout)
    writer.header(EXCEPTION_FIELDS)
    writer.writerows(service().records_exceptions())
