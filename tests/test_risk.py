"""Risk: capabilities from the catalog, host sensitivity and role, live contact seen on the network."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from sqlalchemy import insert

from tests.conftest import write_jsonl
from tests.respond_stubs import StubOrgs, StubRecords
from tests.test_ingest import KES
from vendorscope.catalog.loader import load_catalogs
from vendorscope.catalog.schema import Capability
from vendorscope.respond.build import ad_hoc_request
from vendorscope.respond.providers import HostProfile, Providers
from vendorscope.respond.risk import CAPABILITY_POINTS, assess, by_product
from vendorscope.service import Service
from vendorscope.store.tables import Finding, Host

KASPERSKY = next(c for c in load_catalogs([]) if c.vendor.id == "kaspersky")


def test_score_adds_capabilities_and_says_why() -> None:
    kes = KASPERSKY.product("kes-windows")
    risk = assess(kes, HostProfile())
    assert risk.score == sum(CAPABILITY_POINTS[c][0] for c in kes.capabilities)
    assert "runs a kernel driver (full control of the host)" in risk.reasons
    assert risk.reasons[-1] == "host sensitivity unknown (counted as moderate)"
    password = KASPERSKY.product("password-manager")
    assert Capability.KERNEL_DRIVER not in password.capabilities and assess(password, HostProfile()).level == "low"


def test_sensitivity_role_and_live_contact_raise_the_score() -> None:
    kes_mac = KASPERSKY.product("kes-mac")
    base = assess(kes_mac, HostProfile("moderate", "workstation"))
    server = assess(kes_mac, HostProfile("high", "server"), live_contacts=2)
    low = assess(kes_mac, HostProfile("low", "workstation"))
    assert low.score < base.score < server.score
    assert server.score == round((base.score + 10 + 20) * 1.5)
    assert "network evidence of live contact with the vendor (2 finding(s))" in server.reasons
    assert assess(None, HostProfile()).reasons[0] == "product not identified: its capabilities are unknown"


def test_product_risk_is_the_worst_finding() -> None:
    kes = KASPERSKY.product("kes-windows")
    pairs = [("KES", "a", assess(kes, HostProfile("low"))), ("KES", "b", assess(kes, HostProfile("high")))]
    [product] = by_product(pairs)
    assert product.hosts == 2 and product.risk == pairs[1][2] and sum(product.levels.values()) == 2


def test_network_findings_count_as_live_contact_in_the_answer(sqlite_service: Service, tmp_path: Path) -> None:
    sqlite_service.ingest([write_jsonl(tmp_path / "inv.jsonl", [{"host": "ws-1", **KES}, {"host": "ws-2", **KES}])])
    with sqlite_service.store.transaction() as conn:  # what issue 4's network importer will store
        host_id = conn.execute(Host.__table__.select().where(Host.name == "ws-1")).first().id
        conn.execute(
            insert(Finding).values(
                host_id=host_id,
                vendor="kaspersky",
                product="unidentified",
                kind="network",
                confidence=0.9,
                evidence=[{"source": "dns", "field": "domain", "value": "ksn.kaspersky-labs.com", "rule": "domain"}],
                explanation="DNS query for a Kaspersky Security Network name",
                first_seen=datetime(2026, 11, 1),
                last_seen=datetime(2026, 11, 2),
                present=True,
                status="open",
                updated_at=datetime(2026, 11, 2),
            )
        )
    sqlite_service.providers = Providers(orgs=StubOrgs({}, lines=[]), documents=StubRecords())
    answer = sqlite_service.answer(ad_hoc_request("kaspersky"))
    rows = {(r["host"], r["kind"]): r for r in answer.systems}
    assert set(rows) == {("ws-1", "branded"), ("ws-1", "network"), ("ws-2", "branded")}
    assert "live contact" in rows[("ws-1", "branded")]["risk_reasons"]
    assert "live contact" not in rows[("ws-2", "branded")]["risk_reasons"]
    assert rows[("ws-1", "network")]["product"] == "Kaspersky (product not identified)"
