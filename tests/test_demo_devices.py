"""The demo's camera network: the Section 889 packages list exactly the covered devices of its truth file."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

from vendorscope.demo.cameras import generate_devices, truth_pairs
from vendorscope.demo.organization import generate_organization
from vendorscope.demo.run import SECTION_889_REQUEST, compare_devices_with_truth
from vendorscope.service import Service


def test_section_889_packages_list_exactly_the_covered_devices(sqlite_service: Service, tmp_path: Path) -> None:
    org = tmp_path / "organization"
    generate_organization(org, ["ws-0001", "srv-0001", "srv-0002"], seed=2017)
    report = sqlite_service.ingest([org / "orgs.csv", org / "ownership-rules.csv", org / "devices"])
    assert report.ok, [m for f in report.files for m in f.messages()]
    truth = org / "devices-truth.json"
    assert compare_devices_with_truth(sqlite_service, truth) == (set(), set())

    results = sqlite_service.respond_each(SECTION_889_REQUEST, tmp_path / "response-889")
    assert [r.folder.name for r in results] == ["huawei", "zte", "hikvision", "dahua", "hytera"]
    macs = {h["host"]: h["facts"].get("mac") for h in sqlite_service.hosts()}
    listed = set()
    for result in results:
        with (result.folder / "systems.csv").open(encoding="utf-8-sig") as handle:
            rows = list(csv.DictReader(handle))
        listed |= {(macs[row["host"]], result.folder.name) for row in rows}
        assert {row["kind"] for row in rows} <= {"device"}
        for row in rows:  # graded evidence in words: what it is, made by whom, how sure, and every clue
            assert re.search(r": (confirmed|likely) by \d+ independent clues?, confidence", row["evidence"]), row
            assert "Evidence: " in row["evidence"] and " — from file " in row["evidence"]
    assert listed == truth_pairs(truth, "covered")  # relabeled included; look-alikes, randomized MACs, candidates not

    dahua = next(r for r in results if r.folder.name == "dahua")
    assert any("candidate" in note and "bc:32:5f:0a:11:43" in note for note in dahua.answer.notes)
    [relabeled] = [f for f in sqlite_service.findings("dahua") if f["host"].startswith("cam-entry-02")]
    assert relabeled["explanation"].startswith("Honeywell-branded camera made by Dahua Technology: likely")
    owners = {r["host"]: r["org"] for r in dahua.answer.systems}
    assert owners["nvr-acme-01.example.gov"] == "Acme Federal Systems LLC"  # owned by the registry's CIDR rule


def test_truth_file_is_complete_and_the_look_alikes_are_there(tmp_path: Path) -> None:
    generate_devices(tmp_path / "devices")
    truth = json.loads((tmp_path / "devices-truth.json").read_text(encoding="utf-8"))["devices"]
    labels = {d["label"] for d in truth if d["grade"] == "clean"}
    assert {"Axis", "Bosch", "Hanwha", "Cisco", "Juniper", "(phone)"} <= labels
    relabeled = {(d["label"], d["vendor"]) for d in truth if d["grade"] == "covered" and d["label"] != d["vendor"]}
    assert {("Honeywell", "dahua"), ("LTS", "hikvision")} <= relabeled


def test_far_52_204_25_report_lines_for_the_contractors_devices(sqlite_service: Service, tmp_path: Path) -> None:
    org = tmp_path / "organization"
    generate_organization(org, ["ws-0001", "srv-0001", "srv-0002"], seed=2017)
    sqlite_service.ingest([org / "orgs.csv", org / "ownership-rules.csv", org / "devices"])
    report = sqlite_service.far_report("52.204-25", "70DEA018C00000042")  # acme's contract: every covered maker
    [line] = report.lines
    assert line["brand"] == "Dahua Technology" and line["supplier"] == "Zhejiang Dahua Technology Co., Ltd."
    description = line["item_description"]
    assert description.startswith("covered equipment seen on the network: device nvr-acme-01.example.gov (")
    assert "identified by" in description and "software installed" not in description
    assert report.first_report_due is not None
