"""No message is lost: hostile and legacy headers, any charset; formats are recognized by content, not name."""

from __future__ import annotations

from io import BytesIO

import pytest

from tests.records_corpus import docx_bytes, mbox_bytes, msg_bytes, pdf_bytes
from vendorscope.records.extract import detect, extract, formats
from vendorscope.records.extract.base import CONTENT, NO


def _mail(headers: list[bytes], body: bytes, content_type: bytes = b"text/plain; charset=utf-8") -> bytes:
    head = [b"From: alice@agency.example", b"To: bob@agency.example", b"Date: Tue, 14 Mar 2017 09:00:00 +0000"]
    return b"\r\n".join([*head, *headers, b"MIME-Version: 1.0", b"Content-Type: " + content_type, b"", body, b""])


def _with_attachment(disposition: bytes, subject: bytes = b"Subject: attachment") -> bytes:
    return b"\r\n".join(
        [
            b"From: alice@agency.example",
            b"To: bob@agency.example",
            subject,
            b"MIME-Version: 1.0",
            b'Content-Type: multipart/mixed; boundary="XX"',
            b"",
            b"--XX",
            b"Content-Type: text/plain; charset=utf-8",
            b"",
            b"See the attached review.",
            b"--XX",
            b"Content-Type: text/plain",
            b"Content-Disposition: " + disposition,
            b"",
            "Оценка рисков: Kaspersky Endpoint Security".encode(),
            b"--XX--",
            b"",
        ]
    )


def test_raw_utf8_attachment_name_is_read_not_lost() -> None:
    """The message that used to raise ``'Header' object has no attribute 'split'`` and vanish."""
    data = _with_attachment('attachment; filename="Оценка Касперский.txt"'.encode())
    [doc] = extract(data, "inbox/raw-name.eml")
    assert doc.format == "email" and doc.text.strip() == "See the attached review."
    [child] = doc.children
    assert child.filename == "Оценка Касперский.txt"
    assert "Kaspersky Endpoint Security" in child.text
    assert "raw 8-bit Content-Disposition" in (doc.error or "")


LEGACY = [
    # (headers, body, content type, expected subject, expected body start, expected note)
    (["Subject: 卡巴斯基 安全评估".encode("gb2312")], "卡巴斯基反病毒软件".encode("gb2312"),
     b"text/plain; charset=gb2312", "卡巴斯基 安全评估", "卡巴斯基反病毒软件", "raw 8-bit Subject"),
    ([b"Subject: =?koi8-r?B?" + __import__("base64").b64encode("Антивирус Касперского".encode("koi8-r")) + b"?="],
     "Удалить Касперского".encode("koi8-r"), b"text/plain; charset=koi8-r", "Антивирус Касперского",
     "Удалить Касперского", None),
    ([b"Subject: =?windows-1251?Q?" + "Отчёт".encode("cp1251").hex("=").upper().encode().replace(b"=", b"=")
      .join([b"=", b""]) + b"?="], "Касперский отчёт".encode("cp1251"), b"text/plain; charset=windows-1251",
     "Отчёт", "Касперский отчёт", None),
    ([b"Subject: =?ISO-2022-JP?B?" + __import__("base64").b64encode("カスペルスキー".encode("iso-2022-jp")) + b"?="],
     "カスペルスキー評価".encode("iso-2022-jp"), b"text/plain; charset=iso-2022-jp", "カスペルスキー",
     "カスペルスキー評価", None),
    ([b"Subject: declared UTF-8, is Windows-1251"], "Касперский на серверах".encode("cp1251"),
     b"text/plain; charset=utf-8", "declared UTF-8, is Windows-1251", "Касперский на серверах", "detected cp1251"),
    ([b"Subject: unknown charset"], b"Kaspersky on the mail gateway", b"text/plain; charset=x-no-such",
     "unknown charset", "Kaspersky on the mail gateway", "unknown charset 'x-no-such'"),
    ([b"Subject: =?x-no-such?Q?Kaspersky?= report"], b"body", b"text/plain", "Kaspersky report", "body",
     "unknown charset 'x-no-such'"),
    ([b"Subject: =?utf-8?B?not base64!!?="], b"body", b"text/plain", None, "body", None),
]  # fmt: skip


@pytest.mark.parametrize(("headers", "body", "ctype", "subject", "text", "note"), LEGACY)
def test_legacy_charsets_decoded_and_noted(
    headers: list[bytes], body: bytes, ctype: bytes, subject: str | None, text: str, note: str | None
) -> None:
    [doc] = extract(_mail(headers, body, ctype), "m.eml")
    if subject is not None:
        assert doc.subject == subject
    assert doc.text.startswith(text)
    if note:
        assert note in (doc.error or "")


def test_mailbox_with_hostile_headers_loses_nothing() -> None:
    messages = [_mail(h, b, c) for h, b, c, *_ in LEGACY]
    messages.append(_with_attachment('attachment; filename="отчёт.txt"'.encode()))
    messages.append(_with_attachment(b"attachment; filename*=UTF-8''%D0%BE%D1%82%D1%87%D1%91%D1%82.txt"))
    messages.append(_with_attachment('attachment; filename="résumé.txt"'.encode("latin-1")))
    messages.append(
        _with_attachment(b"attachment", subject="Subject: Касперский \udcff".encode(errors="surrogateescape"))
    )
    docs = extract(mbox_bytes(messages), "vault/export.mbox")
    assert len(docs) == len(messages)
    assert all(d.format == "email" for d in docs)
    names = [c.filename for d in docs for c in d.children]
    assert "отчёт.txt" in names and names.count("отчёт.txt") == 2 and "résumé.txt" in names


def test_outlook_message_without_extension_is_a_message() -> None:
    data = msg_bytes("KES rollout", "Kaspersky Endpoint Security on the file servers")
    assert detect(data, "exports/0001") == "msg"
    [doc] = extract(data, "exports/0001")
    assert doc.format == "msg" and doc.subject == "KES rollout"


def test_legacy_office_file_is_named_not_read_as_message() -> None:
    olefile = pytest.importorskip("olefile")
    assert olefile  # the OLE writer is not public: build a .doc-like file from a msg with its streams renamed
    data = msg_bytes("x", "y").replace("__substg1.0_".encode("utf-16-le"), "WordDocument".encode("utf-16-le"))
    [doc] = extract(data, "old.doc")
    assert doc.format in ("doc", "ole") and doc.error


def _png() -> bytes:
    from PIL import Image

    buffer = BytesIO()
    Image.new("RGB", (40, 20), "white").save(buffer, "PNG")
    return buffer.getvalue()


@pytest.mark.parametrize(("name", "kind"), [("scan.txt", "image"), ("scan", "image"), ("scan.png", "image")])
def test_images_are_documents_not_text(name: str, kind: str) -> None:
    [doc] = extract(_png(), name)
    assert doc.format == kind and doc.text == ""
    assert "OCR" in (doc.error or "")  # listed as not read, never counted as examined


def test_content_beats_the_name() -> None:
    assert detect(pdf_bytes("Kaspersky"), "report.docx") == "pdf"
    assert detect(docx_bytes("Kaspersky"), "report.bin") == "docx"
    assert detect(b"plain words", "notes.pdf") == "pdf"  # nothing else claims it: the name decides
    assert detect(b"just words", "notes") == "text"


def test_every_format_has_identify_and_parse() -> None:
    names = [fmt.name for fmt in formats()]
    assert len(names) == len(set(names))
    for fmt in formats():
        assert fmt.identify(b"", "x.unknown-extension") in (NO, 1), fmt.name  # nothing: only text claims it
        assert callable(fmt.parse) and fmt.description
    assert max(f.identify(b"%PDF-1.7\n", "a") for f in formats()) == CONTENT
