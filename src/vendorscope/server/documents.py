"""Records for the web pages: one document with its family and review history, privileged families hidden
from readers who may not see them, and review decisions recorded together with their audit event."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, select

from vendorscope.records import review
from vendorscope.server.audit import record
from vendorscope.store.tables import RecordDocument, RecordLocation

PRIVILEGED = "privileged"
_META = (
    "filename",
    "path",
    "format",
    "custodian",
    "from_addr",
    "to_addrs",
    "cc_addrs",
    "subject",
    "doc_date",
    "date_source",
    "sent_at",
    "modified_at",
    "sha256",
    "size",
    "error",
)


def privileged_families(conn: Connection) -> set[int]:
    """Families with a member whose current tag is privileged: shown to reviewers and admins only."""
    ids = [doc_id for doc_id, (tag, _basis) in review.current_tags(conn).items() if tag == PRIVILEGED]
    if not ids:
        return set()
    stmt = select(RecordDocument.family_id).where(RecordDocument.id.in_(ids))
    return {family for family in conn.execute(stmt).scalars() if family is not None} | set(ids)


def visible_results(conn: Connection, results: list[dict[str, Any]], privileged: bool) -> list[dict[str, Any]]:
    """Search results with each family's current tag; privileged families dropped unless ``privileged``."""
    tags = review.current_tags(conn)
    hidden = set() if privileged else privileged_families(conn)
    return [r | {"tag": tags.get(r["id"], ("", None))[0]} for r in results if r["id"] not in hidden]


def document(conn: Connection, doc_id: int, privileged: bool) -> dict[str, Any] | None:
    """A document's metadata, text, family, locations and reviews; None when missing or not for this reader."""
    d = RecordDocument
    row = conn.execute(
        select(d.id, d.family_id, d.parent_id, d.text, *(getattr(d, c) for c in _META)).where(d.id == doc_id)
    ).first()
    if row is None:
        return None
    family_id = row.family_id or row.id
    if not privileged and family_id in privileged_families(conn):
        return None
    tags = review.current_tags(conn)
    members = conn.execute(
        select(d.id, d.parent_id, d.position, d.filename, d.subject, d.format)
        .where(d.family_id == family_id)
        .order_by(d.parent_id.is_not(None), d.parent_id, d.position, d.id)
    ).all()
    places = conn.execute(
        select(RecordLocation.custodian, RecordLocation.path).where(RecordLocation.document_id == doc_id)
    ).all()
    meta = {c: getattr(row, c) for c in _META}
    return {
        "id": row.id,
        "family_id": family_id,
        "parent_id": row.parent_id,
        "text": row.text or "",
        "meta": {k: v.isoformat(sep=" ") if hasattr(v, "isoformat") else v for k, v in meta.items()},
        "tag": tags.get(row.id, ("", None)),
        "history": review.history(conn, row.id),
        "family": [m._asdict() | {"tag": tags.get(m.id, ("", None))[0]} for m in members],
        "locations": [p._asdict() for p in places],
    }


def tag_with_audit(conn: Connection, doc_id: int, tag: str, reviewer: str, addr: str, **options: Any) -> list[int]:
    """Tag a document (or its family) and log the review in the same transaction."""
    ids = review.tag(conn, [doc_id], tag, reviewer, **options)
    detail = {"tag": tag, "basis": options.get("basis") or "", "documents": ids[:100], "count": len(ids)}
    record(conn, reviewer, "review.tag", f"document:{doc_id}", detail, addr)
    return ids
