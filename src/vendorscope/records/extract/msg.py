"""Outlook .msg (OLE compound file) through extract-msg: headers, body, attachments as children."""

from __future__ import annotations

from datetime import datetime
from io import BytesIO
from typing import Any

from vendorscope.records.extract.base import CONTENT, NAME, NO, DocumentFormat, extension
from vendorscope.records.extract.email import email_key, naive_utc
from vendorscope.records.model import Doc, Limits


def extract_msg(data: bytes, filename: str, limits: Limits, depth: int) -> list[Doc]:
    import extract_msg

    doc = Doc(filename, "msg", data)
    message = extract_msg.openMsg(BytesIO(data), delayAttachments=False)
    try:
        doc.from_addr = _text(message.sender)
        doc.to_addrs = _text(message.to)
        doc.cc_addrs = _text(message.cc)
        doc.bcc_addrs = _text(message.bcc)
        doc.subject = _text(message.subject)
        doc.message_id = _text(getattr(message, "messageId", None))
        doc.in_reply_to = _text(getattr(message, "inReplyTo", None))
        header = getattr(message, "header", None)
        doc.references = _text(header.get("References")) if header is not None else None
        sent = message.date
        doc.sent_at = naive_utc(sent) if isinstance(sent, datetime) else None
        doc.text = _text(message.body) or ""
        for position, attachment in enumerate(message.attachments):
            doc.children.extend(_attachment(attachment, position, limits, depth, doc))
    finally:
        message.close()
    doc.email_key = email_key(doc)
    return [doc]


def _text(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).replace("\x00", "").strip()
    return text or None


def _attachment(attachment: Any, position: int, limits: Limits, depth: int, parent: Doc) -> list[Doc]:
    from vendorscope.records.extract import extract

    name = _text(getattr(attachment, "longFilename", None)) or _text(getattr(attachment, "name", None))
    name = name or f"attachment-{position + 1}"
    data = getattr(attachment, "data", None)
    if isinstance(data, bytes):
        return extract(data, name, limits, depth + 1)
    if data is not None and hasattr(data, "exportBytes"):  # an embedded .msg
        return extract(data.exportBytes(), f"{name}.msg", limits, depth + 1)
    return [Doc(name, "unknown", b"", error="attachment has no readable data (a link or an unsupported type)")]


OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
MESSAGE_STREAM = "__substg1.0_".encode("utf-16-le")  # property streams of an Outlook message


def identify(head: bytes, name: str) -> int:
    """An OLE file whose directory names message property streams (whatever its name), or named .msg."""
    if head.startswith(OLE_MAGIC) and MESSAGE_STREAM in head:
        return CONTENT
    return NAME if extension(name) == ".msg" else NO


FORMAT = DocumentFormat(
    "msg",
    identify,
    extract_msg,
    container=True,
    description="Outlook message (.msg, OLE)",
    magic=(OLE_MAGIC,),
    extensions=(".msg",),
)
