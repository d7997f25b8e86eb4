"""Scope from the org registry: a user's or token's org is a registry id, its subtree the registry's, and a host
belongs to its registry owner (hosts.csv, rules) before the pushing token's org — on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.server_support import KES, PASSWORD, app_client, bundle, login, push
from vendorscope.errors import VendorscopeError
from vendorscope.server import audit

REGISTRY = Path(__file__).parent / "data" / "orgs" / "registry.csv"  # dhs › dhs-cio › prime › sub, sub2


@pytest.fixture
def agency(db_url: str, tmp_path: Path):  # type: ignore[no-untyped-def]
    """The registry, an ownership file and rule, a user and a token per org of interest."""
    (tmp_path / "hosts.csv").write_text("host,org\nprime-ws,prime\nsub-ws,sub\n", encoding="utf-8")
    (tmp_path / "rules.csv").write_text("org,hostname,network\nsub2,sub2-*,\n", encoding="utf-8")
    with app_client(db_url) as (service, client):
        assert service.ingest([REGISTRY, tmp_path / "hosts.csv", tmp_path / "rules.csv"]).ok
        tokens = {org: service.accounts.create_token(f"{org or 'hq'} office", org) for org in ("", "prime", "sub")}
        tokens["sub2"] = service.accounts.create_token("sub2 office", "sub2")
        for name, role, org in (
            ("admin", "admin", ""),
            ("prime-analyst", "analyst", "prime"),
            ("sub-viewer", "viewer", "sub"),
        ):
            service.accounts.add_user(name, PASSWORD, role, org)
        yield service, client, tokens


def _hosts(client) -> list[str]:  # type: ignore[no-untyped-def]
    response = client.get("/api/v1/hosts")
    assert response.status_code == 200, response.text
    return sorted(h["host"] for h in response.json())


def test_a_subcontractor_token_pushes_only_its_registry_subtree(agency) -> None:  # type: ignore[no-untyped-def]
    service, client, tokens = agency
    # hosts.csv gives prime-ws to the prime: its subcontractor may not push it, though nobody pushed it yet.
    refused = push(client, tokens["sub"], bundle("prime-ws", KES))
    assert refused.status_code == 403 and "prime-ws" in refused.json()["detail"]
    # Nor a sibling's host (a rule gives sub2-* to sub2), nor a mixed bundle.
    assert push(client, tokens["sub"], bundle("sub2-ws-1", KES)).status_code == 403
    mixed = bundle("sub-ws", KES) + bundle("prime-ws", seed="m")
    assert push(client, tokens["sub"], mixed).status_code == 403
    assert push(client, tokens["sub"], bundle("sub-ws", KES)).status_code == 201
    # The prime pushes its own hosts and its subcontractors'.
    for host in ("prime-ws", "sub2-ws-1"):
        assert push(client, tokens["prime"], bundle(host, KES)).status_code == 201
    # A host the registry does not assign belongs to its first pusher's org.
    assert push(client, tokens["sub2"], bundle("loose-ws", KES)).status_code == 201
    assert push(client, tokens["sub"], bundle("loose-ws", seed="again")).status_code == 403
    owners = {h["host"]: h["org"] for h in service.scoped_hosts(None)}
    assert owners == {"prime-ws": "prime", "sub-ws": "sub", "sub2-ws-1": "sub2", "loose-ws": "sub2"}
    assert len(audit.events(service.store, action="agent.push_refused")) == 4


def test_readers_see_their_registry_subtree_only(agency) -> None:  # type: ignore[no-untyped-def]
    _service, client, tokens = agency
    for token, host in ((tokens["prime"], "prime-ws"), (tokens["sub"], "sub-ws"), (tokens["sub2"], "sub2-ws-1")):
        assert push(client, token, bundle(host, KES)).status_code == 201
    assert push(client, tokens[""], bundle("hq-ws", KES)).status_code == 201
    login(client, "admin")
    assert _hosts(client) == ["hq-ws", "prime-ws", "sub-ws", "sub2-ws-1"]
    ids = {f["host"]: f["id"] for f in client.get("/api/v1/findings").json()}
    login(client, "prime-analyst")
    assert _hosts(client) == ["prime-ws", "sub-ws", "sub2-ws-1"]
    login(client, "sub-viewer")
    assert _hosts(client) == ["sub-ws"]
    assert [f["org"] for f in client.get("/api/v1/findings").json()] == ["sub"]
    for host in ("prime-ws", "sub2-ws-1", "hq-ws"):
        assert client.get(f"/api/v1/findings/{ids[host]}").status_code == 404
    assert client.get(f"/api/v1/findings/{ids['sub-ws']}").status_code == 200
    assert "prime-ws" not in client.get("/hosts", headers={"accept": "text/html"}).text


def test_orgs_must_be_registry_ids_once_a_registry_is_loaded(agency) -> None:  # type: ignore[no-untyped-def]
    service, _client, _tokens = agency
    for org in ("prime/sub", "nowhere"):
        with pytest.raises(VendorscopeError, match="not an id of the org registry"):
            service.accounts.create_token("x", org)
        with pytest.raises(VendorscopeError, match="not an id of the org registry"):
            service.accounts.add_user("someone", PASSWORD, "viewer", org)
    assert service.scope("prime").below == {"prime", "sub", "sub2"}
    assert service.scope("sub").below == {"sub"}
