"""RFC 5322 email (.eml) and mbox: headers, body text, attachments as child documents.

Parsed with the standard library's ``email`` package. The MIME structure is read with ``policy.compat32``
and the few headers kept are decoded with ``email.header`` and ``email.utils``: ``policy.default`` builds a
rich object for every header it touches (Content-Type included, on every part) and costs about ten times as
much per message, for nothing we keep. Every header and part is read defensively, so malformed MIME or a wrong
charset leaves an error on the document, not a crash.
"""

from __future__ import annotations

import hashlib
import mailbox
import os
import re
import tempfile
from datetime import UTC, datetime
from email import policy
from email.header import decode_header, make_header
from email.message import Message
from email.parser import BytesParser
from email.utils import parsedate_to_datetime

from vendorscope.records.model import Doc, Limits

_PARSER = BytesParser(policy=policy.compat32)
_SPACE = re.compile(r"\s+")


def extract_email(data: bytes, filename: str, limits: Limits, depth: int) -> list[Doc]:
    return [parse_message(data, filename, limits, depth)]


def extract_mbox(data: bytes, filename: str, limits: Limits, depth: int) -> list[Doc]:
    """Each message of an mbox is a top-level document named ``FILE#N`` (N from 1)."""
    fd, tmp = tempfile.mkstemp(suffix=".mbox")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        box = mailbox.mbox(tmp, create=False)
        docs = [
            parse_message(box.get_bytes(key), f"{filename}#{n}", limits, depth) for n, key in enumerate(box.keys(), 1)
        ]
        box.close()
    finally:
        os.unlink(tmp)
    return docs or [Doc(filename, "mbox", data, error="no message found in mbox")]


def parse_message(data: bytes, filename: str, limits: Limits, depth: int) -> Doc:
    """One message and its attachments (recursively, through ``extract``)."""
    msg = _PARSER.parsebytes(data)
    doc = Doc(filename, "email", data)
    _headers(msg, doc)
    leaves, attachments = _parts(msg)
    doc.text = _body(leaves, doc)
    defects = {type(d).__name__ for part in msg.walk() for d in part.defects}
    if defects:
        doc.add_error("malformed MIME: " + ", ".join(sorted(defects)))
    for position, part in enumerate(attachments):
        doc.children.extend(_attachment(part, position, limits, depth))
    doc.email_key = email_key(doc)
    return doc


def _header(msg: Message, name: str, doc: Doc) -> str | None:
    value = msg.get(name)
    if value is None:
        return None
    raw = str(value)
    try:
        text = str(make_header(decode_header(raw)))
    except (LookupError, UnicodeError, ValueError, TypeError) as exc:  # bad encoded-word or unknown charset
        doc.add_error(f"unreadable {name} header: {type(exc).__name__}")
        text = raw
    return _SPACE.sub(" ", text).strip() or None


def _headers(msg: Message, doc: Doc) -> None:
    doc.from_addr = _header(msg, "From", doc)
    doc.to_addrs = _header(msg, "To", doc)
    doc.cc_addrs = _header(msg, "Cc", doc)
    doc.bcc_addrs = _header(msg, "Bcc", doc)
    doc.subject = _header(msg, "Subject", doc)
    doc.message_id = _header(msg, "Message-ID", doc)
    doc.in_reply_to = _header(msg, "In-Reply-To", doc)
    doc.references = _header(msg, "References", doc)
    doc.sent_at = _date(msg, doc)


def _date(msg: Message, doc: Doc) -> datetime | None:
    header = msg.get("Date")
    if header is None:
        return None
    try:
        return naive_utc(parsedate_to_datetime(str(header)))
    except (TypeError, ValueError, IndexError, OverflowError):
        doc.add_error(f"unreadable Date header: {str(header)[:80]}")
        return None


def naive_utc(value: datetime) -> datetime:
    """Times are stored naive UTC; a time without a zone is taken as UTC."""
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return value


def _parts(msg: Message) -> tuple[list[Message], list[Message]]:
    """(text leaves that may be the body, attachments); a forwarded message is one attachment, not opened here."""
    leaves: list[Message] = []
    attachments: list[Message] = []
    stack = [msg]
    while stack:
        part = stack.pop(0)
        kind = part.get_content_type()
        if part is not msg and kind == "message/rfc822":
            attachments.append(part)
        elif part.is_multipart():
            payload = part.get_payload()
            stack[:0] = [p for p in payload if isinstance(p, Message)] if isinstance(payload, list) else []
        elif _is_attachment(part):
            attachments.append(part)
        else:
            leaves.append(part)
    return leaves, attachments


def _is_attachment(part: Message) -> bool:
    disposition = (part.get("Content-Disposition") or "").split(";")[0].strip().lower()
    if disposition == "attachment" or part.get_filename():
        return True
    return part.get_content_maintype() != "text"


def _body(leaves: list[Message], doc: Doc) -> str:
    plain = [p for p in leaves if p.get_content_type() == "text/plain"]
    html = [p for p in leaves if p.get_content_type() == "text/html"]
    if plain:
        return "\n".join(decode_part(p, doc) for p in plain)
    if html:
        from vendorscope.records.extract.html import html_to_text

        return html_to_text(decode_part(html[0], doc))
    return ""


def decode_part(part: Message, doc: Doc) -> str:
    """A text part as str; an unknown or wrong charset falls back to UTF-8 with replacement (and says so)."""
    payload = part.get_payload(decode=True)
    if not isinstance(payload, bytes):
        return ""
    charset = part.get_content_charset() or "utf-8"
    try:
        return payload.decode(charset)
    except LookupError:
        doc.add_error(f"unknown charset {charset!r}: read as UTF-8")
    except UnicodeDecodeError:
        doc.add_error(f"wrong charset {charset!r}: read as UTF-8")
    return payload.decode("utf-8", errors="replace")


def _attachment(part: Message, position: int, limits: Limits, depth: int) -> list[Doc]:
    from vendorscope.records.extract import extract

    name = _filename(part) or f"attachment-{position + 1}"
    try:
        if part.get_content_type() == "message/rfc822":
            payload = part.get_payload()
            inner = payload[0] if isinstance(payload, list) and payload else None
            data = inner.as_bytes() if isinstance(inner, Message) else (part.get_payload(decode=True) or b"")
            return [parse_message(data, _filename(part) or f"message-{position + 1}.eml", limits, depth + 1)]
        data = part.get_payload(decode=True) or b""
    except Exception as exc:
        return [Doc(name, "unknown", b"", error=f"cannot decode attachment: {type(exc).__name__}: {exc}")]
    return extract(data if isinstance(data, bytes) else str(data).encode(), name, limits, depth + 1)


def _filename(part: Message) -> str | None:
    raw = part.get_filename()
    if not raw:
        return None
    try:
        return str(make_header(decode_header(raw)))
    except (LookupError, UnicodeError, ValueError):
        return raw


def email_key(doc: Doc) -> str:
    """Email duplicates: the same normalized sender, recipients, subject, date and body, whatever the bytes."""

    def addresses(value: str | None) -> str:
        return ",".join(sorted(a.strip().lower() for a in (value or "").split(",") if a.strip()))

    parts = [
        addresses(doc.from_addr),
        addresses(doc.to_addrs),
        addresses(doc.cc_addrs),
        addresses(doc.bcc_addrs),
        _SPACE.sub(" ", (doc.subject or "").strip().lower()),
        doc.sent_at.isoformat() if doc.sent_at else "",
        _SPACE.sub(" ", doc.text).strip(),
        "|".join(child.sha256 for child in doc.children),
    ]
    return hashlib.sha256("\x1f".join(parts).encode("utf-8", errors="replace")).hexdigest()
