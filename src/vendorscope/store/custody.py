"""The custody chain: every custody record (an ingested artifact, an agent's push, a review decision, a
production, an export, a remediation change, a package built) is a link of one hash chain.

Each entry's ``hash`` is SHA-256 over the previous entry's hash, a newline, and the entry's ``body``: the
canonical JSON (sorted keys, no spaces, UTF-8 — RFC 8785 for the values used here: strings, integers,
booleans, null) of its sequence number, time, kind, subject, actor and facts. Editing an entry breaks its
hash; deleting or inserting one breaks the next entry's link; cutting the tail disagrees with the head row;
rewriting the whole chain changes the head that every package built before carries (`custody verify
--package` compares them).

Appending locks the one head row (an UPDATE first: a row lock on PostgreSQL, the write lock on SQLite), so
concurrent writers never fork the chain. Callers append at the end of their transaction — the link commits
with the record it describes, and the lock is held only for the commit.

An agent's push does not lock the head at all: it ``defer``s its links — rows of ``custody_pending``
committed with its records — and a linker (``link_pending``: the server's thread, every append, ``custody
verify``) chains them in id order in one short transaction. Pushes then commit side by side; a pending
record is reported as pending, never as verified, until it is chained.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Connection, delete, select, text, update

from vendorscope.errors import StoreError
from vendorscope.store.tables import (
    AgentPush,
    Artifact,
    CustodyEntry,
    CustodyHead,
    CustodyPending,
    FindingEvent,
    RecordProduction,
    RecordReview,
)

GENESIS = "0" * 64
OUTPUT_KINDS = ("package", "export")  # entries about what went out, not about the evidence
HEAD_ID = 1
BATCH = 5_000
_CHAIN = CustodyEntry.__table__
_HEAD = CustodyHead.__table__
_PENDING = CustodyPending.__table__
LINKER_LOCK = 0x76735F63  # the PostgreSQL advisory lock of the one linker per store ("vs_c")


@dataclass(frozen=True)
class Entry:
    """A custody record to append: what kind, about what, by whom, with which facts."""

    kind: str  # artifact | push | review | production | export | remediation | package
    subject: str  # e.g. "artifact:12", "document:7", "finding:3"
    actor: str
    data: dict[str, Any]


@dataclass(frozen=True)
class Head:
    seq: int
    hash: str

    def as_dict(self) -> dict[str, Any]:
        return {"seq": self.seq, "hash": self.hash}


@dataclass
class ChainReport:
    entries: int = 0
    head: Head | None = None
    problems: list[str] = field(default_factory=list)
    pending: int = 0  # records committed but not chained yet: not verified

    @property
    def ok(self) -> bool:
        return not self.problems


def canonical(value: Any) -> str:
    """The one serialization that is hashed; floats are refused (their text is not canonical)."""
    _check_values(value)
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def _check_values(value: Any) -> None:
    if isinstance(value, float):
        raise TypeError("custody records hold no floats: give them as text")
    if isinstance(value, dict):
        for item in value.values():
            _check_values(item)
    elif isinstance(value, list | tuple):
        for item in value:
            _check_values(item)


def link_hash(previous: str, body: str) -> str:
    return hashlib.sha256(f"{previous}\n{body}".encode()).hexdigest()


_ONE_TRIP_ROWS = 1000  # links appended in one statement on SQLite (its bind parameters are bounded)
_LINK_COLUMNS = ("seq", "at", "kind", "subject", "body", "prev_hash", "hash")
# Built once: a VALUES list of a group's thousand links was compiled anew at every commit (~0.1 s of CPU each).
# Text goes as TEXT, so the columns' lengths are checked on assignment as by a plain INSERT.
_APPEND_ARRAYS = (
    f"WITH links AS (INSERT INTO custody_chain ({', '.join(_LINK_COLUMNS)}) SELECT * FROM unnest("
    "%s::BIGINT[], %s::TIMESTAMP WITHOUT TIME ZONE[], %s::TEXT[], %s::TEXT[], %s::TEXT[], %s::TEXT[], %s::TEXT[])) "
    "UPDATE custody_head SET seq = %s, hash = %s WHERE id = %s"
)
_LOCK_HEAD = update(_HEAD).where(_HEAD.c.id == HEAD_ID).values(seq=_HEAD.c.seq).returning(_HEAD.c.seq, _HEAD.c.hash)


def append(conn: Connection, entries: Sequence[Entry], at: datetime | None = None, *, pending: bool = True) -> Head:
    """Append entries inside the caller's transaction, as its last statements; returns the new head.

    The pending links committed before are chained first, in id order (``pending=False`` only for the
    migration that creates the chain, before the pending table exists).
    """
    return _append(conn, entries, at, pending)[0]


def _append(conn: Connection, entries: Sequence[Entry], at: datetime | None, pending: bool) -> tuple[Head, int]:
    locked = conn.execute(_LOCK_HEAD).one_or_none()  # the lock and the head in one round trip
    if locked is None:
        raise StoreError("the custody chain has no head row: run `vendorscope custody verify`")
    seq, previous = locked
    waiting = _take_pending(conn) if pending else []
    if not entries and not waiting:
        return Head(seq, previous), 0
    when = at or datetime.now(UTC).replace(tzinfo=None)
    rows = []
    for entry_at, entry in [*waiting, *((when, entry) for entry in entries)]:
        seq += 1
        body = canonical(
            {
                "seq": seq,
                "at": entry_at.isoformat(timespec="microseconds"),
                "kind": entry.kind,
                "subject": entry.subject,
                "actor": entry.actor,
                "data": entry.data,
            }
        )
        previous_hash, previous = previous, link_hash(previous, body)
        rows.append(
            {"seq": seq, "at": entry_at, "kind": entry.kind, "subject": entry.subject[:255], "body": body,
             "prev_hash": previous_hash, "hash": previous}
        )  # fmt: skip
    move_head = update(_HEAD).where(_HEAD.c.id == HEAD_ID).values(seq=seq, hash=previous)
    if conn.dialect.name == "postgresql":  # one round trip under the lock: a CTE, of fixed text (one array a column)
        arrays = tuple([row[c] for row in rows] for c in _LINK_COLUMNS)
        conn.exec_driver_sql(_APPEND_ARRAYS, (*arrays, seq, previous, HEAD_ID))
    else:
        for start in range(0, len(rows), _ONE_TRIP_ROWS):
            conn.execute(_CHAIN.insert(), rows[start : start + _ONE_TRIP_ROWS])
        conn.execute(move_head)
    return Head(seq, previous), len(waiting)


def defer(conn: Connection, entries: Sequence[Entry], at: datetime | None = None) -> None:
    """Record entries as pending links inside the caller's transaction: no head lock; a linker chains them."""
    if not entries:
        return
    when = at or datetime.now(UTC).replace(tzinfo=None)
    conn.execute(
        _PENDING.insert(),
        [{"at": when, "kind": e.kind, "subject": e.subject[:255], "actor": e.actor, "data": canonical(e.data)}
         for e in entries],
    )  # fmt: skip


def _take_pending(conn: Connection) -> list[tuple[datetime, Entry]]:
    """The committed pending links, deleted, in id order (the caller holds the head's lock)."""
    taken = conn.execute(delete(_PENDING).returning(*_PENDING.c)).all()
    return [(r.at, Entry(r.kind, r.subject, r.actor, json.loads(r.data))) for r in sorted(taken, key=lambda r: r.id)]


def link_pending(conn: Connection) -> int:
    """Chain the pending links, if any, in the caller's (short) transaction; returns how many were chained.

    On PostgreSQL one linker per store at a time (an advisory lock, not waited for): another one is at it.
    """
    if conn.execute(select(_PENDING.c.id).limit(1)).first() is None:
        return 0
    if (
        conn.dialect.name == "postgresql"
        and not conn.execute(text("SELECT pg_try_advisory_xact_lock(:key)"), {"key": LINKER_LOCK}).scalar()
    ):
        return 0
    return _append(conn, [], None, pending=True)[1]


def pending(conn: Connection) -> list[Any]:
    """The pending links (committed, not chained yet), in id order."""
    return list(conn.execute(select(_PENDING).order_by(_PENDING.c.id)))


def head(conn: Connection) -> Head:
    row = conn.execute(select(_HEAD.c.seq, _HEAD.c.hash).where(_HEAD.c.id == HEAD_ID)).one_or_none()
    return Head(row.seq, row.hash) if row else Head(0, GENESIS)


def evidence_head(conn: Connection) -> Head:
    """The newest entry that is not an output (a package or an export): what a package is built from.

    Building a package appends a ``package`` entry; a rebuild from the same records must report the same
    head, or no two builds would ever be the same.
    """
    row = conn.execute(
        select(_CHAIN.c.seq, _CHAIN.c.hash)
        .where(_CHAIN.c.kind.not_in(OUTPUT_KINDS))
        .order_by(_CHAIN.c.seq.desc())
        .limit(1)
    ).one_or_none()
    return Head(row.seq, row.hash) if row else Head(0, GENESIS)


# -- the entries of each kind of custody record ------------------------------------------------------------

_ARTIFACT = ("sha256", "identity", "context", "path", "size", "format", "tool_version", "records", "items", "problems")
_PUSH = ("token_id", "agent", "sha256", "status", "artifact_id", "items", "received_at", "remote_addr")
_REVIEW = ("document_id", "tag", "basis", "note", "reviewer", "reviewed_at")
_PRODUCTION = ("prefix", "first_number", "last_number", "documents", "withheld", "out_dir", "produced_at", "volume")
_EVENT = ("finding_id", "at", "actor", "action", "old", "new", "note", "evidence")


def plain(value: Any) -> Any:
    """A value as the chain keeps it: times as ISO text, floats as text, containers recursively."""
    if isinstance(value, datetime):
        return value.isoformat(timespec="microseconds")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        items = [plain(v) for v in value]
        return sorted(items, key=str) if isinstance(value, set | frozenset) else items
    return value


def _pick(values: Any, keys: Sequence[str]) -> dict[str, Any]:
    get = values.get if isinstance(values, dict) else lambda k: getattr(values, k, None)
    return {k: plain(get(k)) for k in keys}


def artifact_entry(artifact_id: int, values: Any) -> Entry:
    """An ingested file: its hash, identity, where it came from, by which tool, what it yielded."""
    data = {"artifact_id": artifact_id} | _pick(values, _ARTIFACT)
    return Entry("artifact", f"artifact:{artifact_id}", f"vendorscope {data['tool_version']}", data)


def push_entry(values: Any) -> Entry:
    """An agent's push: which agent with which token sent which bytes, and what became of them."""
    data = _pick(values, _PUSH)
    return Entry("push", f"push:{data['sha256']}", f"agent:{data['agent']}", data)


def review_entries(rows: Sequence[Any]) -> list[Entry]:
    """Review decisions: who tagged which document how (privilege basis included)."""
    return [
        Entry("review", f"document:{data['document_id']}", str(data["reviewer"]), data)
        for data in (_pick(row, _REVIEW) for row in rows)
    ]


def production_entry(production_id: int, values: Any) -> Entry:
    data = {"production_id": production_id} | _pick(values, _PRODUCTION)
    return Entry("production", f"production:{production_id}", "vendorscope", data)


def remediation_entries(events: Sequence[Any]) -> list[Entry]:
    """Changes to findings' remediation, by people or by a collection that verified a removal."""
    return [
        Entry("remediation", f"finding:{data['finding_id']}", str(data["actor"]), data)
        for data in (_pick(event, _EVENT) for event in events)
    ]


def export_entry(actor: str, action: str, target: str, detail: dict[str, Any]) -> Entry:
    data = {"action": action, "target": target, "detail": plain(detail)}
    return Entry("export", f"{action}:{target}"[:255], actor, data)


def package_entry(request_id: str, out_dir: str, manifest_sha256: str, built_from: Head, actor: str) -> Entry:
    data = {"request": request_id, "out_dir": out_dir, "manifest_sha256": manifest_sha256,
            "chain_head_in_package": built_from.as_dict()}  # fmt: skip
    return Entry("package", f"package:{request_id}", actor, data)


def link_existing(conn: Connection) -> Head:
    """Link the custody records made before the chain existed (the migration that creates it calls this)."""
    linked = [artifact_entry(r.id, r) for r in conn.execute(select(Artifact).order_by(Artifact.id))]
    linked += [push_entry(r) for r in conn.execute(select(AgentPush).order_by(AgentPush.id))]
    linked += review_entries(conn.execute(select(RecordReview).order_by(RecordReview.id)).all())
    linked += [production_entry(r.id, r) for r in conn.execute(select(RecordProduction).order_by(RecordProduction.id))]
    linked += remediation_entries(conn.execute(select(FindingEvent).order_by(FindingEvent.id)).all())
    return append(conn, linked, pending=False)


def entries(conn: Connection, after: int = 0, limit: int = BATCH) -> list[Any]:
    return list(conn.execute(select(_CHAIN).where(_CHAIN.c.seq > after).order_by(_CHAIN.c.seq).limit(limit)))


def walk(conn: Connection) -> Iterator[Any]:
    """Every entry in order, a batch at a time (memory bounded by the batch, not the chain)."""
    last = 0
    while batch := entries(conn, last):
        yield from batch
        last = batch[-1].seq


def verify_chain(conn: Connection) -> ChainReport:
    """Recompute every link; check the head row and that every artifact has its link, unchanged."""
    report = ChainReport()
    expected_seq, previous = 1, GENESIS
    artifacts: dict[int, dict[str, Any]] = {}
    for row in walk(conn):
        report.entries += 1
        if row.seq != expected_seq:
            span = f"{expected_seq}" if row.seq == expected_seq + 1 else f"{expected_seq}–{row.seq - 1}"
            report.problems.append(f"custody entry {span}: missing (deleted)")
        if row.prev_hash != previous:
            report.problems.append(
                f"custody entry {row.seq}: does not link to the entry before it (an entry before it was "
                "edited, deleted or inserted)"
            )
        body = _check_entry(row, report)
        if body and body.get("kind") == "artifact":
            artifacts[int(body["data"]["artifact_id"])] = body["data"]
        expected_seq, previous = row.seq + 1, row.hash
    _check_head(conn, expected_seq - 1, previous, report)
    waiting = pending(conn)
    report.pending = len(waiting)
    in_wait = {int(json.loads(r.data).get("artifact_id") or 0) for r in waiting if r.kind == "artifact"}
    _check_artifacts(conn, artifacts, in_wait, report)
    return report


def _check_entry(row: Any, report: ChainReport) -> dict[str, Any] | None:
    if link_hash(row.prev_hash, row.body) != row.hash:
        report.problems.append(f"custody entry {row.seq}: its hash does not match its contents (edited)")
    try:
        body = json.loads(row.body)
    except ValueError:
        report.problems.append(f"custody entry {row.seq}: its body is not JSON (edited)")
        return None
    shown = {"seq": row.seq, "kind": row.kind, "subject": row.subject, "at": row.at.isoformat(timespec="microseconds")}
    differs = sorted(k for k, v in shown.items() if body.get(k) != v)
    if differs:
        report.problems.append(f"custody entry {row.seq}: {', '.join(differs)} differ from the hashed body (edited)")
    return body if isinstance(body, dict) and isinstance(body.get("data"), dict) else None


def _check_head(conn: Connection, last_seq: int, last_hash: str, report: ChainReport) -> None:
    row = conn.execute(select(_HEAD.c.seq, _HEAD.c.hash).where(_HEAD.c.id == HEAD_ID)).one_or_none()
    if row is None:
        report.problems.append("custody head: missing")
        return
    report.head = Head(row.seq, row.hash)
    if (row.seq, row.hash) != (last_seq, last_hash):
        report.problems.append(
            f"custody head: says entry {row.seq} ({row.hash[:16]}…), the chain ends at entry {last_seq} "
            f"({last_hash[:16]}…): entries were deleted or added at its end"
        )


def _check_artifacts(
    conn: Connection, linked: dict[int, dict[str, Any]], in_wait: set[int], report: ChainReport
) -> None:
    """Every artifact against its link; one whose link is pending is neither verified nor a problem yet."""
    seen: set[int] = set()
    for row in conn.execute(select(Artifact.id, Artifact.sha256, Artifact.identity).order_by(Artifact.id)):
        seen.add(row.id)
        data = linked.get(row.id)
        if data is None and row.id in in_wait:
            continue
        if data is None:
            report.problems.append(
                f"artifact {row.id}: no custody entry (its entry was deleted, or it was added outside vendorscope)"
            )
        elif (data.get("sha256"), data.get("identity")) != (row.sha256, row.identity):
            report.problems.append(f"artifact {row.id}: its hash differs from its custody entry (edited)")
    for artifact_id in sorted(set(linked) - seen):
        report.problems.append(f"artifact {artifact_id}: has a custody entry but is gone from the store (deleted)")


def contains(conn: Connection, anchor: Head) -> bool:
    """Whether the chain still holds this head (a package's), i.e. was not rewritten since."""
    row = conn.execute(select(_CHAIN.c.hash).where(_CHAIN.c.seq == anchor.seq)).one_or_none()
    return (row is not None and row.hash == anchor.hash) or (anchor.seq == 0 and anchor.hash == GENESIS)


def latest(conn: Connection, limit: int) -> list[dict[str, Any]]:
    rows = conn.execute(select(_CHAIN).order_by(_CHAIN.c.seq.desc()).limit(limit))
    return [
        {"seq": r.seq, "at": r.at.isoformat(timespec="seconds"), "kind": r.kind, "subject": r.subject,
         "actor": json.loads(r.body).get("actor", ""), "hash": r.hash}
        for r in rows
    ]  # fmt: skip
