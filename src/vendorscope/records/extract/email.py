"""RFC 5322 email (.eml) and mbox: headers, body text, attachments as child documents.

Parsed with the standard library's ``email`` package and ``policy.default``; every header and part is
read defensively, so malformed MIME or a wrong charset leaves an error on the document, not a crash.
"""

from __future__ import annotations

import hashlib
import mailbox
import os
import re
import tempfile
from datetime import UTC, datetime
from email import policy
from email.message import EmailMessage, Message
from email.parser import BytesParser

from vendorscope.records.model import Doc, Limits

_PARSER = BytesParser(policy=policy.default)
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
    doc.text = _body(msg, doc)
    if msg.defects:
        doc.add_error("malformed MIME: " + ", ".join(sorted({type(d).__name__ for d in msg.defects})))
    for position, part in enumerate(_attachments(msg)):
        doc.children.extend(_attachment(part, position, limits, depth, doc))
    doc.email_key = email_key(doc)
    return doc


def _header(msg: Message, name: str, doc: Doc) -> str | None:
    try:
        value = msg.get(name)
    except Exception as exc:  # malformed header: policy.default parses lazily and may raise here
        doc.add_error(f"unreadable {name} header: {exc}")
        return None
    if value is None:
        return None
    return _SPACE.sub(" ", str(value)).strip() or None


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
    try:
        header = msg.get("Date")
        value = getattr(header, "datetime", None)
    except Exception:
        value = None
        header = "unparsable"
    if value is None:
        if header is not None:
            doc.add_error(f"unreadable Date header: {str(header)[:80]}")
        return None
    return naive_utc(value)


def naive_utc(value: datetime) -> datetime:
    """Times are stored naive UTC; a time without a zone is taken as UTC."""
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return value


def _body(msg: EmailMessage | Message, doc: Doc) -> str:
    if not isinstance(msg, EmailMessage):
        return ""
    try:
        part = msg.get_body(preferencelist=("plain", "html"))
    except Exception as exc:
        doc.add_error(f"cannot find the body: {exc}")
        return ""
    if part is None:
        return ""
    text = decode_part(part, doc)
    if part.get_content_type() == "text/html":
        from vendorscope.records.extract.html import html_to_text

        text = html_to_text(text)
    return text


def decode_part(part: Message, doc: Doc) -> str:
    """A text part as str; an unknown or wrong charset falls back to UTF-8 with replacement (and says so)."""
    try:
        content = part.get_content()  # type: ignore[attr-defined]
        if isinstance(content, str):
            return content
    except (LookupError, UnicodeError, ValueError, AssertionError) as exc:
        doc.add_error(f"wrong or unknown charset {part.get_content_charset()!r}: {type(exc).__name__}")
    payload = part.get_payload(decode=True)
    if not isinstance(payload, bytes):
        return ""
    return payload.decode("utf-8", errors="replace")


def _attachments(msg: Message) -> list[Message]:
    if not isinstance(msg, EmailMessage) or not msg.is_multipart():
        return []
    found: list[Message] = []
    try:
        for part in msg.iter_attachments():
            if part.is_multipart() and part.get_content_type() != "message/rfc822":
                found.extend(_attachments(part))
            else:
                found.append(part)
    except Exception:  # a broken multipart structure: whatever was found is kept, the defect is recorded
        pass
    return found


def _attachment(part: Message, position: int, limits: Limits, depth: int, parent: Doc) -> list[Doc]:
    from vendorscope.records.extract import extract

    name = part.get_filename() or f"attachment-{position + 1}"
    try:
        if part.get_content_type() == "message/rfc822":
            inner = part.get_payload(0) if part.is_multipart() else part.get_payload()
            if isinstance(inner, Message):
                data = inner.as_bytes(policy=policy.default)
            else:  # a message/rfc822 part sent base64-encoded: the bytes are the message
                payload = part.get_payload(decode=True)
                data = payload if isinstance(payload, bytes) else b""
            name = part.get_filename() or f"message-{position + 1}.eml"
            return [parse_message(data, name, limits, depth + 1)]
        data = part.get_payload(decode=True) or b""
    except Exception as exc:
        child = Doc(name, "unknown", b"", error=f"cannot decode attachment: {type(exc).__name__}: {exc}")
        return [child]
    if not isinstance(data, bytes):
        data = str(data).encode("utf-8", errors="replace")
    return extract(data, name, limits, depth + 1)


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
