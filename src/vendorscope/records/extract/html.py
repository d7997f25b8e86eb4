"""HTML as text: parsed, never rendered or executed; scripts, styles and other active content dropped."""

from __future__ import annotations

from vendorscope.records.extract.base import CONTENT, NAME, NO, DocumentFormat, extension
from vendorscope.records.extract.text import decode_bytes
from vendorscope.records.model import Doc, Limits

_DROP = ("script", "style", "noscript", "iframe", "object", "embed", "template", "svg", "head")


def extract_html(data: bytes, filename: str, limits: Limits, depth: int) -> list[Doc]:
    doc = Doc(filename, "html", data)
    markup, note = decode_bytes(data)
    if note:
        doc.add_error(note)
    doc.text = html_to_text(markup)
    title = _title(markup)
    if title:
        doc.subject = title
    return [doc]


def html_to_text(markup: str) -> str:
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(markup, "lxml")
    for tag in soup(list(_DROP)):
        tag.decompose()
    return "\n".join(line.strip() for line in soup.get_text("\n").splitlines() if line.strip())


def _title(markup: str) -> str | None:
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(markup[:65536], "lxml")
    return soup.title.get_text(" ", strip=True)[:1000] if soup.title and soup.title.string else None


def identify(head: bytes, name: str) -> int:
    start = head[:1024].lstrip(b"\xef\xbb\xbf \t\r\n")[:15].lower()
    if start.startswith((b"<!doctype html", b"<html")):
        return CONTENT
    return NAME if extension(name) in (".html", ".htm", ".xhtml") else NO


FORMAT = DocumentFormat(
    "html",
    identify,
    extract_html,
    description="HTML (text only, never rendered)",
    extensions=(".html", ".htm", ".xhtml"),
)
