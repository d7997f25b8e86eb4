"""Production: Bates-numbered natives and text, a Concordance DAT, a privilege log and an exceptions report.

Every member of a family with a responsive document is produced, except privileged members, which are
withheld and logged. Numbers continue after earlier productions with the same prefix, and documents already
produced are not produced again. The volume is written to ``DIR.partial`` and renamed when complete; the
database records it only then, so a failed production leaves nothing behind.
"""

from __future__ import annotations

import csv
import io
import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path, PurePath
from typing import Any

from sqlalchemy import Connection, func, or_, select

from vendorscope.errors import VendorscopeError
from vendorscope.records.review import current_tags
from vendorscope.records.store import Originals
from vendorscope.store.tables import RecordBates, RecordDocument, RecordFile, RecordLocation, RecordProduction

QUOTE = "\u00fe"  # þ
DELIMITER = "\x14"  # ASCII 20
NEWLINE_IN_FIELD = "\u00ae"  # ®, Concordance's stand-in for a line break inside a field
DAT_FIELDS = [
    "BEGBATES",
    "ENDBATES",
    "BEGATTACH",
    "ENDATTACH",
    "CUSTODIAN",
    "ALL_CUSTODIANS",
    "FROM",
    "TO",
    "CC",
    "BCC",
    "SUBJECT",
    "DATESENT",
    "FILENAME",
    "MD5HASH",
    "NATIVEPATH",
    "TEXTPATH",
]
PRIVILEGE_FIELDS = ["DOCID", "DATE", "TYPE", "AUTHOR", "RECIPIENTS", "DESCRIPTION", "PRIVILEGE_BASIS"]
EXCEPTION_FIELDS = ["DOCID", "CUSTODIAN", "PATH", "FORMAT", "SHA256", "ERROR"]
_EXTENSIONS = {"email": ".eml", "msg": ".msg", "pdf": ".pdf", "docx": ".docx", "xlsx": ".xlsx", "pptx": ".pptx"}
_TYPES = {"email": "Email", "msg": "Email", "pdf": "PDF", "docx": "Word document", "xlsx": "Spreadsheet"}


@dataclass
class ProductionReport:
    out_dir: str
    first: str | None
    last: str | None
    documents: int
    withheld: int
    exceptions: int


def produce(
    conn: Connection, originals: Originals, out_dir: Path, prefix: str, digits: int = 7, cumulative: bool = False
) -> ProductionReport:
    """Write a production volume of the responsive, non-privileged families; privileged ones are logged.

    By default a volume holds what was never produced (productions follow one another, numbers continue).
    ``cumulative`` writes every responsive family so far, each under its permanent Bates number for this
    prefix, numbering only what was never produced: rebuilding a response from the same store writes the
    same volume.
    """
    if not prefix.replace("-", "").replace("_", "").isalnum():
        raise VendorscopeError(f"Bates prefix {prefix!r} must be letters, digits, '-' or '_'")
    if out_dir.exists() and any(out_dir.iterdir()):
        raise VendorscopeError(f"{out_dir}: the production folder exists and is not empty")
    tags = current_tags(conn)
    docs, withheld = _select(conn, tags, include_produced=cumulative)
    known = _numbers(conn, prefix, [d.id for d in docs]) if cumulative else {}
    start = (conn.execute(select(func.max(RecordBates.number)).where(RecordBates.prefix == prefix)).scalar() or 0) + 1
    fresh = [d for d in docs if d.id not in known]
    numbers = {doc.id: start + n for n, doc in enumerate(fresh)}
    every = known | numbers
    docs = sorted(docs, key=lambda d: every[d.id])
    bates = {doc_id: f"{prefix}{number:0{digits}d}" for doc_id, number in every.items()}
    partial = out_dir.with_name(out_dir.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    try:
        exceptions = _write_volume(conn, originals, partial, docs, withheld, bates, tags)
        if numbers or not cumulative:
            _record(conn, prefix, numbers, len(withheld), out_dir, start)  # committed by the caller after the rename
        if out_dir.exists():
            out_dir.rmdir()
        partial.rename(out_dir)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    ordered = [bates[d.id] for d in docs]
    return ProductionReport(
        str(out_dir),
        ordered[0] if ordered else None,
        ordered[-1] if ordered else None,
        len(docs),
        len(withheld),
        exceptions,
    )


def _numbers(conn: Connection, prefix: str, doc_ids: list[int]) -> dict[int, int]:
    """Bates numbers these documents already have under this prefix."""
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
    produced = set() if include_produced else set(conn.execute(select(RecordBates.document_id)).scalars())
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


def _write_volume(
    conn: Connection,
    originals: Originals,
    root: Path,
    docs: Sequence[Any],
    withheld: Sequence[Any],
    bates: dict[int, str],
    tags: dict[int, tuple[str, str | None]],
) -> int:
    for folder in ("NATIVES", "TEXT", "DATA"):
        (root / folder).mkdir(parents=True)
    custodians = _custodians(conn, [d.id for d in docs])
    family_range: dict[int, tuple[str, str]] = {}
    for doc in docs:
        first, _ = family_range.get(doc.family_id, (bates[doc.id], bates[doc.id]))
        family_range[doc.family_id] = (first, bates[doc.id])
    lines = [dat_line(DAT_FIELDS)]
    for doc in docs:
        number = bates[doc.id]
        native = f"NATIVES/{number}{_extension(doc)}"
        (root / native).write_bytes(originals.get(doc.sha256) if doc.size else b"")
        (root / f"TEXT/{number}.txt").write_text(doc.text, encoding="utf-8")
        begin, end = family_range[doc.family_id]
        lines.append(dat_line(_dat_values(doc, number, begin, end, custodians.get(doc.id, []), native)))
    (root / "DATA" / "loadfile.dat").write_bytes("".join(lines).encode("utf-8"))
    (root / "DATA" / "privilege_log.csv").write_bytes(privilege_log(withheld, tags))
    rows = exception_rows(conn)
    (root / "DATA" / "exceptions.csv").write_bytes(_csv(EXCEPTION_FIELDS, rows))
    return len(rows)


def _dat_values(doc: Any, number: str, begin: str, end: str, custodians: list[str], native: str) -> list[str]:
    return [
        number, number, begin, end, doc.custodian, "; ".join(custodians or [doc.custodian]),
        doc.from_addr or "", doc.to_addrs or "", doc.cc_addrs or "", doc.bcc_addrs or "", doc.subject or "",
        doc.sent_at.strftime("%Y-%m-%d %H:%M:%S") if doc.sent_at else "", doc.filename, doc.md5,
        native.replace("/", "\\"), f"TEXT\\{number}.txt",
    ]  # fmt: skip


def dat_line(values: Sequence[str]) -> str:
    """One Concordance line: each value between þ, separated by ASCII 20, CRLF at the end."""
    return DELIMITER.join(f"{QUOTE}{_dat_value(v)}{QUOTE}" for v in values) + "\r\n"


def _dat_value(value: str) -> str:
    clean = value.replace(QUOTE, "").replace(DELIMITER, " ")
    return clean.replace("\r\n", NEWLINE_IN_FIELD).replace("\n", NEWLINE_IN_FIELD).replace("\r", NEWLINE_IN_FIELD)


def privilege_log(withheld: Sequence[Any], tags: dict[int, tuple[str, str | None]]) -> bytes:
    rows = []
    for doc in withheld:
        recipients = "; ".join(v for v in (doc.to_addrs, doc.cc_addrs, doc.bcc_addrs) if v)
        kind = _TYPES.get(doc.format, "Document")
        description = f"{kind} {'sent' if doc.sent_at else 'dated'} {_day(doc.doc_date)}, withheld as privileged"
        rows.append([str(doc.id), _day(doc.doc_date), kind, doc.from_addr or "", recipients, description,
                     tags[doc.id][1] or ""])  # fmt: skip
    return _csv(PRIVILEGE_FIELDS, rows)


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


def _day(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d") if value else ""


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


def _record(conn: Connection, prefix: str, numbers: dict[int, int], withheld: int, out_dir: Path, start: int) -> None:
    now = datetime.now(UTC).replace(tzinfo=None)
    production_id = conn.execute(
        RecordProduction.__table__.insert().values(
            prefix=prefix, first_number=start, last_number=start + len(numbers) - 1, documents=len(numbers),
            withheld=withheld, out_dir=str(out_dir), produced_at=now,
        )
    ).inserted_primary_key[0]  # fmt: skip
    if numbers:
        conn.execute(
            RecordBates.__table__.insert(),
            [
                {"production_id": production_id, "document_id": d, "prefix": prefix, "number": n}
                for d, n in numbers.items()
            ],
        )
