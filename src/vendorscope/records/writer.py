"""Writes extracted documents: dedup at the family level, ids, locations, dates, the text index."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from operator import itemgetter
from pathlib import PurePath
from typing import Any

from sqlalchemy import Connection, func, select

from vendorscope.records import groups, index
from vendorscope.records.model import Doc
from vendorscope.records.store import Location, Originals
from vendorscope.store import dialect
from vendorscope.store.tables import RecordDocument, RecordFile, RecordLocation

EMAIL_FORMATS = ("email", "msg")
DOC_COLUMNS = [
    "id",
    "parent_id",
    "family_id",
    "position",
    "dedup_key",
    "sha256",
    "md5",
    "size",
    "custodian",
    "path",
    "filename",
    "format",
    "from_addr",
    "to_addrs",
    "cc_addrs",
    "bcc_addrs",
    "subject",
    "sent_at",
    "created_at",
    "modified_at",
    "doc_date",
    "date_source",
    "message_id",
    "in_reply_to",
    "reference_ids",
    "minhash",
    "text",
    "text_source",
    "error",
    "ingested_at",
]
LABEL_COLUMNS = ["near_dup_group", "thread_id"]
FILE_COLUMNS = ["sha256", "custodian", "path", "size", "modified_at", "ingested_at", "documents", "error"]
_MEMBER = itemgetter(  # a row's fields that decide its groups (groups.Member)
    *(
        DOC_COLUMNS.index(c)
        for c in ("id", "format", "minhash", "message_id", "in_reply_to", "reference_ids", "subject")
    )
)


@dataclass
class FileResult:
    """One read file as a worker returns it: what the writer stores for it."""

    path: str
    sha256: str
    size: int
    mtime: datetime | None
    data: bytes | None  # None when it is the first document's data (an .eml, a PDF…)
    docs: list[Doc]
    error: str | None = None
    packed: list[Location] = field(default_factory=list)  # originals a worker packed, for the writer to list


class RecordWriter:
    """One writer per ingest; ``conn`` is set per transaction, ``prepare`` called with each batch. Top-level
    documents are deduplicated by ``dedup_key``; an attachment belongs to its family and is never
    deduplicated away from it. Nothing here outlives a batch but the next id and the key tables' recent
    levels (``groups.Keys``: bounded by ``groups.RECENT_KEYS``, not by the store)."""

    def __init__(self, conn: Connection, originals: Originals) -> None:
        self.conn = conn
        self.originals = originals
        table = RecordDocument.__table__
        self.seen: dict[str, int] = {}  # the batch's dedup keys the store holds (``prepare``), and its own
        # ids are given here, not by the database, so a family's rows link up before one bulk insert. One
        # ingest writes to a store at a time: a second one started meanwhile fails on the primary key, whole.
        self.next_id = (conn.execute(select(func.max(table.c.id))).scalar() or 0) + 1
        self.rows: list[tuple[Any, ...]] = []
        self.locations: list[tuple[int, str, str]] = []
        self.fts: list[tuple[int, str, str]] = []
        self.files: list[tuple[Any, ...]] = []  # FILE_COLUMNS
        self.now = datetime.now(UTC).replace(tzinfo=None)
        # Times go to the driver as the store keeps them: on SQLite the one text form SQLAlchemy binds in queries
        # (sqlite3's own adapter drops ".000000", so a document dated exactly at a "since" bound fell outside it).
        self.encode_time = dialect.time_encoder(conn)
        self.keys = groups.Keys()

    def prepare(self, results: list[FileResult]) -> None:
        """Look up the batch's dedup keys among the store's top-level documents: indexed queries instead
        of every key of the store in a dict (memory bounded by the batch). The last of equal keys wins,
        as it did in that dict."""
        keys = sorted({doc.email_key or doc.sha256 for result in results for doc in result.docs})
        sql = "SELECT dedup_key, id FROM record_documents WHERE parent_id IS NULL AND dedup_key IN ({}) ORDER BY id"
        self.seen = {key: doc_id for key, doc_id in dialect.rows_in(self.conn, sql, keys)}

    def write(self, result: FileResult, custodian: str) -> tuple[int, int, list[tuple[str, str]]]:
        """Rows for one file; returns (new documents, duplicates, errors)."""
        new = duplicates = 0
        errors: list[tuple[str, str]] = []
        if result.error:
            errors.append((result.path, result.error))
        for doc in result.docs:
            key = doc.email_key or doc.sha256
            path = doc.filename
            if key in self.seen:
                duplicates += 1
                self._location(self.seen[key], custodian, path)
                continue
            family = self._insert(doc, None, None, 0, path, custodian, result, errors)
            self.seen[key] = family
            new += len(doc.walk())
        self.files.append(
            (result.sha256, custodian, result.path, result.size, result.mtime, self.now, len(result.docs), result.error)
        )
        return new, duplicates, errors

    def _insert(
        self,
        doc: Doc,
        parent: int | None,
        family: int | None,
        position: int,
        path: str,
        custodian: str,
        result: FileResult,
        errors: list[tuple[str, str]],
    ) -> int:
        doc_id = self.next_id
        self.next_id += 1
        family = family or doc_id
        sha256 = doc.sha256
        date, source = _date(doc, parent is None, result.mtime)
        encode = self.encode_time
        name = base_name(doc.filename.split("#")[0]) or doc.filename
        self.rows.append(
            (
                *(doc_id, parent, family, position, doc.email_key or sha256, sha256, doc.md5),
                *(doc.size, custodian, path, name, doc.format),
                *(doc.from_addr, doc.to_addrs, doc.cc_addrs, doc.bcc_addrs, doc.subject),
                *(encode(doc.sent_at), encode(doc.created_at), encode(doc.modified_at), encode(date), source),
                *(doc.message_id, doc.in_reply_to, doc.references, doc.minhash, doc.text.replace("\x00", "")),
                *("ocr" if doc.ocr else None, doc.error, encode(self.now)),
            )
        )
        self._location(doc_id, custodian, path)
        self.fts.append((doc_id, f"{doc.subject or ''} {base_name(doc.filename)}", doc.text))
        if doc.error:
            errors.append((path, doc.error))
        for n, child in enumerate(doc.children):
            self._insert(child, doc_id, family, n, f"{path}::{child.filename}", custodian, result, errors)
        return doc_id

    def _location(self, doc_id: int, custodian: str, path: str) -> None:
        self.locations.append((doc_id, custodian, path))

    def flush(self) -> None:
        """The batch's rows, each document with its near-duplicate group and thread (``groups.assign``)."""
        labels = groups.assign(self.conn, [groups.Member(*_MEMBER(row)) for row in self.rows], self.keys)
        rows = [(*row, *labels[row[0]]) for row in self.rows]
        dialect.bulk_insert(self.conn, RecordDocument.__table__, [*DOC_COLUMNS, *LABEL_COLUMNS], rows)
        _add_locations(self.conn, self.locations)
        index.add(self.conn, self.fts)
        encode = self.encode_time
        files = [(*row[:4], encode(row[4]), encode(row[5]), *row[6:]) for row in self.files]
        dialect.bulk_insert(self.conn, RecordFile.__table__, FILE_COLUMNS, files)
        self.rows, self.locations, self.fts, self.files, self.seen = [], [], [], [], {}
        self.encode_time = dialect.time_encoder(self.conn)  # its memo of times: bounded by the batch


def _add_locations(conn: Connection, rows: list[tuple[int, str, str]]) -> None:
    """Each (document, custodian, path) once: a duplicate's place found again is skipped. On SQLite as
    plain tuples to the driver (SQLAlchemy built a parameter dict per row: a tenth of the writer)."""
    if not rows:
        return
    if conn.dialect.name == "sqlite":
        sql = "INSERT OR IGNORE INTO record_locations (document_id, custodian, path) VALUES (?, ?, ?)"
        conn.exec_driver_sql(sql, rows)
        return
    statement = dialect.insert_ignoring_conflicts(conn, RecordLocation.__table__, ["document_id", "custodian", "path"])
    conn.execute(statement, [{"document_id": d, "custodian": c, "path": p} for d, c, p in rows])


def take_originals(result: FileResult) -> list[tuple[str, bytes]]:
    """The file's and each document's (SHA-256, bytes) not taken yet, for a pack; the bytes are dropped from
    the result, so a worker sends back digests and text only (no pickling of every original back). Each
    document's SHA-256 is computed once (a file read as one document has the file's, already known)."""
    whole = result.docs[0] if result.data is None and len(result.docs) == 1 else None  # its bytes: the file's
    taken = []
    if result.data is not None:
        taken.append((result.sha256, result.data))
        result.data = None
    for doc in result.docs:
        for item in doc.walk():
            if item.stored is None:
                same = item is whole and len(item.data) == result.size
                digest = result.sha256 if same else hashlib.sha256(item.data).hexdigest()
                taken.append((digest, item.data))
                item.stored = (digest, item.md5, len(item.data))
            item.data = b""
    return taken


def base_name(path: str) -> str:
    """``PurePath(path).name``, without building a path object for the common case (a plain last segment):
    two per document were 7 % of the writer's process."""
    tail = path.rpartition("/")[2]
    if tail and tail != "." and "\\" not in tail:
        return tail
    return PurePath(path).name


def _date(doc: Doc, top: bool, mtime: datetime | None) -> tuple[datetime | None, str | None]:
    """Sent date for email; else the document's own modified/created date; else (top level) the file's."""
    if doc.format in EMAIL_FORMATS:
        return (doc.sent_at, "sent") if doc.sent_at else (None, None)
    if doc.modified_at:
        return doc.modified_at, "modified"
    if doc.created_at:
        return doc.created_at, "created"
    if top and mtime:
        return mtime, "file-mtime"
    return None, None
