"""The push intake: agents' bundles queued durably in the store, answered 202 with a receipt.

Why a table of the store and not Redis: the queue is then exactly as durable as the evidence (the same
database, its backups, its WAL; the Redis of this deployment keeps nothing on disk), a receipt and the
outcome of its bundle commit in the applier's one transaction with the evidence they describe (no two-system
commit: applied once, never lost between the two), and there is no second system to run, secure and back up.
The cost is one more write of each bundle's bytes (emptied once applied) — measured in docs/benchmarks.md.

The queue is bounded (``MAX_QUEUED`` bundles, ``MAX_QUEUED_BYTES``): beyond it a push is refused with 503 and
Retry-After, so the store's disk and the applier's backlog stay bounded; agents retry (``push_bundle`` does).
"""

from __future__ import annotations

import secrets
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, bindparam, delete, func, select, text, true, update

from vendorscope.errors import VendorscopeError
from vendorscope.server.accounts import Principal
from vendorscope.server.audit import now
from vendorscope.store.store import Store
from vendorscope.store.tables import EnrollmentToken, PushIntake

LANES = 2  # appliers that may apply at once (PostgreSQL), each its own lane of the queue
MAX_QUEUED = 5_000  # bundles waiting to be applied, at most
MAX_QUEUED_BYTES = 512 * 1024 * 1024  # their bytes (as received, gzip'd), at most
RETRY_AFTER = 5  # seconds an agent is asked to wait when the queue is full
RECEIPT_DAYS = 7  # how long an applied receipt can be read
APPLIER_LOCK = 0x76735F61  # the PostgreSQL advisory lock of lane 0's applier ("vs_a"); lane n's is this + n
_INTAKE = PushIntake.__table__
_RECORD = (
    update(_INTAKE)
    .where(_INTAKE.c.id == bindparam("rid"))
    .values(
        state="done",
        status=bindparam("status"),
        code=bindparam("code"),
        items=bindparam("items"),
        hosts=bindparam("hosts"),
        problems=bindparam("problems"),
        applied_at=bindparam("at"),
        data=None,
    )
)


class Backlogged(VendorscopeError):
    """The intake holds as much as it may: the agent is to push again later (503, Retry-After)."""

    http_status = 503


@dataclass(frozen=True)
class Receipt:
    """What became of a queued push: ``queued`` until applied, then ingested | duplicate | failed | refused."""

    receipt: str
    status: str
    sha256: str
    code: int = 202  # the HTTP status a synchronous push answers with (201, 200, 403, 413, 422), 202 while queued
    items: int = 0
    hosts: int = 0
    problems: list[str] = field(default_factory=list)
    received_at: datetime | None = None
    applied_at: datetime | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "receipt": self.receipt,
            "status": self.status,
            "code": self.code,
            "sha256": self.sha256,
            "items": self.items,
            "hosts": self.hosts,
            "problems": self.problems[:20],
            "received_at": self.received_at.isoformat() if self.received_at else None,
            "applied_at": self.applied_at.isoformat() if self.applied_at else None,
        }


@dataclass(frozen=True)
class Queued:
    """A queued push as the applier reads it, with the token it was pushed with (as that token is now)."""

    id: int
    receipt: str
    token_id: int
    token_name: str
    token_org: str
    revoked: bool
    agent: str
    filename: str
    remote_addr: str
    sha256: str
    data: bytes
    received_at: datetime


@dataclass(frozen=True)
class Outcome:
    """What applying one queued push gave, recorded on its row."""

    id: int
    status: str
    code: int
    items: int = 0
    hosts: int = 0
    problems: list[str] = field(default_factory=list)


def enqueue(
    store: Store,
    agent: Principal,
    agent_name: str,
    data: bytes,
    sha256: str,
    filename: str,
    addr: str,
    *,
    most: int = MAX_QUEUED,
    most_bytes: int = MAX_QUEUED_BYTES,
) -> Receipt:
    """Queue a bundle, in one short transaction; the same bundle from the same token and file name while it
    waits gets the same receipt, and once applied its outcome (a second copy is not queued).

    Raises Backlogged when the queue is full.
    """
    with store.transaction() as conn:
        # The same bundle received before, and what is queued: one statement.
        earlier = (
            select(_INTAKE.c.receipt, _INTAKE.c.state, _INTAKE.c.status, _INTAKE.c.received_at)
            .where(
                _INTAKE.c.token_id == agent.id,
                _INTAKE.c.sha256 == sha256,
                _INTAKE.c.filename == filename[:255],
            )
            .order_by(_INTAKE.c.id.desc())
            .limit(1)
            .subquery()
        )
        waiting = (
            select(func.count().label("bundles"), func.coalesce(func.sum(_INTAKE.c.size), 0).label("size"))
            .where(_INTAKE.c.state == "queued")
            .subquery()
        )
        found = conn.execute(
            select(earlier.c.receipt, earlier.c.state, earlier.c.status, earlier.c.received_at, waiting)
            .select_from(waiting.outerjoin(earlier, true()))
        ).one()  # fmt: skip
        if found.state == "queued":
            return Receipt(found.receipt, "queued", sha256, received_at=found.received_at)
        if found.status in ("ingested", "duplicate"):
            return Receipt(found.receipt, "duplicate", sha256, 200, received_at=found.received_at)
        bundles, size = found.bundles, found.size
        if bundles >= most or size + len(data) > most_bytes:
            raise Backlogged(f"the server has {bundles} bundles waiting to be applied; push again in {RETRY_AFTER} s")
        receipt, at = secrets.token_urlsafe(16), now()
        conn.execute(
            _INTAKE.insert().values(
                receipt=receipt, token_id=agent.id, agent=agent_name[:255], filename=filename[:255],
                remote_addr=addr[:64], sha256=sha256, size=len(data), data=data, received_at=at, state="queued",
                lane=lane_of(agent.id, agent_name), status="", code=0, items=0, hosts=0, problems=[],
            )
        )  # fmt: skip
    return Receipt(receipt, "queued", sha256, received_at=at)


def find(store: Store, agent: Principal, receipt: str) -> Receipt | None:
    """The receipt, if ``agent``'s token pushed it (a receipt of another token is not there, as for a stranger)."""
    with store.engine.connect() as conn:
        row = conn.execute(
            select(_INTAKE).where(_INTAKE.c.receipt == receipt[:32], _INTAKE.c.token_id == agent.id)
        ).first()
    if row is None:
        return None
    if row.state == "queued":
        return Receipt(row.receipt, "queued", row.sha256, received_at=row.received_at)
    return Receipt(
        row.receipt, row.status, row.sha256, row.code, row.items, row.hosts, list(row.problems or []),
        row.received_at, row.applied_at,
    )  # fmt: skip


def backlog(conn: Connection) -> int:
    """Bundles queued and not applied yet."""
    return int(conn.execute(select(func.count()).where(_INTAKE.c.state == "queued")).scalar_one())


def lane_of(token_id: int, agent_name: str) -> int:
    """The lane of an agent's pushes: always the same one, so that they are applied in the order received."""
    return zlib.crc32(f"{token_id}/{agent_name}".encode()) % LANES


def take_turn(conn: Connection, prefer: int) -> int | None:
    """The lane this applier applies now, locked for the caller's transaction; None when there is nothing queued
    or every lane with work is taken. On PostgreSQL one applier per lane (an advisory lock, not waited for;
    ``prefer`` spreads the processes over the lanes); on SQLite the caller's write lock already makes it one
    applier, for every lane at once (-1)."""
    if conn.dialect.name != "postgresql":
        return -1
    busy = set(conn.execute(select(_INTAKE.c.lane).where(_INTAKE.c.state == "queued").distinct()).scalars())
    for lane in sorted(busy, key=lambda n: (n - prefer) % LANES):
        if conn.execute(text("SELECT pg_try_advisory_xact_lock(:key)"), {"key": APPLIER_LOCK + lane}).scalar():
            return int(lane)
    return None


def queued(conn: Connection, most: int, lane: int = -1) -> list[int]:
    """The ids of the oldest queued bundles (of one lane; -1: of all), in the order they were received."""
    found = select(_INTAKE.c.id).where(_INTAKE.c.state == "queued")
    if lane >= 0:
        found = found.where(_INTAKE.c.lane == lane)
    return list(conn.execute(found.order_by(_INTAKE.c.id).limit(most)).scalars())


def waiting(conn: Connection, most: int, lane: int = -1, most_bytes: int = 0) -> list[int]:
    """``queued``, as many of them as hold ``most_bytes`` at most (``0``: any number of bytes; the first always)."""
    found = select(_INTAKE.c.id, _INTAKE.c.size).where(_INTAKE.c.state == "queued")
    if lane >= 0:
        found = found.where(_INTAKE.c.lane == lane)
    ids: list[int] = []
    total = 0
    for rid, size in conn.execute(found.order_by(_INTAKE.c.id).limit(most)):
        total += size
        if ids and most_bytes and total > most_bytes:
            break
        ids.append(rid)
    return ids


def _loading() -> Any:
    tokens = EnrollmentToken.__table__
    return (
        select(
            _INTAKE.c.id, _INTAKE.c.receipt, _INTAKE.c.token_id, tokens.c.name, tokens.c.org, tokens.c.revoked_at,
            _INTAKE.c.agent, _INTAKE.c.filename, _INTAKE.c.remote_addr, _INTAKE.c.sha256, _INTAKE.c.data,
            _INTAKE.c.received_at,
        )
        .join(tokens, tokens.c.id == _INTAKE.c.token_id)
        .where(_INTAKE.c.state == "queued")
    )  # fmt: skip


def _queued(row: Any) -> Queued:
    return Queued(
        row.id, row.receipt, row.token_id, row.name, row.org, row.revoked_at is not None, row.agent, row.filename,
        row.remote_addr, row.sha256, bytes(row.data), row.received_at,
    )  # fmt: skip


def load(conn: Connection, rid: int) -> Queued | None:
    """One queued bundle with its bytes (one at a time: memory stays one bundle's), None if applied meanwhile."""
    row = conn.execute(_loading().where(_INTAKE.c.id == rid)).first()
    if row is None or row.data is None:
        return None
    return _queued(row)


def load_many(conn: Connection, ids: Sequence[int]) -> list[Queued]:
    """The queued bundles of ``ids`` with their bytes, in one statement, in the order received (those applied
    meanwhile left out); the caller bounds their bytes (``waiting``)."""
    rows = conn.execute(_loading().where(_INTAKE.c.id.in_(list(ids))).order_by(_INTAKE.c.id))
    return [_queued(row) for row in rows if row.data is not None]


def record(conn: Connection, outcomes: Sequence[Outcome]) -> None:
    """The outcomes on their rows, in the applier's transaction; the bytes are dropped."""
    if not outcomes:
        return
    at = now()
    conn.execute(
        _RECORD,
        [
            {"rid": o.id, "status": o.status, "code": o.code, "items": o.items, "hosts": o.hosts,
             "problems": o.problems[:20], "at": at}
            for o in outcomes
        ],
    )  # fmt: skip


def prune(conn: Connection, days: int = RECEIPT_DAYS) -> int:
    """Forget receipts applied more than ``days`` ago (their bundles' evidence and push records stay)."""
    cutoff = now() - timedelta(days=days)
    return conn.execute(delete(_INTAKE).where(_INTAKE.c.state == "done", _INTAKE.c.applied_at < cutoff)).rowcount
