"""The JSON API and sign-in: sessions, roles, org scoping, CSRF, rate limiting, audit — on both databases."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.server_support import KES, app_client, bundle, csrf_of, login, push, setup_accounts
from vendorscope.server import audit
from vendorscope.service import Service


@pytest.fixture
def fleet(db_url: str):  # type: ignore[no-untyped-def]
    """A prime's host, its subcontractor's host and another contractor's host, each with Kaspersky."""
    with app_client(db_url) as (service, client):
        tokens = setup_accounts(service)
        for token, host in ((tokens.prime, "prime-ws"), (tokens.sub, "sub-ws"), (tokens.other, "other-ws")):
            assert push(client, token, bundle(host, KES)).status_code == 201
        yield service, client, tokens


def _hosts(client: TestClient) -> list[str]:
    response = client.get("/api/v1/hosts")
    assert response.status_code == 200, response.text
    return sorted(h["host"] for h in response.json())


def test_api_needs_a_session(fleet) -> None:  # type: ignore[no-untyped-def]
    _service, client, tokens = fleet
    assert client.get("/api/v1/findings").status_code == 401
    # An enrollment token only pushes; it reads nothing.
    response = client.get("/api/v1/findings", headers={"Authorization": f"Bearer {tokens.root}"})
    assert response.status_code == 401


def test_users_see_only_their_org_subtree(fleet) -> None:  # type: ignore[no-untyped-def]
    _service, client, _tokens = fleet
    assert login(client, "admin").status_code == 303
    assert _hosts(client) == ["other-ws", "prime-ws", "sub-ws"]
    all_findings = {f["host"]: f for f in client.get("/api/v1/findings").json()}
    assert {f["org"] for f in all_findings.values()} == {"prime", "prime/sub", "other"}
    login(client, "prime-analyst")
    assert _hosts(client) == ["prime-ws", "sub-ws"]
    assert sorted(f["host"] for f in client.get("/api/v1/findings").json()) == ["prime-ws", "sub-ws"]
    login(client, "sub-viewer")
    assert _hosts(client) == ["sub-ws"]
    assert [f["host"] for f in client.get("/api/v1/findings").json()] == ["sub-ws"]
    # The subcontractor cannot read the prime's finding even by its id, nor see it in the summary.
    assert client.get(f"/api/v1/findings/{all_findings['prime-ws']['id']}").status_code == 404
    assert client.get(f"/api/v1/findings/{all_findings['sub-ws']['id']}").status_code == 200
    summary = client.get("/api/v1/summary").json()
    assert [p["hosts"] for p in summary["products"]] == [1]
    assert summary["counts"]["hosts_known"] == 1 and summary["counts"]["hosts_affected"] == 1
    assert client.get(f"/findings/{all_findings['other-ws']['id']}", headers={"accept": "text/html"}).status_code == 404


def test_findings_filters(fleet) -> None:  # type: ignore[no-untyped-def]
    _service, client, _tokens = fleet
    login(client, "admin")
    assert [f["host"] for f in client.get("/api/v1/findings", params={"org": "other"}).json()] == ["other-ws"]
    assert [f["host"] for f in client.get("/api/v1/findings", params={"host": "SUB"}).json()] == ["sub-ws"]
    assert client.get("/api/v1/findings", params={"vendor": "nobody"}).status_code == 404
    assert client.get("/api/v1/findings", params={"min_confidence": 2}).status_code == 422
    [product] = {f["product"] for f in client.get("/api/v1/findings").json()}
    assert len(client.get("/api/v1/findings", params={"product": product}).json()) == 3
    assert client.get("/api/v1/findings", params={"product": "no-such"}).json() == []


def test_roles_decide_exports_and_administration(fleet) -> None:  # type: ignore[no-untyped-def]
    service, client, _tokens = fleet
    login(client, "sub-viewer")
    assert client.get("/export/findings.csv").status_code == 403
    assert client.get("/admin/users").status_code == 403
    login(client, "prime-analyst")
    export = client.get("/export/findings.csv")
    assert export.status_code == 200 and export.content.startswith(b"\xef\xbb\xbf")  # a BOM, for Excel
    lines = export.content.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("host,org,vendor") and all(line.count("Z,") >= 2 for line in lines[1:])  # UTC
    assert sorted(line.split(",")[0] for line in lines[1:]) == ["prime-ws", "sub-ws"]
    assert client.get("/admin/tokens").status_code == 403
    login(client, "admin")
    assert client.get("/admin/users").status_code == 200
    [event] = audit.events(service.store, action="export.")
    assert event["actor"] == "prime-analyst" and event["detail"]["rows"] == 2


def test_forms_need_the_session_csrf_token(fleet) -> None:  # type: ignore[no-untyped-def]
    service, client, _tokens = fleet
    login(client, "admin")
    form = {"username": "newbie", "password": "long enough password", "role": "viewer", "org": ""}
    assert client.post("/admin/users", data=form).status_code == 403
    assert client.post("/admin/users", data=form | {"csrf": "forged"}).status_code == 403
    assert "newbie" not in {u["username"] for u in service.accounts.list_users()}
    assert client.post("/admin/users", data=form | {"csrf": csrf_of(client)}, follow_redirects=False).status_code == 303
    assert "newbie" in {u["username"] for u in service.accounts.list_users()}
    # The login form has its own token (double-submit cookie).
    client.cookies.clear()
    response = client.post("/login", data={"username": "admin", "password": "x" * 12, "csrf": "nope"})
    assert response.status_code == 403


def test_session_cookie_flags_and_security_headers(fleet) -> None:  # type: ignore[no-untyped-def]
    _service, client, _tokens = fleet
    response = login(client, "admin", next_path="//evil.example/")
    assert response.headers["location"] == "/"  # no open redirect
    cookie = response.headers["set-cookie"].lower()
    assert "vs_session=" in cookie and "httponly" in cookie and "secure" in cookie and "samesite=strict" in cookie
    page = client.get("/")
    assert "script-src" not in page.headers["content-security-policy"]  # default-src 'none': no script at all
    assert page.headers["x-frame-options"] == "DENY" and page.headers["x-content-type-options"] == "nosniff"


def test_security_headers_on_every_response_and_no_store_where_private(fleet) -> None:  # type: ignore[no-untyped-def]
    """Pages, API answers and errors alike carry the headers; API, sign-in and admin answers, and any answer that
    sets a cookie, are never stored; a static file may be."""
    _service, client, tokens = fleet
    client.cookies.clear()
    answers = {
        "push": push(client, tokens.prime, bundle("prime-ws", KES)),  # the same bundle again: 200
        "API without a session": client.get("/api/v1/hosts"),
        "API path that does not exist": client.get("/api/v1/nothing-here"),
        "sign-in page (sets its form's cookie)": client.get("/login"),
        "static file": client.get("/static/style.css"),
    }
    assert [r.status_code for r in answers.values()] == [200, 401, 404, 200, 200]
    for what, response in answers.items():
        assert response.headers["content-security-policy"].startswith("default-src 'none'"), what
        assert response.headers["x-content-type-options"] == "nosniff", what
        assert response.headers["referrer-policy"] == "same-origin", what
        assert response.headers["x-frame-options"] == "DENY", what
    private = [what for what, r in answers.items() if r.headers.get("cache-control") == "no-store"]
    assert private == [what for what in answers if what != "static file"]


def test_logout_ends_the_session(fleet) -> None:  # type: ignore[no-untyped-def]
    _service, client, _tokens = fleet
    login(client, "admin")
    session = client.cookies.get("vs_session")
    assert client.post("/logout", data={"csrf": csrf_of(client)}, follow_redirects=False).status_code == 303
    client.cookies.set("vs_session", session or "", domain="testserver")
    assert client.get("/api/v1/hosts").status_code == 401


def test_disabled_users_are_signed_out(fleet) -> None:  # type: ignore[no-untyped-def]
    service, client, _tokens = fleet
    login(client, "prime-analyst")
    assert client.get("/api/v1/hosts").status_code == 200
    service.accounts.set_disabled("prime-analyst", True)
    assert client.get("/api/v1/hosts").status_code == 401
    assert login(client, "prime-analyst").status_code == 401


def test_login_is_rate_limited_and_audited(fleet) -> None:  # type: ignore[no-untyped-def]
    service, client, _tokens = fleet
    for _ in range(5):
        assert login(client, "admin", "wrong password!").status_code == 401
    limited = login(client, "admin")  # even the right password, until the window passes
    assert limited.status_code == 429 and limited.headers["retry-after"] == "900"
    actions = [e["action"] for e in audit.events(service.store, action="login")]
    assert actions.count("login.failed") == 5 and "login.limited" in actions and "login" not in actions


def test_configuration_changes_are_audited(db_url: str) -> None:
    with app_client(db_url) as (service, _client):
        setup_accounts(service)
        service.accounts.set_password("reviewer", "another long password")
        actions = [e["action"] for e in audit.events(service.store)]
    assert actions.count("config.user_add") == 4 and actions.count("config.token_create") == 4
    assert "config.user_passwd" in actions


def test_openapi_documents_the_api(db_url: str) -> None:
    with app_client(db_url) as (_service, client):
        paths = client.get("/api/openapi.json").json()["paths"]
    assert {"/api/v1/findings", "/api/v1/findings/{finding_id}", "/api/v1/hosts", "/api/v1/agents/bundles"} <= set(
        paths
    )
    assert "/login" not in paths  # pages stay out of the API description


def test_store_holds_no_secret_in_clear(fleet) -> None:  # type: ignore[no-untyped-def]
    service, _client, tokens = fleet
    dump = _dump(service)
    assert tokens.prime not in dump and "correct horse battery" not in dump
    assert "$argon2id$" in dump


def _dump(service: Service) -> str:
    from sqlalchemy import text

    with service.store.engine.connect() as conn:
        rows = [conn.execute(text(f"SELECT * FROM {t}")).all() for t in ("users", "enrollment_tokens", "web_sessions")]
    return repr(rows)
