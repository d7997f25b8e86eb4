"""Identification asks only the formats that may claim a file; it must pick what asking every format picked."""

from __future__ import annotations

import itertools
import random

from tests.records_corpus import (
    docx_bytes,
    email_bytes,
    mbox_bytes,
    msg_bytes,
    pdf_bytes,
    pptx_bytes,
    xlsx_bytes,
    zip_bytes,
)
from vendorscope.records.extract import formats, identify
from vendorscope.records.extract.base import CONTENT, HEAD_BYTES, NO, DocumentFormat


def ask_every_format(data: bytes, filename: str) -> DocumentFormat:
    """The definition: the first format sure of the content, else the surest (the first among equals)."""
    head = data[:HEAD_BYTES]
    best, score = formats()[-1], NO
    for fmt in formats():
        found = fmt.identify(head, filename)
        if found == CONTENT:
            return fmt
        if found > score:
            best, score = fmt, found
    return best


CONTENTS = [
    b"",
    b"plain words\n",
    b"\x00\x01binary",
    pdf_bytes("Kaspersky"),
    b"junk before %PDF-1.4\n",
    b"\n\n  %PDF-1.7",
    email_bytes("s", "Kaspersky"),
    mbox_bytes([email_bytes("s", "b")]),
    b"From: a@b\nSubject: x\n\nbody",
    b"<!DOCTYPE html><p>x</p>",
    b"\xef\xbb\xbf  <html><body>x",
    docx_bytes("Kaspersky"),
    xlsx_bytes([["a"]]),
    pptx_bytes("t"),
    zip_bytes({"a.txt": b"x"}),
    b"PK\x05\x06" + b"\x00" * 18,
    msg_bytes("s", "b"),
    b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600,
    b"!BDN" + b"\x00" * 100,
    b"\x89PNG\r\n\x1a\n" + b"\x00" * 20,
    b"\xff\xd8\xff\xe0",
    b"II*\x00",
    b"MM\x00*",
    b"GIF89a",
    b"RIFF\x00\x00\x00\x00WEBPVP8 ",
    b"RIFF\x00\x00\x00\x00WAVE",
    b"BM\x00\x00",
]
NAMES = [
    "a",
    "a.txt",
    "a.eml",
    "a.EML",
    "a.pdf",
    "a.docx",
    "a.xlsx",
    "a.pptx",
    "a.zip",
    "a.msg",
    "a.pst",
    "a.mbox",
    "a.mbx",
    "a.html",
    "a.htm",
    "a.xhtml",
    "a.png",
    "a.bmp",
    "a.jpeg",
    "a.webp",
    "box.mbox#3",
    "a.",
    ".eml",
    "a.tar.gz",
]


def test_identify_picks_what_asking_every_format_picks() -> None:
    for data, name in itertools.product(CONTENTS, NAMES):
        assert identify(data, name) is ask_every_format(data, name), (data[:40], name)


def test_identify_on_random_heads() -> None:
    rng = random.Random(5)
    prefixes = [c[:12] for c in CONTENTS if c]
    for _ in range(3000):
        data = rng.choice(prefixes)[: rng.randint(0, 12)] + bytes(rng.randrange(256) for _ in range(rng.randint(0, 40)))
        name = rng.choice(NAMES)
        assert identify(data, name) is ask_every_format(data, name), (data, name)
