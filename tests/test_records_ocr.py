"""OCR: a scanned letter about the vendor (an image of text wrapped as a PDF, no text layer) and a photographed
page are found through Tesseract, English and Russian; the text is marked as OCR. Skips, saying why, where
Tesseract or its languages are not installed (.ci/run installs them)."""

from __future__ import annotations

from io import BytesIO
from pathlib import Path

import pytest
from sqlalchemy import select

from vendorscope.records.extract import extract
from vendorscope.records.extract.ocr import installed_languages
from vendorscope.records.model import Limits
from vendorscope.records.search import Filters
from vendorscope.service import Service
from vendorscope.store.tables import RecordDocument

FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
needs_tesseract = pytest.mark.skipif(
    not {"eng", "rus"} <= installed_languages(),
    reason="OCR tests need Tesseract with English and Russian (Debian tesseract-ocr, tesseract-ocr-rus)",
)


def page_image(lines: list[str]) -> object:
    """A white A4-ish page at 150 dpi with the lines in black, like a scan."""
    from PIL import Image, ImageDraw, ImageFont

    if not FONT.exists():
        pytest.skip(f"OCR tests draw text with {FONT} (Debian fonts-dejavu-core)")
    image = Image.new("L", (1240, 700), 255)
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype(str(FONT), 36)
    for n, line in enumerate(lines):
        draw.text((80, 80 + n * 70), line, fill=0, font=font)
    return image


def scanned_pdf(lines: list[str]) -> bytes:
    buffer = BytesIO()
    page_image(lines).save(buffer, "PDF", resolution=150)  # type: ignore[attr-defined]
    return buffer.getvalue()


LETTER = ["Memorandum for the CIO", "Subject: risk of Kaspersky Endpoint Security", "The klif.sys driver must go."]
RUSSIAN = ["Служебная записка", "Антивирус Касперского удален"]


def test_scanned_pdf_without_ocr_is_listed_not_examined() -> None:
    [doc] = extract(scanned_pdf(LETTER), "scan.pdf")
    assert doc.text.strip() == "" and "no text layer" in (doc.error or "") and not doc.ocr


@needs_tesseract
def test_scanned_pdf_is_read_by_ocr() -> None:
    [doc] = extract(scanned_pdf(LETTER), "scan.pdf", Limits(ocr=True))
    assert doc.ocr and "Kaspersky" in doc.text and "klif.sys" in doc.text
    assert doc.error is None


@needs_tesseract
def test_russian_image_is_read_by_ocr() -> None:
    buffer = BytesIO()
    page_image(RUSSIAN).save(buffer, "PNG")  # type: ignore[attr-defined]
    [doc] = extract(buffer.getvalue(), "photo.png", Limits(ocr=True))
    assert doc.format == "image" and doc.ocr and "Касперского" in doc.text


@needs_tesseract
def test_scanned_letter_is_found_by_vendor_search(service: Service, tmp_path: Path) -> None:
    folder = tmp_path / "scans"
    folder.mkdir()
    (folder / "letter.pdf").write_bytes(scanned_pdf(LETTER))
    buffer = BytesIO()
    page_image(RUSSIAN).save(buffer, "TIFF")  # type: ignore[attr-defined]
    (folder / "memo.tif").write_bytes(buffer.getvalue())
    report = service.records_ingest([folder], "registry", workers=1, records_dir=tmp_path / "o", ocr=True)
    assert report.ok, report.errors
    rows = service.records_vendor_search("kaspersky", Filters(limit=0))
    assert sorted(Path(str(r["path"])).name for r in rows) == ["letter.pdf", "memo.tif"]
    with service.store.engine.connect() as conn:
        sources = set(conn.execute(select(RecordDocument.text_source)).scalars())
    assert sources == {"ocr"}
