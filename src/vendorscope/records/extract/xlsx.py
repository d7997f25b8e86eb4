"""Excel (OOXML .xlsx): identified by its `xl/` parts, read in `office.py`."""

from __future__ import annotations

from vendorscope.records.extract.base import CONTENT, NAME, NO, DocumentFormat, extension
from vendorscope.records.extract.office import extract_xlsx, ooxml_part


def identify(head: bytes, name: str) -> int:
    if ooxml_part(head) == "xl/":
        return CONTENT
    return NAME if extension(name) == ".xlsx" else NO


FORMAT = DocumentFormat(
    "xlsx", identify, extract_xlsx, description="Excel (.xlsx)", magic=(b"PK\x03\x04",), extensions=(".xlsx",)
)
