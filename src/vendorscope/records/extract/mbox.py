"""mbox (Unix mailbox, Google Vault and Thunderbird exports): each message a top-level document ``FILE#N``."""

from __future__ import annotations

import mailbox
import os
import tempfile

from vendorscope.records.extract.base import CONTENT, NAME, NO, DocumentFormat, extension
from vendorscope.records.extract.email import parse_message
from vendorscope.records.model import Doc, Limits


def extract_mbox(data: bytes, filename: str, limits: Limits, depth: int) -> list[Doc]:
    """Each message of an mbox is a top-level document named ``FILE#N`` (N from 1)."""
    fd, tmp = tempfile.mkstemp(suffix=".mbox")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        box = mailbox.mbox(tmp, create=False)
        docs = [
            guarded_message(box.get_bytes(key), f"{filename}#{n}", limits, depth) for n, key in enumerate(box.keys(), 1)
        ]
        box.close()
    finally:
        os.unlink(tmp)
    return docs or [Doc(filename, "mbox", data, error="no message found in mbox")]


def guarded_message(data: bytes, name: str, limits: Limits, depth: int) -> Doc:
    """One message; one that cannot be parsed at all is still a document, with the reason (the rest go on)."""
    try:
        return parse_message(data, name, limits, depth)
    except Exception as exc:
        return Doc(name, "email", data, error=f"cannot read email: {type(exc).__name__}: {exc}")


def identify(head: bytes, name: str) -> int:
    if head.startswith(b"From ") and b"\n" in head[:1024]:
        return CONTENT
    return NAME if extension(name) in (".mbox", ".mbx") else NO


FORMAT = DocumentFormat(
    "mbox",
    identify,
    extract_mbox,
    container=True,
    description="mbox mailbox",
    magic=(b"From ",),
    extensions=(".mbox", ".mbx"),
)
