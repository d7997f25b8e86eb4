"""Records: documents that may assess the vendor, their review, redaction and production."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base

# -- records: documents that may assess the vendor (e-discovery); separate from the software evidence ------------


class RecordFile(Base):
    """Every file given to `records ingest`, per custodian and path: the chain of custody of the originals."""

    __tablename__ = "record_files"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64))
    custodian: Mapped[str] = mapped_column(String(256))
    path: Mapped[str] = mapped_column(Text)
    size: Mapped[int] = mapped_column(BigInteger)
    modified_at: Mapped[datetime | None] = mapped_column(DateTime)  # the file's modification time (UTC)
    ingested_at: Mapped[datetime] = mapped_column(DateTime)
    documents: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text)
    __table_args__ = (Index("ix_record_files_sha", "sha256", "custodian"),)


class RecordDocument(Base):
    """One document: a file, an email or an attachment. Exact duplicates are kept once (see record_locations)."""

    __tablename__ = "record_documents"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("record_documents.id", ondelete="CASCADE"))
    family_id: Mapped[int | None] = mapped_column(Integer)  # the top-level document's id
    position: Mapped[int] = mapped_column(Integer, default=0)  # order among the parent's attachments
    dedup_key: Mapped[str] = mapped_column(String(64))  # sha256, or the normalized-email hash for messages
    sha256: Mapped[str] = mapped_column(String(64))
    md5: Mapped[str] = mapped_column(String(32))
    size: Mapped[int] = mapped_column(BigInteger)
    custodian: Mapped[str] = mapped_column(String(256))  # first custodian; all of them in record_locations
    path: Mapped[str] = mapped_column(Text)
    filename: Mapped[str] = mapped_column(Text)
    format: Mapped[str] = mapped_column(String(32))
    from_addr: Mapped[str | None] = mapped_column(Text)
    to_addrs: Mapped[str | None] = mapped_column(Text)
    cc_addrs: Mapped[str | None] = mapped_column(Text)
    bcc_addrs: Mapped[str | None] = mapped_column(Text)
    subject: Mapped[str | None] = mapped_column(Text)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime)
    created_at: Mapped[datetime | None] = mapped_column(DateTime)
    modified_at: Mapped[datetime | None] = mapped_column(DateTime)
    doc_date: Mapped[datetime | None] = mapped_column(DateTime)  # sent date for email, else file dates
    date_source: Mapped[str | None] = mapped_column(String(32))
    message_id: Mapped[str | None] = mapped_column(Text)
    in_reply_to: Mapped[str | None] = mapped_column(Text)
    reference_ids: Mapped[str | None] = mapped_column(Text)  # the References header
    thread_id: Mapped[int | None] = mapped_column(Integer)
    near_dup_group: Mapped[int | None] = mapped_column(Integer)
    minhash: Mapped[bytes | None] = mapped_column(LargeBinary)
    text: Mapped[str] = mapped_column(Text, default="")
    text_source: Mapped[str | None] = mapped_column(String(16))  # "ocr" when (part of) the text was read by OCR
    error: Mapped[str | None] = mapped_column(Text)  # why the document could not be (fully) read
    ingested_at: Mapped[datetime] = mapped_column(DateTime)
    __table_args__ = (
        Index("ix_record_documents_dedup", "dedup_key"),
        Index("ix_record_documents_family", "family_id"),
        Index("ix_record_documents_date", "doc_date"),
        Index("ix_record_documents_message_id", "message_id"),
        Index("ix_record_documents_thread", "thread_id"),  # thread context: a search asks for threads' members
        Index("ix_record_documents_near_dup", "near_dup_group"),  # a batch that joins two groups relabels one
    )


class RecordBand(Base):
    """The first document of each near-duplicate band value, by a 64-bit digest of the band and its value
    (checked against the document's signature on use): each batch finds its near-duplicates here instead
    of a pass over every signature of the store (``records/groups.py``)."""

    __tablename__ = "record_bands"
    digest: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    document_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    __table_args__ = ({"sqlite_with_rowid": False},)


class RecordThreadKey(Base):
    """Thread keys by a 64-bit digest of their kind and value (checked against the document's headers on
    use): the first document with each Message-ID and each normalized subject, and the documents that
    name a Message-ID no document has yet (``records/groups.py``)."""

    __tablename__ = "record_thread_keys"
    digest: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    document_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    __table_args__ = ({"sqlite_with_rowid": False},)


class RecordBandRecent(Base):
    """Band keys of the latest batches, appended in document order (new documents have the largest ids),
    looked up beside ``record_bands`` and moved into it in key order when they pass a bound: a batch's
    commit writes a few pages here instead of a page per key all over the main table."""

    __tablename__ = "record_bands_recent"
    document_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    digest: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    __table_args__ = ({"sqlite_with_rowid": False},)


class RecordThreadKeyRecent(Base):
    """Thread keys of the latest batches, as ``RecordBandRecent`` is for bands."""

    __tablename__ = "record_thread_keys_recent"
    document_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    digest: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    __table_args__ = ({"sqlite_with_rowid": False},)


class RecordLocation(Base):
    """Where a document was found: every custodian and path of its exact duplicates."""

    __tablename__ = "record_locations"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("record_documents.id", ondelete="CASCADE"))
    custodian: Mapped[str] = mapped_column(String(256))
    path: Mapped[str] = mapped_column(Text)
    __table_args__ = (UniqueConstraint("document_id", "custodian", "path", name="uq_record_location"),)


class RecordReview(Base):
    """A review decision; the newest one per document is its tag. Never updated, so the history stays."""

    __tablename__ = "record_reviews"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("record_documents.id", ondelete="CASCADE"))
    tag: Mapped[str] = mapped_column(String(32))
    basis: Mapped[str | None] = mapped_column(Text)  # privilege basis, e.g. "attorney-client"
    note: Mapped[str | None] = mapped_column(Text)
    reviewer: Mapped[str] = mapped_column(String(256))
    reviewed_at: Mapped[datetime] = mapped_column(DateTime)
    __table_args__ = (Index("ix_record_reviews_document", "document_id", "id"),)


class RecordRedaction(Base):
    """A reviewer's redaction: exact text, a regular expression, or a character span of the text."""

    __tablename__ = "record_redactions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("record_documents.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))  # text | regex | span
    value: Mapped[str] = mapped_column(Text)  # the text, the pattern, or "START:END"
    reason: Mapped[str] = mapped_column(String(256))  # shown on the redaction box, e.g. "PII"
    reviewer: Mapped[str] = mapped_column(String(256))
    created_at: Mapped[datetime] = mapped_column(DateTime)
    __table_args__ = (Index("ix_record_redactions_document", "document_id"),)


class RecordProduction(Base):
    """One production volume: which Bates range went out, when, where."""

    __tablename__ = "record_productions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    prefix: Mapped[str] = mapped_column(String(32))
    first_number: Mapped[int] = mapped_column(Integer)
    last_number: Mapped[int] = mapped_column(Integer)
    documents: Mapped[int] = mapped_column(Integer)
    withheld: Mapped[int] = mapped_column(Integer)
    out_dir: Mapped[str] = mapped_column(Text)
    produced_at: Mapped[datetime] = mapped_column(DateTime)
    volume: Mapped[str | None] = mapped_column(String(32))  # VOL001, …


class RecordBates(Base):
    """The Bates number given to a document in a production."""

    __tablename__ = "record_bates"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    production_id: Mapped[int] = mapped_column(ForeignKey("record_productions.id", ondelete="CASCADE"))
    document_id: Mapped[int] = mapped_column(ForeignKey("record_documents.id", ondelete="CASCADE"))
    prefix: Mapped[str] = mapped_column(String(32))  # "PRIV:ABC" for the privilege-log number of a withheld one
    number: Mapped[int] = mapped_column(Integer)  # the first page's number
    pages: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    __table_args__ = (
        UniqueConstraint("prefix", "number", name="uq_record_bates"),
        Index("ix_record_bates_document", "document_id"),
    )
