"""ZIP archives, recursively, in memory, with limits: entry count, per-entry compression ratio, total
uncompressed size over all nesting levels, depth, and unsafe paths. Nothing is ever written to disk.
Each entry is a child document; an entry that was refused is still listed, with the reason.
"""

from __future__ import annotations

import dataclasses
import zipfile
from datetime import datetime
from io import BytesIO
from pathlib import PurePosixPath

from vendorscope.records.extract.base import CONTENT, NAME, NO, DocumentFormat, Parser, extension
from vendorscope.records.model import Doc, Limits


def extract_zip(data: bytes, filename: str, limits: Limits, depth: int) -> list[Doc]:
    from vendorscope.records.extract import extract

    doc = Doc(filename, "zip", data)
    try:
        archive = zipfile.ZipFile(BytesIO(data))
        infos = [i for i in archive.infolist() if not i.is_dir()]
    except (zipfile.BadZipFile, ValueError, OSError, NotImplementedError) as exc:
        doc.error = f"corrupt ZIP: {exc}"
        return [doc]
    ooxml = _ooxml(archive)
    if ooxml is not None:  # an Office package whose parts lay beyond the head: read it as what it is
        return ooxml(data, filename, limits, depth)
    if len(infos) > limits.max_archive_entries:
        doc.add_error(f"only the first {limits.max_archive_entries:,} of {len(infos):,} entries were read")
        infos = infos[: limits.max_archive_entries]
    budget = limits.max_archive_total
    names = []
    for info in infos:
        refusal = _refusal(info, budget, limits)
        name = _safe_name(info.filename)
        names.append(name)
        if refusal:
            doc.children.append(Doc(name, "unknown", b"", error=refusal))
            continue
        try:
            with archive.open(info) as handle:
                content = handle.read(min(budget, limits.max_container_bytes) + 1)
        except (zipfile.BadZipFile, ValueError, OSError, NotImplementedError, RuntimeError) as exc:
            doc.children.append(Doc(name, "unknown", b"", error=f"cannot read ZIP entry: {exc}"))
            continue
        if len(content) > min(budget, limits.max_container_bytes):
            doc.children.append(Doc(name, "unknown", b"", error="not read: larger than declared or over the limit"))
            continue
        budget -= len(content)
        inner = dataclasses.replace(limits, max_archive_total=budget)
        for child in extract(content, name, inner, depth + 1):
            child.modified_at = child.modified_at or _entry_time(info)
            doc.children.append(child)
    doc.text = "\n".join(names)
    return [doc]


def _ooxml(archive: zipfile.ZipFile) -> Parser | None:
    from vendorscope.records.extract import office

    names = set(archive.namelist())
    if "[Content_Types].xml" not in names:
        return None
    for part, reader in (("word/document.xml", office.extract_docx), ("xl/workbook.xml", office.extract_xlsx),
                         ("ppt/presentation.xml", office.extract_pptx)):  # fmt: skip
        if part in names:
            return reader
    return None


def _refusal(info: zipfile.ZipInfo, budget: int, limits: Limits) -> str | None:
    name = info.filename.replace("\\", "/")
    if name.startswith("/") or ".." in PurePosixPath(name).parts or (len(name) > 1 and name[1] == ":"):
        return f"not read: unsafe path {info.filename!r} (path traversal)"
    if info.flag_bits & 0x1:
        return "not read: encrypted ZIP entry"
    if info.file_size > budget:
        return f"not read: archive total would exceed {limits.max_archive_total:,} bytes"
    ratio = info.file_size / max(info.compress_size, 1)
    if info.file_size > 1024 * 1024 and ratio > limits.max_archive_ratio:
        return f"not read: compression ratio {ratio:,.0f}:1 is over {limits.max_archive_ratio:,.0f}:1 (zip bomb?)"
    return None


def _safe_name(name: str) -> str:
    parts = [p for p in name.replace("\\", "/").split("/") if p not in ("", ".", "..")]
    return "/".join(parts) or "unnamed"


def _entry_time(info: zipfile.ZipInfo) -> datetime | None:
    try:
        return datetime(*info.date_time)
    except ValueError:
        return None


def identify(head: bytes, name: str) -> int:
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return CONTENT
    return NAME if extension(name) == ".zip" else NO


FORMAT = DocumentFormat(
    "zip",
    identify,
    extract_zip,
    container=True,
    description="ZIP archive (recursive)",
    magic=(b"PK\x03\x04", b"PK\x05\x06"),
    extensions=(".zip",),
)
