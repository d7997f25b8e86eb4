"""The audit log: logins, exports, reviews and configuration changes, one row each."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Select, func, select

from vendorscope.store import custody
from vendorscope.store.store import Store
from vendorscope.store.tables import AuditEvent

LOGIN_FAILED = "login.failed"
EXPORT = "export."


def now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def record(
    conn: Connection, actor: str, action: str, target: str = "", detail: dict[str, Any] | None = None, addr: str = ""
) -> None:
    """Append one event inside the caller's transaction (so the event and the change commit together)."""
    conn.execute(
        AuditEvent.__table__.insert().values(
            at=now(), actor=actor[:128], action=action, target=target[:255], detail=detail or {}, remote_addr=addr[:64]
        )
    )
    if action.startswith(EXPORT):  # what left the system is a custody event too
        custody.append(conn, [custody.export_entry(actor, action, target, detail or {})])


def log(
    store: Store, actor: str, action: str, target: str = "", detail: dict[str, Any] | None = None, addr: str = ""
) -> None:
    with store.transaction() as conn:
        record(conn, actor, action, target, detail, addr)


SORTABLE = ("at", "actor", "action", "target")  # columns a page of the log may be sorted by (then by time)


def events(
    store: Store,
    limit: int = 200,
    action: str = "",
    actors: list[str] | None = None,
    offset: int = 0,
    sort: str = "at",
    ascending: bool = False,
    actor: str = "",
) -> list[dict[str, Any]]:
    """Events, newest first unless ``sort``/``ascending`` say otherwise, ``offset`` on (the log is paged by its
    query: it only grows); ``actors`` (a scoped admin's users and tokens) limits whose are shown."""
    column = AuditEvent.id if sort not in SORTABLE or sort == "at" else getattr(AuditEvent, sort)
    direction = (lambda c: c.asc()) if ascending else (lambda c: c.desc())
    order = [direction(column)] + ([direction(AuditEvent.id)] if column is not AuditEvent.id else [])
    stmt = _filtered(select(*AuditEvent.__table__.c), action, actors, actor).order_by(*order)
    with store.engine.connect() as conn:
        rows = conn.execute(stmt.offset(offset).limit(limit)).mappings().all()
    return [dict(r) | {"at": r["at"].isoformat(timespec="seconds")} for r in rows]


def count(store: Store, action: str = "", actors: list[str] | None = None, actor: str = "") -> int:
    """How many events ``events`` can page through with the same filters."""
    with store.engine.connect() as conn:
        return conn.execute(_filtered(select(func.count(AuditEvent.id)), action, actors, actor)).scalar_one()


def _filtered(stmt: Select[Any], action: str, actors: list[str] | None, actor: str) -> Select[Any]:
    if action:
        stmt = stmt.where(AuditEvent.action.startswith(action, autoescape=True))
    if actors is not None:
        stmt = stmt.where(AuditEvent.actor.in_(actors))
    if actor:
        stmt = stmt.where(AuditEvent.actor == actor)
    return stmt
