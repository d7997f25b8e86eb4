"""Redactions a reviewer marks: exact text, a regular expression (personal data such as phone numbers), or a
character span of the extracted text. They are kept as decisions (who, when, why) and applied at production:
the produced text and page images carry a box in their place, the DAT says REDACTED=Y, and the native file
is withheld (its bytes would still hold what was redacted)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Connection, select

from vendorscope.errors import NotFoundError, VendorscopeError
from vendorscope.store.tables import RecordDocument, RecordRedaction

KINDS = ("text", "regex", "span")


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    reason: str


def add(conn: Connection, document_ids: list[int], kind: str, value: str, reason: str, reviewer: str) -> list[int]:
    """Record a redaction on each document; returns the ids. The value is checked now, not at production."""
    if kind not in KINDS:
        raise VendorscopeError(f"unknown redaction kind {kind!r} (one of: {', '.join(KINDS)})")
    if not value or not reason.strip() or not reviewer.strip():
        raise VendorscopeError("a redaction needs a value, a reason (--reason) and a reviewer (--reviewer)")
    if kind == "regex":
        try:
            re.compile(value)
        except re.error as exc:
            raise VendorscopeError(f"--regex {value!r}: {exc}") from exc
    if kind == "span" and not re.fullmatch(r"\d+:\d+", value):
        raise VendorscopeError(f"--span {value!r}: START:END character offsets of the text, e.g. 120:160")
    found = set(conn.execute(select(RecordDocument.id).where(RecordDocument.id.in_(document_ids))).scalars())
    missing = sorted(set(document_ids) - found)
    if missing:
        raise NotFoundError(f"no document with id {', '.join(map(str, missing))}")
    now = datetime.now(UTC).replace(tzinfo=None)
    rows = [
        {"document_id": i, "kind": kind, "value": value, "reason": reason, "reviewer": reviewer, "created_at": now}
        for i in sorted(found)
    ]
    conn.execute(RecordRedaction.__table__.insert(), rows)
    return sorted(found)


def marked(conn: Connection, document_ids: list[int]) -> dict[int, list[tuple[str, str, str]]]:
    """(kind, value, reason) of every redaction on these documents, in the order they were made."""
    out: dict[int, list[tuple[str, str, str]]] = {}
    for start in range(0, len(document_ids), 500):
        chunk = document_ids[start : start + 500]
        rows = conn.execute(
            select(RecordRedaction.document_id, RecordRedaction.kind, RecordRedaction.value, RecordRedaction.reason)
            .where(RecordRedaction.document_id.in_(chunk))
            .order_by(RecordRedaction.id)
        )
        for doc_id, kind, value, reason in rows:
            out.setdefault(doc_id, []).append((kind, value, reason))
    return out


def spans(text: str, redactions: list[tuple[str, str, str]]) -> list[Span]:
    """Where the redactions fall in the text, merged where they overlap, in order."""
    found: list[Span] = []
    for kind, value, reason in redactions:
        if kind == "span":
            start, end = (int(v) for v in value.split(":"))
            found.append(Span(max(0, start), min(len(text), end), reason))
            continue
        pattern = re.compile(re.escape(value) if kind == "text" else value)
        found.extend(Span(m.start(), m.end(), reason) for m in pattern.finditer(text) if m.end() > m.start())
    merged: list[Span] = []
    for span in sorted(found, key=lambda s: (s.start, s.end)):
        if merged and span.start <= merged[-1].end:
            last = merged[-1]
            merged[-1] = Span(last.start, max(last.end, span.end), last.reason)
        else:
            merged.append(span)
    return merged


def apply(text: str, found: list[Span]) -> str:
    """The text with each span replaced by ``[REDACTED: reason]``."""
    out, position = [], 0
    for span in found:
        out.append(text[position : span.start])
        out.append(f"[REDACTED: {span.reason}]")
        position = span.end
    out.append(text[position:])
    return "".join(out)
