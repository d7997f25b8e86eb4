"""Builders for records test corpora: emails, mbox, .msg, PDF, Office files and ZIPs, made in the test."""

from __future__ import annotations

import io
import zipfile
from datetime import UTC, datetime
from email import message_from_bytes, policy
from email.message import EmailMessage
from email.utils import format_datetime

Attachment = tuple[str, bytes, str]  # (filename, data, mime type)


def email_bytes(
    subject: str,
    body: str,
    *,
    sender: str = "alice@agency.example",
    to: str = "bob@agency.example",
    cc: str | None = None,
    date: datetime | None = datetime(2017, 9, 13, 14, 0, tzinfo=UTC),
    message_id: str | None = None,
    in_reply_to: str | None = None,
    references: str | None = None,
    attachments: list[Attachment] | None = None,
    html: str | None = None,
) -> bytes:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = to
    if cc:
        msg["Cc"] = cc
    msg["Subject"] = subject
    if date:
        msg["Date"] = format_datetime(date)
    msg["Message-ID"] = message_id or f"<{abs(hash((subject, body, sender, str(date))))}@agency.example>"
    if in_reply_to:
        msg["In-Reply-To"] = in_reply_to
    if references:
        msg["References"] = references
    msg.set_content(body)
    if html:
        msg.add_alternative(html, subtype="html")
    for name, data, mime in attachments or []:
        if mime == "message/rfc822":  # a forwarded message travels as a message, not as encoded bytes
            msg.add_attachment(message_from_bytes(data, policy=policy.default), filename=name)
            continue
        maintype, subtype = mime.split("/", 1)
        msg.add_attachment(data, maintype=maintype, subtype=subtype, filename=name)
    return msg.as_bytes()


def mbox_bytes(messages: list[bytes]) -> bytes:
    out = b""
    for message in messages:
        body = b"\n".join(b">" + line if line.startswith(b"From ") else line for line in message.split(b"\n"))
        out += b"From MAILER-DAEMON Thu Jan  1 00:00:00 2015\n" + body.rstrip(b"\n") + b"\n\n"
    return out


def pdf_bytes(text: str, creation: str = "D:20160301120000Z") -> bytes:
    """A one-page PDF with a text layer, written by hand (correct xref offsets)."""
    safe = text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
    stream = f"BT /F1 12 Tf 72 720 Td ({safe}) Tj ET".encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        f"<< /CreationDate ({creation}) /Title (Test document) >>".encode(),
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R /Info 6 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def encrypted_pdf_bytes() -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(612, 792)
    writer.encrypt(user_password="secret", owner_password="owner")
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def docx_bytes(text: str, created: datetime | None = None) -> bytes:
    import docx

    document = docx.Document()
    for line in text.split("\n"):
        document.add_paragraph(line)
    if created:
        document.core_properties.created = created
        document.core_properties.modified = created
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def xlsx_bytes(rows: list[list[str]]) -> bytes:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def pptx_bytes(title: str, notes: str = "") -> bytes:
    import pptx

    deck = pptx.Presentation()
    slide = deck.slides.add_slide(deck.slide_layouts[1])
    slide.shapes.title.text = title
    if notes:
        slide.notes_slide.notes_text_frame.text = notes
    buffer = io.BytesIO()
    deck.save(buffer)
    return buffer.getvalue()


def msg_bytes(subject: str, body: str, attachments: list[tuple[str, bytes]] | None = None) -> bytes:
    import msgforge

    message = msgforge.Message(
        subject=subject,
        text_body=body,
        to=[("bob@agency.example", "Bob")],
        sender=("carol@agency.example", "Carol"),
        sent=datetime(2018, 2, 1, 10, 0),
    )
    for name, data in attachments or []:
        message.attach_bytes(name, data)
    return message.as_bytes()


def zip_bytes(entries: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, data in entries.items():
            archive.writestr(zipfile.ZipInfo(name, (2016, 5, 4, 3, 2, 0)), data, compress_type=compression)
    return buffer.getvalue()
