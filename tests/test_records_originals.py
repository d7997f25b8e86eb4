"""Originals in pack files: every original kept byte-identical and found by its SHA-256, verified on read,
stored once, nothing half-written after an interrupted ingest, and loose files of older stores still read."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from sqlalchemy import select

from tests.records_corpus import email_bytes, pdf_bytes
from vendorscope.errors import StoreError
from vendorscope.records.store import Originals
from vendorscope.service import Service
from vendorscope.store.tables import RecordDocument


def _mail_folder(folder: Path, count: int) -> dict[str, bytes]:
    """E-mails with a PDF each (every fifth the same PDF): the bytes of every original, by SHA-256."""
    folder.mkdir()
    originals = {}
    for n in range(count):
        pdf = pdf_bytes(f"Kaspersky memo {0 if n % 5 == 0 else n}")
        attachments = [("m.pdf", pdf, "application/pdf")]
        mail = email_bytes(f"Memo {n}", f"Body {n}", message_id=f"<{n}@x>", attachments=attachments)
        (folder / f"m{n:03d}.eml").write_bytes(mail)
        originals |= {hashlib.sha256(data).hexdigest(): data for data in (mail, pdf)}
    return originals


def _shas(service: Service) -> list[str]:
    with service.store.engine.connect() as conn:
        return list(conn.execute(select(RecordDocument.sha256).order_by(RecordDocument.id)).scalars())


@pytest.mark.parametrize("workers", [1, 2])
def test_every_original_is_in_a_pack_and_read_back_by_its_hash(tmp_path: Path, workers: int) -> None:
    expected = _mail_folder(tmp_path / "in", 70)
    service = Service(str(tmp_path / "s.db"))
    service.records_ingest([tmp_path / "in"], "alice", workers=workers, records_dir=tmp_path / "o")
    originals = service.records_originals(tmp_path / "o")
    assert sorted(set(_shas(service))) == sorted(expected)
    assert all(originals.get(sha) == data for sha, data in expected.items())
    files = [p.relative_to(tmp_path / "o").parts[0] for p in (tmp_path / "o").rglob("*") if p.is_file()]
    assert set(files) == {"packs"}  # no loose file, no folder per original
    packs = list((tmp_path / "o" / "packs").glob("*.pack"))
    assert 1 <= len(packs) <= 3 * workers  # a pack a task (32 files), not a file an original
    assert all(hashlib.sha256(p.read_bytes()).hexdigest() == p.stem for p in packs)  # named by their bytes
    stored = sum(p.stat().st_size for p in packs)
    if workers == 1:  # each original once, the PDF used again included (two workers may both pack it)
        assert stored == sum(map(len, expected.values()))
    service.records_ingest([tmp_path / "in"], "bob", workers=workers, records_dir=tmp_path / "o")
    assert sorted((tmp_path / "o" / "packs").glob("*.pack")) == sorted(packs)  # held already: no new pack
    service.close()


def test_an_interrupted_ingest_leaves_nothing_half_written_and_a_rerun_finishes(tmp_path: Path) -> None:
    """The writer stops after its first batch's originals are packed but before they are listed (a crash
    between the pack and the rows): no row names an unlisted original, and running the command again
    stores the same documents as an ingest that was never interrupted."""
    expected = _mail_folder(tmp_path / "in", 40)
    service = Service(str(tmp_path / "s.db"))

    def crash(self: Originals, locations: object) -> None:
        raise KeyboardInterrupt

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(Originals, "record", crash)
        with pytest.raises(KeyboardInterrupt):
            service.records_ingest([tmp_path / "in"], "alice", workers=1, records_dir=tmp_path / "o")
    assert _shas(service) == []
    service.records_ingest([tmp_path / "in"], "alice", workers=1, records_dir=tmp_path / "o")
    clean = Service(str(tmp_path / "clean.db"))
    clean.records_ingest([tmp_path / "in"], "alice", workers=1, records_dir=tmp_path / "clean")
    assert _shas(service) == _shas(clean) and sorted(set(_shas(service))) == sorted(expected)
    originals = service.records_originals(tmp_path / "o")
    assert all(originals.get(sha) == data for sha, data in expected.items())
    service.close()
    clean.close()


def test_a_changed_pack_is_refused_on_read(tmp_path: Path) -> None:
    originals = Originals(tmp_path / "o")
    data = b"Kaspersky Security Center assessment"
    sha = hashlib.sha256(data).hexdigest()
    originals.record(originals.pack([(sha, data)]))
    assert originals.get(sha) == data
    pack = next((tmp_path / "o" / "packs").glob("*.pack"))
    pack.write_bytes(b"X" + pack.read_bytes()[1:])
    with pytest.raises(StoreError, match="does not match"):
        Originals(tmp_path / "o").get(sha)


def test_loose_originals_of_an_older_store_are_still_read_and_not_packed_again(tmp_path: Path) -> None:
    originals = Originals(tmp_path / "o")
    data = b"kept by an earlier version, one file per original"
    sha = hashlib.sha256(data).hexdigest()
    originals.path(sha).parent.mkdir(parents=True)
    originals.path(sha).write_bytes(data)
    assert originals.get(sha) == data
    assert originals.pack([(sha, data)]) == []
