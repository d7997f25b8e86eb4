"""PDF text layer through pypdf. Encrypted or corrupt files get an error; scanned pages have no text (said so)."""

from __future__ import annotations

import re
from datetime import datetime
from io import BytesIO

from vendorscope.records.extract.base import CONTENT, NAME, NO, DocumentFormat, extension
from vendorscope.records.extract.email import naive_utc
from vendorscope.records.model import Doc, Limits

MAX_PAGES = 5000


def extract_pdf(data: bytes, filename: str, limits: Limits, depth: int) -> list[Doc]:
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    doc = Doc(filename, "pdf", data)
    try:
        reader = PdfReader(BytesIO(data), strict=False)
        if reader.is_encrypted:
            try:
                if not reader.decrypt(""):
                    doc.error = "encrypted PDF: a password is needed"
                    return [doc]
            except (PyPdfError, NotImplementedError) as exc:
                doc.error = f"encrypted PDF: {exc}"
                return [doc]
        pages = []
        for number, page in enumerate(reader.pages[:MAX_PAGES], 1):
            try:
                pages.append(page.extract_text() or "")
            except Exception as exc:  # one bad page must not lose the others
                doc.add_error(f"page {number}: {type(exc).__name__}")
        doc.text = "\n\f".join(pages)
        _dates(reader, doc)
    except (PyPdfError, ValueError, KeyError, TypeError, OSError) as exc:
        doc.error = f"corrupt PDF: {type(exc).__name__}: {exc}"
        return [doc]
    if not doc.text.strip() and not doc.error:
        doc.error = "no text layer (scanned? needs OCR)"
    return [doc]


def _dates(reader: object, doc: Doc) -> None:
    try:
        meta = reader.metadata  # type: ignore[attr-defined]
    except Exception:
        return
    if not meta:
        return
    doc.created_at = pdf_date(meta.get("/CreationDate"))
    doc.modified_at = pdf_date(meta.get("/ModDate"))
    title = meta.get("/Title")
    if title:
        doc.subject = str(title)[:1000]


_PDF_DATE = re.compile(r"D?:?(\d{4})(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\d{2})?([Zz+\-])?(\d{2})?'?(\d{2})?")


def pdf_date(value: object) -> datetime | None:
    """``D:YYYYMMDDHHmmSS+HH'mm'`` to naive UTC; anything unreadable is None."""
    if not value:
        return None
    match = _PDF_DATE.match(str(value).strip())
    if not match:
        return None
    y, mo, d, h, mi, s, sign, tzh, tzm = match.groups()
    try:
        stamp = datetime(int(y), int(mo or 1), int(d or 1), int(h or 0), int(mi or 0), int(s or 0))
    except ValueError:
        return None
    if sign in ("+", "-") and tzh:
        from datetime import timedelta, timezone

        offset = timedelta(hours=int(tzh), minutes=int(tzm or 0))
        stamp = stamp.replace(tzinfo=timezone(offset if sign == "+" else -offset))
    return naive_utc(stamp)


def identify(head: bytes, name: str) -> int:
    if head[:1024].lstrip(b"\x00\r\n\t ").startswith(b"%PDF") or b"%PDF-" in head[:1024]:
        return CONTENT
    return NAME if extension(name) == ".pdf" else NO


FORMAT = DocumentFormat("pdf", identify, extract_pdf, description="PDF (text layer; OCR for scans)")
