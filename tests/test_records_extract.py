"""Records extraction: every format gives its text and metadata; attachments and archive entries are children."""

from __future__ import annotations

import shutil
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest

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
from vendorscope.records.extract import detect, extract


def test_email_headers_body_and_attachments() -> None:
    data = email_bytes(
        "Risk of Kaspersky",
        "See the attached assessment.",
        cc="carol@agency.example",
        message_id="<a1@agency.example>",
        in_reply_to="<a0@agency.example>",
        references="<a0@agency.example>",
        attachments=[
            ("assessment.pdf", pdf_bytes("Kaspersky Endpoint Security assessment"), "application/pdf"),
            ("notes.docx", docx_bytes("KES inventory", datetime(2016, 1, 2)), "application/octet-stream"),
        ],
    )
    [doc] = extract(data, "mail/a.eml")
    assert (doc.format, doc.subject, doc.from_addr, doc.to_addrs, doc.cc_addrs) == (
        "email", "Risk of Kaspersky", "alice@agency.example", "bob@agency.example", "carol@agency.example",
    )  # fmt: skip
    assert doc.sent_at == datetime(2017, 9, 13, 14, 0)
    assert (doc.message_id, doc.in_reply_to, doc.references) == ("<a1@agency.example>",) + ("<a0@agency.example>",) * 2
    assert doc.text.strip() == "See the attached assessment."
    assert [(c.filename, c.format) for c in doc.children] == [("assessment.pdf", "pdf"), ("notes.docx", "docx")]
    assert "Kaspersky Endpoint Security" in doc.children[0].text
    assert doc.children[1].text == "KES inventory"
    assert doc.error is None and doc.email_key


def test_html_only_email_body_is_text_without_script() -> None:
    html = "<html><body><p>Kaspersky review</p><script>alert('x')</script></body></html>"
    data = email_bytes("html", "plain part", html=html)
    [doc] = extract(data, "h.eml")
    assert "plain part" in doc.text  # the plain alternative is preferred


def test_forwarded_message_is_a_child_email() -> None:
    inner = email_bytes("inner", "Kaspersky inner body", sender="dave@agency.example")
    outer = email_bytes("Fwd: inner", "see below", attachments=[("fwd.eml", inner, "message/rfc822")])
    [doc] = extract(outer, "o.eml")
    [child] = doc.children
    assert (child.format, child.subject, child.from_addr) == ("email", "inner", "dave@agency.example")


def test_mbox_gives_one_top_level_document_per_message() -> None:
    messages = [email_bytes(f"m{i}", f"From the start {i}\nbody {i}") for i in range(3)]
    docs = extract(mbox_bytes(messages), "box.mbox")
    assert [d.filename for d in docs] == ["box.mbox#1", "box.mbox#2", "box.mbox#3"]
    assert [d.subject for d in docs] == ["m0", "m1", "m2"]
    assert "From the start 1" in docs[1].text


def test_outlook_msg_with_attachment() -> None:
    data = msg_bytes("KSC upgrade", "The KSC server needs an upgrade.", [("plan.txt", b"klnagent rollout plan")])
    assert detect(data, "x.msg") == "msg"
    [doc] = extract(data, "x.msg")
    assert (doc.format, doc.subject, doc.error) == ("msg", "KSC upgrade", None)
    assert "carol@agency.example" in (doc.from_addr or "")
    assert "bob@agency.example" in (doc.to_addrs or "")
    assert doc.sent_at == datetime(2018, 2, 1, 10, 0)
    assert "KSC server" in doc.text
    assert [(c.filename, c.text) for c in doc.children] == [("plan.txt", "klnagent rollout plan")]


def test_pdf_text_layer_and_dates() -> None:
    [doc] = extract(pdf_bytes("Assessment of Kaspersky Lab products", "D:20150610083000+02'00'"), "a.pdf")
    assert (doc.format, doc.error) == ("pdf", None)
    assert "Kaspersky Lab products" in doc.text
    assert doc.created_at == datetime(2015, 6, 10, 6, 30)


@pytest.mark.parametrize(
    ("name", "data", "fmt", "needle"),
    [
        ("d.docx", docx_bytes("Kaspersky in Word", datetime(2014, 3, 1, tzinfo=UTC)), "docx", "Kaspersky in Word"),
        ("s.xlsx", xlsx_bytes([["host", "product"], ["ws-1", "Kaspersky Anti-Virus"]]), "xlsx", "Kaspersky Anti-Virus"),
        ("p.pptx", pptx_bytes("Kaspersky briefing", "speaker notes on KSN"), "pptx", "speaker notes on KSN"),
    ],
)
def test_office_formats(name: str, data: bytes, fmt: str, needle: str) -> None:
    [doc] = extract(data, name)
    assert (doc.format, doc.error) == (fmt, None)
    assert needle in doc.text


def test_docx_core_dates_are_used() -> None:
    [doc] = extract(docx_bytes("x", datetime(2014, 3, 1, 12, 0, tzinfo=UTC)), "d.docx")
    assert doc.modified_at == datetime(2014, 3, 1, 12, 0)


def test_html_never_keeps_active_content() -> None:
    page = (
        b"<!DOCTYPE html><html><head><title>Vendor review</title><script>document.write('evil')</script>"
        b"<style>p{}</style></head><body><p>Kaspersky findings</p><iframe src='x'>frame text</iframe>"
        b"<img src=x onerror=alert(1)></body></html>"
    )
    [doc] = extract(page, "r.html")
    assert doc.format == "html"
    assert doc.subject == "Vendor review"
    assert "Kaspersky findings" in doc.text
    assert "evil" not in doc.text and "frame text" not in doc.text and "p{}" not in doc.text


@pytest.mark.parametrize(
    ("data", "text", "note"),
    [
        ("Касперский отчёт".encode(), "Касперский отчёт", None),
        ("Kaspersky déjà".encode("cp1252"), "Kaspersky déjà", "detected cp1252"),
        ("\ufeffKaspersky".encode("utf-16"), "Kaspersky", None),
    ],
)
def test_text_encodings(data: bytes, text: str, note: str | None) -> None:
    [doc] = extract(data, "t.txt")
    assert doc.text.lstrip("\ufeff") == text
    assert (note in (doc.error or "")) if note else doc.error is None


def test_zip_is_read_recursively_with_entry_dates() -> None:
    inner = zip_bytes({"deep/report.txt": b"klnagent found on 12 hosts"})
    data = zip_bytes({"a.txt": b"Kaspersky", "inner.zip": inner})
    [doc] = extract(data, "outer.zip")
    assert [c.filename for c in doc.children] == ["a.txt", "inner.zip"]
    [deep] = doc.children[1].children
    assert (deep.filename, deep.text) == ("deep/report.txt", "klnagent found on 12 hosts")
    assert deep.modified_at == datetime(2016, 5, 4, 3, 2)


def test_pst_through_readpst(tmp_path: Path) -> None:
    """readpst reads PST files; no tool here writes one, so a real PST is needed and this test is skipped."""
    if shutil.which("readpst") is None:
        pytest.skip("readpst (Debian package pst-utils) is not installed")
    result = subprocess.run(["readpst", "-V"], capture_output=True, check=False)
    assert result.returncode == 0
    [doc] = extract(b"!BDN" + b"\x00" * 600, "broken.pst")
    assert doc.format == "pst" and doc.error  # a truncated PST is reported, not raised


def test_an_attachment_seen_before_is_not_parsed_again_and_gives_the_same_documents(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The second message with the same Word file reuses the first reading: the same documents (text,
    dates, hashes, an archive's members), the parser called once, and a change to one message's documents
    (the ingest drops bytes and sets signatures) never reaches the other's."""
    import dataclasses

    from vendorscope.records import extract as registry
    from vendorscope.records.extract import docx

    monkeypatch.setattr(registry, "_READ", registry._AlreadyRead())
    calls = []
    real = docx.FORMAT.parse

    def counted(data: bytes, name: str, limits: object, depth: int) -> object:
        calls.append(name)
        return real(data, name, limits, depth)  # type: ignore[arg-type]

    monkeypatch.setattr(docx, "FORMAT", dataclasses.replace(docx.FORMAT, parse=counted))
    registry.formats.cache_clear()
    registry._candidates.cache_clear()
    registry._by_extension.cache_clear()
    word = docx_bytes("KES inventory for the directive", datetime(2016, 1, 2))
    parts = [("notes.docx", word, "application/octet-stream"), ("pack.zip", zip_bytes({"in.docx": word}), "x/y")]
    first, second = (extract(email_bytes(f"Inventory {n}", "Attached.", attachments=parts), "a.eml")[0] for n in (1, 2))
    try:
        assert calls == ["notes.docx", "in.docx"]  # once each (the member too), not again for the second message
        fresh = docx.FORMAT.parse(word, "notes.docx", registry.Limits(), 1)
        for doc in (first, second):
            member = doc.children[1].children[0]
            assert [(c.text, c.modified_at, c.sha256, c.data) for c in (doc.children[0], member)] == [
                (fresh[0].text, fresh[0].modified_at, fresh[0].sha256, word)
            ] * 2
        first.children[0].data, first.children[0].text = b"", "changed"
        assert (second.children[0].data, second.children[0].text) == (word, fresh[0].text)
    finally:
        registry.formats.cache_clear()
        registry._candidates.cache_clear()
        registry._by_extension.cache_clear()


def test_attachments_kept_for_reuse_stay_within_their_bounds() -> None:
    from vendorscope.records.extract import _AlreadyRead
    from vendorscope.records.model import Doc

    kept = _AlreadyRead(entries=3, total=1000)
    for n in range(10):
        kept.put((n,), [Doc(f"{n}.pdf", "pdf", b"x" * 100, text="y" * 100, children=[Doc("c", "text", b"z" * 50)])])
        assert len(kept.docs) <= 3 and kept.used == 250 * len(kept.docs) <= 1000
    assert kept.get((9,)) is not None and kept.get((0,)) is None
    kept.put(("big",), [Doc("big.zip", "zip", b"x" * 2000)])  # larger than the whole budget: not kept
    assert kept.used <= 1000 and kept.get(("big",)) is None
