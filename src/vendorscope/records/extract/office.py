"""Word, Excel and PowerPoint (OOXML): text and core-property dates.

Excel and PowerPoint go through openpyxl and python-pptx. Word is read directly: its text is the ``w:t`` runs
of ``word/document.xml`` in order, parsed with defusedxml (no DTDs, no entities); python-docx builds the
whole object model first and costs 20-40 ms a file, which dominated a mail corpus with Word attachments.
"""

from __future__ import annotations

import zipfile
from datetime import datetime
from io import BytesIO
from typing import Any

from vendorscope.records.extract.email import naive_utc
from vendorscope.records.model import Doc, Limits

MAX_CELLS = 2_000_000
_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def extract_docx(data: bytes, filename: str, limits: Limits, depth: int) -> list[Doc]:
    with zipfile.ZipFile(BytesIO(data)) as archive:
        body = _member(archive, "word/document.xml", limits)
        core = _member(archive, "docProps/core.xml", limits) if "docProps/core.xml" in archive.namelist() else None
    doc = Doc(filename, "docx", data, text=_docx_text(body))
    if core:
        _core_xml(core, doc)
    return [doc]


def _member(archive: zipfile.ZipFile, name: str, limits: Limits) -> bytes:
    info = archive.getinfo(name)
    if info.file_size > limits.max_document_bytes * 4:
        raise ValueError(f"{name} is {info.file_size:,} bytes uncompressed")
    return archive.read(info)


def _docx_text(xml: bytes) -> str:
    from defusedxml.ElementTree import fromstring

    paragraphs = []
    for paragraph in fromstring(xml).iter(f"{_W}p"):
        parts = []
        for node in paragraph.iter():
            if node.tag == f"{_W}t":
                parts.append(node.text or "")
            elif node.tag in (f"{_W}tab", f"{_W}br", f"{_W}cr"):
                parts.append("\t" if node.tag == f"{_W}tab" else "\n")
        paragraphs.append("".join(parts))
    return "\n".join(paragraphs)


def _core_xml(xml: bytes, doc: Doc) -> None:
    from defusedxml.ElementTree import fromstring

    root = fromstring(xml)
    for tag, attr in (("created", "created_at"), ("modified", "modified_at")):
        node = root.find(f"{{http://purl.org/dc/terms/}}{tag}")
        if node is not None and node.text:
            try:
                setattr(doc, attr, naive_utc(datetime.fromisoformat(node.text.strip().replace("Z", "+00:00"))))
            except ValueError:
                doc.add_error(f"unreadable {tag} date {node.text[:40]!r}")
    title = root.find("{http://purl.org/dc/elements/1.1/}title")
    if title is not None and title.text:
        doc.subject = title.text.strip()


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


def ooxml_part(head: bytes) -> str | None:
    """``word/``, ``xl/`` or ``ppt/`` when the head of a ZIP names the parts of that OOXML kind.

    Local file headers carry the part names in the clear, and OOXML writers put ``[Content_Types].xml``
    and the main part first; a package whose parts lie beyond the head is still opened by ``archive.py``,
    which hands it back here."""
    if not head.startswith(b"PK\x03\x04") or b"[Content_Types].xml" not in head:
        return None
    for prefix in (b"word/", b"xl/", b"ppt/"):
        if prefix in head:
            return prefix.decode()
    return None
