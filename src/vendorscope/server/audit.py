"""The audit log: logins, exports, reviews and configuration changes, one row each."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, func, or_, select

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


def recent_failures(store: Store, username: str, addr: str, window: timedelta) -> int:
    """Failed logins for this user name or from this address within the window: the rate limiter's count."""
    with store.engine.connect() as conn:
        return conn.execute(
            select(func.count())
            .select_from(AuditEvent)
            .where(
                AuditEvent.action == LOGIN_FAILED,
                AuditEvent.at >= now() - window,
                or_(AuditEvent.target == username[:255], AuditEvent.remote_addr == addr[:64]),
            )
        ).scalar_one()


def events(store: Store, limit: int = 200, action: str = "") -> list[dict[str, Any]]:
    stmt = select(AuditEvent).order_by(AuditEvent.id.desc()).limit(limit)
    if action:
        stmt = stmt.where(AuditEvent.action.startswith(action))
    with store.engine.connect() as conn:
        rows = conn.execute(stmt.with_only_columns(*AuditEvent.__table__.c)).mappings().all()
    return [dict(r) | {"at": r["at"].isoformat(timespec="seconds")} for r in rows]
