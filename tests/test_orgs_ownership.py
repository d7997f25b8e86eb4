"""Host ownership: hosts.csv, rules by host name pattern and network, and 'unassigned' for the rest."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import write_jsonl
from vendorscope import sources
from vendorscope.service import Service
from vendorscope.sources.base import Hints
from vendorscope.sources.mapped_csv import parse_mapping

DATA = Path(__file__).parent / "data" / "orgs"
FORMATS = Path(__file__).parent / "data" / "formats"


def owners(service: Service) -> dict[str, str]:
    return {h["host"]: h["org"] for h in service.hosts()}


def test_explicit_rules_and_unassigned(sqlite_service: Service, tmp_path: Path) -> None:
    tmp_path = tmp_path / "in"
    tmp_path.mkdir()
    (tmp_path / "hosts.csv").write_text(
        "host,org,role,sensitivity,location\n"
        "WS-1,dhs-cio,workstation,moderate,DC\n"
        "acme-db,sub2,database,high,\n"  # named explicitly: beats the acme-* rule
        "kiosk-9,nowhere,,,\n",
        encoding="utf-8",
    )
    (tmp_path / "rules.csv").write_text(
        "org,hostname,network\nprime,acme-*,\nprime,,10.20.0.0/16\nsub,,10.20.5.0/24\nsub2,ws-*,\n",
        encoding="utf-8",
    )
    write_jsonl(
        tmp_path / "inv.jsonl",
        [
            {"host": h, "name": "7-Zip"}
            for h in ("acme-7", "10.20.1.5", "10.20.5.9", "ws-1", "ws-2", "lonely", "ACME-DB")
        ],
    )
    for name, fmt in (("hosts.csv", "hosts-csv"), ("rules.csv", "ownership-rules-csv")):
        assert sources.detect(name, (tmp_path / name).read_bytes()).name == fmt  # type: ignore[union-attr]
    report = sqlite_service.ingest([DATA / "registry.csv", tmp_path])
    assert report.ok, [m for f in report.files for m in f.messages()]
    assert owners(sqlite_service) == {
        "acme-7": "prime",  # host name pattern
        "10.20.1.5": "prime",  # network
        "10.20.5.9": "sub",  # the longer prefix wins
        "WS-1": "dhs-cio",  # hosts.csv beats the ws-* rule; names compare case-insensitively
        "ws-2": "sub2",
        "acme-db": "sub2",
        "lonely": "unassigned",
        "kiosk-9": "unassigned",  # assigned to an organization the registry does not have
    }
    examined = {h["host"]: h["coverage"] for h in sqlite_service.hosts()}
    assert examined["kiosk-9"] == "not examined"  # known from hosts.csv only


def test_assignments_before_the_registry_take_effect_once_it_arrives(sqlite_service: Service, tmp_path: Path) -> None:
    (tmp_path / "hosts.csv").write_text("host,org\nws-1,dhs-cio\n", encoding="utf-8")
    assert sqlite_service.ingest([tmp_path / "hosts.csv"]).ok
    assert owners(sqlite_service) == {"ws-1": "unassigned"}
    assert sqlite_service.ingest([DATA / "registry.csv"]).ok
    assert owners(sqlite_service) == {"ws-1": "dhs-cio"}


def test_bad_rows_are_problems_and_the_rest_goes_in(sqlite_service: Service, tmp_path: Path) -> None:
    tmp_path = tmp_path / "in"
    tmp_path.mkdir()
    (tmp_path / "rules.csv").write_text("org,hostname,network\nprime,,10.300.0.0/16\nprime,,\nprime,x-*,\n")
    (tmp_path / "hosts.csv").write_text("host,org,sensitivity\nws-1,prime,secret\nws-2,prime,low\n")
    report = sqlite_service.ingest([tmp_path])
    lines = [m for f in report.files for m in f.messages()]
    assert any(
        m.endswith("rules.csv:2: network '10.300.0.0/16' is not an address range like 10.1.0.0/16") for m in lines
    )
    assert any(m.endswith("rules.csv:3: org and a hostname pattern or a network are required") for m in lines)
    assert any(m.endswith("hosts.csv:2: sensitivity 'secret' is not one of low, moderate, high") for m in lines)
    assert set(owners(sqlite_service)) == {"ws-2"}


def test_network_rules_see_collector_and_asset_csv_addresses(sqlite_service: Service, tmp_path: Path) -> None:
    """A collector bundle records its host's addresses as ``ip_addresses``, an asset CSV as ``addresses``:
    the CIDR rules must see both, or hosts a network rule owns come out unassigned."""
    folder = tmp_path / "in"
    folder.mkdir()
    bundle = json.loads((FORMATS / "collector-bundle" / "ws-0042.vendorscope.json").read_text(encoding="utf-8"))
    bundle["host"]["ip_addresses"] = ["127.0.0.1", "fe80::1%eth0", "10.20.5.42"]
    (folder / "ws-0042.vendorscope.json").write_text(json.dumps(bundle), encoding="utf-8")
    (folder / "cmdb.csv").write_text(
        "Computer,IP,Software,Vendor\nsrv-db-1,10.20.1.4,Kaspersky Security for Windows Server,AO Kaspersky Lab\n",
        encoding="utf-8",
    )
    (folder / "rules.csv").write_text("org,hostname,network\nprime,,10.20.0.0/16\nsub,,10.20.5.0/24\n")
    report = sqlite_service.ingest([DATA / "registry.csv", folder / "rules.csv", folder / "ws-0042.vendorscope.json"])
    assert report.ok, [m for f in report.files for m in f.messages()]
    hints = Hints(mapping=parse_mapping("name=Software,publisher=Vendor,host=Computer,address=IP"))
    report = sqlite_service.ingest([folder / "cmdb.csv"], hints)
    assert report.ok and report.files[0].format == "mapped-csv", [m for f in report.files for m in f.messages()]
    assert owners(sqlite_service) == {"ws-0042.agency.example": "sub", "srv-db-1": "prime"}
