"""Host ownership: hosts.csv, rules by host name pattern and network, and 'unassigned' for the rest."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import write_jsonl
from vendorscope import sources
from vendorscope.service import Service

DATA = Path(__file__).parent / "data" / "orgs"


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
