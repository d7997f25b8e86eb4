"""Review and production: tags with reviewer and time, Bates numbers continuing across productions, the
Concordance DAT byte for byte, the privilege log and the exceptions report; the CLI end to end."""

from __future__ import annotations

import csv
import hashlib
import io
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from tests.records_corpus import email_bytes, encrypted_pdf_bytes, pdf_bytes
from vendorscope.cli import app
from vendorscope.errors import VendorscopeError
from vendorscope.records.loadfile import dat_line
from vendorscope.service import Service
from vendorscope.store.tables import RecordDocument, RecordReview

Q, D = "\u00fe", "\x14"


@pytest.fixture
def store(sqlite_service: Service, tmp_path: Path) -> Service:
    folder = tmp_path / "in"
    folder.mkdir()
    pdf = pdf_bytes("Kaspersky risk memo")
    (folder / "a.eml").write_bytes(
        email_bytes(
            "Kaspersky risk",
            "Memo attached.\nSecond line.",
            cc="carol@agency.example",
            date=datetime(2017, 9, 13, 14, 0, tzinfo=UTC),
            attachments=[("memo.pdf", pdf, "application/pdf")],
            message_id="<a@x>",
        )
    )
    (folder / "b.eml").write_bytes(
        email_bytes("Legal advice on Kaspersky", "Privileged.", sender="counsel@agency.example", message_id="<b@x>")
    )
    (folder / "c.pdf").write_bytes(encrypted_pdf_bytes())
    sqlite_service.records_ingest([folder], "alice", workers=1, records_dir=tmp_path / "orig")
    (tmp_path / "bob").mkdir()
    (tmp_path / "bob" / "a-copy.eml").write_bytes((folder / "a.eml").read_bytes())
    sqlite_service.records_ingest([tmp_path / "bob"], "bob", workers=1, records_dir=tmp_path / "orig")
    return sqlite_service


def _ids(service: Service) -> dict[str, int]:
    with service.store.engine.connect() as conn:
        return {
            Path(p.split("::")[-1]).name: i for i, p in conn.execute(select(RecordDocument.id, RecordDocument.path))
        }


def test_tags_keep_history_with_reviewer_and_time(store: Service) -> None:
    ids = _ids(store)
    store.records_tag([ids["a.eml"]], "needs-review", "rita")
    store.records_tag([ids["a.eml"]], "responsive", "sam", family=True)
    with store.store.engine.connect() as conn:
        rows = conn.execute(select(RecordReview.document_id, RecordReview.tag, RecordReview.reviewer)).all()
        stamps = conn.execute(select(RecordReview.reviewed_at)).scalars().all()
    assert sorted(rows) == sorted(
        [
            (ids["a.eml"], "needs-review", "rita"),
            (ids["a.eml"], "responsive", "sam"),
            (ids["memo.pdf"], "responsive", "sam"),
        ]
    )
    assert all(isinstance(s, datetime) for s in stamps)
    with pytest.raises(VendorscopeError, match="basis"):
        store.records_tag([ids["b.eml"]], "privileged", "sam")
    with pytest.raises(VendorscopeError, match="unknown tag"):
        store.records_tag([ids["b.eml"]], "hot", "sam")


def test_production_files_and_dat_bytes(store: Service, tmp_path: Path) -> None:
    ids = _ids(store)
    store.records_tag([ids["a.eml"]], "responsive", "sam")
    store.records_tag([ids["b.eml"]], "privileged", "sam", basis="attorney-client")
    report = store.records_produce(tmp_path / "vol1", "ABC", tmp_path / "orig")
    assert (report.first, report.last, report.documents, report.withheld) == ("ABC000000001", "ABC000000002", 2, 1)
    assert (report.pages, report.volume) == (2, "VOL001")
    vol = tmp_path / "vol1"
    mail = (tmp_path / "in" / "a.eml").read_bytes()
    assert (vol / "NATIVES" / "ABC000000001.eml").read_bytes() == mail
    assert (vol / "NATIVES" / "ABC000000002.pdf").read_bytes().startswith(b"%PDF")
    assert (vol / "IMAGES" / "ABC000000001.pdf").read_bytes().startswith(b"%PDF")
    assert (vol / "TEXT" / "ABC000000002.txt").read_text(encoding="utf-8").startswith("Kaspersky risk memo")
    dat = (vol / "DATA" / "loadfile.dat").read_bytes()
    assert dat.startswith(b"\xef\xbb\xbf")  # UTF-8 with a byte-order mark: Relativity reads the encoding from it
    header = D.join(f"{Q}{f}{Q}" for f in (
        "BEGBATES", "ENDBATES", "BEGATTACH", "ENDATTACH", "PARENTBATES", "CUSTODIAN", "ALLCUSTODIANS", "FROM", "TO",
        "CC", "BCC", "SUBJECT", "DATESENT", "DATERCVD", "FILENAME", "FILEEXT", "PAGECOUNT", "MD5HASH", "SHA256",
        "PRODVOL", "CONFIDENTIALITY", "REDACTED", "NATIVELINK", "TEXTLINK", "TEXTSOURCE",
    )) + "\r\n"  # fmt: skip
    first = D.join(f"{Q}{v}{Q}" for v in (
        "ABC000000001", "ABC000000001", "ABC000000001", "ABC000000002", "", "alice", "alice; bob",
        "alice@agency.example", "bob@agency.example", "carol@agency.example", "", "Kaspersky risk",
        "2017-09-13 14:00:00", "", "a.eml", "eml", "1", hashlib.md5(mail).hexdigest(), hashlib.sha256(mail).hexdigest(),
        "VOL001", "CONFIDENTIAL", "N", "NATIVES\\ABC000000001.eml", "TEXT\\ABC000000001.txt", "NATIVE",
    )) + "\r\n"  # fmt: skip
    lines = dat[3:].decode("utf-8").split("\r\n")
    assert dat[3:].startswith((header + first).encode("utf-8"))
    assert len(lines) == 4 and lines[-1] == ""
    assert lines[2].split(D)[2:5] == [f"{Q}ABC000000001{Q}", f"{Q}ABC000000002{Q}", f"{Q}ABC000000001{Q}"]
    opt = (vol / "DATA" / "loadfile.opt").read_bytes().decode().split("\r\n")
    assert opt[:2] == [
        "ABC000000001,VOL001,IMAGES\\ABC000000001.pdf,Y,,,1",
        "ABC000000002,VOL001,IMAGES\\ABC000000002.pdf,Y,,,1",
    ]


def test_dat_values_cannot_break_the_format() -> None:
    line = dat_line(["a\u00feb", "c\x14d", "two\r\nlines"])
    assert line.encode("utf-8") == "þabþ\x14þc dþ\x14þtwo®linesþ\r\n".encode()


def test_privilege_log_and_exceptions(store: Service, tmp_path: Path) -> None:
    ids = _ids(store)
    store.records_tag([ids["a.eml"]], "responsive", "sam")
    store.records_tag(
        [ids["b.eml"]], "privileged", "sam", basis="attorney-client", note="counsel's advice on the directive"
    )
    store.records_produce(tmp_path / "vol1", "ABC", tmp_path / "orig")
    log = (tmp_path / "vol1" / "DATA" / "privilege_log.csv").read_bytes()
    assert log == (
        b"\xef\xbb\xbfPRIVID,FAMILYBATES,DATE,DOCTYPE,AUTHOR,RECIPIENTS,CC,BCC,FILENAME,PRIVILEGE_BASIS,DESCRIPTION,"
        b"REVIEWER\r\n"
        b"ABC-PRIV-000001,,2017-09-13,Email,counsel@agency.example,bob@agency.example,,,b.eml,attorney-client,"
        b'"Email sent 2017-09-13 from counsel@agency.example to bob@agency.example, withheld as privileged '
        b"(attorney-client): counsel's advice on the directive.\",sam\r\n"
    )
    rows = list(csv.reader(io.StringIO((tmp_path / "vol1" / "DATA" / "exceptions.csv").read_text(encoding="utf-8"))))
    assert rows[0] == ["DOCID", "CUSTODIAN", "PATH", "FORMAT", "SHA256", "ERROR"]
    assert [(Path(r[2]).name, r[5]) for r in rows[1:]] == [("c.pdf", "encrypted PDF: a password is needed")]


def test_bates_numbers_continue_and_nothing_is_produced_twice(store: Service, tmp_path: Path) -> None:
    ids = _ids(store)
    store.records_tag([ids["a.eml"]], "responsive", "sam")
    store.records_produce(tmp_path / "vol1", "ABC", tmp_path / "orig")
    store.records_tag([ids["b.eml"]], "responsive", "sam")
    second = store.records_produce(tmp_path / "vol2", "ABC", tmp_path / "orig")
    assert (second.first, second.last, second.documents, second.volume) == ("ABC000000003", "ABC000000003", 1, "VOL002")
    assert sorted(p.name for p in (tmp_path / "vol2" / "NATIVES").iterdir()) == ["ABC000000003.eml"]
    with pytest.raises(VendorscopeError, match="not empty"):
        store.records_produce(tmp_path / "vol2", "ABC", tmp_path / "orig")


def test_cli_end_to_end(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.eml").write_bytes(email_bytes("KSC rollout", "Kaspersky Security Center rollout plan."))
    (folder / "x.pdf").write_bytes(b"%PDF-1.4 broken")
    db = ["--db", str(tmp_path / "s.db")]
    runner = CliRunner()
    result = runner.invoke(app, [*db, "records", "ingest", str(folder), "--custodian", "alice", "--workers", "1"])
    assert result.exit_code == 2 and "x.pdf" in result.output and "2 files ingested" in result.output
    result = runner.invoke(
        app, [*db, "records", "search", "--vendor", "kaspersky", "--since", "2013-01-01", "-f", "json"]
    )
    assert result.exit_code == 0 and '"subject": "KSC rollout"' in result.output
    assert runner.invoke(app, [*db, "records", "tag", "1", "--tag", "responsive", "--reviewer", "sam"]).exit_code == 0
    result = runner.invoke(app, [*db, "records", "produce", "--out", str(tmp_path / "vol"), "--prefix", "VS"])
    assert result.exit_code == 0 and "VS000000001" in result.output
    result = runner.invoke(app, [*db, "records", "search", "--vendor", "kaspersky", "--since", "yesterday"])
    assert result.exit_code != 0
