"""Procurement records: lines flagged by covered suppliers, product names and covered brands, tied to the buyer."""

from __future__ import annotations

from pathlib import Path

from vendorscope import sources
from vendorscope.service import Service

DATA = Path(__file__).parent / "data" / "orgs"
HEADER = "Date,Org,Supplier,Description,Part/SKU Number,Amount,Contract,Order\n"
LINES = [
    # line 2: product named in the description, reseller as supplier
    "2017-03-01,dhs-cio,CDW Government LLC,Kaspersky Total Security 5 devices,,499.00,HSHQDC-17-C-00001,0001",
    # line 3: nothing to flag
    "2017-04-01,dhs-cio,CDW Government LLC,Dell Latitude 5420 laptop,210-AYGX,1200.00,HSHQDC-17-C-00001,0002",
    # line 4: covered supplier (typo, legal form)
    "2017-05-01,prime,Kapersky Lab Inc,Annual renewal,,9000,,",
    # line 5: abbreviation without the vendor on the line: not a flag
    "2017-06-01,prime,Acme Resale,KES renewal 250 seats,,10,,",
    # line 6: abbreviation with the vendor named in the part number column
    "2017-07-01,prime,Acme Resale,KSC upgrade,Kaspersky-KSC-UPG,10,,",
    # line 7: covered brand in the description (Section 889)
    "2017-08-01,sub2,B&H Photo,Hikvision DS-2CD2143G0-I network camera,,300,,",
    # line 8: a look-alike supplier and product
    "2017-09-01,sub2,Casper Sleep Inc.,Casper mattress,,900,,",
]


def purchases(tmp_path: Path, lines: list[str]) -> Path:
    path = tmp_path / "purchases.csv"
    path.write_text(HEADER + "\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_lines_are_flagged_with_their_reasons(service: Service, tmp_path: Path) -> None:
    path = purchases(tmp_path, LINES)
    assert sources.detect(path.name, path.read_bytes()).name == "procurement-csv"  # type: ignore[union-attr]
    report = service.ingest([DATA / "registry.csv", path])
    assert report.ok, [m for f in report.files for m in f.messages()]
    flagged = {f["evidence"][0]["purchase"]["line"]: f for f in service.org_findings("procurement")}
    assert sorted(flagged) == [2, 4, 6, 7]
    assert flagged[2]["org_key"] == "dhs-cio" and flagged[2]["product"] == "kaspersky:kts"
    assert flagged[4]["entity"] == "Kaspersky Lab, Inc." and "far-52.204-23" in flagged[4]["lists"]
    assert "abbreviation" in flagged[6]["explanation"]
    assert flagged[7]["entity"] == "Hangzhou Hikvision Digital Technology Co., Ltd." and flagged[7]["org_key"] == "sub2"
    record = flagged[2]["evidence"][0]["purchase"]
    assert (record["contract"], record["order"], record["supplier"], record["amount"]) == (
        "HSHQDC-17-C-00001",
        "0001",
        "CDW Government LLC",
        "499.00",
    )  # the FAR 52.204-23 report fields
    assert {f["org_key"] for f in service.org_findings("supplier")} == {"sub"}


def test_flags_roll_up_to_the_buying_org_and_survive_a_rerun(sqlite_service: Service, tmp_path: Path) -> None:
    assert sqlite_service.ingest([DATA / "registry.csv", purchases(tmp_path, LINES)]).ok
    rows = {r["org"]: r for r in sqlite_service.exposure("org")}
    assert (rows["dhs-cio"]["procurement_flags"], rows["prime"]["procurement_flags"]) == (4, 3)
    first = {f["subject"]: f["id"] for f in sqlite_service.org_findings()}
    sqlite_service.rematch()
    assert {f["subject"]: f["id"] for f in sqlite_service.org_findings()} == first


def test_a_supplier_finding_is_withdrawn_when_the_registry_no_longer_supports_it(
    sqlite_service: Service, tmp_path: Path
) -> None:
    assert sqlite_service.ingest([DATA / "registry.csv"]).ok
    assert [f["org_key"] for f in sqlite_service.org_findings("supplier")] == ["sub"]
    fixed = tmp_path / "fixed.csv"
    fixed.write_text("id,name,kind,parent\nsub,Gamma Integration Inc,subcontractor,prime\n", encoding="utf-8")
    assert sqlite_service.ingest([fixed]).ok
    assert sqlite_service.org_findings("supplier") == []
    [withdrawn] = sqlite_service.org_findings("supplier", include_withdrawn=True)
    assert withdrawn["status"] == "withdrawn" and withdrawn["present"] is False


def test_bad_dates_are_problems(sqlite_service: Service, tmp_path: Path) -> None:
    path = purchases(tmp_path, ["03/01/2017,dhs-cio,CDW,Kaspersky Total Security,,1,,", LINES[0]])
    report = sqlite_service.ingest([path])
    assert [m.split("purchases.csv")[1] for m in report.files[0].messages()] == [
        ":2: date '03/01/2017' is not an ISO date (YYYY-MM-DD)"
    ]
    assert len(sqlite_service.org_findings("procurement")) == 1
