"""Word (OOXML .docx): identified by its `word/` parts, read in `office.py`."""

from __future__ import annotations

from vendorscope.records.extract.base import CONTENT, NAME, NO, DocumentFormat, extension
from vendorscope.records.extract.office import extract_docx, ooxml_part


def identify(head: bytes, name: str) -> int:
    if ooxml_part(head) == "word/":
        return CONTENT
    return NAME if extension(name) == ".docx" else NO


FORMAT = DocumentFormat(
    "docx", identify, extract_docx, description="Word (.docx)", magic=(b"PK\x03\x04",), extensions=(".docx",)
)
