"""A production loads back: the DAT and OPT read by vendorscope's own reader with every field intact, page counts
matching the images, Bates numbers continuous within and across volumes, redactions present in image and text
(and the native withheld), the privilege log complete; TIFF images and a UTF-16 DAT as options."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from tests.records_corpus import email_bytes, pdf_bytes
from vendorscope.records.loadfile import read_dat, read_opt
from vendorscope.records.produce import DAT_FIELDS, ProductionOptions, ProductionReport
from vendorscope.records.provider import RecordsProduction
from vendorscope.records.search import Filters
from vendorscope.service import Service
from vendorscope.store.tables import RecordDocument

PHONE = "+1 202 555 0143"
LONG = "\n".join(f"Line {n}: klnagent on host ws-{n:03d} still reports to the old server." for n in range(160))


@pytest.fixture
def store(service: Service, tmp_path: Path) -> Service:
    folder = tmp_path / "in"
    folder.mkdir()
    when = datetime(2017, 9, 13, 14, 0, tzinfo=UTC)
    (folder / "a.eml").write_bytes(email_bytes(
        "Kaspersky risk", f"Memo attached. Call me at {PHONE}.", date=when, message_id="<a@x>",
        attachments=[("memo.pdf", pdf_bytes("Kaspersky risk memo"), "application/pdf")],
    ))  # fmt: skip
    (folder / "b.eml").write_bytes(email_bytes("Agent inventory", LONG, date=when, message_id="<b@x>"))
    (folder / "c.eml").write_bytes(
        email_bytes("Оценка", "Антивирус Касперского удалён.", date=when, message_id="<c@x>")
    )
    (folder / "d.eml").write_bytes(email_bytes(
        "Legal advice on Kaspersky", "Privileged.", sender="counsel@agency.example", date=when, message_id="<d@x>"
    ))  # fmt: skip
    service.records_ingest([folder], "alice", workers=1, records_dir=tmp_path / "orig")
    return service


def _ids(service: Service) -> dict[str, int]:
    with service.store.engine.connect() as conn:
        rows = conn.execute(select(RecordDocument.id, RecordDocument.path))
        return {Path(p.split("::")[-1]).name: i for i, p in rows}


def _tag_all(store: Service, names: list[str]) -> dict[str, int]:
    ids = _ids(store)
    store.records_tag([ids[n] for n in names], "responsive", "sam", family=True)
    return ids


def _number(bates: str) -> int:
    return int(bates[-9:])


def test_production_round_trip(store: Service, tmp_path: Path) -> None:
    ids = _tag_all(store, ["a.eml", "b.eml"])
    store.records_tag(
        [ids["d.eml"]], "privileged", "sam", basis="attorney-client", note="advice of counsel on BOD 17-01"
    )
    store.records_redact([ids["a.eml"]], "regex", r"\+1 \d{3} \d{3} \d{4}", "PII", "sam")
    report = store.records_produce(tmp_path / "vol1", "ABC", tmp_path / "orig")
    vol = tmp_path / "vol1"
    rows = read_dat(vol / "DATA" / "loadfile.dat")
    opt = read_opt(vol / "DATA" / "loadfile.opt")
    assert list(rows[0]) == DAT_FIELDS and len(rows) == report.documents == 3
    # page counts: DAT, OPT and the images agree; Bates numbers are continuous
    expected = _number(rows[0]["BEGBATES"])
    for row in rows:
        pages = int(row["PAGECOUNT"])
        assert _number(row["BEGBATES"]) == expected and _number(row["ENDBATES"]) == expected + pages - 1
        expected += pages
        lines = [o for o in opt if row["BEGBATES"] <= o.bates <= row["ENDBATES"]]
        assert len(lines) == pages and lines[0].document_break and lines[0].pages == pages
        image = vol / lines[0].path.replace("\\", "/")
        assert len(PdfReader(image).pages) == pages
        assert row["PRODVOL"] == "VOL001" == lines[0].volume
    by_name = {r["FILENAME"]: r for r in rows}
    assert int(by_name["b.eml"]["PAGECOUNT"]) >= 3  # 160 lines of text: several pages
    assert by_name["memo.pdf"]["PARENTBATES"] == by_name["a.eml"]["BEGBATES"]
    assert (by_name["a.eml"]["BEGATTACH"], by_name["a.eml"]["ENDATTACH"]) == (
        by_name["a.eml"]["BEGBATES"], by_name["memo.pdf"]["ENDBATES"],
    )  # fmt: skip
    # every field intact
    assert by_name["a.eml"]["SUBJECT"] == "Kaspersky risk" and by_name["a.eml"]["DATESENT"] == "2017-09-13 14:00:00"
    assert len(by_name["a.eml"]["SHA256"]) == 64 and len(by_name["a.eml"]["MD5HASH"]) == 32
    assert by_name["b.eml"]["CONFIDENTIALITY"] == "CONFIDENTIAL" and by_name["b.eml"]["REDACTED"] == "N"
    assert (vol / by_name["b.eml"]["NATIVELINK"].replace("\\", "/")).is_file()
    # redaction: in the image and the text, the native withheld
    redacted = by_name["a.eml"]
    assert redacted["REDACTED"] == "Y" and redacted["NATIVELINK"] == ""
    assert not list((vol / "NATIVES").glob(f"{redacted['BEGBATES']}.*"))
    text = (vol / redacted["TEXTLINK"].replace("\\", "/")).read_text(encoding="utf-8")
    assert "[REDACTED: PII]" in text and PHONE not in text
    image_text = "".join(p.extract_text() for p in PdfReader(vol / "IMAGES" / f"{redacted['BEGBATES']}.pdf").pages)
    assert "REDACTED: PII" in image_text and "555" not in image_text
    assert redacted["BEGBATES"] in image_text  # the Bates stamp on the page
    # the privilege log: complete, keyed to a PRIV number
    log = read_dat_free_csv(vol / "DATA" / "privilege_log.csv")
    assert [r["PRIVID"] for r in log] == ["ABC-PRIV-000001"]
    entry = log[0]
    assert entry["DATE"] == "2017-09-13" and entry["AUTHOR"] == "counsel@agency.example"
    assert entry["RECIPIENTS"] and entry["PRIVILEGE_BASIS"] == "attorney-client" and entry["REVIEWER"] == "sam"
    assert (
        entry["DESCRIPTION"].endswith("advice of counsel on BOD 17-01.") and "Privileged." not in entry["DESCRIPTION"]
    )
    # a second volume continues the numbers
    _tag_all(store, ["c.eml"])
    second = store.records_produce(tmp_path / "vol2", "ABC", tmp_path / "orig")
    assert second.volume == "VOL002" and _number(str(second.first)) == _number(str(report.last)) + 1
    [again] = read_dat(tmp_path / "vol2" / "DATA" / "loadfile.dat")
    assert again["SUBJECT"] == "Оценка" and again["PRODVOL"] == "VOL002"


def read_dat_free_csv(path: Path) -> list[dict[str, str]]:
    import csv

    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def test_tiff_images_and_utf16_dat(store: Service, tmp_path: Path) -> None:
    from PIL import Image

    _tag_all(store, ["b.eml", "c.eml"])
    options = ProductionOptions(digits=7, volume="VOL007", images="tiff", encoding="utf-16", confidentiality="")
    report = store.records_produce(tmp_path / "t", "TT", tmp_path / "orig", options=options)
    vol = tmp_path / "t"
    assert (vol / "DATA" / "loadfile.dat").read_bytes().startswith(b"\xff\xfe")
    rows = read_dat(vol / "DATA" / "loadfile.dat")
    opt = read_opt(vol / "DATA" / "loadfile.opt")
    assert rows[0]["BEGBATES"] == "TT0000001" and {r["PRODVOL"] for r in rows} == {"VOL007"}
    assert len(opt) == report.pages == sum(int(r["PAGECOUNT"]) for r in rows)
    assert [o.bates for o in opt] == [f"TT{n:07d}" for n in range(1, report.pages + 1)]  # one TIFF a page
    for line in opt:
        with Image.open(vol / line.path.replace("\\", "/")) as image:
            assert image.n_frames == 1 and round(image.info["dpi"][0]) == 300
    assert "Касперского" in (vol / rows[-1]["TEXTLINK"].replace("\\", "/")).read_text(encoding="utf-8")


def test_redaction_choices_are_checked(store: Service) -> None:
    from vendorscope.errors import NotFoundError, VendorscopeError

    ids = _ids(store)
    with pytest.raises(VendorscopeError, match="regex"):
        store.records_redact([ids["a.eml"]], "regex", "(", "PII", "sam")
    with pytest.raises(VendorscopeError, match="START:END"):
        store.records_redact([ids["a.eml"]], "span", "12-40", "PII", "sam")
    with pytest.raises(NotFoundError):
        store.records_redact([999999], "text", "x", "PII", "sam")


def test_production_is_byte_identical_when_rebuilt(store: Service, tmp_path: Path) -> None:
    _tag_all(store, ["a.eml", "b.eml"])
    store.records_produce(tmp_path / "one", "VS", tmp_path / "orig", cumulative=True)
    store.records_produce(tmp_path / "two", "VS", tmp_path / "orig", cumulative=True)
    one = {p.relative_to(tmp_path / "one"): p.read_bytes() for p in (tmp_path / "one").rglob("*") if p.is_file()}
    two = {p.relative_to(tmp_path / "two"): p.read_bytes() for p in (tmp_path / "two").rglob("*") if p.is_file()}
    assert one == two and any(str(k).startswith("IMAGES") for k in one)


def test_package_searches_the_records_once(store: Service, tmp_path: Path) -> None:
    """The report's counts and the production's description come from one vendor search, not two."""
    calls = []

    def search(vendor: str, filters: Filters) -> list[dict[str, Any]]:
        calls.append(vendor)
        return store.records_vendor_search(vendor, filters)

    def produce(folder: Path, prefix: str) -> ProductionReport:
        return store.records_produce(folder, prefix, tmp_path / "orig", cumulative=True)

    with store.store.engine.connect() as conn:
        documents = RecordsProduction(conn, search, produce)
    counts = documents.counts("kaspersky", None)
    (tmp_path / "docs").mkdir()
    production = documents.produce_documents(tmp_path / "docs", "kaspersky", None)
    assert calls == ["kaspersky"]
    assert counts.found >= 2  # a.eml's family and d.eml name the vendor
    assert production is not None
    assert f"{counts.found} candidate families, {counts.unreviewed} not yet reviewed" in production.description
