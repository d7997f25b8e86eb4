"""The org tree, screening, records review and request packages pages: scope, roles, CSRF, audit, escaping —
on SQLite and PostgreSQL."""

from __future__ import annotations

import io
import re
import zipfile
from html import unescape
from pathlib import Path

import pytest

from tests.server_support import app_client, csrf_of, login
from tests.web_support import HOSTILE, REQUEST, build_agency, document_ids
from vendorscope.server import audit


@pytest.fixture
def site(db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    with app_client(db_url) as (service, client):
        build_agency(service, tmp_path, monkeypatch)
        yield service, client


def _rows(html: str, table: str) -> list[str]:
    body = re.search(rf'<table id="{table}">(.*?)</table>', html, re.S)
    assert body, f"no table {table}"
    return re.findall(r"<tr>(.*?)</tr>", body.group(1), re.S)[1:]


def test_org_tree_is_scoped_and_escaped(site) -> None:  # type: ignore[no-untyped-def]
    _service, client = site
    login(client, "admin")
    html = client.get("/orgs").text
    ids = [re.search(r'data-org="(.*?)"', r).group(1) for r in _rows(html, "org-tree")]  # type: ignore[union-attr]
    assert set(ids) == {"dhs", "dhs-cio", "prime", "sub", "sub2", "evil"}
    assert HOSTILE not in html and "Evil &lt;script&gt;" in html
    prime = next(r for r in _rows(html, "org-tree") if 'data-org="prime"' in r)
    assert re.findall(r"<td[^>]*>(\d+)</td>", prime)[:3] == ["2", "2", "2"]  # prime-ws and sub-ws, both with KES
    chains = [re.sub(r"<.*?>", "", r).split("\n")[0] for r in _rows(html, "contractors")]
    assert any("Acme Federal Systems LLC › Kapersky Lab Inc" in c for c in chains)
    login(client, "prime-analyst")
    rows = _rows(client.get("/orgs").text, "org-tree")
    assert sorted(re.search(r'data-org="(.*?)"', r).group(1) for r in rows) == ["prime", "sub", "sub2"]  # type: ignore[union-attr]
    login(client, "sub-viewer")
    html = client.get("/orgs").text
    assert [re.search(r'data-org="(.*?)"', r).group(1) for r in _rows(html, "org-tree")] == ["sub"]  # type: ignore[union-attr]
    assert "Evil" not in html and "sub2" not in html


def test_screening_shows_the_registry_and_screens_names(site) -> None:  # type: ignore[no-untyped-def]
    _service, client = site
    login(client, "sub-viewer")
    html = client.get("/screening").text
    registry = _rows(html, "registry")
    assert len(registry) == 1 and 'data-org="sub"' in registry[0]
    assert client.post("/screening", data={"names": "Huawei"}).status_code == 403  # no CSRF token
    html = client.post(
        "/screening", data={"names": f"Huawei Technologies Co., Ltd.\nTacos Inc\n{HOSTILE}", "csrf": csrf_of(client)}
    ).text
    screened = _rows(html, "screened")
    assert len(screened) == 3 and "covered" in screened[0] and ">no<" in screened[1]
    assert HOSTILE not in html


def test_records_search_view_and_review(site) -> None:  # type: ignore[no-untyped-def]
    service, client = site
    ids = document_ids(service)
    helpdesk, legal = ids["Kaspersky on the help desk"], ids["Counsel on Kaspersky"]
    login(client, "prime-analyst")
    assert client.get("/records").status_code == 403  # records are the agency's, not an org's
    assert 'href="/records"' not in client.get("/").text
    login(client, "viewer")
    html = client.get("/records", params={"vendor": "kaspersky"}).text
    assert len(_rows(html, "results")) == 2 and "Lunch" not in html
    assert len(_rows(client.get("/records", params={"q": "tacos"}).text, "results")) == 1
    assert _rows(client.get("/records", params={"q": "kaspersky", "until": "2010-01-01"}).text, "results") == [
        '<td colspan="6">No document matches.</td>'
    ]
    assert client.get("/records", params={"q": "x", "since": "yesterday"}).status_code == 400
    page = client.get(f"/records/{helpdesk}").text
    assert "Kaspersky Endpoint Security is on ws-7" in page and HOSTILE not in page and 'id="review"' not in page
    assert (
        client.post(f"/records/{helpdesk}/review", data={"tag": "responsive", "csrf": csrf_of(client)}).status_code
        == 403
    )
    login(client, "reviewer")
    csrf = csrf_of(client)
    assert client.post(f"/records/{helpdesk}/review", data={"tag": "responsive"}).status_code == 403  # no CSRF
    done = client.post(f"/records/{helpdesk}/review", data={"tag": "responsive", "csrf": csrf}, follow_redirects=False)
    assert done.status_code == 303
    assert "<b>responsive</b>" in client.get(done.headers["location"]).text
    refused = client.post(f"/records/{legal}/review", data={"tag": "privileged", "csrf": csrf})
    assert refused.status_code == 400 and "needs a basis" in refused.text
    client.post(f"/records/{legal}/review", data={"tag": "privileged", "basis": "attorney-client", "csrf": csrf})
    assert "Counsel on Kaspersky" in client.get("/records", params={"vendor": "kaspersky"}).text
    events = audit.events(service.store, action="review.")
    assert [(e["actor"], e["detail"]["tag"]) for e in events] == [
        ("reviewer", "privileged"),
        ("reviewer", "responsive"),
    ]
    login(client, "viewer")  # privileged documents: reviewers and admins only
    html = client.get("/records", params={"vendor": "kaspersky"}).text
    assert "Counsel on Kaspersky" not in html and len(_rows(html, "results")) == 1
    assert client.get(f"/records/{legal}").status_code == 404


def test_requests_build_and_download_a_package(site, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    service, client = site
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1501545600")
    login(client, "prime-analyst")
    assert client.get("/requests").status_code == 403  # a package answers for the whole agency
    login(client, "viewer")
    assert client.get("/requests").status_code == 403  # exports need the export permission
    login(client, "admin")
    csrf = csrf_of(client)
    bad = client.post(
        "/requests",
        data={"csrf": csrf},
        files={"request": ("hsst.yaml", REQUEST.replace("kaspersky", "acme"), "text/yaml")},
    )
    assert bad.status_code == 400
    [error] = re.findall(r'<p class="error" role="alert" id="error">(.*?)</p>', bad.text)
    line = next(n for n, text in enumerate(REQUEST.splitlines(), 1) if text.startswith("vendor:"))
    assert (
        unescape(error).startswith(f"hsst.yaml:{line}: vendor: no catalog for vendor 'acme'")
        and str(service.server_dir) not in bad.text
    )
    built = client.post("/requests", data={"csrf": csrf}, files={"request": ("hsst.yaml", REQUEST, "text/yaml")})
    assert built.status_code == 200, built.text
    [link] = re.findall(r'href="(/requests/[^"]+/download)"', _rows(built.text, "packages")[0])
    assert len(_rows(built.text, "packages")) == 1
    download = client.get(link)
    assert download.status_code == 200 and download.headers["content-type"] == "application/zip"
    names = zipfile.ZipFile(io.BytesIO(download.content)).namelist()
    assert {"manifest.json", "systems.csv", "contractors.csv"} <= set(names)
    systems = zipfile.ZipFile(io.BytesIO(download.content)).read("systems.csv").decode()
    assert all(h in systems for h in ("prime-ws", "sub-ws", "hq-ws"))
    assert [e["action"] for e in audit.events(service.store, action="export.package")] == ["export.package"]
    assert client.get("/requests/..%2F..%2Fetc/download").status_code == 404
    assert client.get("/requests/nothing-here/download").status_code == 404


def test_admin_forms_offer_and_require_registry_ids(site) -> None:  # type: ignore[no-untyped-def]
    service, client = site
    login(client, "admin")
    assert '<option value="sub2">Beta Widgets Inc</option>' in client.get("/admin/tokens").text
    csrf = csrf_of(client)
    refused = client.post("/admin/tokens", data={"name": "x", "org": "prime/sub2", "csrf": csrf})
    assert refused.status_code == 400 and "not an id of the org registry" in refused.text
    assert client.post("/admin/tokens", data={"name": "sub2 office", "org": "sub2", "csrf": csrf}).status_code == 200
    assert [t["org"] for t in service.accounts.list_tokens() if t["name"] == "sub2 office"] == ["sub2"]
    refused = client.post(
        "/admin/users", data={"username": "y", "password": "x" * 12, "role": "viewer", "org": "nope", "csrf": csrf}
    )
    assert refused.status_code == 400 and "not an id of the org registry" in refused.text
