"""PDF text layer through PDFium (pypdfium2), with pypdf for what PDFium refuses and for OCR.

PDFium is C: it reads a text layer in about half pypdf's CPU (pypdf was a fifth of the records extraction
with PDFs in 7 % of the mail), with the same text on the benchmark corpus's PDFs. A file PDFium cannot
open (a password, a broken structure) or any PDFium error goes to pypdf, which says why it cannot be read
(encrypted, corrupt) or reads what it can; OCR (``records ingest --ocr``) takes pypdf's page images.
Encrypted or corrupt files get an error; scanned pages have no text (said so).
"""

from __future__ import annotations

import re
import threading
from datetime import datetime
from io import BytesIO
from typing import Any

from vendorscope.records.extract.base import CONTENT, NAME, NO, DocumentFormat, extension
from vendorscope.records.extract.email import naive_utc
from vendorscope.records.model import Doc, Limits

MAX_PAGES = 5000
_PDFIUM = threading.Lock()  # PDFium is not thread-safe; extraction may run in threads (the web app's ingest)


def extract_pdf(data: bytes, filename: str, limits: Limits, depth: int) -> list[Doc]:
    if not limits.ocr:
        doc = _with_pdfium(data, filename)
        if doc is not None:
            return [doc]
    return _with_pypdf(data, filename, limits)


def _with_pdfium(data: bytes, filename: str) -> Doc | None:
    """The text layer and dates by PDFium, or None for anything it refuses (pypdf then reads or explains)."""
    import pypdfium2

    doc = Doc(filename, "pdf", data)
    with _PDFIUM:
        try:
            pdf = pypdfium2.PdfDocument(data)
        except pypdfium2.PdfiumError:
            return None
        try:
            pages = []
            for number in range(min(len(pdf), MAX_PAGES)):
                page = pdf[number]
                textpage = page.get_textpage()
                pages.append(textpage.get_text_range().replace("\r\n", "\n"))
                textpage.close()
                page.close()
            meta = pdf.get_metadata_dict()
        except (pypdfium2.PdfiumError, ValueError, IndexError, AssertionError):
            return None
        finally:
            pdf.close()
    doc.text = "\n\f".join(pages)
    doc.created_at = pdf_date(meta.get("CreationDate"))
    doc.modified_at = pdf_date(meta.get("ModDate"))
    if meta.get("Title"):
        doc.subject = meta["Title"][:1000]
    if not doc.text.strip():
        doc.error = "no text layer (scanned? records ingest --ocr reads it)"
    return doc


def _with_pypdf(data: bytes, filename: str, limits: Limits) -> list[Doc]:
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
                pages.append("")
        if limits.ocr and any(not p.strip() for p in pages):
            pages = _ocr_pages(reader, pages, limits, doc)
        doc.text = "\n\f".join(pages)
        _dates(reader, doc)
    except (PyPdfError, ValueError, KeyError, TypeError, OSError) as exc:
        doc.error = f"corrupt PDF: {type(exc).__name__}: {exc}"
        return [doc]
    if not doc.text.strip() and not doc.error:
        doc.error = "no text layer (scanned? records ingest --ocr reads it)" if not limits.ocr else "no text found"
    return [doc]


def _ocr_pages(reader: Any, pages: list[str], limits: Limits, doc: Doc) -> list[str]:
    """Pages without a text layer read by OCR from their images (a scan is one image a page); the text of
    pages that had one is kept as it is. The document is marked as having OCR text."""
    from vendorscope.records.extract.ocr import ocr_images

    out = list(pages)
    empty = [n for n, text in enumerate(pages) if not text.strip()][: limits.max_ocr_pages]
    for number in empty:
        try:
            images = [item.image for item in reader.pages[number].images]
        except Exception as exc:  # an undecodable image: say so, keep going
            doc.add_error(f"page {number + 1}: image not readable for OCR: {type(exc).__name__}")
            continue
        if not images:
            continue
        text, note = ocr_images(images, limits)
        if note:
            doc.add_error(note)
            if not text:
                break  # Tesseract or its languages are missing: the same for every page
        out[number] = text
        doc.ocr = doc.ocr or bool(text.strip())
    skipped = len([n for n, text in enumerate(pages) if not text.strip()]) - len(empty)
    if skipped > 0:
        doc.add_error(f"OCR read the first {limits.max_ocr_pages} pages without text; {skipped} more were not read")
    return out


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


FORMAT = DocumentFormat(
    "pdf", identify, extract_pdf, description="PDF (text layer; OCR for scans)", extensions=(".pdf",)
)
