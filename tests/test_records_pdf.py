"""PDF text by PDFium, pypdf for what PDFium refuses: the same text, dates and title as pypdf gave, and the
same errors for encrypted, corrupt and scanned files."""

from __future__ import annotations

import io
import random
from datetime import datetime

import pytest

from tests.records_corpus import encrypted_pdf_bytes, pdf_bytes
from vendorscope.records.extract import extract, pdf
from vendorscope.records.model import Doc, Limits

WORDS = ["budget", "Kaspersky", "KES", "klnagent.exe", "report", "audit", "(parenthesised)", "back\\slash", "Dr.Web"]


def texts(count: int) -> list[str]:
    """Texts like the records benchmark's PDF attachments: several lines of words in one text object."""
    rng = random.Random(7)
    return ["\n".join(" ".join(rng.choice(WORDS) for _ in range(12)) for _ in range(6)) for _ in range(count)]


def two_pages() -> bytes:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    for text in ("first page Kaspersky", "second page KES"):
        writer.append(PdfReader(io.BytesIO(pdf_bytes(text))))
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def fields(doc: Doc) -> tuple[object, ...]:
    return (doc.format, doc.text, doc.error, doc.created_at, doc.modified_at, doc.subject)


@pytest.mark.parametrize("data", [pdf_bytes(t, f"D:2016030112{n:02d}00Z") for n, t in enumerate(texts(30))])
def test_pdfium_gives_what_pypdf_gave(data: bytes) -> None:
    fast = pdf._with_pdfium(data, "a.pdf")
    assert fast is not None
    [slow] = pdf._with_pypdf(data, "a.pdf", Limits())
    assert fields(fast) == fields(slow)
    assert fast.subject == "Test document" and fast.created_at and fast.created_at.year == 2016


def test_pages_are_separated_as_before() -> None:
    data = two_pages()
    [doc] = extract(data, "two.pdf")
    [slow] = pdf._with_pypdf(data, "two.pdf", Limits())
    assert doc.text == slow.text == "first page Kaspersky\n\fsecond page KES"


def test_what_pdfium_refuses_goes_to_pypdf() -> None:
    encrypted = encrypted_pdf_bytes()
    assert pdf._with_pdfium(encrypted, "e.pdf") is None  # a password is needed
    assert extract(encrypted, "e.pdf")[0].error == "encrypted PDF: a password is needed"
    broken = pdf_bytes("Kaspersky")[:60]
    assert pdf._with_pdfium(broken, "c.pdf") is None
    assert (extract(broken, "c.pdf")[0].error or "").startswith("corrupt PDF")


def test_a_page_without_text_is_said_so() -> None:
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(612, 792)
    writer.add_metadata({"/CreationDate": "D:20160301120000Z"})
    buffer = io.BytesIO()
    writer.write(buffer)
    assert pdf._with_pdfium(buffer.getvalue(), "scan.pdf") is not None
    [doc] = extract(buffer.getvalue(), "scan.pdf")
    assert doc.text.strip() == "" and doc.error == "no text layer (scanned? records ingest --ocr reads it)"
    assert doc.created_at == datetime(2016, 3, 1, 12, 0)
