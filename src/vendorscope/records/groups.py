"""Near-duplicate groups and e-mail threads, kept batch by batch in the store.

Why: computing both over the whole store after each ingest held about 1 KB per document in the writer's
process (every band value in a dict, every e-mail's headers, a union-find over all of them) and rewrote
every e-mail's ``thread_id``. Now each batch looks up, in two indexed tables, the first document of each
band value (``record_bands``), of each Message-ID and of each normalized subject, and the documents that
named a Message-ID no document had yet (``record_thread_keys``); it joins its documents to the groups it
finds, relabels the groups it merges, and its rows are written with their labels. Memory is bounded by
the batch.

The result is the whole-store computation's (``dedup.near_duplicate_groups``, ``threads.thread_roots``;
a test compares them over several ingests): ids grow with the ingest, so a key's first document stays
its first, and a group's label (its smallest id) is an older document's whenever the group has one.
Keys are stored as 64-bit digests (of a band value, seeded by its band; of a Message-ID or subject,
by kind) and every match is checked against the
document's own signature or headers, so a digest collision never joins anything.

Each table is a small log-structured merge: a digest is random, so a batch's keys inserted into the main
table dirtied pages all over its B-tree, a page per key once the table outgrew the batch (1.5 million
documents: 100 GB written for a 4.4 GB store). A batch's new keys go to the table's recent level
(``record_bands_recent``, ``record_thread_keys_recent``), keyed by document first: every new key is a new
document's, and new documents have the largest ids, so its rows are appended. The recent level is looked
up beside the main table, from sorted runs the writer holds (at most ``RECENT_KEYS`` keys a table, 12
bytes each; read back from the table when the store's differs, e.g. after a rolled-back batch), and when
it passes ``RECENT_KEYS`` it moves into the main table in key order, in the batch's transaction: the main
table's pages are written once per merge, not once per batch.
"""

from __future__ import annotations

import itertools
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Table, bindparam, delete, func, select, update

from vendorscope.records.dedup import BANDS, NUM_PERM, ROWS, _find, _union
from vendorscope.records.threads import _ID, _PREFIX, EMAIL_FORMATS, normalized_subject
from vendorscope.store import dialect
from vendorscope.store.tables import (
    Meta,
    RecordBand,
    RecordBandRecent,
    RecordDocument,
    RecordThreadKey,
    RecordThreadKeyRecent,
)

CHUNK = 500  # values in one IN list (SQLite's bound parameters)
REBUILD_KEY = "records_groups"  # store_meta: the migration marks a store with documents for one rebuild
_WIDTH = ROWS * 8  # a band's bytes: signatures are stored as little-endian uint64 values
_MID, _REF, _SUBJECT = 1, 2, 3  # thread keys' kinds: a Message-ID's first document, one naming it, a subject's first
_SIGNATURE = NUM_PERM * 8  # bytes of a stored signature
_SEED, _MULTIPLIER = 0x9E3779B97F4A7C15, 0xBF58476D1CE4E5B9  # splitmix64's constants
RECENT_KEYS = 1 << 19  # a recent level's keys before it moves into its main table (held: 12 bytes a key)
_LOAD = 16_384  # rows of a recent table read at a time
_MOVE = 4_096  # rows moved into a main table a statement at a time (as Python tuples: ~130 bytes a row held)
_TIERS = 8  # a run merged with another never passes RECENT_KEYS // _TIERS keys: a level is a few such runs
_SLICES = 16  # a merge holds one slice of the digests' range of the recent level at a time


@dataclass(frozen=True)
class Member:
    """A new document's fields that decide its groups."""

    id: int
    format: str
    minhash: bytes | None
    message_id: str | None
    in_reply_to: str | None
    references: str | None
    subject: str | None


class Level:
    """One key table's recent level, held as runs: pairs of arrays sorted by (digest, document), 12 bytes a
    key. A batch's keys are a new run, and runs are merged size-tiered (the newest two while the older is
    at most twice the newer, never past ``RECENT_KEYS // _TIERS`` keys): a level is a few runs, and what a
    merge holds beside them is bounded by the tier, not the level. Every run's documents are newer than the
    runs' before it (keys of new documents, or read back in document order), which keeps a merge of two runs
    in (digest, document) order without sorting. The store's table is the truth, read again whenever its
    last document is not the one held (a batch rolled back)."""

    def __init__(self, main: Table, recent: Table) -> None:
        self.main, self.recent = main, recent
        self.runs: list[tuple[Any, Any]] = []  # (digests int64, documents int32), each sorted
        self.size = 0
        self.last: int | None = None  # the largest document id held; None with nothing held
        self.synced = False

    def __len__(self) -> int:
        return self.size

    def sync(self, conn: Connection) -> None:
        """Hold what the store's recent table holds (read only when it is not what this level last wrote)."""
        import numpy as np

        last = conn.execute(select(func.max(self.recent.c.document_id))).scalar()
        if self.synced and last == self.last:
            return
        self.runs, self.size = [], 0
        columns = self.recent.c
        query = select(columns.digest, columns.document_id).order_by(columns.document_id, columns.digest)
        for rows in conn.execute(query.execution_options(yield_per=_LOAD)).partitions():
            digests = np.fromiter((row[0] for row in rows), dtype=np.int64, count=len(rows))
            self._hold(digests, np.fromiter((row[1] for row in rows), dtype=np.int32, count=len(rows)))
        self.last, self.synced = last, True

    def documents_under(self, conn: Connection, digests: Iterable[int]) -> dict[int, list[int]]:
        """Digest -> documents listed under it in the main table or the recent level, for the digests given."""
        import numpy as np

        wanted = sorted(set(digests))
        found = _documents_under(conn, self.main, wanted)
        if not wanted:
            return found
        asked = np.asarray(wanted, dtype=np.int64)
        for run, documents in self.runs:
            low = np.searchsorted(run, asked, side="left")
            high = np.searchsorted(run, asked, side="right")
            for n in np.flatnonzero(high > low).tolist():
                found.setdefault(wanted[n], []).extend(documents[low[n] : high[n]].tolist())
        return found

    def add(self, conn: Connection, digests: Any, documents: Any) -> None:
        """New keys (all of documents newer than any held): appended to the recent table, and held."""
        import numpy as np

        digests, documents = np.asarray(digests, dtype=np.int64), np.asarray(documents, dtype=np.int64)
        if not len(digests):
            return
        order = np.lexsort((digests, documents))  # the table's key order: its pages are appended in turn
        rows = list(zip(documents[order].tolist(), digests[order].tolist(), strict=True))
        dialect.bulk_insert(conn, self.recent, ["document_id", "digest"], rows)
        self._hold(digests, documents.astype(np.int32))
        self.last = int(documents.max()) if self.last is None else max(self.last, int(documents.max()))

    def merge_if_full(self, conn: Connection) -> None:
        """Past ``RECENT_KEYS``: the recent level moves into the main table, in the main table's key order,
        a slice of the digests' range at a time (what is held for it is a slice of the level, not a copy)."""
        if self.size <= RECENT_KEYS:
            return
        for digests, documents in self._slices():
            for start in range(0, len(digests), _MOVE):
                end = start + _MOVE
                rows = list(zip(digests[start:end].tolist(), documents[start:end].tolist(), strict=True))
                dialect.bulk_insert(conn, self.main, ["digest", "document_id"], rows)
        conn.execute(delete(self.recent))
        self.runs, self.size, self.last = [], 0, None

    def _hold(self, digests: Any, documents: Any) -> None:
        """A new run of keys newer than those held, then the newest runs merged while their tiers allow."""
        import numpy as np

        order = np.lexsort((documents, digests))
        self.runs.append((digests[order], documents[order]))
        self.size += len(digests)
        most = max(1, RECENT_KEYS // _TIERS)
        while len(self.runs) > 1:
            older, newer = len(self.runs[-2][0]), len(self.runs[-1][0])
            if older > 2 * newer or older + newer > most:
                break
            newest = self.runs.pop()
            self.runs[-1] = _merged(self.runs[-1], newest)

    def _slices(self, slices: int = _SLICES) -> Iterable[tuple[Any, Any]]:
        """The runs' keys in (digest, document) order, in slices of the digests' range."""
        import numpy as np

        edges = [None, *(np.int64(-(1 << 63) + n * ((1 << 64) // slices)) for n in range(1, slices)), None]
        for low, high in itertools.pairwise(edges):
            parts = []
            for digests, documents in self.runs:
                start = 0 if low is None else int(np.searchsorted(digests, low))
                end = len(digests) if high is None else int(np.searchsorted(digests, high))
                parts.append((digests[start:end], documents[start:end]))
            digests = np.concatenate([np.empty(0, dtype=np.int64), *(d for d, _ in parts)])
            documents = np.concatenate([np.empty(0, dtype=np.int32), *(d for _, d in parts)])
            order = np.lexsort((documents, digests))
            yield digests[order], documents[order]


def _merged(older: tuple[Any, Any], newer: tuple[Any, Any]) -> tuple[Any, Any]:
    """Two runs as one, in (digest, document) order: each of the newer run's keys goes after the older
    run's keys of the same digest (its documents are newer), so no sort and no index of the whole is made:
    beside the two runs and the result, a merge holds 17 bytes a key of the newer run and 1 a key."""
    import numpy as np

    (old_digests, old_documents), (new_digests, new_documents) = older, newer
    at = np.searchsorted(old_digests, new_digests, side="right")
    at += np.arange(len(new_digests))  # where each newer key lands among all of them
    digests = np.empty(len(old_digests) + len(new_digests), dtype=np.int64)
    documents = np.empty(len(digests), dtype=np.int32)
    older_at = np.ones(len(digests), dtype=bool)
    older_at[at] = False
    digests[at], documents[at] = new_digests, new_documents
    digests[older_at], documents[older_at] = old_digests, old_documents
    return digests, documents


class Keys:
    """The two key tables' recent levels, held by one writer across its batches."""

    def __init__(self) -> None:
        self.bands = Level(RecordBand.__table__, RecordBandRecent.__table__)
        self.threads = Level(RecordThreadKey.__table__, RecordThreadKeyRecent.__table__)


def assign(
    conn: Connection, members: Sequence[Member], keys: Keys | None = None
) -> dict[int, tuple[int | None, int | None]]:
    """(near-duplicate group, thread) of each new document, ``members`` in id order and newer than every
    document of the store. Older documents whose group one of them joins or merges are updated now, and
    the new keys recorded; the caller writes the returned labels with its rows (same transaction).
    ``keys``: the recent levels held from the previous batch (else read from the store)."""
    keys = keys or Keys()
    keys.bands.sync(conn)
    keys.threads.sync(conn)
    near = _near_duplicates(conn, members, keys.bands)
    thread = _threads(conn, [m for m in members if m.format in EMAIL_FORMATS], keys.threads)
    keys.bands.merge_if_full(conn)
    keys.threads.merge_if_full(conn)
    return {m.id: (near.get(m.id), thread.get(m.id)) for m in members}


def counts(conn: Connection) -> tuple[int, int]:
    """(near-duplicate groups, threads of more than one message) in the store, counted by the database."""
    doc = RecordDocument.__table__.c
    groups = conn.execute(select(func.count(func.distinct(doc.near_dup_group)))).scalar() or 0
    sizes = select(doc.thread_id).where(doc.thread_id.is_not(None)).group_by(doc.thread_id)
    threads = conn.execute(select(func.count()).select_from(sizes.having(func.count() > 1).subquery())).scalar()
    return int(groups), int(threads or 0)


def rebuild_if_marked(conn: Connection, chunk: int = 2_000) -> None:
    """Fill both tables and every label once for a store whose documents came before them (the migration
    marks it), walking the documents in id order a chunk at a time, as ingest would have."""
    meta = Meta.__table__
    if conn.execute(select(meta.c.value).where(meta.c.key == REBUILD_KEY)).first() is None:
        return
    doc = RecordDocument.__table__
    for table in (RecordBand, RecordBandRecent, RecordThreadKey, RecordThreadKeyRecent):
        conn.execute(delete(table.__table__))
    conn.execute(update(doc).values(near_dup_group=None, thread_id=None))
    keys = Keys()
    last = 0
    while True:
        rows = conn.execute(_member_query().where(doc.c.id > last).order_by(doc.c.id).limit(chunk)).all()
        if not rows:
            break
        members = [Member(*row) for row in rows]
        labels = assign(conn, members, keys)
        _set(conn, "near_dup_group", {i: near for i, (near, _) in labels.items() if near is not None})
        _set(conn, "thread_id", {i: thread for i, (_, thread) in labels.items() if thread is not None})
        last = members[-1].id
    conn.execute(delete(meta).where(meta.c.key == REBUILD_KEY))


def _member_query():  # type: ignore[no-untyped-def]
    c = RecordDocument.__table__.c
    return select(c.id, c.format, c.minhash, c.message_id, c.in_reply_to, c.reference_ids, c.subject)


def _near_duplicates(conn: Connection, members: Sequence[Member], level: Level) -> dict[int, int]:
    """Group label of each new document that shares a band value with another (else absent).

    The band digests are computed for the whole batch at once with numpy, and a band value's bytes are
    looked at only when its digest was met before (in the store or the batch): most values are unique."""
    import numpy as np

    signed = [m for m in members if m.minhash and len(m.minhash) == _SIGNATURE]
    if not signed:
        return {}
    ids = [m.id for m in signed]
    bands = np.frombuffer(b"".join(m.minhash for m in signed), dtype="<u8").reshape(len(signed), -1)
    bands = bands[:, : BANDS * ROWS].reshape(len(signed), BANDS, ROWS)
    flat = _band_digests(bands).ravel()  # document n's band b at n * BANDS + b
    found = level.documents_under(conn, flat.tolist())
    c = RecordDocument.__table__.c
    older = {i: (blob, group) for i, blob, group in _by_id(conn, [c.id, c.minhash, c.near_dup_group], found)}
    # a digest met once in the batch and never in the store: its document is the value's first, nothing
    # to join; only the others (near-duplicates, and digest collisions) are looked at one by one
    _, inverse, times = np.unique(flat, return_inverse=True, return_counts=True)
    contested = times[inverse] > 1
    if found:
        contested |= np.isin(flat, np.fromiter(found, dtype=np.int64, count=len(found)))
    quiet = np.flatnonzero(~contested)
    new_digests, new_ids = [flat[quiet]], [np.asarray(ids, dtype=np.int64)[quiet // BANDS]]
    heads: dict[tuple[int, bytes], int] = {}  # (band, value) -> its first document, for digests met twice
    firsts: dict[int, list[tuple[int, int]]] = {}  # digest -> (row, band) of the batch's first documents
    parent: dict[int, int] = {}
    unset: set[int] = set()  # older documents that had no twin until now
    rows: set[tuple[int, int]] = set()
    for position in np.flatnonzero(contested).tolist():
        n, band = divmod(position, BANDS)
        digest, doc_id = int(flat[position]), ids[n]
        if digest not in found and digest not in firsts:  # a value met for the first time
            firsts[digest] = [(n, band)]
            rows.add((digest, doc_id))
            continue
        key = (band, bands[n, band].tobytes())
        if key not in heads:
            same = [i for i in found.get(digest, ()) if i in older and _band(older[i][0], band) == key[1]]
            if same:
                heads[key] = min(same)
            for m, other in firsts.get(digest, ()):
                heads.setdefault((other, bands[m, other].tobytes()), ids[m])
        head = heads.setdefault(key, doc_id)
        if head == doc_id:  # a new value under a digest met before: digests collide, values do not
            firsts.setdefault(digest, []).append((n, band))
            rows.add((digest, doc_id))
            continue
        if head in older:
            if older[head][1] is None:
                unset.add(head)
            head = older[head][1] or head
        _union(parent, doc_id, head)
    if rows:
        new_digests.append(np.array([d for d, _ in rows], dtype=np.int64))
        new_ids.append(np.array([i for _, i in rows], dtype=np.int64))
    level.add(conn, np.concatenate(new_digests), np.concatenate(new_ids))
    new = {m.id for m in members}
    _relabel(conn, "near_dup_group", parent, new, unset)
    return {i: _find(parent, i) for i in new if i in parent}


def _band_digests(bands: Any) -> Any:
    """A signed 64-bit digest of each band value (rows × bands × ROWS uint64 → rows × bands int64),
    seeded by the band: a multiply-xorshift over its values. Only ever compared for equality, and every
    equal digest is checked against the bytes, so its quality decides speed, never a result."""
    import numpy as np

    mixed = np.broadcast_to(np.arange(1, BANDS + 1, dtype=np.uint64) * np.uint64(_SEED), bands.shape[:2]).copy()
    for r in range(bands.shape[2]):
        mixed ^= bands[:, :, r]
        mixed *= np.uint64(_MULTIPLIER)
        mixed ^= mixed >> np.uint64(31)
    return mixed.view(np.int64)


def _threads(conn: Connection, emails: Sequence[Member], level: Level) -> dict[int, int]:
    """Thread label of each new e-mail: the same links as ``threads.thread_roots`` over the whole store."""
    if not emails:
        return {}
    parsed = []
    digests: dict[tuple[int, str], int] = {}
    wanted: set[int] = set()
    for m in emails:
        mids = _ID.findall(m.message_id or "")
        linked = _ID.findall(f"{m.in_reply_to or ''} {m.references or ''}")
        subject = normalized_subject(m.subject)
        parsed.append((m, mids, linked, subject))
        for mid in (*mids, *linked):
            value = mid.encode("utf-8", "surrogatepass")
            wanted.add(digests.setdefault((_MID, mid), _digest(_MID, value)))
            ref = digests.setdefault((_REF, mid), _digest(_REF, value))
            if mid in mids:  # who named it before it came: asked only for a message's own ids
                wanted.add(ref)
        if subject:
            key = (_SUBJECT, subject)
            wanted.add(digests.setdefault(key, _digest(_SUBJECT, subject.encode("utf-8", "surrogatepass"))))
    found = level.documents_under(conn, wanted)
    c = RecordDocument.__table__.c
    columns = [c.id, c.message_id, c.in_reply_to, c.reference_ids, c.subject, c.thread_id]
    older = {row[0]: row[1:] for row in _by_id(conn, columns, found)}

    def holders(kind: int, value: str) -> list[int]:
        """Older documents listed under the key and really holding it (a digest may collide)."""
        listed = found.get(digests[(kind, value)])
        return [i for i in listed if i in older and _holds(older[i], kind, value)] if listed else []

    first_mid: dict[str, int] = {}
    first_subject: dict[str, int] = {}
    waiting: dict[str, list[int]] = {}  # this batch's e-mails naming a Message-ID nobody had yet
    rows: set[tuple[int, int]] = set()
    parent: dict[int, int] = {}
    unset: set[int] = set()

    def label(i: int) -> int:
        if i in older:
            if older[i][4] is None:
                unset.add(i)
            return older[i][4] or i
        return i

    def first(kind: int, value: str, known: dict[str, int]) -> int | None:
        if value not in known:
            mine = holders(kind, value)
            if mine:
                known[value] = min(mine)
        return known.get(value)

    for m, mids, linked, subject in parsed:
        _find(parent, m.id)
        for mid in mids:
            head = first(_MID, mid, first_mid)
            if head is not None:
                _union(parent, m.id, label(head))
                continue
            first_mid[mid] = m.id
            rows.add((digests[(_MID, mid)], m.id))
            for i in holders(_REF, mid):  # older e-mails that named it before it came
                _union(parent, m.id, label(i))
            for i in waiting.pop(mid, []):
                _union(parent, m.id, i)
        for mid in linked:
            head = first(_MID, mid, first_mid)
            if head is not None:
                _union(parent, m.id, label(head))
            else:  # listed even if its message comes later in this batch: the rows do not follow the batches
                waiting.setdefault(mid, []).append(m.id)
                rows.add((digests[(_REF, mid)], m.id))
        if subject:
            head = first(_SUBJECT, subject, first_subject)
            if head is None:
                first_subject[subject] = head = m.id
                rows.add((digests[(_SUBJECT, subject)], m.id))
            if not linked and _PREFIX.match(m.subject or ""):
                _union(parent, m.id, label(head))
    listed = sorted(rows)
    level.add(conn, [digest for digest, _ in listed], [doc_id for _, doc_id in listed])
    new = {m.id for m in emails}
    _relabel(conn, "thread_id", parent, new, unset)
    return {i: _find(parent, i) for i in new}


def _holds(row: tuple[Any, ...], kind: int, value: str) -> bool:
    """Whether an older e-mail (Message-ID, In-Reply-To, References, subject, thread) holds the key. A
    reference stays listed once its message came: it is asked for only while no document has that id."""
    message_id, in_reply_to, references, subject, _ = row
    if kind == _MID:
        return value in _ID.findall(message_id or "")
    if kind == _REF:
        return value in _ID.findall(f"{in_reply_to or ''} {references or ''}")
    return normalized_subject(subject) == value


def _relabel(conn: Connection, column: str, parent: dict[int, int], new: set[int], unset: set[int]) -> None:
    """Older groups this batch joined: relabeled with their new smallest id; older documents without a
    label until now get theirs."""
    doc = RecordDocument.__table__
    moved = [(old, _find(parent, old)) for old in sorted(parent) if old not in new and old not in unset]
    moved = [(old, root) for old, root in moved if root != old]
    if moved:
        statement = update(doc).where(doc.c[column] == bindparam("old")).values({column: bindparam("root")})
        conn.execute(statement, [{"old": old, "root": root} for old, root in moved])
    if unset:
        statement = update(doc).where(doc.c.id == bindparam("doc")).values({column: bindparam("root")})
        conn.execute(statement, [{"doc": i, "root": _find(parent, i)} for i in sorted(unset)])


def _set(conn: Connection, column: str, values: dict[int, int]) -> None:
    if values:
        doc = RecordDocument.__table__
        statement = update(doc).where(doc.c.id == bindparam("doc")).values({column: bindparam("value")})
        conn.execute(statement, [{"doc": i, "value": v} for i, v in sorted(values.items())])


def _documents_under(conn: Connection, table: Table, digests: Iterable[int]) -> dict[int, list[int]]:
    """Digest -> documents listed under it, for the digests given."""
    found: dict[int, list[int]] = {}
    sql = f"SELECT digest, document_id FROM {table.name} WHERE digest IN ({{}})"
    for digest, doc_id in dialect.rows_in(conn, sql, sorted(set(digests))):
        found.setdefault(digest, []).append(doc_id)
    return found


def _by_id(conn: Connection, columns: list, found: dict[int, list[int]]) -> list[tuple]:  # type: ignore[type-arg]
    ids = sorted({i for docs in found.values() for i in docs})
    out = []
    for chunk in _chunks(ids):
        out.extend(tuple(row) for row in conn.execute(select(*columns).where(columns[0].in_(chunk))))
    return out


def _chunks(values: list[int]) -> Iterable[list[int]]:
    it = iter(values)
    while chunk := list(itertools.islice(it, CHUNK)):
        yield chunk


def _band(blob: bytes | None, band: int) -> bytes | None:
    return bytes(blob[band * _WIDTH : (band + 1) * _WIDTH]) if blob else None


def _digest(kind: int, value: bytes) -> int:
    """A signed 64-bit digest (BIGINT on both databases) of a thread key of one kind: CRC-32 of the bytes
    started from the kind, and of the bytes reversed (a different linear map, so the halves do not
    determine each other). Not a cryptographic hash, and need not be: every match is checked against
    the document; it is a fifth of BLAKE2b's cost, a few per e-mail."""
    return ((zlib.crc32(value, kind) << 32) | zlib.crc32(value[::-1])) - (1 << 63)
