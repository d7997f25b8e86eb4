"""Production to review-platform convention: Bates-stamped page images with an OPT image load file, natives,
text, a Concordance DAT, a privilege log keyed to PRIV numbers, and an exceptions report.

Every member of a family with a responsive document is produced, except privileged members, which are
withheld and logged. Each page has a Bates number (``PREFIX000000001``, digits configurable); a document's
BEGBATES/ENDBATES span its pages. Numbers continue across volumes (``VOL001``, ``VOL002``…) with the same
prefix, and a document already produced is not produced again. Redacted documents carry the redaction in
their images and text and their native is withheld. The volume is written to ``DIR.partial`` and renamed
when complete; the database records it only then, so a failed production leaves nothing behind.
"""

from __future__ import annotations

import csv
import io
import shutil
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path, PurePath
from typing import Any

from sqlalchemy import Connection, func, not_, or_, select

from vendorscope.errors import VendorscopeError
from vendorscope.records import imaging, privlog, redact
from vendorscope.records.loadfile import ENCODINGS, OptLine, dat_bytes, dat_line, opt_bytes
from vendorscope.records.review import current_tags
from vendorscope.records.store import Originals
from vendorscope.store.tables import (
    RecordBates,
    RecordDocument,
    RecordFile,
    RecordLocation,
    RecordProduction,
    RecordReview,
)

__all__ = ["DAT_FIELDS", "EXCEPTION_FIELDS", "ProductionOptions", "ProductionReport", "dat_line", "produce"]

DAT_FIELDS = [
    "BEGBATES", "ENDBATES", "BEGATTACH", "ENDATTACH", "PARENTBATES", "CUSTODIAN", "ALLCUSTODIANS", "FROM", "TO",
    "CC", "BCC", "SUBJECT", "DATESENT", "DATERCVD", "FILENAME", "FILEEXT", "PAGECOUNT", "MD5HASH", "SHA256",
    "PRODVOL", "CONFIDENTIALITY", "REDACTED", "NATIVELINK", "TEXTLINK", "TEXTSOURCE",
]  # fmt: skip
EXCEPTION_FIELDS = ["DOCID", "CUSTODIAN", "PATH", "FORMAT", "SHA256", "ERROR"]
PRIV = "PRIV:"  # record_bates prefix of privilege-log numbers: PRIV:ABC
IMAGE_KINDS = ("pdf", "tiff", "none")
_EXTENSIONS = {"email": ".eml", "msg": ".msg", "pdf": ".pdf", "docx": ".docx", "xlsx": ".xlsx", "pptx": ".pptx"}


@dataclass(frozen=True)
class ProductionOptions:
    digits: int = 9
    volume: str | None = None  # VOL001… after the earlier volumes of the prefix
    images: str = "pdf"  # one PDF per document, "tiff" (single-page, 300 dpi) or "none"
    encoding: str = "utf-8"  # of the DAT, with its byte-order mark; or "utf-16"
    confidentiality: str = "CONFIDENTIAL"  # the legend on every page and the CONFIDENTIALITY field


@dataclass
class ProductionReport:
    out_dir: str
    first: str | None
    last: str | None
    documents: int
    withheld: int
    exceptions: int
    pages: int = 0
    volume: str = ""
    listing: list[dict[str, str]] = field(default_factory=list)  # produced documents, for the package


@dataclass
class _Produced:
    doc: Any
    begin: int
    pages: int
    rendered: imaging.Rendered
    text: str
    redacted: bool


def produce(
    conn: Connection,
    originals: Originals,
    out_dir: Path,
    prefix: str,
    digits: int = 9,
    cumulative: bool = False,
    options: ProductionOptions | None = None,
) -> ProductionReport:
    """Write a production volume of the responsive, non-privileged families; privileged ones are logged.

    By default a volume holds what was never produced (productions follow one another, numbers continue).
    ``cumulative`` writes every responsive family so far, each under its permanent Bates number for this
    prefix, numbering only what was never produced: rebuilding a response from the same store writes the
    same volume.
    """
    options = options or ProductionOptions(digits=digits)
    _check(prefix, out_dir, options)
    tags = current_tags(conn)
    docs, withheld = _select(conn, tags, include_produced=cumulative)
    known = _numbers(conn, prefix, [d.id for d in docs]) if cumulative else {}
    start = _next_number(conn, prefix)
    volume = options.volume or _next_volume(conn, prefix, cumulative)
    marks = redact.marked(conn, [d.id for d in docs])
    produced = _number(originals, docs, known, start, marks, prefix, options)
    priv_ids, new_priv = _priv_numbers(conn, prefix, withheld)
    partial = out_dir.with_name(out_dir.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    try:
        exceptions = _write_volume(conn, originals, partial, produced, withheld, priv_ids, prefix, volume, options)
        fresh = {p.doc.id: (p.begin, p.pages) for p in produced if p.doc.id not in known}
        if fresh or new_priv or not cumulative:
            _record(conn, prefix, fresh, new_priv, len(withheld), out_dir, start, volume)
        if out_dir.exists():
            out_dir.rmdir()
        partial.rename(out_dir)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    return _report(out_dir, produced, withheld, exceptions, prefix, volume, options)


def _check(prefix: str, out_dir: Path, options: ProductionOptions) -> None:
    if not prefix.replace("-", "").replace("_", "").isalnum():
        raise VendorscopeError(f"Bates prefix {prefix!r} must be letters, digits, '-' or '_'")
    if not 4 <= options.digits <= 12:
        raise VendorscopeError(f"--digits {options.digits}: between 4 and 12")
    if options.images not in IMAGE_KINDS:
        raise VendorscopeError(f"--images {options.images!r}: one of {', '.join(IMAGE_KINDS)}")
    if options.encoding not in ENCODINGS:
        raise VendorscopeError(f"--encoding {options.encoding!r}: one of {', '.join(ENCODINGS)}")
    if options.volume is not None and not options.volume.replace("_", "").replace("-", "").isalnum():
        raise VendorscopeError(f"--volume {options.volume!r}: letters, digits, '-' or '_'")
    if out_dir.exists() and any(out_dir.iterdir()):
        raise VendorscopeError(f"{out_dir}: the production folder exists and is not empty")


def _next_number(conn: Connection, prefix: str) -> int:
    last = conn.execute(
        select(func.max(RecordBates.number + RecordBates.pages - 1)).where(RecordBates.prefix == prefix)
    ).scalar()
    return (last or 0) + 1


def _next_volume(conn: Connection, prefix: str, cumulative: bool) -> str:
    if cumulative:
        return "VOL001"
    count = conn.execute(select(func.count()).select_from(RecordProduction).where(RecordProduction.prefix == prefix))
    return f"VOL{(count.scalar() or 0) + 1:03d}"


def _numbers(conn: Connection, prefix: str, doc_ids: list[int]) -> dict[int, int]:
    """First-page Bates numbers these documents already have under this prefix."""
    rows = conn.execute(
        select(RecordBates.document_id, RecordBates.number).where(
            RecordBates.prefix == prefix, RecordBates.document_id.in_(doc_ids)
        )
    )
    return dict(rows.all())


def planned(conn: Connection) -> tuple[int, int]:
    """(documents produced, documents withheld) a cumulative production would hold now; writes nothing."""
    docs, withheld = _select(conn, current_tags(conn), include_produced=True)
    return len(docs), len(withheld)


def _select(
    conn: Connection, tags: dict[int, tuple[str, str | None]], include_produced: bool = False
) -> tuple[list[Any], list[Any]]:
    """Documents to produce (family order) and privileged documents withheld."""
    responsive = {i for i, (t, _) in tags.items() if t == "responsive"}
    privileged = {i for i, (t, _) in tags.items() if t == "privileged"}
    families = set(conn.execute(select(RecordDocument.family_id).where(RecordDocument.id.in_(responsive))).scalars())
    produced: set[int] = set()
    if not include_produced:
        numbered = select(RecordBates.document_id).where(not_(RecordBates.prefix.startswith(PRIV)))
        produced = set(conn.execute(numbered).scalars())
    members = conn.execute(
        select(RecordDocument).where(or_(RecordDocument.family_id.in_(families), RecordDocument.id.in_(privileged)))
    ).all()
    tops = {d.id: d for d in members if d.parent_id is None}

    def order(doc: Any) -> tuple[Any, ...]:
        top = tops.get(doc.family_id, doc)
        return (top.doc_date is None, top.doc_date or datetime.min, doc.family_id, doc.id)

    members = sorted(members, key=order)
    docs = [d for d in members if d.family_id in families and d.id not in privileged and d.id not in produced]
    withheld = [d for d in members if d.id in privileged]
    return docs, withheld


def _number(
    originals: Originals,
    docs: Sequence[Any],
    known: dict[int, int],
    start: int,
    marks: dict[int, list[tuple[str, str, str]]],
    prefix: str,
    options: ProductionOptions,
) -> list[_Produced]:
    """Render each document and give its pages their numbers: known ones keep theirs, new ones follow on."""
    out = []
    number = start
    ordered = sorted(docs, key=lambda d: (d.id not in known, known.get(d.id, 0)))
    for doc in ordered:
        begin = known.get(doc.id, number)
        spans = redact.spans(doc.text, marks.get(doc.id, []))
        rendered = _render(originals, doc, spans, begin, prefix, options)
        out.append(_Produced(doc, begin, rendered.pages, rendered, redact.apply(doc.text, spans), bool(spans)))
        if doc.id not in known:
            number = begin + rendered.pages
    return sorted(out, key=lambda p: p.begin)


def _render(
    originals: Originals, doc: Any, spans: list[redact.Span], begin: int, prefix: str, options: ProductionOptions
) -> imaging.Rendered:
    """The document's page images; a native PDF keeps its pages and an image is the page, unless redacted."""
    legend, digits = options.confidentiality, options.digits
    if options.images == "pdf" and not spans and doc.size and doc.format in ("pdf", "image"):
        try:
            data = originals.get(doc.sha256)
            if doc.format == "pdf":
                pdf, pages = imaging.stamp_native_pdf(data, begin, prefix, digits, legend)
                return imaging.Rendered(pages, pdf=pdf)
            return imaging.Rendered(1, pdf=imaging.image_page_pdf(data, f"{prefix}{begin:0{digits}d}", legend))
        except Exception:  # a native that cannot be drawn (encrypted, corrupt) is rendered from its text below
            pass
    pages = imaging.layout(imaging.header_lines(doc), imaging.segments(doc.text, spans))
    stamps = [f"{prefix}{begin + n:0{digits}d}" for n in range(len(pages))]
    if options.images == "tiff":
        return imaging.Rendered(len(pages), tiffs=imaging.render_tiffs(pages, stamps, legend))
    if options.images == "pdf":
        return imaging.Rendered(len(pages), pdf=imaging.render_pdf(pages, stamps, legend))
    return imaging.Rendered(len(pages))


def _priv_numbers(conn: Connection, prefix: str, withheld: Sequence[Any]) -> tuple[dict[int, str], dict[int, int]]:
    """PRIV ids of the withheld documents (``ABC-PRIV-000001``): kept once given, new ones continue."""
    key = PRIV + prefix
    rows = conn.execute(select(RecordBates.document_id, RecordBates.number).where(RecordBates.prefix == key))
    known = dict(rows.all())
    last = max(known.values(), default=0)
    new: dict[int, int] = {}
    for doc in withheld:
        if doc.id not in known:
            last += 1
            new[doc.id] = last
    return {d: f"{prefix}-PRIV-{n:06d}" for d, n in (known | new).items()}, new


def _write_volume(
    conn: Connection,
    originals: Originals,
    root: Path,
    produced: Sequence[_Produced],
    withheld: Sequence[Any],
    priv_ids: dict[int, str],
    prefix: str,
    volume: str,
    options: ProductionOptions,
) -> int:
    for folder in ("NATIVES", "TEXT", "IMAGES", "DATA"):
        (root / folder).mkdir(parents=True)
    custodians = _custodians(conn, [p.doc.id for p in produced])
    bates = _bates(produced, prefix, options.digits)
    families: dict[int, tuple[str, str]] = {}
    for item in produced:
        first, _ = families.get(item.doc.family_id, bates[item.doc.id])
        families[item.doc.family_id] = (first, bates[item.doc.id][1])
    rows, opt = [], []
    for item in produced:
        begin, end = bates[item.doc.id]
        native = "" if item.redacted else f"NATIVES/{begin}{_extension(item.doc)}"
        if native:
            (root / native).write_bytes(originals.get(item.doc.sha256) if item.doc.size else b"")
        (root / f"TEXT/{begin}.txt").write_text(item.text, encoding="utf-8")
        opt.extend(_images(root, item, begin, prefix, volume, options))
        parent = bates.get(item.doc.parent_id, ("", ""))[0] if item.doc.parent_id else ""
        links = (native, f"TEXT/{begin}.txt")
        rows.append(_dat_values(item, (begin, end), families[item.doc.family_id], parent, custodians, links, volume,
                                options))  # fmt: skip
    (root / "DATA" / "loadfile.dat").write_bytes(dat_bytes(DAT_FIELDS, rows, options.encoding))
    if options.images != "none":
        (root / "DATA" / "loadfile.opt").write_bytes(opt_bytes(opt))
    decisions = _privilege_decisions(conn, [d.id for d in withheld])
    family_bates = {f: f"{a}-{b}" if a != b else a for f, (a, b) in families.items()}
    log = privlog.log_rows(withheld, decisions, priv_ids, family_bates)
    (root / "DATA" / "privilege_log.csv").write_bytes(privlog.log_bytes(log))
    exceptions = exception_rows(conn)
    (root / "DATA" / "exceptions.csv").write_bytes(_csv(EXCEPTION_FIELDS, exceptions))
    return len(exceptions)


def _bates(produced: Sequence[_Produced], prefix: str, digits: int) -> dict[int, tuple[str, str]]:
    return {
        p.doc.id: (f"{prefix}{p.begin:0{digits}d}", f"{prefix}{p.begin + p.pages - 1:0{digits}d}") for p in produced
    }


def _images(
    root: Path, item: _Produced, begin: str, prefix: str, volume: str, options: ProductionOptions
) -> list[OptLine]:
    """Write the document's page images; their OPT lines (one a page, the document break on the first)."""
    rendered, digits = item.rendered, options.digits
    numbers = [f"{prefix}{item.begin + n:0{digits}d}" for n in range(item.pages)]
    if options.images == "pdf" and rendered.pdf is not None:
        path = f"IMAGES/{begin}.pdf"
        (root / path).write_bytes(rendered.pdf)
        paths = [path] * item.pages
    elif options.images == "tiff":
        paths = [f"IMAGES/{number}.tif" for number in numbers]
        for path, data in zip(paths, rendered.tiffs, strict=True):
            (root / path).write_bytes(data)
    else:
        return []
    return [
        OptLine(number, volume, path.replace("/", "\\"), n == 0, item.pages if n == 0 else None)
        for n, (number, path) in enumerate(zip(numbers, paths, strict=True))
    ]


def _dat_values(
    item: _Produced,
    bates: tuple[str, str],
    family: tuple[str, str],
    parent: str,
    custodians: dict[int, list[str]],
    links: tuple[str, str],
    volume: str,
    options: ProductionOptions,
) -> list[str]:
    doc = item.doc
    native, text = links
    return [
        bates[0], bates[1], family[0], family[1], parent, doc.custodian,
        "; ".join(custodians.get(doc.id) or [doc.custodian]), doc.from_addr or "", doc.to_addrs or "",
        doc.cc_addrs or "", doc.bcc_addrs or "", doc.subject or "",
        doc.sent_at.strftime("%Y-%m-%d %H:%M:%S") if doc.sent_at else "", "", doc.filename,
        _extension(doc).lstrip("."), str(item.pages), doc.md5, doc.sha256, volume, options.confidentiality,
        "Y" if item.redacted else "N", native.replace("/", "\\"), text.replace("/", "\\"),
        "OCR" if doc.text_source == "ocr" else "NATIVE",
    ]  # fmt: skip


def _privilege_decisions(conn: Connection, ids: list[int]) -> dict[int, tuple[str, str | None, str | None, str]]:
    """The newest decision of each withheld document: (tag, basis, note, reviewer)."""
    newest = (
        select(RecordReview.document_id, func.max(RecordReview.id).label("last"))
        .where(RecordReview.document_id.in_(ids))
        .group_by(RecordReview.document_id)
        .subquery()
    )
    rows = conn.execute(
        select(
            RecordReview.document_id, RecordReview.tag, RecordReview.basis, RecordReview.note, RecordReview.reviewer
        ).join(newest, RecordReview.id == newest.c.last)
    )
    return {r[0]: (r[1], r[2], r[3], r[4]) for r in rows}


def exception_rows(conn: Connection) -> list[list[str]]:
    """Every document and file that could not be (fully) read, and why."""
    rows = [
        [str(d.id), d.custodian, d.path, d.format, d.sha256, d.error]
        for d in conn.execute(
            select(RecordDocument).where(RecordDocument.error.is_not(None)).order_by(RecordDocument.id)
        )
    ]
    for f in conn.execute(select(RecordFile).where(RecordFile.error.is_not(None)).order_by(RecordFile.id)):
        rows.append(["", f.custodian, f.path, "", f.sha256, f.error])
    return rows


def _csv(header: list[str], rows: list[list[str]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def _extension(doc: Any) -> str:
    suffix = PurePath(doc.filename).suffix.lower()
    if suffix and len(suffix) <= 6 and suffix[1:].isalnum():
        return suffix
    return _EXTENSIONS.get(doc.format, ".bin")


def _custodians(conn: Connection, ids: list[int]) -> dict[int, list[str]]:
    out: dict[int, set[str]] = {}
    for chunk in range(0, len(ids), 500):
        rows = conn.execute(
            select(RecordLocation.document_id, RecordLocation.custodian).where(
                RecordLocation.document_id.in_(ids[chunk : chunk + 500])
            )
        )
        for doc_id, custodian in rows:
            out.setdefault(doc_id, set()).add(custodian)
    return {k: sorted(v) for k, v in out.items()}


def _record(
    conn: Connection,
    prefix: str,
    numbers: dict[int, tuple[int, int]],
    priv: dict[int, int],
    withheld: int,
    out_dir: Path,
    start: int,
    volume: str,
) -> None:
    now = datetime.now(UTC).replace(tzinfo=None)
    last = max((begin + pages - 1 for begin, pages in numbers.values()), default=start - 1)
    production_id = conn.execute(
        RecordProduction.__table__.insert().values(
            prefix=prefix, first_number=start, last_number=last, documents=len(numbers), withheld=withheld,
            out_dir=str(out_dir), produced_at=now, volume=volume,
        )
    ).inserted_primary_key[0]  # fmt: skip
    rows = [
        {"production_id": production_id, "document_id": d, "prefix": prefix, "number": begin, "pages": pages}
        for d, (begin, pages) in numbers.items()
    ]
    rows += [
        {"production_id": production_id, "document_id": d, "prefix": PRIV + prefix, "number": n, "pages": 1}
        for d, n in priv.items()
    ]
    if rows:
        conn.execute(RecordBates.__table__.insert(), rows)


def _report(
    out_dir: Path,
    produced: Sequence[_Produced],
    withheld: Sequence[Any],
    exceptions: int,
    prefix: str,
    volume: str,
    options: ProductionOptions,
) -> ProductionReport:
    bates = _bates(produced, prefix, options.digits)
    listing = [
        {
            "bates": f"{bates[p.doc.id][0]}–{bates[p.doc.id][1]}" if p.pages > 1 else bates[p.doc.id][0],
            "date": p.doc.doc_date.strftime("%Y-%m-%d") if p.doc.doc_date else "undated",
            "custodian": p.doc.custodian,
            "subject": p.doc.subject or p.doc.filename,
        }
        for p in produced
    ]
    first = bates[produced[0].doc.id][0] if produced else None
    last = bates[produced[-1].doc.id][1] if produced else None
    pages = sum(p.pages for p in produced)
    return ProductionReport(str(out_dir), first, last, len(produced), len(withheld), exceptions, pages, volume, listing)
