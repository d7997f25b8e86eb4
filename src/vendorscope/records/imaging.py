"""Bates-stamped page images of a produced document: one PDF per document (reportlab, pypdf), or single-page
TIFFs at 300 dpi (Pillow, CCITT Group 4) as review platforms load them.

A native PDF that is not redacted keeps its own pages, each stamped. Everything else — email, Office files,
text, a redacted PDF — is rendered from its extracted text: the message's header block, then the text,
wrapped to the page; a redaction is a black box labelled with its reason, and the words under it are never
drawn, so neither the image nor its text layer holds them. An image document is drawn as the page. Each page
carries its Bates number (bottom right) and the confidentiality legend (bottom left).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from io import BytesIO
from pathlib import Path

from vendorscope.records.redact import Span

PAGE_W, PAGE_H = 612.0, 792.0  # US Letter, points
MARGIN = 54.0
FONT_SIZE = 10.0
LEADING = 13.0
DPI = 300
FONT_FILES = (
    Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"),
    Path("/usr/share/fonts/dejavu/DejaVuSans.ttf"),
)
Word = tuple[str, str | None]  # (text, redaction reason)


@dataclass
class Rendered:
    """The page images of one document: one PDF, or one TIFF per page."""

    pages: int
    pdf: bytes | None = None
    tiffs: tuple[bytes, ...] = ()


@cache
def font() -> tuple[str, str | None]:
    """(reportlab font name, TTF path): DejaVu Sans where installed (Cyrillic, CJK fallbacks aside), else
    Helvetica, which shows only Latin-1."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    for path in FONT_FILES:
        if path.exists():
            pdfmetrics.registerFont(TTFont("VSSans", str(path)))
            return "VSSans", str(path)
    return "Helvetica", None


def header_lines(doc: object) -> list[str]:
    """The header block drawn above an email's text (From, To, Cc, Date, Subject) or a file's name."""
    fields = [
        ("From", getattr(doc, "from_addr", None)),
        ("To", getattr(doc, "to_addrs", None)),
        ("Cc", getattr(doc, "cc_addrs", None)),
        ("Sent", getattr(doc, "sent_at", None)),
        ("Subject", getattr(doc, "subject", None)),
    ]
    lines = [f"{label}: {value}" for label, value in fields if value]
    return lines or [f"File: {getattr(doc, 'filename', '')}"]


def segments(text: str, spans: Sequence[Span]) -> list[Word]:
    """The text as (piece, None) and, for each redaction, ("REDACTED: reason", reason) in its place."""
    out: list[Word] = []
    position = 0
    for span in spans:
        out.append((text[position : span.start], None))
        out.append((f"REDACTED: {span.reason}", span.reason))
        position = span.end
    out.append((text[position:], None))
    return [s for s in out if s[0]]


def layout(head: list[str], parts: list[Word]) -> list[list[list[Word]]]:
    """Pages of lines of words, wrapped to the text width; a redaction box is never split."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    name, _ = font()
    width = PAGE_W - 2 * MARGIN
    lines: list[list[Word]] = [[(h, None)] for h in head] + [[]]
    current: list[Word] = []
    used = 0.0
    for piece, reason in parts:
        tokens = [piece] if reason else _split_keeping_breaks(piece)
        for token in tokens:
            if token == "\n":
                lines.append(current)
                current, used = [], 0.0
                continue
            size = stringWidth(token, name, FONT_SIZE)
            if current and used + size > width:
                lines.append(current)
                current, used = [], 0.0
                token = token.lstrip() if not reason else token
                size = stringWidth(token, name, FONT_SIZE)
            current.append((token, reason))
            used += size
    lines.append(current)
    per_page = int((PAGE_H - 2 * MARGIN - LEADING) // LEADING)
    return [lines[start : start + per_page] for start in range(0, len(lines), per_page)] or [[]]


def _split_keeping_breaks(text: str) -> list[str]:
    """Words with their following space, and a "\\n" token at each line break."""
    out: list[str] = []
    for number, line in enumerate(text.replace("\r\n", "\n").replace("\f", "\n").split("\n")):
        if number:
            out.append("\n")
        words = line.split(" ")
        out.extend(w + " " for w in words[:-1])
        if words[-1]:
            out.append(words[-1])
    return out


def render_pdf(pages: list[list[list[Word]]], stamps: list[str], legend: str) -> bytes:
    """One PDF: the laid-out pages, redaction boxes, and each page's Bates stamp."""
    from reportlab.pdfbase.pdfmetrics import stringWidth
    from reportlab.pdfgen.canvas import Canvas

    name, _ = font()
    buffer = BytesIO()
    canvas = Canvas(buffer, pagesize=(PAGE_W, PAGE_H), invariant=1)  # invariant: byte-identical output
    for page, stamp in zip(pages, stamps, strict=True):
        y = PAGE_H - MARGIN
        for line in page:
            x = MARGIN
            for token, reason in line:
                size = stringWidth(token, name, FONT_SIZE)
                if reason:
                    canvas.setFillGray(0)
                    canvas.rect(x, y - 3, size + 4, LEADING, stroke=0, fill=1)
                    canvas.setFillGray(1)
                canvas.setFont(name, FONT_SIZE)
                canvas.drawString(x + (2 if reason else 0), y, token)
                canvas.setFillGray(0)
                x += size + (4 if reason else 0)
            y -= LEADING
        _stamp(canvas, stamp, legend, PAGE_W)
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def _stamp(canvas: object, stamp: str, legend: str, width: float) -> None:
    name, _ = font()
    canvas.setFont(name, 9)  # type: ignore[attr-defined]
    canvas.setFillGray(0)  # type: ignore[attr-defined]
    canvas.drawRightString(width - 36, 20, stamp)  # type: ignore[attr-defined]
    if legend:
        canvas.drawString(36, 20, legend)  # type: ignore[attr-defined]


def stamp_native_pdf(data: bytes, first: int, prefix: str, digits: int, legend: str) -> tuple[bytes, int]:
    """The PDF's own pages, each stamped with its Bates number; (bytes, pages). Raises on an unreadable PDF."""
    from pypdf import PdfReader, PdfWriter
    from reportlab.pdfgen.canvas import Canvas

    reader = PdfReader(BytesIO(data), strict=False)
    if reader.is_encrypted and not reader.decrypt(""):
        raise ValueError("encrypted PDF")
    writer = PdfWriter()
    for number, page in enumerate(reader.pages):
        box = page.mediabox
        overlay = BytesIO()
        canvas = Canvas(overlay, pagesize=(float(box.width), float(box.height)), invariant=1)
        _stamp(canvas, f"{prefix}{first + number:0{digits}d}", legend, float(box.width))
        canvas.save()
        page.merge_page(PdfReader(BytesIO(overlay.getvalue())).pages[0])
        writer.add_page(page)
    out = BytesIO()
    writer.write(out)
    return out.getvalue(), len(reader.pages)


def image_page_pdf(data: bytes, stamp: str, legend: str) -> bytes:
    """An image document drawn as one page (fitted inside the margins), stamped."""
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen.canvas import Canvas

    image = ImageReader(BytesIO(data))
    width, height = image.getSize()
    scale = min((PAGE_W - 2 * MARGIN) / width, (PAGE_H - 2 * MARGIN) / height, 1.0)
    buffer = BytesIO()
    canvas = Canvas(buffer, pagesize=(PAGE_W, PAGE_H), invariant=1)
    canvas.drawImage(image, MARGIN, PAGE_H - MARGIN - height * scale, width * scale, height * scale)
    _stamp(canvas, stamp, legend, PAGE_W)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def render_tiffs(pages: list[list[list[Word]]], stamps: list[str], legend: str) -> tuple[bytes, ...]:
    """Single-page bilevel TIFFs at 300 dpi (CCITT Group 4), the same layout as the PDF."""
    from PIL import Image, ImageDraw, ImageFont

    _, path = font()
    scale = DPI / 72
    size = int(FONT_SIZE * scale)
    face = ImageFont.truetype(path, size) if path else ImageFont.load_default(size=size)
    small = ImageFont.truetype(path, int(9 * scale)) if path else ImageFont.load_default(size=int(9 * scale))
    out = []
    for page, stamp in zip(pages, stamps, strict=True):
        image = Image.new("1", (int(PAGE_W * scale), int(PAGE_H * scale)), 1)
        draw = ImageDraw.Draw(image)
        y = MARGIN * scale
        for line in page:
            x = MARGIN * scale
            for token, reason in line:
                width = draw.textlength(token, font=face)
                if reason:
                    draw.rectangle([x, y - 2, x + width + 8, y + LEADING * scale - 4], fill=0)
                draw.text((x + (4 if reason else 0), y), token, font=face, fill=1 if reason else 0)
                x += width + (8 if reason else 0)
            y += LEADING * scale
        bottom = (PAGE_H - 28) * scale
        draw.text((PAGE_W * scale - 36 * scale - draw.textlength(stamp, font=small), bottom), stamp, font=small, fill=0)
        if legend:
            draw.text((36 * scale, bottom), legend, font=small, fill=0)
        buffer = BytesIO()
        image.save(buffer, "TIFF", compression="group4", dpi=(DPI, DPI))
        out.append(buffer.getvalue())
    return tuple(out)
