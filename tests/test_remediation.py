"""Remediation tracking: statuses by hand with history, due dates from a policy, removals verified by collections."""

from __future__ import annotations

import hashlib
from datetime import date
from pathlib import Path

import pytest

from tests.test_ingest import KES, ZIP, snapshot_line
from vendorscope.errors import NotFoundError
from vendorscope.findings.lifecycle import Change, Policy, RemediationError
from vendorscope.service import Service

DAY = 86_400
T0 = 1_700_000_000  # 2023-11-14


def two_collections(tmp_path: Path) -> tuple[Path, Path]:
    first = tmp_path / "day1.log"
    first.write_bytes(snapshot_line("ws-1", T0, [KES, ZIP]) + snapshot_line("ws-2", T0, [KES]))
    second = tmp_path / "day9.log"
    second.write_bytes(snapshot_line("ws-1", T0 + 8 * DAY, [ZIP]))  # ws-1 again, without Kaspersky
    return first, second


def by_host(service: Service) -> dict[str, dict]:
    return {f["host"]: f for f in service.findings("kaspersky", include_absent=True)}


def test_later_collection_without_the_product_verifies_the_removal(service: Service, tmp_path: Path) -> None:
    first, second = two_collections(tmp_path)
    service.ingest([first])
    ws1 = by_host(service)["ws-1"]
    service.set_remediation([ws1["id"]], Change(status="removal planned", owner="it-ops", actor="alice"))
    service.ingest([second])
    findings = by_host(service)
    assert findings["ws-1"]["status"] == "removed (verified)" and findings["ws-1"]["present"] is False
    assert findings["ws-2"]["status"] == "open"  # not collected again: nothing verified
    events = service.finding_history(ws1["id"])
    assert [(e["actor"], e["old"], e["new"]) for e in events if e["action"] == "status"] == [
        ("alice", "open", "removal planned"),
        ("collection", "removal planned", "removed (verified)"),
    ]
    proof = events[-1]["evidence"]
    assert proof["artifacts"] == [hashlib.sha256(second.read_bytes()).hexdigest()]
    assert proof["files"] == [str(second)]


def test_product_seen_again_reopens_the_finding(sqlite_service: Service, tmp_path: Path) -> None:
    first, second = two_collections(tmp_path)
    third = tmp_path / "day20.log"
    third.write_bytes(snapshot_line("ws-1", T0 + 19 * DAY, [KES, ZIP]))
    sqlite_service.ingest([first])
    sqlite_service.ingest([second])
    sqlite_service.ingest([third])
    ws1 = by_host(sqlite_service)["ws-1"]
    assert ws1["status"] == "open" and ws1["present"] is True
    assert [e["new"] for e in sqlite_service.finding_history(ws1["id"])] == ["removed (verified)", "open"]


def test_statuses_owner_due_and_history(sqlite_service: Service, tmp_path: Path) -> None:
    sqlite_service.ingest([two_collections(tmp_path)[0]])
    ids = sorted(f["id"] for f in sqlite_service.findings("kaspersky"))
    with pytest.raises(RemediationError, match="justification"):
        sqlite_service.set_remediation(ids[:1], Change(status="exception"))
    with pytest.raises(RemediationError, match="only from a collection"):
        sqlite_service.set_remediation(ids[:1], Change(status="removed (verified)"))
    with pytest.raises(NotFoundError, match="9999"):
        sqlite_service.set_remediation([9999], Change(owner="x"))
    sqlite_service.set_remediation(ids[:1], Change(status="exception", note="air-gapped test rig", actor="ciso"))
    sqlite_service.set_remediation(ids[1:], Change(owner="desk", due=date(2023, 12, 1), actor="bob"))
    items = {i["host"]: i for i in sqlite_service.remediation(today=date(2024, 1, 1), include_closed=True)}
    assert items["ws-1"]["status"] == "exception" and items["ws-1"]["overdue"] is False
    assert items["ws-2"]["owner"] == "desk" and items["ws-2"]["due"] == "2023-12-01" and items["ws-2"]["overdue"]
    assert [i["host"] for i in sqlite_service.remediation(today=date(2024, 1, 1))] == ["ws-2"]  # exception closed
    assert [i["host"] for i in sqlite_service.remediation(today=date(2023, 11, 20), overdue=True)] == []
    history = sqlite_service.finding_history(ids[1])
    assert [(e["action"], e["new"], e["actor"]) for e in history] == [
        ("owner", "desk", "bob"),
        ("due", "2023-12-01", "bob"),
    ]


def test_due_dates_follow_the_policy(sqlite_service: Service, tmp_path: Path) -> None:
    sqlite_service.ingest([two_collections(tmp_path)[0]])
    default = sqlite_service.remediation(today=date(2017, 10, 1))
    assert {i["due"] for i in default} == {"2017-12-12"}  # BOD 17-01: 90 days from 2017-09-13
    sqlite_service.set_policy(Policy(name="30 days from discovery", start=None, milestones={"remove": 30}))
    relative = sqlite_service.remediation(today=date(2023, 12, 1))
    assert {i["due"] for i in relative} == {"2023-12-14"} and not any(i["overdue"] for i in relative)
    assert all(i["due_source"] == "30 days from discovery" for i in relative)
    assert sqlite_service.policy().milestones == {"remove": 30}
