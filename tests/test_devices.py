"""Device evidence: the nmap importer, tying devices to hosts, and grading several clues together."""

from __future__ import annotations

from datetime import datetime
from functools import partial
from pathlib import Path

import pytest

from vendorscope.errors import CatalogError
from vendorscope.findings.refresh import refresh_findings
from vendorscope.ingest import _attribute
from vendorscope.oui import locally_administered, organization
from vendorscope.service import Service
from vendorscope.sources.base import Hints, Item, Observation, Problem
from vendorscope.sources.device_record import device_observation
from vendorscope.sources.nmap_xml import FORMAT as NMAP
from vendorscope.store.tables import Artifact
from vendorscope.store.writer import ArtifactWriter, Caches

FORMATS = Path(__file__).parent / "data" / "formats"
NMAP_SAMPLE = FORMATS / "nmap-xml" / "branch-cameras.xml"


def _parse(fmt, path: Path) -> list:
    with path.open("rb") as stream:
        return list(fmt.parse(stream, path.name, Hints()))


def test_randomized_mac_names_no_maker() -> None:
    assert organization("44:19:B6:3A:10:21") == ("4419B6", "Hangzhou Hikvision Digital Technology Co.,Ltd.")
    assert locally_administered("da:a1:19:4c:77:02")  # U/L bit set: chosen by software
    assert organization("da:a1:19:4c:77:02") == ("", "")
    assert organization("46:19:b6:3a:10:21") == ("", "")  # a Hikvision prefix with the U/L bit set is not Hikvision's


def test_nmap_hosts_become_devices_with_their_evidence() -> None:
    records = _parse(NMAP, NMAP_SAMPLE)
    observations = [r for r in records if isinstance(r, Observation)]
    assert [o.host for o in observations] == [
        "cam-lobby-01.branch.example.gov",
        "cam-dock-02.branch.example.gov",
        "10.40.1.77",
    ]  # the host that was down is not a device
    camera = observations[0]
    assert camera.host_facts["ip"] == "10.40.1.21" and camera.host_facts["mac"] == "44:19:b6:3a:10:21"
    sources = {i.source for i in camera.items}
    assert {"mac_oui", "http_server", "nmap_service", "tls_certificate", "nmap_os"} <= sources
    assert Item(name="DNVRS-Webs", source="http_server", identifier="80/tcp") in camera.items
    phone = observations[2]
    assert phone.items == [] and "randomized" in phone.host_facts["mac_note"]


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (
            b'<?xml version="1.0"?>\n<!DOCTYPE nmaprun [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;">]>\n'
            b"<nmaprun><host>&b;</host></nmaprun>",
            "entity",
        ),
        (b'<?xml version="1.0"?>\n<nmaprun scanner="nmap">\n<host><status state="up"/>\n<address', "not well-formed"),
    ],
)
def test_nmap_hostile_or_broken_xml_is_one_problem(tmp_path: Path, body: bytes, expected: str) -> None:
    path = tmp_path / "scan.xml"
    path.write_bytes(body)
    problems = [r for r in _parse(NMAP, path) if isinstance(r, Problem)]
    assert len(problems) == 1 and expected in problems[0].message


def test_nmap_scan_gives_one_confirmed_device(sqlite_service: Service) -> None:
    sqlite_service.ingest([NMAP_SAMPLE])
    findings = sqlite_service.findings()
    assert [(f["host"], f["vendor"], f["kind"]) for f in findings] == [
        ("cam-lobby-01.branch.example.gov", "hikvision", "device")
    ]
    words = findings[0]["explanation"]
    assert words.startswith("Hikvision network cameras: confirmed")
    assert "MAC address prefix 44:19:B6 is registered to Hangzhou Hikvision" in words


def _device_findings(service: Service, items: list[Item]) -> list[dict]:
    """Write one device with these items as an input would, then derive the findings."""
    observation = device_observation(method="test", line=1, ip="10.9.9.9", items=items)
    assert observation is not None
    observation.seen_at = datetime(2026, 1, 1)
    with service.store.transaction() as conn:
        artifact = conn.execute(
            Artifact.__table__.insert().values(
                identity="t",
                sha256="0" * 64,
                context="",
                path="t",
                size=0,
                format="test",
                ingested_at=datetime(2026, 1, 1),
                tool_version="t",
            )
        ).inserted_primary_key[0]
        writer = ArtifactWriter(conn, Caches(), artifact, partial(_attribute, service.matcher))
        writer.add(observation)
        writer.flush()
    refresh_findings(service.store)
    return service.findings()


OUI_DAHUA = Item(name="Zhejiang Dahua Technology Co., Ltd.", identifier="E0508B", source="mac_oui")


def test_oui_alone_is_only_a_candidate(sqlite_service: Service) -> None:
    findings = _device_findings(sqlite_service, [OUI_DAHUA])
    assert [(f["vendor"], f["kind"]) for f in findings] == [("dahua", "device-candidate")]
    assert "candidate to confirm" in findings[0]["explanation"]
    assert "not always the maker of the device" in findings[0]["explanation"]


def test_relabeled_device_is_reported_under_maker_and_brand(sqlite_service: Service) -> None:
    items = [OUI_DAHUA, Item(name="HC35W45R3", publisher="Honeywell", source="device_info")]
    findings = _device_findings(sqlite_service, items)
    assert [(f["vendor"], f["kind"]) for f in findings] == [("dahua", "device")]
    assert findings[0]["explanation"].startswith("Honeywell-branded camera made by Dahua Technology: likely")


def test_brand_alone_is_a_candidate_and_look_alikes_are_nothing(sqlite_service: Service) -> None:
    items = [
        Item(name="HC35W45R3", publisher="Honeywell", source="device_info"),
        Item(name="Axis Communications AB", identifier="ACCC8E", source="mac_oui"),
        Item(name="AXIS P3245-V Network Camera", source="http_title"),
        Item(name="Hanwha Vision", publisher="Hanwha", source="device_info"),
    ]
    findings = _device_findings(sqlite_service, items)
    assert [(f["vendor"], f["kind"]) for f in findings] == [("dahua", "device-candidate")]
    assert "Honeywell sells devices made by Dahua Technology" in findings[0]["explanation"]


def test_catalog_validate_checks_device_indicators(tmp_path: Path) -> None:
    base = (Path(__file__).parents[1] / "src/vendorscope/catalog/data/zte.yaml").read_text(encoding="utf-8")
    cases = {
        "value: zte corporation": ("value: Zte Rocket Works", "names no organization in the IEEE registry"),
        "value: 1.3.6.1.4.1.3902, match: namespace": ("value: enterprises.3902, match: namespace", "dotted OID"),
        "device_class: router": ("device_class: toaster", "unknown device class"),
    }
    for old, (new, message) in cases.items():
        path = tmp_path / "zte.yaml"
        path.write_text(base.replace(old, new, 1), encoding="utf-8")
        with pytest.raises(CatalogError, match=message):
            Service.validate_catalog(path)  # what `catalog validate` runs


def test_builtin_device_catalogs_name_registered_organizations() -> None:
    from vendorscope.catalog.loader import load_catalogs

    assert {c.vendor.id: c.registry_problems() for c in load_catalogs()} == {
        v: [] for v in ("dahua", "hikvision", "huawei", "hytera", "kaspersky", "zte")
    }
