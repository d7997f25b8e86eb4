"""Other OLE compound files: an Outlook message whose directory lies beyond the head is read as one; legacy
binary Office files (Word, Excel, PowerPoint 97-2003) are named for what they are, kept, and listed as
not read — their binary formats have no well-kept pure-Python text reader."""

from __future__ import annotations

from io import BytesIO

from vendorscope.records.extract.base import CONTENT, NO, DocumentFormat
from vendorscope.records.extract.msg import OLE_MAGIC, extract_msg
from vendorscope.records.model import Doc, Limits

_LEGACY = (("WordDocument", "doc", "Word 97-2003 document"), ("Workbook", "xls", "Excel 97-2003 workbook"),
           ("Book", "xls", "Excel 5 workbook"), ("PowerPoint Document", "ppt", "PowerPoint 97-2003 deck"))  # fmt: skip


def extract_ole(data: bytes, filename: str, limits: Limits, depth: int) -> list[Doc]:
    import olefile

    with olefile.OleFileIO(BytesIO(data)) as ole:
        streams = {"/".join(entry) for entry in ole.listdir(streams=True, storages=True)}
    if any(s.startswith("__substg1.0_") for s in streams):
        return extract_msg(data, filename, limits, depth)
    for stream, kind, title in _LEGACY:
        if stream in streams:
            return [Doc(filename, kind, data, error=f"{title}: legacy binary format, kept but text not extracted")]
    return [Doc(filename, "ole", data, error="OLE compound file of an unknown kind: kept, not read")]


def identify(head: bytes, name: str) -> int:
    return CONTENT if head.startswith(OLE_MAGIC) else NO


FORMAT = DocumentFormat(
    "ole", identify, extract_ole, container=True, description="OLE compound file", magic=(OLE_MAGIC,)
)
