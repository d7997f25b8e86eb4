"""Identify a file's document format by its bytes (then its name) and read it, never raising.

One module per document format, each with a ``FORMAT`` (``base.DocumentFormat``): ``identify(head, name)``
and ``parse(data, filename, limits, depth)``. Adding a format = one module + one line in ``_formats``. The
surest identification wins (content over name); among equals, the first in the list. A parse returns one
or more :class:`Doc`; a file that holds several top-level documents (mbox, PST) returns several.
"""

from __future__ import annotations

from functools import cache

from vendorscope.records.extract.base import CONTENT, HEAD_BYTES, NO, DocumentFormat
from vendorscope.records.model import Doc, Limits


@cache
def formats() -> tuple[DocumentFormat, ...]:
    """Every document format, most specific first (imported on first use: workers need only what they read)."""
    from vendorscope.records.extract import (
        archive,
        docx,
        email,
        html,
        image,
        mbox,
        msg,
        ole,
        pdf,
        pptx,
        pst,
        text,
        xlsx,
    )

    return (
        pdf.FORMAT,
        docx.FORMAT,
        xlsx.FORMAT,
        pptx.FORMAT,
        archive.FORMAT,
        msg.FORMAT,
        ole.FORMAT,
        pst.FORMAT,
        image.FORMAT,
        mbox.FORMAT,
        email.FORMAT,
        html.FORMAT,
        text.FORMAT,
    )


def identify(data: bytes, filename: str) -> DocumentFormat:
    """The format that is surest of these bytes (text when nothing else claims them)."""
    head = data[:HEAD_BYTES]
    best, score = formats()[-1], NO
    for fmt in formats():
        found = fmt.identify(head, filename)
        if found == CONTENT:
            return fmt  # the list is most specific first: the first format sure of the content is it
        if found > score:
            best, score = fmt, found
    return best


def detect(data: bytes, filename: str) -> str:
    """The format name of these bytes."""
    return identify(data, filename).name


def extract(data: bytes, filename: str, limits: Limits | None = None, depth: int = 0) -> list[Doc]:
    """Extract one file into documents; any failure becomes the document's ``error``."""
    limits = limits or Limits()
    fmt = identify(data, filename)
    kind = fmt.name
    if not data:
        return [Doc(filename, kind, data, error="empty file")]
    limit = limits.max_container_bytes if fmt.container else limits.max_document_bytes
    if len(data) > limit:
        return [Doc(filename, kind, data, error=f"not read: {len(data):,} bytes is over the limit of {limit:,}")]
    if depth > limits.max_depth:
        return [Doc(filename, kind, data, error=f"not read: nested deeper than {limits.max_depth} levels")]
    try:
        docs = fmt.parse(data, filename, limits, depth)
    except Exception as exc:  # an extractor bug or a library choking on hostile bytes: record, go on
        return [Doc(filename, kind, data, error=f"cannot read {kind}: {type(exc).__name__}: {exc}")]
    for doc in docs:
        if len(doc.text) > limits.max_text_chars:
            doc.text = doc.text[: limits.max_text_chars]
            doc.add_error(f"text cut at {limits.max_text_chars:,} characters")
    return docs
