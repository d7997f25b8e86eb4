"""Word, Excel and PowerPoint (OOXML) through python-docx, openpyxl and python-pptx; core-property dates."""

from __future__ import annotations

from datetime import datetime
from io import BytesIO
from typing import Any

from vendorscope.records.extract.email import naive_utc
from vendorscope.records.model import Doc, Limits

MAX_CELLS = 2_000_000


def extract_docx(data: bytes, filename: str, limits: Limits, depth: int) -> list[Doc]:
    import docx

    document = docx.Document(BytesIO(data))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.append("\t".join(cell.text for cell in row.cells))
    doc = Doc(filename, "docx", data, text="\n".join(parts))
    _core(document.core_properties, doc)
    return [doc]


def extract_xlsx(data: bytes, filename: str, limits: Limits, depth: int) -> list[Doc]:
    import openpyxl

    book = openpyxl.load_workbook(BytesIO(data), read_only=True, data_only=True)
    lines: list[str] = []
    cells = 0
    doc = Doc(filename, "xlsx", data)
    try:
        for sheet in book.worksheets:
            lines.append(f"# {sheet.title}")
            for row in sheet.iter_rows(values_only=True):
                cells += len(row)
                if cells > MAX_CELLS:
                    doc.add_error(f"only the first {MAX_CELLS:,} cells were read")
                    break
                values = ["" if v is None else str(v) for v in row]
                if any(values):
                    lines.append("\t".join(values))
        _core(book.properties, doc)
    finally:
        book.close()
    doc.text = "\n".join(lines)
    return [doc]


def extract_pptx(data: bytes, filename: str, limits: Limits, depth: int) -> list[Doc]:
    import pptx

    deck = pptx.Presentation(BytesIO(data))
    lines: list[str] = []
    for number, slide in enumerate(deck.slides, 1):
        lines.append(f"# slide {number}")
        for shape in slide.shapes:
            if shape.has_text_frame:
                lines.append(shape.text_frame.text)
        if slide.has_notes_slide:
            lines.append(slide.notes_slide.notes_text_frame.text)
    doc = Doc(filename, "pptx", data, text="\n".join(lines))
    _core(deck.core_properties, doc)
    return [doc]


def _core(props: Any, doc: Doc) -> None:
    """Created/modified dates and title from the document's own core properties."""
    created = getattr(props, "created", None)
    modified = getattr(props, "modified", None)
    doc.created_at = naive_utc(created) if isinstance(created, datetime) else None
    doc.modified_at = naive_utc(modified) if isinstance(modified, datetime) else None
    title = getattr(props, "title", None)
    if title:
        doc.subject = str(title)
