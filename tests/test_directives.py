"""Directive reports: BOD 17-01's removal plan and FAR 52.204-23/-25 lines with business-day due dates."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from tests.conftest import write_jsonl
from tests.respond_stubs import StubOrgs, StubRecords
from tests.test_ingest import KES
from vendorscope.findings.lifecycle import Change
from vendorscope.respond.business_days import add_business_days, is_business_day
from vendorscope.respond.directives import DirectiveError
from vendorscope.respond.providers import Providers
from vendorscope.service import Service

AGENT = {"name": "Kaspersky Security Center Network Agent", "publisher": "AO Kaspersky Lab", "source": "programs"}


@pytest.mark.parametrize(
    ("start", "days", "due"),
    [
        (date(2023, 11, 22), 1, date(2023, 11, 24)),  # Thanksgiving (Thu 23) skipped
        (date(2023, 11, 22), 3, date(2023, 11, 28)),  # …and the weekend
        (date(2017, 7, 3), 1, date(2017, 7, 5)),  # Independence Day
        (date(2021, 12, 30), 1, date(2022, 1, 3)),  # New Year's Day observed on Fri 31 Dec 2021
        (date(2024, 6, 18), 1, date(2024, 6, 20)),  # Juneteenth
        (date(2024, 6, 14), 1, date(2024, 6, 17)),  # a plain weekend
    ],
)
def test_business_days_skip_weekends_and_federal_holidays(start: date, days: int, due: date) -> None:
    assert add_business_days(start, days) == due
    assert is_business_day(due)


@pytest.fixture
def contractor_store(tmp_path: Path) -> Iterator[Service]:
    service = Service(str(tmp_path / "store.db"))
    rows = [{"host": "ws-prime", **KES, "seen_at": "2023-11-22T10:00:00"}, {"host": "ws-sub", **AGENT}]
    rows.append({"host": "ws-office", **KES})
    service.ingest([write_jsonl(tmp_path / "inv.jsonl", rows)])
    service.providers = Providers(
        orgs=StubOrgs({"ws-prime": "prime", "ws-sub": "sub", "ws-office": "office-it"}), documents=StubRecords()
    )
    yield service
    service.close()


def test_far_52_204_23_lines_and_due_dates(contractor_store: Service) -> None:
    report = contractor_store.far_report("52.204-23", "GS-00F-0001", "kaspersky")
    assert report.identified == date(2023, 11, 22)  # the purchase and the first sighting on ws-prime
    assert report.first_report_due == date(2023, 11, 28)  # 3 business days, Thanksgiving skipped
    assert report.follow_up_due == date(2023, 12, 12)  # 10 business days after the first report
    assert report.holidays == ["2023-11-23 Thanksgiving Day"]
    by_order = {(r["order"], r["item_description"].split(" (")[0]): r for r in report.lines}
    assert set(by_order) == {
        ("ORDER-7", "Kaspersky Endpoint Security for Business Select, 50 seats"),
        ("", "software installed on ws-prime"),
        ("", "software installed on ws-sub"),
    }  # ws-office belongs to the agency, not to the contract
    purchase = by_order[("ORDER-7", "Kaspersky Endpoint Security for Business Select, 50 seats")]
    assert (purchase["supplier_uei"], purchase["supplier_cage"], purchase["model"]) == (
        "RESELLERUEI1",
        "9XYZ8",
        "KL4863",
    )
    assert by_order[("", "software installed on ws-sub")]["model"] == "Kaspersky Security Center Network Agent"


def test_far_rules_and_clause_25(contractor_store: Service) -> None:
    old = contractor_store.far_report("52.204-23", "GS-00F-0001", "kaspersky", rule="2018")
    assert old.first_report_due == date(2023, 11, 24)  # 1 business day
    telecom = contractor_store.far_report("52.204-25", "GS-00F-0001", "kaspersky", identified=date(2017, 7, 3))
    assert telecom.first_report_due == date(2017, 7, 5) and telecom.follow_up_due == date(2017, 7, 19)
    with pytest.raises(DirectiveError, match="--rule 2018"):
        contractor_store.far_report("52.204-25", "GS-00F-0001", "kaspersky", rule="2018")
    none = contractor_store.far_report("52.204-23", "NO-SUCH-CONTRACT", "kaspersky")
    assert none.lines == [] and none.first_report_due is None and "no report is due" in none.notes[0]


def test_far_without_a_registry_says_why_it_is_empty(sqlite_service: Service, tmp_path: Path) -> None:
    sqlite_service.ingest([write_jsonl(tmp_path / "inv.jsonl", [{"host": "ws-1", **KES}])])
    report = sqlite_service.far_report("52.204-23", "GS-00F-0001", "kaspersky")
    assert report.lines == [] and "no organization registry" in report.notes[0]


def test_bod_17_01_products_endpoints_and_removal_plan(contractor_store: Service) -> None:
    ids = {f["host"]: f["id"] for f in contractor_store.findings("kaspersky")}
    contractor_store.set_remediation([ids["ws-prime"]], Change(replacement="Vendor X EDR", owner="prime-it"))
    contractor_store.set_remediation([ids["ws-office"]], Change(status="exception", note="lab machine"))
    report = contractor_store.bod_17_01("kaspersky", {"management": "the new console"})
    assert report["affected_endpoints"] == 3 and report["hosts_examined"] == 3
    assert [(p["product"], p["endpoints"]) for p in report["products"]] == [
        ("Kaspersky Endpoint Security for Windows", 2),
        ("Kaspersky Security Center Network Agent", 1),
    ]
    assert report["milestones"] == {"identify": "2017-10-13", "plan": "2017-11-12", "remove": "2017-12-12"}
    plan = {r["host"]: r for r in report["plan"]}
    assert plan["ws-prime"]["replacement"] == "Vendor X EDR" and plan["ws-prime"]["owner"] == "prime-it"
    assert plan["ws-office"]["replacement"] == "an agency-approved endpoint protection product"
    assert plan["ws-office"]["status"] == "exception"  # still present, so still in the plan
    assert plan["ws-sub"]["replacement"] == "the new console"
    assert "kernel driver" in plan["ws-office"]["impact"] and "remove this last" in plan["ws-sub"]["impact"]
    assert all(r["due"] == "2017-12-12" for r in report["plan"])


def test_far_line_words_follow_the_finding_kind() -> None:
    """Only installed software is "software installed on"; a host seen talking to the vendor and a device
    identified on the network are said as what they are."""
    from vendorscope.respond.directives import finding_words

    base = {"host": "h-1", "org_path": "Agency › Prime", "evidence": 'domain is "ksn.kaspersky.com"'}
    assert finding_words(base | {"kind": "branded"}, "Kaspersky") == "software installed on h-1 (Agency › Prime)"
    network = finding_words(base | {"kind": "network"}, "Kaspersky")
    assert network.startswith("Kaspersky services contacted from h-1 (Agency › Prime), seen on the network")
    assert "installed software is not examined" in network and network.endswith('"ksn.kaspersky.com"')
    device = finding_words(base | {"kind": "device", "evidence": "Dahua recorder: confirmed by 2 clues"}, "Dahua")
    assert device == (
        "covered equipment seen on the network: device h-1 (Agency › Prime) identified by: "
        "Dahua recorder: confirmed by 2 clues"
    )
    assert "software installed" not in network + device
