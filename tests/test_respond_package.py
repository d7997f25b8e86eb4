"""The response package for an organization whose right answer is known: systems, contractors, coverage,
documents and manifest; built twice, the same contents."""

from __future__ import annotations

import csv
import hashlib
import json
import shutil
import subprocess
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import insert

from tests.respond_stubs import StubOrgs, StubRecords
from tests.test_requests import GOOD
from vendorscope.demo.fleet import generate_fleet
from vendorscope.respond.providers import HostProfile, Providers
from vendorscope.service import Service
from vendorscope.store.tables import Host

REQUEST = GOOD  # the committee's request of 2017-07-27
EPOCH = "1501545600"  # 2017-08-01


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def org(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """A 40-host fleet with its truth, ingested once, plus one host known only by name (never examined)."""
    root = tmp_path_factory.mktemp("org")
    fleet = generate_fleet(root / "fleet", hosts=40, seed=11)
    service = Service(str(root / "store.db"))
    service.ingest([p for p in (root / "fleet" / n for n in ("osquery", "osqueryi", "inventory")) if p.exists()])
    with service.store.transaction() as conn:
        conn.execute(insert(Host).values(key="printer-01", name="printer-01", facts={}))
    (root / "request.yaml").write_text(REQUEST, encoding="utf-8")
    truth = json.loads(fleet.truth_path.read_text())["findings"]
    hosts = (root / "fleet" / "hosts.txt").read_text().split()
    yield {"root": root, "service": service, "truth": truth, "hosts": hosts}
    service.close()


def build(org: dict, name: str, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    out = org["root"] / name
    org["service"].respond(org["root"] / "request.yaml", out)
    return out


def test_systems_and_coverage_match_the_known_answer(org: dict, monkeypatch: pytest.MonkeyPatch) -> None:
    service = org["service"]
    out = build(org, "pkg", monkeypatch)
    systems = read_csv(out / "systems.csv")
    expected = {(f["host"], service.product_name("kaspersky", f["product"])) for f in org["truth"]}
    assert {(r["host"], r["product"]) for r in systems} == expected
    assert all(r["org"] == "unassigned" and r["risk"] and r["evidence"] for r in systems)
    coverage = {r["host"]: r for r in read_csv(out / "coverage.csv")}
    assert set(coverage) == {*org["hosts"], "printer-01"}
    assert coverage["printer-01"]["examined_by"] == "not examined"
    assert all(coverage[h]["examined_by"] not in ("", "not examined") for h in org["hosts"])
    affected = {h for h, _ in expected}
    assert {h for h, r in coverage.items() if r["vendor_products"]} == affected
    assert read_csv(out / "contractors.csv") == []
    assert (
        (out / "contractors.csv")
        .read_text(encoding="utf-8-sig")
        .startswith("org_id,name,kind,prime,contract,hosts_with_vendor")
    )
    assert "no documents were ingested" in (out / "documents" / "NOT-PRODUCED.txt").read_text()
    html = (out / "report.html").read_text()
    words = " ".join(html.split())
    assert "no organization registry was ingested" in html and "40 of the 41 known systems were examined" in words
    assert f"{len(affected)} systems run Kaspersky software" in words


def test_manifest_lists_every_file_with_its_hash(org: dict, monkeypatch: pytest.MonkeyPatch) -> None:
    out = build(org, "pkg-manifest", monkeypatch)
    manifest = json.loads((out / "manifest.json").read_text())
    on_disk = {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()}
    assert {f["path"] for f in manifest["files"]} == on_disk - {"manifest.json", "SHA256SUMS", "certification.txt"}
    for entry in manifest["files"]:
        data = (out / entry["path"]).read_bytes()
        assert entry["sha256"] == hashlib.sha256(data).hexdigest() and entry["size"] == len(data)
    assert manifest["request"] == "HSST-2017-001" and manifest["generated_at"] == "2017-08-01T00:00:00Z"
    assert manifest["catalogs"] == {c.vendor.id: c.version for c in org["service"].catalogs}
    assert manifest["store_fingerprint"] == org["service"].store_fingerprint()
    assert manifest["request_sha256"] == hashlib.sha256((org["root"] / "request.yaml").read_bytes()).hexdigest()
    assert not list(out.parent.glob(f".{out.name}.*"))  # no work folder left behind


def test_building_twice_gives_the_same_contents(org: dict, monkeypatch: pytest.MonkeyPatch) -> None:
    first, second = build(org, "twice-1", monkeypatch), build(org, "twice-2", monkeypatch)
    for name in ("systems.csv", "contractors.csv", "coverage.csv", "report.html", "manifest.json"):
        if name != "manifest.json":
            assert (first / name).read_bytes() == (second / name).read_bytes(), name
    files = [{f["path"]: f for f in json.loads((d / "manifest.json").read_text())["files"]} for d in (first, second)]
    assert {k: v for k, v in files[0].items() if not k.startswith("report.")} == {
        k: v for k, v in files[1].items() if not k.startswith("report.")
    }
    assert xlsx_values(first / "report.xlsx") == xlsx_values(second / "report.xlsx")
    if shutil.which("pdftotext"):
        assert pdf_text(first / "report.pdf") == pdf_text(second / "report.pdf")


def xlsx_values(path: Path) -> dict[str, list[tuple]]:
    book = openpyxl.load_workbook(path, read_only=True)
    return {sheet.title: list(sheet.iter_rows(values_only=True)) for sheet in book.worksheets}


def pdf_text(path: Path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext missing (Debian poppler-utils; .ci/run)")
def test_pdf_renders_the_answer(org: dict, monkeypatch: pytest.MonkeyPatch) -> None:
    out = build(org, "pkg-pdf", monkeypatch)
    text = " ".join(pdf_text(out / "report.pdf").split())
    assert "Response to request HSST-2017-001" in text
    for heading in ("Item: systems", "Item: contractors", "Item: documents", "Methods used and coverage", "Risk"):
        assert heading in text
    host = org["truth"][0]["host"]
    assert host in text and "printer-01" in text


def test_xlsx_has_one_sheet_per_item(org: dict, monkeypatch: pytest.MonkeyPatch) -> None:
    out = build(org, "pkg-xlsx", monkeypatch)
    sheets = xlsx_values(out / "report.xlsx")
    assert list(sheets) == ["request", "counts", "systems", "contractors", "purchases", "documents", "coverage", "risk"]
    assert len(sheets["systems"]) - 1 == len(read_csv(out / "systems.csv"))
    assert sheets["coverage"][0][0] == "host" and len(sheets["coverage"]) - 1 == 41


def test_contractors_orgs_and_documents_from_providers(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """With an org registry and records (test doubles), the package names orgs, contractors and documents."""
    from tests.conftest import write_jsonl
    from tests.test_ingest import KES, ZIP

    inventory = write_jsonl(
        tmp_path / "inv.jsonl",
        [
            {"host": "ws-office", **KES},
            {"host": "ws-prime", **KES},
            {"host": "ws-sub", **KES},
            {"host": "ws-clean", **ZIP},
        ],
    )
    service = Service(str(tmp_path / "store.db"))
    service.ingest([inventory])
    orgs = StubOrgs(
        {"ws-office": "office-it", "ws-prime": "prime", "ws-sub": "sub", "ws-clean": "prime"},
        {"ws-office": HostProfile("high", "server")},
    )
    service.providers = Providers(orgs=orgs, documents=StubRecords())
    (tmp_path / "request.yaml").write_text(REQUEST, encoding="utf-8")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    result = service.respond(tmp_path / "request.yaml", tmp_path / "pkg")
    out = result.folder
    contractors = {(r["org_id"], r["kind"]): r for r in read_csv(out / "contractors.csv")}
    assert set(contractors) == {("prime", "contractor"), ("sub", "subcontractor"), ("RESELLERUEI1", "covered supplier")}
    assert contractors[("prime", "contractor")]["hosts_with_vendor"] == "2"  # its own host and its subcontractor's
    assert contractors[("sub", "subcontractor")]["prime"] == "Prime Corp"
    systems = {(r["host"], r["kind"]): r for r in read_csv(out / "systems.csv")}
    assert systems[("ws-sub", "branded")]["org_path"] == "Example Agency / Prime Corp / Sub LLC"
    assert all(r["host"] and r["kind"] != "procurement" for r in systems.values())  # purchases are not systems
    purchases = read_csv(out / "purchases.csv")
    assert [(r["org"], r["product"], r["model"], r["contract"]) for r in purchases] == [
        ("Prime Corp", "Kaspersky", "KL4863", "GS-00F-0001")
    ]
    office, sub = systems[("ws-office", "branded")], systems[("ws-sub", "branded")]
    assert int(office["risk"].split("(")[1][:-1]) > int(sub["risk"].split("(")[1][:-1])
    assert "host role is server" in office["risk_reasons"] and "sensitivity is high" in office["risk_reasons"]
    manifest = json.loads((out / "manifest.json").read_text())
    assert {"documents/VS000001.txt", "documents/VS000002.txt"} <= {f["path"] for f in manifest["files"]}
    assert manifest["documents"] == 2 and manifest["notes"] == []
    assert manifest["counts"]["purchases_flagged"] == 1 and manifest["counts"]["documents_produced"] == 2
    assert manifest["counts"]["hosts_affected"] == 3 and manifest["counts"]["contractors"] == 2
    assert "2 documents produced" in (out / "report.html").read_text()
    service.close()


def test_html_escapes_what_came_from_evidence(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.conftest import write_jsonl
    from tests.test_ingest import KES

    hostile = "<script>alert(1)</script>"
    service = Service(str(tmp_path / "store.db"))
    rows = [
        {"host": hostile, **KES, "version": "<b>11</b>"},
        {"host": "=HYPERLINK(1)", **KES},
        {"host": "#REF!", **KES},
    ]
    service.ingest([write_jsonl(tmp_path / "inv.jsonl", rows)])
    (tmp_path / "request.yaml").write_text(REQUEST.replace("  - documents:\n      since: 2013-01-01\n", ""))
    out = service.respond(tmp_path / "request.yaml", tmp_path / "pkg").folder
    html = (out / "report.html").read_text()
    assert hostile not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "<b>11</b>" not in html
    assert not (out / "documents").exists()
    sheet = openpyxl.load_workbook(out / "report.xlsx")["systems"]
    [cell] = [c for c in sheet["A"] if c.value == "'=HYPERLINK(1)"]  # the CSVs' formula-safe rule (safe_csv)
    assert cell.data_type == "s"  # kept as text, not run as a formula
    [error] = [c for c in sheet["A"] if c.value == "#REF!"]
    assert error.data_type == "s"  # text that reads like an error code stays text
    assert {c.data_type for c in sheet["A"]} == {"s"}
    service.close()


def test_refuses_a_folder_that_is_not_a_package(sqlite_service: Service, tmp_path: Path) -> None:
    from vendorscope.respond.package import PackageError

    (tmp_path / "request.yaml").write_text(REQUEST, encoding="utf-8")
    (tmp_path / "busy").mkdir()
    (tmp_path / "busy" / "thesis.docx").write_text("mine")
    with pytest.raises(PackageError, match="not a vendorscope package"):
        sqlite_service.respond(tmp_path / "request.yaml", tmp_path / "busy")
    assert (tmp_path / "busy" / "thesis.docx").read_text() == "mine"
    assert not list(tmp_path.glob(".busy.*"))


def test_an_empty_store_answers_that_nothing_is_known(sqlite_service: Service, tmp_path: Path) -> None:
    (tmp_path / "request.yaml").write_text(REQUEST, encoding="utf-8")
    out = sqlite_service.respond(tmp_path / "request.yaml", tmp_path / "pkg").folder
    assert read_csv(out / "systems.csv") == [] and read_csv(out / "coverage.csv") == []
    assert "No host is known" in (out / "report.html").read_text()


def test_spreadsheet_and_csvs_for_excel_users(org: dict, monkeypatch: pytest.MonkeyPatch) -> None:
    """Filters and a frozen header on every sheet; numbers, dates and risk scores typed; CSVs with a BOM,
    times in UTC to the second; `csv_bom=False` leaves the mark out."""
    from datetime import datetime

    out = build(org, "pkg-excel", monkeypatch)
    book = openpyxl.load_workbook(out / "report.xlsx")
    for sheet in book.worksheets:
        assert sheet.freeze_panes == "A2", sheet.title
        assert sheet.auto_filter.ref and sheet.auto_filter.ref.startswith("A1:"), sheet.title
    systems = book["systems"]
    header = [c.value for c in systems[1]]
    assert header[header.index("risk") + 1] == "risk_score" and "first_seen (UTC)" in header
    first = {h: c.value for h, c in zip(header, systems[2], strict=True)}
    assert isinstance(first["confidence"], int | float) and isinstance(first["risk_score"], int)
    assert first["risk"] in ("low", "medium", "high") and isinstance(first["first_seen (UTC)"], datetime)
    risk = [c.value for c in book["risk"][1]]
    assert "risk score" in risk and isinstance(book["risk"][2][risk.index("risk score")].value, int)
    raw = (out / "systems.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    seen = read_csv(out / "systems.csv")[0]["first_seen"]
    assert len(seen) == 20 and seen.endswith("Z") and "." not in seen  # 2026-11-01T15:26:27Z
    org["service"].respond(org["root"] / "request.yaml", org["root"] / "pkg-nobom", csv_bom=False)
    assert (org["root"] / "pkg-nobom" / "systems.csv").read_bytes().startswith(b"host,")


def test_the_pdf_is_tagged_and_accessible(org: dict, monkeypatch: pytest.MonkeyPatch) -> None:
    """PDF/UA: a structure tree, the document's language, every figure with alternative text, tables tagged."""
    from pypdf import PdfReader

    out = build(org, "pkg-ua", monkeypatch)
    root = PdfReader(out / "report.pdf").trailer["/Root"]
    assert root.get("/Lang") == "en" and root["/MarkInfo"]["/Marked"]
    tags: list[tuple[str, object]] = []

    def walk(node: object) -> None:
        node = node.get_object() if hasattr(node, "get_object") else node
        if not hasattr(node, "keys"):
            return
        if "/S" in node:
            tags.append((str(node["/S"]), node.get("/Alt")))
        kids = node.get("/K")
        for kid in kids if isinstance(kids, list) else [kids]:
            walk(kid)

    walk(root["/StructTreeRoot"])
    names = [name for name, _ in tags]
    assert {"/Document", "/H1", "/H2", "/Table", "/TH", "/TD"} <= set(names)
    figures = [alt for name, alt in tags if name == "/Figure"]
    assert figures and all(alt and len(str(alt)) > 10 for alt in figures)


def test_the_report_answers_each_question_in_words(org: dict, monkeypatch: pytest.MonkeyPatch) -> None:
    """One paragraph per item asked, with the numbers of the CSVs; tables repeat their headers; the evidence
    rules are in an appendix, in words."""
    import re

    out = build(org, "pkg-words", monkeypatch)
    html = (out / "report.html").read_text()
    blocks = re.findall(r'<div class="answer-block" id="answer-(\w+)">(.*?)</div>', html, re.S)
    assert [item for item, _ in blocks] == ["systems", "contractors", "documents"]
    systems = " ".join(re.sub(r"<[^>]+>", " ", blocks[0][1]).split())
    affected = len({r["host"] for r in read_csv(out / "systems.csv") if r["host"]})
    assert f"{affected} systems run Kaspersky software: {affected} have it installed" in systems
    assert "1 system (printer-01) could not be examined" in systems and "not counted as clean" in systems
    assert "Value error" not in html and " were not examined" not in html
    documents = " ".join(re.sub(r"<[^>]+>", " ", blocks[2][1]).split())
    counts = json.loads((out / "manifest.json").read_text())["counts"]
    assert counts["documents_searched"] == 0 and "no answer yet" in documents  # no archive here: not "none found"
    assert "candidate families" not in documents and "Bates" not in documents
    assert html.count("<thead>") == html.count("<table") - 1  # every table but the title block
    appendix = html.split("Appendix: the evidence rules", 1)[1]
    assert "publisher is &#34;Kaspersky Lab&#34;" in appendix and "the vendor&#39;s own publications" in appendix


def test_documents_not_asked_are_not_counted(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A request without the documents item gets a package whose documents counts are 0: nothing was produced."""
    service = Service(str(tmp_path / "store.db"))
    service.providers = Providers(orgs=StubOrgs({}, lines=[]), documents=StubRecords())
    counts = service.answer_summary("kaspersky").counts  # the summary asks every item
    assert (counts.documents_produced, counts.documents_withheld) == (2, 1)
    assert (counts.documents_searched, counts.documents_found, counts.documents_not_examined) == (40, 3, 1)
    (tmp_path / "request.yaml").write_text(REQUEST.split("items:")[0] + "items:\n  - systems\n", encoding="utf-8")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    out = service.respond(tmp_path / "request.yaml", tmp_path / "pkg").folder
    counts = json.loads((out / "manifest.json").read_text())["counts"]
    assert (counts["documents_produced"], counts["documents_withheld"], counts["documents_unreviewed"]) == (0, 0, 0)
    service.close()
