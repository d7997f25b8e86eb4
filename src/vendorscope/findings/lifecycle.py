"""A finding's life: status changes by people and by evidence, due dates, overdue, and its history.

This is the one place that decides what closes a finding (``findings/status.py``), when a removal is
verified, and when a finding is overdue (:func:`due_date`, :func:`is_overdue`: the configured policy, or a
due date set on the finding). The CLI's ``remediation``, the dashboard, the directive reports and the
answer's ``overdue`` count all read :func:`work_items`.

Status is kept on the finding (``findings.status``: it survives re-matching); owner, a due date set by
hand, the replacement and a note live in ``remediations``; every change is a row of ``finding_events``.
A removal is *verified* only by evidence: when a later collection no longer shows the product
(the store marks the finding absent), :func:`verify_removals` records which artifact showed it.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

import orjson
from sqlalchemy import Connection, and_, or_, select, update
from sqlalchemy.orm import Session

from vendorscope.errors import NotFoundError, VendorscopeError
from vendorscope.findings.query import HostFilter
from vendorscope.findings.status import (
    CLOSED,
    EXCEPTION,
    OPEN,
    PLANNED,
    REMOVED,
    SETTABLE,
    SOFTWARE_KINDS,
    VERIFIED,
    WITHDRAWN,
)
from vendorscope.store.store import Store
from vendorscope.store.tables import Finding, FindingEvent, Host, Remediation

__all__ = ["CLOSED", "EXCEPTION", "OPEN", "PLANNED", "REMOVED", "SETTABLE", "VERIFIED", "WITHDRAWN"]
COLLECTION_ACTOR = "collection"
POLICY_KEY = "remediation_policy"
_FINDINGS = Finding.__table__
_EVENTS = FindingEvent.__table__
_REMEDIATIONS = Remediation.__table__


class RemediationError(VendorscopeError):
    """A status change that is not allowed (e.g. an exception without a justification)."""


@dataclass(frozen=True)
class Policy:
    """Deadlines in days from a start date (BOD 17-01: identify 30, plan 60, begin removal 90).

    ``start`` None means each finding's own first sighting starts its clock.
    """

    name: str = "BOD 17-01"
    start: date | None = date(2017, 9, 13)
    milestones: dict[str, int] = field(default_factory=lambda: {"identify": 30, "plan": 60, "remove": 90})

    def milestone(self, name: str, first_seen: datetime | None) -> date | None:
        start = self.start or (first_seen.date() if first_seen else None)
        return start + timedelta(days=self.milestones[name]) if start and name in self.milestones else None

    def due(self, first_seen: datetime | None) -> date | None:
        return self.milestone("remove", first_seen)


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def load_policy(store: Store) -> Policy:
    raw = store.get_meta(POLICY_KEY)
    if not raw:
        return Policy()
    data = orjson.loads(raw)
    start = date.fromisoformat(data["start"]) if data.get("start") else None
    return Policy(name=data["name"], start=start, milestones=dict(data["milestones"]))


def save_policy(store: Store, policy: Policy) -> None:
    if "remove" not in policy.milestones:
        raise RemediationError("policy: milestones need a 'remove' deadline")
    data = asdict(policy) | {"start": policy.start.isoformat() if policy.start else None}
    with store.transaction() as conn:
        store.set_meta(conn, POLICY_KEY, orjson.dumps(data).decode())


# -- evidence-driven transitions -------------------------------------------------------------------


def verify_removals(conn: Connection, now: datetime, host_ids: Collection[int] | None = None) -> int:
    """Mark absent findings "removed (verified)" (and reopen ones seen again); returns how many changed.

    Called by ``findings.refresh`` in its transaction, after findings follow the evidence, for the hosts it
    refreshed (None: all). Only findings whose presence and status disagree are read. An absent finding's
    evidence names the artifact (sha256) of the collection that no longer showed the product.
    """
    disagree = or_(
        and_(Finding.present.is_(False), Finding.status != VERIFIED),
        and_(Finding.present.is_(True), Finding.status == VERIFIED),
    )
    stmt = select(Finding.id, Finding.present, Finding.status, Finding.evidence, Finding.last_seen).where(
        Finding.kind.in_(SOFTWARE_KINDS), Finding.status != WITHDRAWN, disagree
    )
    if host_ids is not None:
        stmt = stmt.where(Finding.host_id.in_(sorted(host_ids)))
    rows = conn.execute(stmt.order_by(Finding.id)).all()
    events: list[dict[str, Any]] = []
    for row in rows:
        if not row.present and row.status != VERIFIED:
            gone = [e for e in row.evidence if not e.get("present")]
            evidence = {
                "artifacts": sorted({str(e["artifact"]) for e in gone}),
                "files": sorted({str(e["file"]) for e in gone}),
                "last_seen_present": row.last_seen.isoformat() if row.last_seen else None,
            }
            note = "a later collection of the host no longer shows the product"
            events.append(_event(row.id, now, COLLECTION_ACTOR, "status", row.status, VERIFIED, note, evidence))
        elif row.present and row.status == VERIFIED:
            seen = sorted({str(e["artifact"]) for e in row.evidence if e.get("present")})
            note = "the product was seen again after its removal was verified"
            events.append(_event(row.id, now, COLLECTION_ACTOR, "status", VERIFIED, OPEN, note, {"artifacts": seen}))
    for event in events:
        conn.execute(update(_FINDINGS).where(_FINDINGS.c.id == event["finding_id"]).values(status=event["new"]))
    if events:
        conn.execute(_EVENTS.insert(), events)
    return len(events)


def _event(
    finding_id: int, at: datetime, actor: str, action: str, old: str, new: str, note: str = "", evidence: Any = None
) -> dict[str, Any]:
    return {
        "finding_id": finding_id,
        "at": at,
        "actor": actor,
        "action": action,
        "old": old,
        "new": new,
        "note": note,
        "evidence": evidence or {},
    }


# -- changes by people -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    """What to change on findings; None leaves a field as it is."""

    status: str | None = None
    owner: str | None = None
    due: date | None = None
    replacement: str | None = None
    note: str = ""
    actor: str = "unknown"


def apply_change(store: Store, finding_ids: Iterable[int], change: Change) -> int:
    """Apply one change to findings, recording each difference as an event; returns events written."""
    if change.status is not None and change.status not in SETTABLE:
        raise RemediationError(
            f"status: {change.status!r} cannot be set by hand (one of: {', '.join(SETTABLE)}; "
            f"{VERIFIED!r} comes only from a collection)"
        )
    if change.status == EXCEPTION and not change.note.strip():
        raise RemediationError("note: an exception needs a justification (--note)")
    ids = sorted(set(finding_ids))
    now = utcnow()
    with store.transaction() as conn:
        found = {r.id: r for r in conn.execute(select(Finding.id, Finding.status).where(Finding.id.in_(ids)))}
        missing = [str(i) for i in ids if i not in found]
        if missing:
            raise NotFoundError(f"no finding with id {', '.join(missing)}")
        current = {r.finding_id: r for r in conn.execute(select(Remediation).where(Remediation.finding_id.in_(ids)))}
        events = []
        for fid in ids:
            events += _change_one(conn, fid, found[fid].status, current.get(fid), change, now)
        if events:
            conn.execute(_EVENTS.insert(), events)
    return len(events)


def _change_one(
    conn: Connection, fid: int, status: str, current: Any, change: Change, now: datetime
) -> list[dict[str, Any]]:
    events = []
    if change.status is not None and change.status != status:
        if status in (VERIFIED, WITHDRAWN):
            raise RemediationError(f"finding {fid}: status is {status!r}; it follows the evidence now")
        conn.execute(update(_FINDINGS).where(_FINDINGS.c.id == fid).values(status=change.status))
        events.append(_event(fid, now, change.actor, "status", status, change.status, change.note))
    old = {
        "owner": current.owner if current else "",
        "due": current.due.isoformat() if current and current.due else "",
        "replacement": current.replacement if current else "",
    }
    new = {
        "owner": change.owner,
        "due": change.due.isoformat() if change.due else None,
        "replacement": change.replacement,
    }
    fields = {k: v for k, v in new.items() if v is not None and v != old[k]}
    for name, value in fields.items():
        events.append(_event(fid, now, change.actor, name, old[name], value, change.note))
    if change.note and not events:
        events.append(_event(fid, now, change.actor, "note", "", "", change.note))
    if fields or change.note:
        values = {k: v for k, v in fields.items() if k != "due"} | {"updated_at": now}
        if "due" in fields:
            values["due"] = change.due
        if change.note:
            values["note"] = change.note
        if current:
            conn.execute(update(_REMEDIATIONS).where(_REMEDIATIONS.c.finding_id == fid).values(**values))
        else:
            conn.execute(_REMEDIATIONS.insert().values(finding_id=fid, **({"owner": "", "replacement": ""} | values)))
    return events


# -- reading ---------------------------------------------------------------------------------------


def due_date(policy: Policy, first_seen: datetime | None, set_due: date | None) -> date | None:
    """When a finding must be gone: the due date set on it, else the policy's removal deadline."""
    return set_due or policy.due(first_seen)


def is_overdue(status: str, due: date | None, today: date) -> bool:
    """The one overdue rule: past its due date and not closed."""
    return bool(due and due < today and status not in CLOSED)


def work_items(
    conn: Connection,
    policy: Policy,
    today: date,
    vendor: str | None = None,
    include_closed: bool = False,
    hosts: HostFilter = None,
) -> list[dict[str, Any]]:
    """Every finding (withdrawn ones aside) with its remediation state and due date; closed ones only when asked."""
    stmt = (
        select(Finding, Host.name, Remediation)
        .join(Host, Host.id == Finding.host_id)
        .outerjoin(Remediation, Remediation.finding_id == Finding.id)
        .where(Finding.status != WITHDRAWN)
        .order_by(Host.name, Finding.vendor, Finding.product, Finding.kind)
    )
    if vendor:
        stmt = stmt.where(Finding.vendor == vendor)
    if hosts is not None:
        stmt = stmt.where(Finding.host_id.in_(hosts))
    items = []
    for finding, host, rem in Session(conn).execute(stmt):
        if finding.status in CLOSED and not include_closed:
            continue
        due = due_date(policy, finding.first_seen, rem.due if rem else None)
        items.append(
            {
                "id": finding.id,
                "host": host,
                "vendor": finding.vendor,
                "product": finding.product,
                "kind": finding.kind,
                "present": finding.present,
                "status": finding.status,
                "owner": rem.owner if rem else "",
                "due": due.isoformat() if due else "",
                "due_source": "set" if rem and rem.due else policy.name,
                "overdue": is_overdue(finding.status, due, today),
                "replacement": rem.replacement if rem else "",
                "note": rem.note if rem else "",
                "first_seen": finding.first_seen.isoformat() if finding.first_seen else "",
                "how": sorted({f"{e.get('source', '')}.{e.get('field', '')}" for e in finding.evidence}),
            }
        )
    return items


def history(conn: Connection, finding_id: int) -> list[dict[str, Any]]:
    if conn.execute(select(Finding.id).where(Finding.id == finding_id)).first() is None:
        raise NotFoundError(f"no finding with id {finding_id}")
    rows = conn.execute(
        select(FindingEvent).where(FindingEvent.finding_id == finding_id).order_by(FindingEvent.at, FindingEvent.id)
    ).all()
    return [
        {
            "at": r.at.isoformat(),
            "actor": r.actor,
            "action": r.action,
            "old": r.old,
            "new": r.new,
            "note": r.note,
            "evidence": r.evidence,
        }
        for r in rows
    ]
