"""Pick the extractor for a file from its bytes (then its name) and run it without ever raising.

Every extractor takes ``(data, filename, limits, depth)`` and returns one or more :class:`Doc`; a file
that holds several top-level documents (mbox, PST) returns several.
"""

from __future__ import annotations

import zipfile
from collections.abc import Callable
from io import BytesIO
from pathlib import PurePosixPath

from vendorscope.records.model import Doc, Limits

Extractor = Callable[[bytes, str, Limits, int], list[Doc]]
CONTAINERS = {"email", "mbox", "msg", "pst", "zip"}


def detect(data: bytes, filename: str) -> str:
    """The format id from magic bytes first, the extension second."""
    head = data[:4096]
    ext = PurePosixPath(filename.lower()).suffix
    if head.startswith(b"%PDF"):
        return "pdf"
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        return _zip_kind(data, ext)
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "msg" if ext == ".msg" else "ole"
    if head.startswith(b"!BDN"):
        return "pst"
    if ext in (".eml", ".mbox", ".mbx") or _looks_like_email(head):
        return "mbox" if head.startswith(b"From ") or ext in (".mbox", ".mbx") else "email"
    if ext in (".html", ".htm", ".xhtml") or head.lstrip()[:15].lower().startswith((b"<!doctype html", b"<html")):
        return "html"
    if ext == ".msg":
        return "msg"
    if ext == ".pst":
        return "pst"
    return "text"


def _zip_kind(data: bytes, ext: str) -> str:
    try:
        names = set(zipfile.ZipFile(BytesIO(data)).namelist())
    except (zipfile.BadZipFile, ValueError, OSError, NotImplementedError, EOFError):  # NotImplemented: fuzzing
        return "zip"
    for prefix, kind in (("word/", "docx"), ("xl/", "xlsx"), ("ppt/", "pptx")):
        if "[Content_Types].xml" in names and any(n.startswith(prefix) for n in names):
            return kind
    return "zip"


def _looks_like_email(head: bytes) -> bool:
    lines = head.split(b"\n", 12)
    starts = (b"from:", b"to:", b"subject:", b"date:", b"message-id:", b"received:", b"return-path:", b"mime-version:")
    hits = sum(1 for line in lines if line.lower().startswith(starts))
    return hits >= 2 or head.startswith(b"From ")


def extract(data: bytes, filename: str, limits: Limits | None = None, depth: int = 0) -> list[Doc]:
    """Extract one file into documents; any failure becomes the document's ``error``."""
    limits = limits or Limits()
    kind = detect(data, filename)
    if not data:
        return [Doc(filename, kind, data, error="empty file")]
    limit = limits.max_container_bytes if kind in CONTAINERS else limits.max_document_bytes
    if len(data) > limit:
        return [Doc(filename, kind, data, error=f"not read: {len(data):,} bytes is over the limit of {limit:,}")]
    if depth > limits.max_depth:
        return [Doc(filename, kind, data, error=f"not read: nested deeper than {limits.max_depth} levels")]
    extractor = _extractors().get(kind)
    if extractor is None:
        return [Doc(filename, kind, data, error=f"unsupported format {kind}")]
    try:
        docs = extractor(data, filename, limits, depth)
    except Exception as exc:  # an extractor bug or a library choking on hostile bytes: record, go on
        return [Doc(filename, kind, data, error=f"cannot read {kind}: {type(exc).__name__}: {exc}")]
    for doc in docs:
        if len(doc.text) > limits.max_text_chars:
            doc.text = doc.text[: limits.max_text_chars]
            doc.add_error(f"text cut at {limits.max_text_chars:,} characters")
    return docs


def _extractors() -> dict[str, Extractor]:
    from vendorscope.records.extract import archive, email, html, msg, office, pdf, pst, text

    return {
        "email": email.extract_email,
        "mbox": email.extract_mbox,
        "msg": msg.extract_msg,
        "pst": pst.extract_pst,
        "pdf": pdf.extract_pdf,
        "docx": office.extract_docx,
        "xlsx": office.extract_xlsx,
        "pptx": office.extract_pptx,
        "html": html.extract_html,
        "text": text.extract_text,
        "zip": archive.extract_zip,
    }
