"""Bad input: every unreadable file is recorded with the reason and listed as an exception; the batch goes on."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from sqlalchemy import select

from tests.records_corpus import email_bytes, encrypted_pdf_bytes, pdf_bytes, zip_bytes
from vendorscope.records.extract import extract
from vendorscope.records.model import Limits
from vendorscope.service import Service
from vendorscope.store.tables import RecordDocument

MALFORMED_MIME = (
    b"From: x@agency.example\nTo: y@agency.example\nSubject: broken\nDate: not a date at all\n"
    b'MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary="BOUND"\n\n'
    b"--BOUND\nContent-Type: text/plain; charset=utf-8\n\nKaspersky text before the end\n"
)  # the closing boundary is missing
WRONG_CHARSET = (
    b"From: x@agency.example\nTo: y@agency.example\nSubject: charset\nDate: Mon, 2 Jan 2017 10:00:00 +0000\n"
    b"MIME-Version: 1.0\nContent-Type: text/plain; charset=x-no-such-charset\n\nKaspersky r\xe9sum\xe9\n"
)


def test_encrypted_and_corrupt_pdfs() -> None:
    [encrypted] = extract(encrypted_pdf_bytes(), "e.pdf")
    assert encrypted.error == "encrypted PDF: a password is needed"
    [corrupt] = extract(pdf_bytes("Kaspersky")[:60], "c.pdf")
    assert corrupt.format == "pdf" and corrupt.error


def test_malformed_mime_keeps_what_can_be_read() -> None:
    [doc] = extract(MALFORMED_MIME, "m.eml")
    assert "Kaspersky text" in doc.text
    assert "malformed MIME" in (doc.error or "") and "Date" in (doc.error or "")
    assert doc.sent_at is None


def test_wrong_charset_falls_back_and_says_so() -> None:
    [doc] = extract(WRONG_CHARSET, "w.eml")
    assert "Kaspersky r" in doc.text
    assert "charset" in (doc.error or "")


def test_empty_and_binary_files() -> None:
    assert extract(b"", "empty.txt")[0].error == "empty file"
    assert "binary" in (extract(b"\x00\x01\x02garbage" * 10, "x.bin")[0].error or "")


def test_huge_attachment_is_kept_but_not_read() -> None:
    big = b"A" * 5000
    data = email_bytes("big", "see attachment", attachments=[("big.bin", big, "application/octet-stream")])
    [doc] = extract(data, "b.eml", Limits(max_document_bytes=4096))
    [child] = doc.children
    assert child.data == big and "over the limit" in (child.error or "")


def test_zip_bomb_traversal_and_depth_are_refused() -> None:
    bomb = zip_bytes({"zeros.txt": b"\0" * (20 * 1024 * 1024)})
    [doc] = extract(bomb, "bomb.zip")
    assert "compression ratio" in (doc.children[0].error or "")
    [doc] = extract(zip_bytes({"../../etc/passwd": b"x", "/abs.txt": b"y"}), "t.zip")
    assert all("path traversal" in (c.error or "") for c in doc.children)
    nested = b"Kaspersky"
    for level in range(5):
        nested = zip_bytes({f"l{level}.zip" if level else "x.txt": nested})
    [doc] = extract(nested, "deep.zip", Limits(max_depth=2))
    deepest = doc.walk()[-1]
    assert "nested deeper" in (deepest.error or "")


def test_zip_total_size_is_bounded() -> None:
    entries = {f"f{i}.txt": bytes([65 + i]) * 400_000 for i in range(5)}
    data = zip_bytes(entries, zipfile.ZIP_STORED)
    [doc] = extract(data, "many.zip", Limits(max_archive_total=1_000_000))
    errors = [c.error for c in doc.children]
    assert errors[:2] == [None, None] and all("exceed" in (e or "") for e in errors[2:])


def test_bad_files_never_stop_a_batch_and_are_all_listed(sqlite_service: Service, tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    files = {
        "enc.pdf": encrypted_pdf_bytes(),
        "bad.pdf": b"%PDF-1.4 garbage",
        "mime.eml": MALFORMED_MIME,
        "charset.eml": WRONG_CHARSET,
        "empty.txt": b"",
        "bomb.zip": zip_bytes({"zeros.txt": b"\0" * (20 * 1024 * 1024)}),
        "fine.txt": b"Kaspersky review",
    }
    for name, data in files.items():
        (folder / name).write_bytes(data)
    report = sqlite_service.records_ingest([folder], "alice", workers=1, records_dir=tmp_path / "o")
    assert report.files == len(files)
    failed = {Path(path.split("::")[0]).name for path, _ in report.errors}
    assert failed == set(files) - {"fine.txt"}
    listed = {Path(row[2].split("::")[0]).name for row in sqlite_service.records_exceptions()}
    assert listed == failed
    with sqlite_service.store.engine.connect() as conn:
        names = {Path(p.split("::")[0]).name for p in conn.execute(select(RecordDocument.path)).scalars()}
    assert names == set(files)  # nothing dropped


def test_a_crashed_worker_leaves_every_file_recorded(
    sqlite_service: Service, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from vendorscope.records import ingest

    def crash(task: ingest.Task) -> list[ingest.FileResult]:
        raise MemoryError("worker died")

    folder = tmp_path / "in"
    folder.mkdir()
    for name in ("a.txt", "b.txt"):
        (folder / name).write_text(f"Kaspersky {name}")
    monkeypatch.setattr(ingest, "extract_task", crash)
    report = sqlite_service.records_ingest([folder], "alice", workers=1, records_dir=tmp_path / "o")
    assert report.files == 2
    assert sorted((Path(p).name, e) for p, e in report.errors) == [
        ("a.txt", "extraction crashed: MemoryError: worker died"),
        ("b.txt", "extraction crashed: MemoryError: worker died"),
    ]


def test_a_killed_worker_loses_only_its_own_task(
    sqlite_service: Service, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A crash in C code (PDFium, lxml, Pillow) or the OOM killer ends a worker process and breaks the pool:
    the tasks then in flight run again alone, so only the files of the task that dies on its own are
    listed as crashed, and the rest of the batch is read."""
    import os
    import signal

    from vendorscope.records import ingest

    real = ingest.extract

    def dies_on_one_file(data: bytes, name: str, limits: object = None, depth: int = 0) -> object:
        if name.endswith("f003.txt"):
            os.kill(os.getpid(), signal.SIGKILL)
        return real(data, name, limits, depth)  # type: ignore[arg-type]

    folder = tmp_path / "in"
    folder.mkdir()
    for n in range(100):
        (folder / f"f{n:03d}.txt").write_text(f"Kaspersky note {n}")
    monkeypatch.setattr(ingest, "extract", dies_on_one_file)
    report = sqlite_service.records_ingest([folder], "alice", workers=2, records_dir=tmp_path / "o")
    crashed = sorted(Path(p).name for p, e in report.errors if e.startswith("extraction crashed"))
    assert report.files == 100
    assert crashed == [f"f{n:03d}.txt" for n in range(ingest.FILES_PER_TASK)]  # the first task, the dying file's
