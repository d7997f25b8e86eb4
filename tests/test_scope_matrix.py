"""The scope matrix (tests/data/scope_matrix.yaml): every route × method × kind of caller, on SQLite and PostgreSQL.

Each row names a route and the status each role gets; the test builds the agency once per database, then plays
every row as every role. A route of the app without a row fails the suite, so a new page or endpoint comes with
its rules written down.
"""

from __future__ import annotations

import gzip
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest
import yaml
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.records_corpus import email_bytes
from tests.server_support import KES, PASSWORD, app_client, bundle, login
from vendorscope.web.security import LOGIN_CSRF_COOKIE

MATRIX = yaml.safe_load((Path(__file__).parent / "data" / "scope_matrix.yaml").read_text(encoding="utf-8"))
ROLES: list[str] = MATRIX["roles"]
ROWS: list[dict[str, Any]] = MATRIX["routes"]
REGISTRY = Path(__file__).parent / "data" / "orgs" / "registry.csv"  # dhs › dhs-cio › prime › sub, sub2
USERS = {
    "root-admin": ("admin", ""),
    "scoped-admin": ("admin", "prime"),
    "analyst": ("analyst", ""),
    "reviewer": ("reviewer", ""),
    "viewer": ("viewer", ""),
    "contractor-viewer": ("viewer", "sub"),
}
SKIPPED_ROUTES = {"/static"}  # the stylesheet and scripts: public files, no data


def app_routes(app: FastAPI) -> set[str]:
    """``METHOD /path`` of every route the app serves (HEAD aside), whatever FastAPI's router layout."""
    found: set[str] = set()

    def walk(routes: list[Any], prefix: str = "") -> None:
        for route in routes:
            original = getattr(route, "original_router", None)
            if original is not None:  # FastAPI >= 0.130 keeps included routers whole
                walk(original.routes, prefix + route.include_context.prefix)
                continue
            path = prefix + getattr(route, "path", "")
            if path in SKIPPED_ROUTES:
                continue
            for method in sorted(getattr(route, "methods", None) or ()):
                if method != "HEAD":
                    found.add(f"{method} {path}")

    walk(app.routes)
    return found


def test_every_route_has_a_row(tmp_path: Path) -> None:
    with app_client(f"sqlite:///{tmp_path / 'store.db'}") as (_service, client):
        served = app_routes(client.app)  # type: ignore[arg-type]
    rows = [row["route"] for row in ROWS]
    assert len(rows) == len(set(rows)), "a route has two rows"
    assert sorted(served - set(rows)) == [], "routes without a row in tests/data/scope_matrix.yaml"
    assert sorted(set(rows) - served) == [], "rows for routes the app no longer has"
    for row in ROWS:
        assert len(row["expect"].split()) == len(ROLES), row["route"]


@pytest.fixture
def agency(db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Any, dict[str, Any]]]:
    monkeypatch.setenv("VENDORSCOPE_RECORDS_DIR", str(tmp_path / "originals"))
    monkeypatch.setenv("VENDORSCOPE_SERVER_DIR", str(tmp_path / "server"))
    (tmp_path / "hosts.csv").write_text("host,org\nhq-ws,dhs-cio\nsub-ws,sub\n", encoding="utf-8")
    (tmp_path / "inv.jsonl").write_bytes(gzip.decompress(bundle("hq-ws", KES)) + gzip.decompress(bundle("sub-ws", KES)))
    (tmp_path / "mail").mkdir()
    (tmp_path / "mail" / "memo.eml").write_bytes(email_bytes("Kaspersky risk", "Assessment of Kaspersky products."))
    with app_client(db_url) as (service, client):
        assert service.ingest([REGISTRY, tmp_path / "hosts.csv", tmp_path / "inv.jsonl"]).ok
        service.records_ingest([tmp_path / "mail"], "alice", workers=1)
        for name, (role, org) in USERS.items():
            service.accounts.add_user(name, PASSWORD, role, org)
        service.accounts.add_user("target-viewer", PASSWORD, "viewer", "")
        tokens = {
            "agent-agency": service.accounts.create_token("agency office", ""),
            "agent-sub": service.accounts.create_token("sub office", "sub"),
            "revoked-token": service.accounts.create_token("gone", ""),
        }
        listed = {t["name"]: t["id"] for t in service.accounts.list_tokens()}
        service.accounts.revoke_token(listed["gone"])
        finding = next(f["id"] for f in service.findings("kaspersky") if f["host"] == "hq-ws")
        targets = {
            "finding_id": finding,
            "doc_id": _first_document(service),
            "vendor": "kaspersky",
            "product": _a_product(service),
            "name": "no-such-package",
            "sha256": "0" * 64,
            "username": "target-viewer",
            "token_id": service.accounts.create_token("agency spare", "") and _token_id(service, "agency spare"),
            "receipt": _a_receipt(service, tokens["agent-agency"]),
            "tokens": tokens,
        }
        yield client, targets


def _a_receipt(service: Any, token: str) -> str:
    """A queued push of the agency's token (a host of its own)."""
    agent = service.accounts.token_principal(token)
    return str(service.agents.receive(agent, "matrix", bundle("matrix-ws", KES)).receipt)


def _first_document(service: Any) -> int:
    from vendorscope.records.search import Filters

    return int(service.records_vendor_search("kaspersky", Filters(limit=0))[0]["id"])


def _a_product(service: Any) -> str:
    return str(service.vendor("kaspersky").products[0].id)


def _token_id(service: Any, name: str) -> int:
    return int(next(t["id"] for t in service.accounts.list_tokens() if t["name"] == name))


def _request(client: TestClient, role: str, route: str, targets: dict[str, Any]) -> int:
    method, template = route.split(" ", 1)
    path = template.format(**targets)
    headers = {}
    if role in targets["tokens"]:
        headers["Authorization"] = f"Bearer {targets['tokens'][role]}"
    if method == "GET":
        return client.get(path, headers=headers, follow_redirects=False).status_code
    if route == "POST /login":
        client.get("/login")
        form = {"username": "viewer", "password": "not the password", "csrf": client.cookies.get(LOGIN_CSRF_COOKIE)}
        return client.post("/login", data=form, follow_redirects=False).status_code
    if route == "POST /api/v1/agents/bundles":
        body = bundle("hq-ws", KES, seed=role)
        return client.post(path, content=body, headers=headers, follow_redirects=False).status_code
    form = _form(route, role) | {"csrf": _csrf(client)}
    files = {"request": ("bad.yaml", b"id: [unclosed\n", "text/yaml")} if route == "POST /requests" else None
    return client.post(path, data=form, files=files, headers=headers, follow_redirects=False).status_code


def _form(route: str, role: str) -> dict[str, str]:
    return {
        "POST /admin/users": {"username": f"new-{role}", "password": PASSWORD, "role": "admin", "org": ""},
        "POST /admin/tokens": {"name": f"token-{role}", "org": ""},
        "POST /records/{doc_id}/review": {"tag": "responsive"},
        "POST /screening": {"names": "Kaspersky Lab"},
    }.get(route, {})


def _csrf(client: TestClient) -> str:
    page = client.get("/", follow_redirects=False)
    found = re.search(r'name="csrf" value="([^"]+)"', page.text) if page.status_code == 200 else None
    return found.group(1) if found else "none"


@pytest.mark.parametrize("role", ROLES)
def test_scope_matrix(agency: tuple[TestClient, dict[str, Any]], role: str) -> None:
    client, targets = agency
    client.cookies.clear()
    if role in USERS:
        assert login(client, role).status_code == 303
    wrong = {}
    for row in ROWS:
        expected = int(row["expect"].split()[ROLES.index(role)])
        got = _request(client, role, row["route"], targets)
        if got != expected:
            wrong[row["route"]] = f"expected {expected}, got {got}"
    assert wrong == {}, orjson.dumps(wrong, option=orjson.OPT_INDENT_2).decode()
