"""PowerPoint (OOXML .pptx): identified by its `ppt/` parts, read in `office.py`."""

from __future__ import annotations

from vendorscope.records.extract.base import CONTENT, NAME, NO, DocumentFormat, extension
from vendorscope.records.extract.office import extract_pptx, ooxml_part


def identify(head: bytes, name: str) -> int:
    if ooxml_part(head) == "ppt/":
        return CONTENT
    return NAME if extension(name) == ".pptx" else NO


FORMAT = DocumentFormat(
    "pptx", identify, extract_pptx, description="PowerPoint (.pptx)", magic=(b"PK\x03\x04",), extensions=(".pptx",)
)
