"""Review tags: responsive, non-responsive, privileged (with a basis), needs-review. Each decision is a new
row with reviewer and time; a document's tag is its newest decision, so the history is never lost."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Connection, func, select

from vendorscope.errors import NotFoundError, VendorscopeError
from vendorscope.records.tags import TAGS
from vendorscope.store.tables import RecordDocument, RecordReview


def tag(
    conn: Connection,
    document_ids: list[int],
    tag_name: str,
    reviewer: str,
    basis: str | None = None,
    note: str | None = None,
    family: bool = False,
) -> list[int]:
    """Tag documents (and, with ``family``, every member of their families); returns the ids tagged."""
    if tag_name not in TAGS:
        raise VendorscopeError(f"unknown tag {tag_name!r} (one of: {', '.join(TAGS)})")
    if tag_name == "privileged" and not basis:
        raise VendorscopeError("a privileged tag needs a basis (--basis 'attorney-client', 'work product'…)")
    if not reviewer.strip():
        raise VendorscopeError("a review needs a reviewer (--reviewer NAME)")
    found = dict(
        conn.execute(
            select(RecordDocument.id, RecordDocument.family_id).where(RecordDocument.id.in_(document_ids))
        ).all()
    )
    missing = sorted(set(document_ids) - set(found))
    if missing:
        raise NotFoundError(f"no document with id {', '.join(map(str, missing))}")
    ids = set(found)
    if family:
        ids = set(
            conn.execute(select(RecordDocument.id).where(RecordDocument.family_id.in_(set(found.values())))).scalars()
        )
    now = datetime.now(UTC).replace(tzinfo=None)
    rows = [
        {"document_id": i, "tag": tag_name, "basis": basis, "note": note, "reviewer": reviewer, "reviewed_at": now}
        for i in sorted(ids)
    ]
    conn.execute(RecordReview.__table__.insert(), rows)
    return sorted(ids)


def current_tags(conn: Connection) -> dict[int, tuple[str, str | None]]:
    """The newest decision per document: id → (tag, basis)."""
    newest = select(RecordReview.document_id, func.max(RecordReview.id).label("last")).group_by(
        RecordReview.document_id
    )
    sub = newest.subquery()
    rows = conn.execute(
        select(RecordReview.document_id, RecordReview.tag, RecordReview.basis).join(sub, RecordReview.id == sub.c.last)
    )
    return {doc_id: (tag_name, basis) for doc_id, tag_name, basis in rows}


def history(conn: Connection, document_id: int) -> list[dict[str, object]]:
    rows = conn.execute(select(RecordReview).where(RecordReview.document_id == document_id).order_by(RecordReview.id))
    return [
        {"tag": r.tag, "basis": r.basis, "note": r.note, "reviewer": r.reviewer, "at": r.reviewed_at.isoformat()}
        for r in rows
    ]
