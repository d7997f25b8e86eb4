"""The privilege log: one row per withheld document, keyed to its PRIV number (and the Bates range of its
family's produced documents, when some were produced), with date, author, recipients, the privilege basis
and a description a reviewer can defend — a template that names the document's type, date, author and
recipients without revealing its content, followed by the reviewer's own words (the note on the
privileged decision)."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from datetime import datetime
from typing import Any

PRIVILEGE_FIELDS = [
    "PRIVID",
    "FAMILYBATES",
    "DATE",
    "DOCTYPE",
    "AUTHOR",
    "RECIPIENTS",
    "CC",
    "BCC",
    "FILENAME",
    "PRIVILEGE_BASIS",
    "DESCRIPTION",
    "REVIEWER",
]
TYPES = {"email": "Email", "msg": "Email", "pdf": "PDF document", "docx": "Word document", "xlsx": "Spreadsheet",
         "pptx": "Presentation", "image": "Image", "text": "Text file", "html": "Web page"}  # fmt: skip


def description(doc: Any, basis: str, reviewer_text: str | None) -> str:
    """The template (type, date, author, recipients, basis — never the content) and the reviewer's text."""
    kind = TYPES.get(doc.format, "Document")
    when = f"{'sent' if doc.sent_at else 'dated'} {day(doc.doc_date)}" if doc.doc_date else "undated"
    parties = ""
    if doc.from_addr:
        parties += f" from {doc.from_addr}"
    if doc.to_addrs:
        parties += f" to {doc.to_addrs}"
    text = f"{kind} {when}{parties}, withheld as privileged ({basis})"
    if reviewer_text and reviewer_text.strip():
        text += f": {reviewer_text.strip()}"
    return text + "."


def log_rows(
    withheld: Sequence[Any],
    decisions: dict[int, tuple[str, str | None, str | None, str]],
    priv_ids: dict[int, str],
    family_bates: dict[int, str],
) -> list[list[str]]:
    """Rows of the log; ``decisions`` is id → (tag, basis, note, reviewer) of the privileged decision."""
    rows = []
    for doc in withheld:
        _, basis, note, reviewer = decisions[doc.id]
        rows.append([
            priv_ids[doc.id], family_bates.get(doc.family_id, ""), day(doc.doc_date), TYPES.get(doc.format, "Document"),
            doc.from_addr or "", doc.to_addrs or "", doc.cc_addrs or "", doc.bcc_addrs or "", doc.filename,
            basis or "", description(doc, basis or "", note), reviewer,
        ])  # fmt: skip
    return rows


def log_bytes(rows: list[list[str]]) -> bytes:
    """UTF-8 with a byte-order mark (Excel opens it as UTF-8), CRLF, RFC 4180 quoting."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(PRIVILEGE_FIELDS)
    writer.writerows(rows)
    return b"\xef\xbb\xbf" + buffer.getvalue().encode("utf-8")


def day(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d") if value else ""
