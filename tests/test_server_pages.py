"""Server-rendered pages: what each role sees, hostile text shown escaped, optional pages hidden until installed."""

from __future__ import annotations

import re

from tests.server_support import KES, app_client, bundle, csrf_of, login, push, setup_accounts

HOSTILE = "<script>alert(1)</script>"
HTML = {"accept": "text/html"}


def test_pages_render_for_a_signed_in_user(db_url: str) -> None:
    with app_client(db_url) as (service, client):
        tokens = setup_accounts(service)
        push(client, tokens.prime, bundle("prime-ws", KES))
        assert client.get("/", follow_redirects=False).headers["location"] == "/login?next=/"
        login(client, "prime-analyst")
        dashboard = client.get("/").text
        assert 'id="hosts-known">1<' in dashboard and "Kaspersky Endpoint Security" in dashboard
        assert "<svg" in dashboard and "<script" not in dashboard
        findings = client.get("/findings", params={"host": "prime"}).text
        [finding_id] = re.findall(r'href="/findings/(\d+)"', findings)
        detail = client.get(f"/findings/{finding_id}").text
        assert "AO Kaspersky Lab" in detail and "Why" in detail
        assert "prime-ws" in client.get("/hosts").text
        catalog = client.get("/catalog").text
        [product_link] = re.findall(r'href="(/catalog/kaspersky/[^"]+)"', catalog)[:1]
        assert "Indicators" in client.get(product_link).text
        assert client.get("/catalog/kaspersky/no-such", headers=HTML).status_code == 404


def test_hostile_text_is_shown_escaped(db_url: str) -> None:
    with app_client(db_url) as (service, client):
        tokens = setup_accounts(service)
        evil = {"name": f"Kaspersky Anti-Virus {HOSTILE}", "publisher": "AO Kaspersky Lab", "source": "programs"}
        assert push(client, tokens.root, bundle(f"ws-{HOSTILE}", evil)).status_code == 201
        login(client, "admin")
        pages = [client.get(p).text for p in ("/", "/findings", "/hosts", "/admin/audit")]
        finding_id = re.findall(r'href="/findings/(\d+)"', pages[1])[0]
        pages.append(client.get(f"/findings/{finding_id}").text)
        for html in pages:
            assert HOSTILE not in html and "<script" not in html
        assert "&lt;script&gt;" in pages[1] and "&lt;script&gt;" in pages[-1]


def test_navigation_follows_role(db_url: str) -> None:
    with app_client(db_url) as (service, client):
        setup_accounts(service)
        login(client, "sub-viewer")
        nav = re.search(r"<nav aria-label=\"Pages\">(.*?)</nav>", client.get("/").text, re.S).group(1)  # type: ignore[union-attr]
        assert "/findings" in nav and "/admin" not in nav
        for name in ("orgs", "screening"):
            assert f'href="/{name}"' in nav and client.get(f"/{name}").status_code == 200
        for name in ("records", "requests"):  # the agency's, not an org's
            assert f'href="/{name}"' not in nav and client.get(f"/{name}").status_code == 403
        login(client, "reviewer")
        nav = re.search(r"<nav aria-label=\"Pages\">(.*?)</nav>", client.get("/").text, re.S).group(1)  # type: ignore[union-attr]
        assert 'href="/records"' in nav and 'href="/requests"' in nav and "/admin" not in nav
        login(client, "admin")
        assert "/admin/users" in client.get("/").text


def test_admin_creates_a_token_and_a_user_through_the_forms(db_url: str) -> None:
    with app_client(db_url) as (service, client):
        setup_accounts(service)
        login(client, "admin")
        csrf = csrf_of(client)
        page = client.post("/admin/tokens", data={"name": "field office 9", "org": "prime/office-9", "csrf": csrf})
        token = re.search(r'id="new-token">([^<]+)<', page.text).group(1)  # type: ignore[union-attr]
        assert push(client, token, bundle("office-9-ws")).status_code == 201
        bad = client.post("/admin/users", data={"username": "x", "password": "short", "role": "viewer", "csrf": csrf})
        assert bad.status_code == 400 and "too short" in bad.text
        token_id = next(t["id"] for t in service.accounts.list_tokens() if t["name"] == "field office 9")
        client.post(f"/admin/tokens/{token_id}/revoke", data={"csrf": csrf})
        assert push(client, token, bundle("office-9-ws", seed="2")).status_code == 401
