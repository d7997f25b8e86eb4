"""Plain text in whatever encoding it came in: BOMs honoured, UTF-8 tried, then detection (noted)."""

from __future__ import annotations

import codecs

from vendorscope.records.extract.base import NAME, DocumentFormat
from vendorscope.records.model import Doc, Limits

_BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))


def extract_text(data: bytes, filename: str, limits: Limits, depth: int) -> list[Doc]:
    doc = Doc(filename, "text", data)
    if b"\x00" in data[:8192] and not data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        doc.format = "binary"
        doc.error = "binary file of an unsupported type: no text extracted"
        return [doc]
    doc.text, note = decode_bytes(data)
    if note:
        doc.add_error(note)
    return [doc]


def decode_bytes(data: bytes) -> tuple[str, str | None]:
    """Text and, when the encoding had to be guessed, a note saying so."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return data.decode(encoding, errors="replace"), None
    try:
        return data.decode("utf-8"), None
    except UnicodeDecodeError:
        pass
    from vendorscope.records.extract.charset import decode

    return decode(data, None, "text")


def identify(head: bytes, name: str) -> int:
    """Text is what is left: any file no other format claims is read as text (binary ones are listed)."""
    return NAME


FORMAT = DocumentFormat("text", identify, extract_text, description="plain text (any encoding)", magic=())
