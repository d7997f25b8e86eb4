"""Identify a file's document format by its bytes (then its name) and read it, never raising.

One module per document format, each with a ``FORMAT`` (``base.DocumentFormat``): ``identify(head, name)``
and ``parse(data, filename, limits, depth)``. Adding a format = one module + one line in ``_formats``. The
surest identification wins (content over name); among equals, the first in the list. A parse returns one
or more :class:`Doc`; a file that holds several top-level documents (mbox, PST) returns several.

Identification asks only the formats that may be sure of these bytes (by their ``magic``, looked up by the
first byte; the few whose content check looks further are always asked), then the name in one lookup: it
was asking all 13 formats for every file and attachment, 9 % of the extraction of a mail corpus.
"""

from __future__ import annotations

import dataclasses
from collections import OrderedDict
from functools import cache

from vendorscope.records.extract.base import CONTENT, HEAD_BYTES, DocumentFormat, extension
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


def preload() -> None:
    """Import every format module and the libraries most mail needs (PDFium, the XML reader of Word files)
    before a local worker pool forks: each worker then has them for free instead of importing them
    itself (PDFium alone is about 0.2 s), and a process that forks no pool never pays for them."""
    formats()
    import defusedxml.ElementTree  # noqa: F401
    import pypdfium2  # noqa: F401


def identify(data: bytes, filename: str) -> DocumentFormat:
    """The format that is surest of these bytes (text when nothing else claims them): the first format in the
    list sure of the content, else the first that claims the name, else text."""
    head = data[:HEAD_BYTES]
    for fmt in _candidates(head[:1]):
        if fmt.identify(head, filename) == CONTENT:
            return fmt
    return _by_extension().get(extension(filename), formats()[-1])


@cache
def _candidates(first: bytes) -> tuple[DocumentFormat, ...]:
    """The formats that may be sure of a file starting with this byte, in the list's order."""
    return tuple(fmt for fmt in formats() if fmt.magic is None or any(m.startswith(first) and first for m in fmt.magic))


@cache
def _by_extension() -> dict[str, DocumentFormat]:
    found: dict[str, DocumentFormat] = {}
    for fmt in formats():
        for suffix in fmt.extensions:
            found.setdefault(suffix, fmt)
    return found


def detect(data: bytes, filename: str) -> str:
    """The format name of these bytes."""
    return identify(data, filename).name


def extract(data: bytes, filename: str, limits: Limits | None = None, depth: int = 0) -> list[Doc]:
    """Extract one file into documents; any failure becomes the document's ``error``.

    An attachment or archive member already read in this process under the same name, depth and limits,
    with the same bytes, is not read again (e-discovery's "each distinct attachment once"): a copy of
    the documents read the first time is returned. The same logo or form in thousands of messages is
    parsed once; plain text, cheap to read and rarely repeated, is always read."""
    limits = limits or Limits()
    fmt = identify(data, filename)
    if depth and fmt.name != "text" and len(data) <= _READ.max_bytes:
        key = (data, filename, depth, limits)  # the bytes themselves: compared whole on a hit, no digest to compute
        known = _READ.get(key)
        if known is None:
            known = _READ.put(key, _extract(fmt, data, filename, limits, depth))
        return [_copy(doc) for doc in known]
    return _extract(fmt, data, filename, limits, depth)


def _copy(doc: Doc) -> Doc:
    """A copy the ingest may change (it drops bytes, sets signatures): every field but ``children`` is
    immutable, so a new object per document is enough (a fifth of ``copy.deepcopy``'s cost)."""
    return dataclasses.replace(doc, children=[_copy(child) for child in doc.children])


def _extract(fmt: DocumentFormat, data: bytes, filename: str, limits: Limits, depth: int) -> list[Doc]:
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


class _AlreadyRead:
    """Documents read from attachments, by (bytes, name, depth, limits), least recently used dropped
    first; bounded in entries and in bytes (every document's bytes and text counted: an archive's members
    too), so a worker holds at most a few tens of MB for it."""

    def __init__(self, entries: int = 2048, max_bytes: int = 4 * 1024 * 1024, total: int = 64 * 1024 * 1024) -> None:
        self.entries, self.max_bytes, self.total = entries, max_bytes, total
        self.used = 0
        self.docs: OrderedDict[tuple[object, ...], tuple[list[Doc], int]] = OrderedDict()

    def get(self, key: tuple[object, ...]) -> list[Doc] | None:
        found = self.docs.get(key)
        if found is None:
            return None
        self.docs.move_to_end(key)
        return found[0]

    def put(self, key: tuple[object, ...], docs: list[Doc]) -> list[Doc]:
        size = sum(len(item.data) + len(item.text) for doc in docs for item in doc.walk())
        self.docs[key] = (docs, size)
        self.used += size
        while len(self.docs) > self.entries or self.used > self.total:
            _, (_, dropped) = self.docs.popitem(last=False)
            self.used -= dropped
        return docs


_READ = _AlreadyRead()
