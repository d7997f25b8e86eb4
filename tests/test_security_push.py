"""Agents push evidence about their own hosts, nothing else (issue 11, failure 1) — on SQLite and PostgreSQL.

A subcontractor's token once pushed an orgs.csv that moved the agency's office under itself and re-owned the
agency's hosts. Registry, ownership and procurement files are refused from every agent token (403, audited),
and evidence pushed by a token never moves a host the registry assigns elsewhere.
"""

from __future__ import annotations

import gzip
import threading
from collections import Counter
from pathlib import Path

import orjson
import pytest
from sqlalchemy import event

from tests.server_support import KES, PASSWORD, app_client, bundle, login, outcome, push
from vendorscope.server import audit

REGISTRY = Path(__file__).parent / "data" / "orgs" / "registry.csv"  # dhs › dhs-cio › prime › sub, sub2
FTM = Path(__file__).parent / "data" / "orgs" / "entities.ftm.json"

HOSTILE_FILES = {
    "orgs.csv": b"id,name,kind,parent\ndhs-cio,Office of the CIO,office,sub\nprime,Renamed,contractor,sub\n",
    "hosts.csv": b"host,org\nhq-ws,sub\nprime-ws,sub\n",
    "rules.csv": b"org,hostname,network\nsub,*,\n",
    "purchases.csv": b"date,org,supplier,description\n2024-01-02,dhs-cio,Kaspersky Lab,KES licences\n",
}


@pytest.fixture
def agency(db_url: str, tmp_path: Path):  # type: ignore[no-untyped-def]
    (tmp_path / "hosts.csv").write_text("host,org\nhq-ws,dhs-cio\nprime-ws,prime\nsub-ws,sub\n", encoding="utf-8")
    (tmp_path / "rules.csv").write_text("org,hostname,network\nprime,,10.1.0.0/16\nsub,,10.2.0.0/16\n", "utf-8")
    with app_client(db_url) as (service, client):
        assert service.ingest([REGISTRY, tmp_path / "hosts.csv", tmp_path / "rules.csv"]).ok
        tokens = {org: service.accounts.create_token(f"{org or 'hq'} office", org) for org in ("", "prime", "sub")}
        service.accounts.add_user("sub-viewer", PASSWORD, "viewer", "sub")
        service.accounts.add_user("admin", PASSWORD, "admin", "")
        yield service, client, tokens


def _registry(service) -> dict[str, str | None]:  # type: ignore[no-untyped-def]
    return {o["org"]: o.get("parent") for o in service.orgs()}


@pytest.mark.parametrize("name", sorted(HOSTILE_FILES))
@pytest.mark.parametrize("who", ["sub", "prime", ""])
def test_agent_tokens_cannot_push_registry_ownership_or_purchase_files(agency, name: str, who: str) -> None:  # type: ignore[no-untyped-def]
    service, client, tokens = agency
    before = _registry(service)
    owners_before = {h["host"]: h["org"] for h in service.scoped_hosts(None)}
    for data in (HOSTILE_FILES[name], gzip.compress(HOSTILE_FILES[name], mtime=0)):
        for wait in (True, False):  # applied at once, or refused at the intake before anything is queued
            refused = push(client, tokens[who], data, wait=wait)
            assert refused.status_code == 403, refused.text
            assert "agent" in refused.json()["detail"] and "\n" not in refused.json()["detail"]
    assert _registry(service) == before
    assert {h["host"]: h["org"] for h in service.scoped_hosts(None)} == owners_before
    assert len(audit.events(service.store, action="agent.push_refused")) == 4


def test_agent_token_cannot_push_followthemoney_entities(agency) -> None:  # type: ignore[no-untyped-def]
    service, client, tokens = agency
    before = _registry(service)
    assert push(client, tokens["sub"], FTM.read_bytes()).status_code == 403
    assert _registry(service) == before


def _collector_bundle(host: str, address: str, item: str) -> bytes:
    from vendorscope.collect.bundle_format import SCHEMA, VERSION

    doc = {
        "schema": SCHEMA,
        "version": VERSION,
        "host": {"hostname": host, "ip_addresses": [address]},
        "items": [{"name": item, "source": "programs"}],
    }
    return gzip.compress(orjson.dumps(doc), mtime=0)


def test_pushed_facts_never_move_a_host_the_registry_assigns_elsewhere(agency) -> None:  # type: ignore[no-untyped-def]
    """A network rule gives 10.1/16 to the prime: no push may report an address that moves the host elsewhere.

    The ownership rules read the addresses a collector reports (``ip_addresses``): what a token says about a
    host's address must not let it re-own the host.
    """
    service, client, tokens = agency
    assert push(client, tokens["prime"], _collector_bundle("ws-7", "10.1.0.7", "Notepad")).status_code == 201
    assert {h["host"]: h["org"] for h in service.scoped_hosts(None)}["ws-7"] == "prime"
    for who in ("sub", "prime"):  # not even the prime, whose subtree holds sub, moves a host by what it pushes
        refused = push(client, tokens[who], _collector_bundle("ws-7", "10.2.0.7", f"Notepad {who}"))
        assert refused.status_code == 403, refused.text
    # Queued: the prime's token passes the intake (the host is its own); the applier finds the move and refuses.
    queued = push(client, tokens["prime"], _collector_bundle("ws-7", "10.2.0.7", "Notepad queued"), wait=False)
    assert queued.status_code == 202, queued.text
    assert outcome(client, tokens["prime"], queued.json()["receipt"])["code"] == 403
    assert {h["host"]: h["org"] for h in service.scoped_hosts(None)}["ws-7"] == "prime"
    login(client, "sub-viewer")
    assert "ws-7" not in [h["host"] for h in client.get("/api/v1/hosts").json()]


def test_a_push_holds_one_pooled_connection_at_a_time(agency) -> None:  # type: ignore[no-untyped-def]
    """A push that changes an address a network rule reads checks the host's owner before the change in its own
    transaction: asking the pool for a second connection while holding one ran the pool dry under load (500s)
    and deadlocked pushes where the database could not see it. Counted per thread: the custody linker's thread
    holds one of its own, waiting for nothing a push holds.
    """
    service, client, tokens = agency
    assert push(client, tokens["prime"], _collector_bundle("ws-8", "10.1.0.8", "Notepad")).status_code == 201
    held: Counter[int] = Counter()
    most = [0]

    def checkout(*_: object) -> None:
        held[threading.get_ident()] += 1
        most[0] = max(most[0], held[threading.get_ident()])

    def checkin(*_: object) -> None:
        held[threading.get_ident()] -= 1

    engine = service.store.engine
    event.listen(engine, "checkout", checkout)
    event.listen(engine, "checkin", checkin)
    try:
        moved_within = push(client, tokens["prime"], _collector_bundle("ws-8", "10.1.0.9", "Notepad 2"))
        refused = push(client, tokens["prime"], _collector_bundle("ws-8", "10.2.0.9", "Notepad 3"))
    finally:
        event.remove(engine, "checkout", checkout)
        event.remove(engine, "checkin", checkin)
    assert moved_within.status_code == 201, moved_within.text  # a new address inside the prime's network
    assert refused.status_code == 403, refused.text  # an address in sub's network would move the host
    assert most[0] == 1
    assert {h["host"]: h["org"] for h in service.scoped_hosts(None)}["ws-8"] == "prime"


def test_evidence_pushes_still_go_in(agency) -> None:  # type: ignore[no-untyped-def]
    _service, client, tokens = agency
    assert push(client, tokens["sub"], bundle("sub-ws", KES)).status_code == 201
    assert push(client, tokens["prime"], bundle("prime-ws", KES)).status_code == 201


def test_the_intake_refuses_a_first_host_the_registry_gives_another_org(agency) -> None:  # type: ignore[no-untyped-def]
    """At the intake, the first host's owner is read in one statement (hosts.csv row, first pusher) and the
    ownership rules only when there are any: a host hosts.csv or a network rule gives the prime is refused to the
    subcontractor's token before anything is queued; the prime's own and a new host are queued."""
    _service, client, tokens = agency
    assert push(client, tokens["prime"], _collector_bundle("ws-7", "10.1.0.7", "Notepad")).status_code == 201
    for host in ("prime-ws", "ws-7"):  # hosts.csv; the network rule of 10.1/16
        refused = push(client, tokens["sub"], bundle(host, seed="sub"), wait=False)
        assert refused.status_code == 403 and host in refused.json()["detail"], refused.text
    for token, host in ((tokens["prime"], "ws-7"), (tokens["sub"], "sub-ws"), (tokens["sub"], "new-ws")):
        queued = push(client, token, bundle(host, seed="queued"), wait=False)
        assert queued.status_code == 202, queued.text
        assert outcome(client, token, queued.json()["receipt"])["status"] == "ingested"
