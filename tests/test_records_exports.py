"""Exports agencies hand over: Google Vault (mbox + metadata XML), Purview (messages and files with a CSV load
file), a Relativity/Concordance DAT with natives (a production re-ingested), a plain folder tree — each item
under the custodian and original path the export gives it; paths out of the export are refused, the rest
goes in."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from tests.records_corpus import docx_bytes, email_bytes, mbox_bytes, xlsx_bytes
from vendorscope.records.exports import detect
from vendorscope.service import Service
from vendorscope.store.tables import RecordDocument, RecordLocation


def _locations(service: Service) -> dict[str, str]:
    """Top-level path → custodian."""
    with service.store.engine.connect() as conn:
        rows = conn.execute(
            select(RecordLocation.path, RecordLocation.custodian)
            .join(RecordDocument, RecordDocument.id == RecordLocation.document_id)
            .where(RecordDocument.parent_id.is_(None))
        )
        return dict(rows.all())


VAULT_XML = """<?xml version="1.0" encoding="UTF-8"?>
<Root DataInterchangeType="Update" Description="Vault export">
 <Batch name="export-1">
  <Documents>
   <Document DocID="a1" DocType="Message" MimeType="message/rfc822">
    <Tags>
     <Tag TagName="#Author" TagDataType="Text" TagValue="alice@agency.example"/>
     <Tag TagName="Rfc822MessageId" TagDataType="Text" TagValue="&lt;v1@agency.example&gt;"/>
     <Tag TagName="Account" TagDataType="Text" TagValue="alice@agency.example"/>
     <Tag TagName="Labels" TagDataType="Text" TagValue="^INBOX,Vendor review"/>
    </Tags>
   </Document>
   <Document DocID="a2" DocType="Message" MimeType="message/rfc822">
    <Tags>
     <Tag TagName="Rfc822MessageId" TagDataType="Text" TagValue="&lt;v2@agency.example&gt;"/>
     <Tag TagName="Account" TagDataType="Text" TagValue="bob@agency.example"/>
     <Tag TagName="Labels" TagDataType="Text" TagValue="^SENT"/>
    </Tags>
   </Document>
  </Documents>
 </Batch>
</Root>
"""


def test_google_vault_export(service: Service, tmp_path: Path) -> None:
    export = tmp_path / "vault"
    export.mkdir()
    box = mbox_bytes([
        email_bytes("Kaspersky review", "KSN uploads assessed.", message_id="<v1@agency.example>"),
        email_bytes("Re: Kaspersky review", "Agreed.", message_id="<v2@agency.example>"),
        email_bytes("No metadata", "Lunch?", message_id="<v3@agency.example>"),
    ])  # fmt: skip
    (export / "export-1.mbox").write_bytes(box)
    (export / "export-1-metadata.xml").write_text(VAULT_XML, encoding="utf-8")
    assert detect(export) == "vault"
    report = service.records_ingest_export(export, "auto", "unknown", workers=1, records_dir=tmp_path / "o")
    assert report.ok, report.errors
    assert _locations(service) == {
        "export-1.mbox#1 [labels: ^INBOX,Vendor review]": "alice@agency.example",
        "export-1.mbox#2 [labels: ^SENT]": "bob@agency.example",
        "export-1.mbox#3": "unknown",
    }


def test_purview_export_with_csv_load_file(service: Service, tmp_path: Path) -> None:
    export = tmp_path / "purview"
    (export / "Items").mkdir(parents=True)
    (export / "Items" / "0001.eml").write_bytes(email_bytes("Kaspersky", "Removal plan", message_id="<p1@x>"))
    (export / "Items" / "0002.docx").write_bytes(docx_bytes("klnagent inventory", datetime(2017, 1, 2)))
    (export / "Items" / "0003.eml").write_bytes(email_bytes("Unlisted", "Not in the load file", message_id="<p3@x>"))
    (tmp_path / "secret.txt").write_text("outside", encoding="utf-8")
    (export / "Export_load_file.csv").write_text(
        "Native path,Custodian,Original path,Subject\n"
        "Items/0001.eml,Carol Diaz,carol@agency.example/Inbox/Vendors,Kaspersky\n"
        "Items\\0002.docx,Dan Ito,https://agency.sharepoint.example/sites/it/Shared Documents/inventory.docx,\n"
        "../secret.txt,Mallory,x,\n",
        encoding="utf-8",
    )
    assert detect(export) == "purview"
    report = service.records_ingest_export(export, "auto", "records-officer", workers=1, records_dir=tmp_path / "o")
    assert [(where, reason.split(":")[0]) for where, reason in report.errors] == [("Export_load_file.csv:4", "refused")]
    assert _locations(service) == {
        "carol@agency.example/Inbox/Vendors": "Carol Diaz",
        "https://agency.sharepoint.example/sites/it/Shared Documents/inventory.docx": "Dan Ito",
        "Items/0003.eml": "records-officer",  # not listed, still evidence
    }


def test_production_dat_re_ingested(service: Service, tmp_path: Path) -> None:
    source = tmp_path / "in"
    source.mkdir()
    when = datetime(2017, 3, 1, tzinfo=UTC)
    (source / "a.eml").write_bytes(email_bytes("Kaspersky risk", "Call +1 202 555 0143", date=when, message_id="<a@x>"))
    (source / "b.eml").write_bytes(email_bytes("KSC plan", "Kaspersky Security Center", date=when, message_id="<b@x>"))
    service.records_ingest([source], "alice", workers=1, records_dir=tmp_path / "o")
    with service.store.engine.connect() as conn:
        ids = list(conn.execute(select(RecordDocument.id).order_by(RecordDocument.id)).scalars())
    service.records_tag(ids, "responsive", "sam")
    service.records_redact([ids[0]], "text", "+1 202 555 0143", "PII", "sam")
    service.records_produce(tmp_path / "prod" / "VOL001", "ABC", tmp_path / "o")
    other = Service(str(tmp_path / "received.db"))
    try:
        report = other.records_ingest_export(
            tmp_path / "prod", "auto", "unknown", workers=1, records_dir=tmp_path / "r"
        )
        assert report.ok, report.errors
        located = _locations(other)
        assert located == {"ABC000000001 a.eml [produced text]": "alice", "ABC000000002 b.eml": "alice"}
        with other.store.engine.connect() as conn:
            texts = dict(conn.execute(select(RecordDocument.path, RecordDocument.text)).all())
        redacted = texts["ABC000000001 a.eml [produced text]"]  # its native was withheld: its text came back
        assert "[REDACTED: PII]" in redacted and "555" not in redacted
    finally:
        other.close()


def test_folder_tree_with_custodian_folders(service: Service, tmp_path: Path) -> None:
    export = tmp_path / "shares"
    (export / "alice" / "reports").mkdir(parents=True)
    (export / "bob").mkdir()
    (export / "alice" / "reports" / "risk.docx").write_bytes(docx_bytes("Kaspersky risk", datetime(2017, 5, 5)))
    (export / "bob" / "inventory.xlsx").write_bytes(xlsx_bytes([["host", "product"], ["ws-1", "KES 11"]]))
    (export / "bob" / "out.txt").symlink_to(tmp_path / "elsewhere.txt")
    (tmp_path / "elsewhere.txt").write_text("outside", encoding="utf-8")
    report = service.records_ingest_export(
        export, "folder", "registry", custodian_from_folder=True, workers=1, records_dir=tmp_path / "o"
    )
    assert [r for _, r in report.errors] == ["refused: a symbolic link out of the export folder"]
    assert _locations(service) == {"alice/reports/risk.docx": "alice", "bob/inventory.xlsx": "bob"}


def test_cli_ingest_export(tmp_path: Path) -> None:
    from vendorscope.cli import app

    export = tmp_path / "tree"
    export.mkdir()
    (export / "memo.docx").write_bytes(docx_bytes("Kaspersky memo", datetime(2017, 5, 5)))
    db = ["--db", str(tmp_path / "s.db")]
    args = ["records", "ingest-export", str(export), "--custodian", "alice", "--workers", "1"]
    result = CliRunner().invoke(app, [*db, *args, "--records-dir", str(tmp_path / "o")])
    assert result.exit_code == 0, result.output
    assert "1 files ingested" in result.output
    bad = CliRunner().invoke(app, [*db, *args, "--kind", "zip"])
    assert bad.exit_code != 0


@pytest.mark.parametrize("kind", ["vault", "purview", "dat", "folder"])
def test_empty_export_of_each_kind(service: Service, tmp_path: Path, kind: str) -> None:
    export = tmp_path / "empty"
    export.mkdir()
    report = service.records_ingest_export(export, kind, "x", workers=1, records_dir=tmp_path / "o")
    assert report.files == 0 and report.ok
