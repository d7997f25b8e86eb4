"""Every admin action stays within the admin's own org subtree (issue 11, failure 2) — SQLite and PostgreSQL.

An admin of a subcontractor's org once posted ``role=admin&org=`` and got a root administrator, minted a root
token, listed every org's users and read the whole audit log.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.server_support import PASSWORD, app_client, csrf_of, login
from vendorscope.errors import RefusedError

REGISTRY = Path(__file__).parent / "data" / "orgs" / "registry.csv"  # dhs › dhs-cio › prime › sub, sub2


@pytest.fixture
def agency(db_url: str):  # type: ignore[no-untyped-def]
    with app_client(db_url) as (service, client):
        assert service.ingest([REGISTRY]).ok
        for name, role, org in (
            ("root-admin", "admin", ""),
            ("prime-admin", "admin", "prime"),
            ("sub-admin", "admin", "sub"),
            ("sub2-viewer", "viewer", "sub2"),
            ("hq-analyst", "analyst", "dhs-cio"),
        ):
            service.accounts.add_user(name, PASSWORD, role, org)
        service.accounts.create_token("hq office", "")
        service.accounts.create_token("sub2 office", "sub2")
        service.accounts.create_token("sub office", "sub")
        yield service, client


def _post(client, path: str, **data: str):  # type: ignore[no-untyped-def]
    return client.post(path, data={"csrf": csrf_of(client), **data}, follow_redirects=False)


def _roles(service) -> dict[str, tuple[str, str]]:  # type: ignore[no-untyped-def]
    return {u["username"]: (u["role"], u["org"]) for u in service.accounts.list_users()}


@pytest.mark.parametrize("org", ["", "dhs", "prime", "sub2"])
def test_a_scoped_admin_creates_no_user_outside_its_subtree(agency, org: str) -> None:  # type: ignore[no-untyped-def]
    service, client = agency
    login(client, "sub-admin")
    response = _post(client, "/admin/users", username="evil", password=PASSWORD, role="admin", org=org)
    assert response.status_code == 403, response.text
    assert "outside your scope" in response.text
    assert "evil" not in _roles(service)


def test_a_scoped_admin_manages_its_own_subtree(agency) -> None:  # type: ignore[no-untyped-def]
    service, client = agency
    login(client, "prime-admin")
    created = _post(client, "/admin/users", username="new", password=PASSWORD, role="viewer", org="sub2")
    assert created.status_code == 303
    assert _roles(service)["new"] == ("viewer", "sub2")
    page = client.get("/admin/users").text
    assert "sub2-viewer" in page and "sub-admin" in page
    assert "root-admin" not in page and "hq-analyst" not in page
    # Disabling a user outside the subtree: as if it did not exist.
    assert _post(client, "/admin/users/hq-analyst/disable").status_code == 404
    assert _post(client, "/admin/users/root-admin/disable").status_code == 404
    assert not any(u["disabled"] for u in service.accounts.list_users() if u["username"] != "new")
    assert _post(client, "/admin/users/sub2-viewer/disable").status_code == 303


def test_a_scoped_admin_mints_and_sees_tokens_of_its_subtree_only(agency) -> None:  # type: ignore[no-untyped-def]
    service, client = agency
    login(client, "sub-admin")
    for org in ("", "prime", "sub2"):
        assert _post(client, "/admin/tokens", name="evil", org=org).status_code == 403
    assert "evil" not in {t["name"] for t in service.accounts.list_tokens()}
    page = client.get("/admin/tokens").text
    assert "sub office" in page and "hq office" not in page and "sub2 office" not in page
    minted = _post(client, "/admin/tokens", name="sub agent", org="sub")
    assert minted.status_code == 200 and re.search(r"vst_[\w-]{20,}", minted.text)
    ids = {t["name"]: t["id"] for t in service.accounts.list_tokens()}
    assert _post(client, f"/admin/tokens/{ids['hq office']}/revoke").status_code == 404
    assert all(t["revoked_at"] is None for t in service.accounts.list_tokens())
    assert _post(client, f"/admin/tokens/{ids['sub agent']}/revoke").status_code == 303


def test_a_scoped_admin_reads_the_audit_log_of_its_subtree_only(agency) -> None:  # type: ignore[no-untyped-def]
    _service, client = agency
    login(client, "root-admin")
    login(client, "hq-analyst")
    login(client, "sub-admin")
    page = client.get("/admin/audit").text
    assert "sub-admin" in page
    assert "root-admin" not in page and "hq-analyst" not in page
    login(client, "root-admin")
    page = client.get("/admin/audit").text
    assert "sub-admin" in page and "hq-analyst" in page


def test_accounts_refuse_outside_the_given_scope(agency) -> None:  # type: ignore[no-untyped-def]
    service, _client = agency
    scope = service.scope("sub")
    with pytest.raises(RefusedError):
        service.accounts.add_user("x-admin", PASSWORD, "admin", "", scope=scope)
    with pytest.raises(RefusedError):
        service.accounts.create_token("x", "", scope=scope)
    assert {u["username"] for u in service.accounts.list_users(scope)} == {"sub-admin"}
    root = service.scope("")
    service.accounts.add_user("y-admin", PASSWORD, "admin", "", scope=root)
    assert _roles(service)["y-admin"] == ("admin", "")
