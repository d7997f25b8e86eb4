"""RFC 5322 email (.eml): headers, body text, attachments as child documents.

Parsed with the standard library's ``email`` package. The MIME structure is read with ``policy.compat32``
and the few headers kept are decoded with ``email.header`` and ``email.utils``: ``policy.default`` builds a
rich object for every header it touches (Content-Type included, on every part) and costs about ten times as
much per message, for nothing we keep. Every header and part is read defensively, so malformed MIME or a wrong
charset leaves an error on the document, not a crash.

Raw 8-bit header values (a UTF-8 attachment name in Content-Disposition, a gb2312 Subject without encoded
words) come out of compat32 as ``Header`` objects that the rest of ``email`` cannot split; every such
value is decoded first (UTF-8, else the part's declared charset, else detection) and the note kept.
"""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, datetime
from email import policy
from email.errors import HeaderParseError
from email.header import decode_header
from email.message import Message
from email.parser import BytesParser
from email.utils import parsedate_to_datetime

from vendorscope.records.extract import charset, mime
from vendorscope.records.extract.base import CONTENT, NAME, NO, DocumentFormat, extension
from vendorscope.records.model import Doc, Limits

_PARSER = BytesParser(policy=policy.compat32)
_SPACE = re.compile(r"\s+")


def extract_email(data: bytes, filename: str, limits: Limits, depth: int) -> list[Doc]:
    return [parse_message(data, filename, limits, depth)]


def parse_message(data: bytes, filename: str, limits: Limits, depth: int) -> Doc:
    """One message and its attachments (recursively, through ``extract``)."""
    msg = mime.parse(data)  # plain shapes split by hand (extract/mime.py says why and when)
    if msg is None:
        msg = _PARSER.parsebytes(data)
    doc = Doc(filename, "email", data)
    repair_headers(msg, doc)
    _headers(msg, doc)
    leaves, attachments = _parts(msg)
    doc.text = _body(leaves, doc)
    defects = {type(d).__name__ for part in msg.walk() for d in part.defects}
    if defects:
        doc.add_error("malformed MIME: " + ", ".join(sorted(defects)))
    for position, (part, kind) in enumerate(attachments):
        doc.children.extend(_attachment(part, kind, position, limits, depth, doc))
    doc.email_key = email_key(doc)
    return doc


def _first_headers(msg: Message) -> dict[str, object]:
    """The first value of each header by lower-cased name, as ``msg.get`` gives it: one pass over the
    headers instead of one per header asked (``Message.get`` scans them all each time)."""
    found: dict[str, object] = {}
    for name, value in msg.raw_items():
        key = name.lower()
        if key not in found:
            found[key] = msg.policy.header_fetch_parse(name, value)
    return found


def _header(headers: dict[str, object], name: str, doc: Doc) -> str | None:
    value = headers.get(name.lower())
    if value is None:
        return None
    return decode_words(str(value), doc, name)


def decode_words(raw: str, doc: Doc, name: str) -> str | None:
    """A header value with RFC 2047 encoded words decoded, each by its charset (or detection), never raising."""
    try:
        chunks = decode_header(raw)
    except (HeaderParseError, ValueError, TypeError, IndexError, AssertionError) as exc:  # malformed encoded words
        doc.add_error(f"unreadable {name} header: {type(exc).__name__}")
        return _SPACE.sub(" ", raw).strip() or None
    parts = []
    for chunk, declared in chunks:
        if isinstance(chunk, str):
            parts.append(chunk)
            continue
        text, note = charset.decode(chunk, declared, f"{name} header")
        if note:
            doc.add_error(note)
        parts.append(text)
    return _SPACE.sub(" ", "".join(parts)).strip() or None


def repair_headers(msg: Message, doc: Doc) -> None:
    """Every header of every part as clean text: raw 8-bit values are decoded (UTF-8, else the part's
    declared charset, else detection) so that no later call meets a ``Header`` object it cannot split."""
    for part in msg.walk():
        raw = list(part.raw_items())
        if not any(isinstance(v, str) and _has_raw_bytes(v) for _, v in raw):
            continue
        declared = _declared_charset(raw)
        for key in {k for k, _ in raw}:
            del part[key]
        for key, value in raw:
            if isinstance(value, str) and _has_raw_bytes(value):
                value, note = charset.decode(value.encode("utf-8", "surrogateescape"), declared, f"raw 8-bit {key}")
                doc.add_error(note or f"raw 8-bit {key} header read as {declared or 'UTF-8'}")
            part.set_raw(key, value)


_RAW_BYTE = re.compile("[\udc80-\udcff]")  # how compat32 keeps a header's undecodable 8-bit bytes


def _has_raw_bytes(value: str) -> bool:
    return not value.isascii() and _RAW_BYTE.search(value) is not None


def _declared_charset(items: list[tuple[str, object]]) -> str | None:
    for key, value in items:
        if key.lower() == "content-type":
            found = re.search(r'charset\s*=\s*"?([\w.:-]+)', str(value), re.IGNORECASE)
            if found:
                return found.group(1)
    return None


def _headers(msg: Message, doc: Doc) -> None:
    headers = _first_headers(msg)
    doc.from_addr = _header(headers, "From", doc)
    doc.to_addrs = _header(headers, "To", doc)
    doc.cc_addrs = _header(headers, "Cc", doc)
    doc.bcc_addrs = _header(headers, "Bcc", doc)
    doc.subject = _header(headers, "Subject", doc)
    doc.message_id = _header(headers, "Message-ID", doc)
    doc.in_reply_to = _header(headers, "In-Reply-To", doc)
    doc.references = _header(headers, "References", doc)
    doc.sent_at = _date(headers, doc)


def _date(headers: dict[str, object], doc: Doc) -> datetime | None:
    header = headers.get("date")
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


def _parts(msg: Message) -> tuple[list[tuple[Message, str]], list[tuple[Message, str]]]:
    """(text leaves that may be the body, attachments), each with its content type, read once per part
    (``get_content_type`` scans the headers each time: it was asked five times a part); a forwarded
    message is one attachment, not opened here."""
    leaves: list[tuple[Message, str]] = []
    attachments: list[tuple[Message, str]] = []
    stack = [msg]
    while stack:
        part = stack.pop(0)
        kind = part.get_content_type()
        if part is not msg and kind == "message/rfc822":
            attachments.append((part, kind))
        elif part.is_multipart():
            payload = part.get_payload()
            stack[:0] = [p for p in payload if isinstance(p, Message)] if isinstance(payload, list) else []
        elif _is_attachment(part, kind):
            attachments.append((part, kind))
        else:
            leaves.append((part, kind))
    return leaves, attachments


def _is_attachment(part: Message, kind: str) -> bool:
    disposition = str(part.get("Content-Disposition") or "").split(";")[0].strip().lower()
    if disposition == "attachment" or part.get_filename():
        return True
    return kind.split("/")[0] != "text"  # get_content_maintype


def _body(leaves: list[tuple[Message, str]], doc: Doc) -> str:
    plain = [p for p, kind in leaves if kind == "text/plain"]
    html = [p for p, kind in leaves if kind == "text/html"]
    if plain:
        return "\n".join(decode_part(p, doc) for p in plain)
    if html:
        from vendorscope.records.extract.html import html_to_text

        return html_to_text(decode_part(html[0], doc))
    return ""


def decode_part(part: Message, doc: Doc) -> str:
    """A text part as str: by its declared charset, else UTF-8, else detection (the note says which)."""
    payload = part.get_payload(decode=True)
    if not isinstance(payload, bytes):
        return ""
    try:
        declared = part.get_content_charset()
    except (ValueError, LookupError, TypeError):
        declared = None
    text, note = charset.decode(payload, declared, "body")
    if note:
        doc.add_error(note)
    return text


def _attachment(part: Message, kind: str, position: int, limits: Limits, depth: int, parent: Doc) -> list[Doc]:
    from vendorscope.records.extract import extract

    name = _filename(part, parent) or f"attachment-{position + 1}"
    try:
        if kind == "message/rfc822":
            payload = part.get_payload()
            inner = payload[0] if isinstance(payload, list) and payload else None
            data = inner.as_bytes() if isinstance(inner, Message) else (part.get_payload(decode=True) or b"")
            return [parse_message(data, _filename(part, parent) or f"message-{position + 1}.eml", limits, depth + 1)]
        data = part.get_payload(decode=True) or b""
    except Exception as exc:
        return [Doc(name, "unknown", b"", error=f"cannot decode attachment: {type(exc).__name__}: {exc}")]
    return extract(data if isinstance(data, bytes) else str(data).encode(), name, limits, depth + 1)


def _filename(part: Message, parent: Doc) -> str | None:
    """The attachment's name (RFC 2231 or encoded words decoded); an unreadable one is noted, not fatal."""
    try:
        raw = part.get_filename()
    except (ValueError, TypeError, LookupError, AttributeError) as exc:
        parent.add_error(f"unreadable attachment name: {type(exc).__name__}")
        return None
    if not raw:
        return None
    return decode_words(str(raw), parent, "attachment name")


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


def identify(head: bytes, name: str) -> int:
    if _looks_like_email(head) and not head.startswith(b"From "):
        return CONTENT
    return NAME if extension(name) == ".eml" else NO


def _looks_like_email(head: bytes) -> bool:
    lines = head[:4096].split(b"\n", 12)
    starts = (b"from:", b"to:", b"subject:", b"date:", b"message-id:", b"received:", b"return-path:", b"mime-version:")
    return sum(1 for line in lines if line.lower().startswith(starts)) >= 2


FORMAT = DocumentFormat(
    "email", identify, extract_email, container=True, description="RFC 5322 message (.eml)", extensions=(".eml",)
)
