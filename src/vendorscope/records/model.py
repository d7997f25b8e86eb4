"""What an extractor returns: a document, its metadata and text, its children, and what went wrong."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class Limits:
    """Bounds on hostile input (archive bombs, deep nesting, huge attachments) and what extraction does (OCR).
    Frozen: it is part of the key under which an attachment already read is reused (``extract.extract``)."""

    max_document_bytes: int = 256 * 1024 * 1024  # larger documents (and attachments) are kept but not read
    max_container_bytes: int = 8 * 1024 * 1024 * 1024  # emails, mailboxes and archives: their parts have limits
    max_text_chars: int = 20_000_000  # extracted text beyond this is cut (and said so)
    max_archive_total: int = 1024 * 1024 * 1024  # uncompressed bytes in one archive, all levels
    max_archive_ratio: float = 200.0  # uncompressed / compressed, per entry
    max_archive_entries: int = 10_000
    max_depth: int = 8  # archives and attachments inside each other
    ocr: bool = False  # read scans and images with Tesseract (records ingest --ocr)
    ocr_languages: str = "eng+rus"
    max_ocr_pages: int = 200  # pages of one scanned PDF read by OCR; the rest is said so


@dataclass
class Doc:
    """One extracted document. ``error`` says why it could not be (fully) read; it is never dropped."""

    filename: str
    format: str
    data: bytes
    text: str = ""
    error: str | None = None
    from_addr: str | None = None
    to_addrs: str | None = None
    cc_addrs: str | None = None
    bcc_addrs: str | None = None
    subject: str | None = None
    sent_at: datetime | None = None
    created_at: datetime | None = None
    modified_at: datetime | None = None
    message_id: str | None = None
    in_reply_to: str | None = None
    references: str | None = None
    email_key: str | None = None  # hash of normalized headers + body, for email duplicates
    minhash: bytes | None = None  # near-duplicate signature of the text (dedup.py)
    ocr: bool = False  # the text (or part of it) was read from images by OCR
    children: list[Doc] = field(default_factory=list)
    # (sha256, md5, size) once the worker stored the original and dropped ``data`` (records/ingest.py):
    # the bytes then never travel back to the writer's process.
    stored: tuple[str, str, int] | None = None

    @property
    def sha256(self) -> str:
        return self.stored[0] if self.stored else hashlib.sha256(self.data).hexdigest()

    @property
    def md5(self) -> str:
        return self.stored[1] if self.stored else hashlib.md5(self.data, usedforsecurity=False).hexdigest()

    @property
    def size(self) -> int:
        return self.stored[2] if self.stored else len(self.data)

    def add_error(self, message: str) -> None:
        self.error = f"{self.error}; {message}" if self.error else message

    def walk(self) -> list[Doc]:
        """This document and all its descendants, parents first."""
        out = [self]
        for child in self.children:
            out.extend(child.walk())
        return out
