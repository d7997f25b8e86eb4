"""The audit log: logins, exports, reviews and configuration changes, one row each."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, select

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


def events(store: Store, limit: int = 200, action: str = "", actors: list[str] | None = None) -> list[dict[str, Any]]:
    """The latest events, newest first; ``actors`` (a scoped admin's users and tokens) limits whose are shown."""
    stmt = select(AuditEvent).order_by(AuditEvent.id.desc()).limit(limit)
    if action:
        stmt = stmt.where(AuditEvent.action.startswith(action))
    if actors is not None:
        stmt = stmt.where(AuditEvent.actor.in_(actors))
    with store.engine.connect() as conn:
        rows = conn.execute(stmt.with_only_columns(*AuditEvent.__table__.c)).mappings().all()
    return [dict(r) | {"at": r["at"].isoformat(timespec="seconds")} for r in rows]
