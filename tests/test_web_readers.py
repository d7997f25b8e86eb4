"""The web app analysts work in: paging and sorting with counts, names instead of ids, a finding page in
words with its source's custody record, remediation from the page (CSRF, role, org scope, audit), the
request form, the trend — on SQLite and PostgreSQL."""

from __future__ import annotations

import re
from html import unescape
from pathlib import Path

import pytest
import yaml
from sqlalchemy import insert

from tests.server_support import app_client, csrf_of, login
from tests.web_support import build_agency, more_of_everything
from vendorscope.respond.request import Request
from vendorscope.server import audit
from vendorscope.store.tables import Host


@pytest.fixture
def site(db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    with app_client(db_url) as (service, client):
        build_agency(service, tmp_path, monkeypatch)
        yield service, client


def _rows(html: str, table: str) -> list[str]:
    body = re.search(rf'<table id="{table}"[^>]*>(.*?)</table>', html, re.S)
    assert body, f"no table {table}"
    return re.findall(r"<tr>(.*?)</tr>", re.sub(r"<thead>.*?</thead>", "", body.group(1), flags=re.S), re.S)


def _text(html: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def _finding_on(service, host: str) -> int:  # type: ignore[no-untyped-def]
    return next(f["id"] for f in service.findings() if f["host"] == host)


def test_lists_page_and_sort_on_the_server_and_keep_their_filters(site) -> None:  # type: ignore[no-untyped-def]
    service, client = site
    with service.store.transaction() as conn:
        conn.execute(insert(Host), [{"key": f"lab-{n:04d}", "name": f"lab-{n:04d}", "facts": {}} for n in range(5000)])
    login(client, "admin")
    html = client.get("/hosts", params={"q": "lab-", "per": 100}).text
    assert "5000 hosts · showing 1–100" in _text(html) and len(_rows(html, "hosts")) == 100
    [last] = re.findall(r'<a href="([^"]+)">Last</a>', html)
    assert "q=lab-" in unescape(last) and "page=50" in unescape(last) and "per=100" in unescape(last)
    html = client.get("/hosts", params={"q": "lab-", "per": 100, "page": 50}).text
    assert "showing 4901–5000" in _text(html) and "lab-4999" in html and "lab-0000" not in html
    html = client.get("/hosts", params={"q": "lab-", "sort": "host", "order": "desc"}).text
    assert _rows(html, "hosts")[0].count("lab-4999") == 1 and 'aria-sort="descending"' in html
    html = client.get("/hosts", params={"coverage": "not examined", "page": 2}).text
    assert "coverage=not+examined" in html  # the filter survives the paging links
    # Names, with ids on hover: the org's registry name, the product's name.
    html = client.get("/hosts", params={"with_findings": "true"}).text
    assert "Acme Federal Systems LLC" in html and 'title="org id: prime"' in html
    assert "Kaspersky Endpoint Security for Windows" in html and ">kaspersky:kes-windows<" not in html
    html = client.get("/findings", params={"sort": "org"}).text
    assert len(_rows(html, "findings")) == 3 and "3 findings · showing 1–3" in _text(html)
    assert "Kaspersky Endpoint Security for Windows" in html


def _first_cells(html: str, table: str) -> list[str]:
    return [_text(re.search(r"<td[^>]*>(.*?)</td>", r, re.S).group(1)) for r in _rows(html, table)]  # type: ignore[union-attr]


def test_every_list_pages_sorts_and_keeps_its_filters(site, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    service, client = site
    more_of_everything(service, tmp_path)
    login(client, "admin")
    # The org tree: tree order by default (indented), by a column on demand; search and kind kept in the links.
    html = client.get("/orgs").text
    assert "66 organizations · showing 1–50" in _text(html) and len(_rows(html, "org-tree")) == 50
    assert _first_cells(html, "org-tree")[:2] == [
        "Department of Homeland Security",
        "Office of the Chief Information Officer",
    ]
    html = client.get("/orgs", params={"q": "lab", "kind": "office", "sort": "name", "order": "desc", "page": 2}).text
    assert "60 organizations · showing 51–60" in _text(html) and len(_rows(html, "org-tree")) == 10
    assert _first_cells(html, "org-tree")[0].endswith("Lab 09") and 'title="org id: lab-09"' in html
    [first] = re.findall(r'<a href="([^"]+)">First</a>', html)
    assert {"q=lab", "kind=office", "sort=name", "order=desc"} <= set(unescape(first).split("?")[1].split("&"))
    # The contractors' list pages on its own parameters, the org tree's page kept.
    html = client.get("/orgs", params={"page": 2, "c_sort": "chain", "c_order": "desc"}).text
    assert "showing 51–66" in _text(html) and 'id="contractor-count"' in html
    chains = _first_cells(html, "contractors")
    assert len(chains) == 4 and chains == sorted(chains, key=str.casefold, reverse=True) and "Evil" in chains[0]
    # Screening: the registry, covered first, paged; "covered only" and the search survive paging.
    html = client.get("/screening").text
    assert "66 organizations · showing 1–50" in _text(html) and "covered" in _rows(html, "registry")[0]
    html = client.get("/screening", params={"q": "lab-", "sort": "name", "page": 2}).text
    assert "60 organizations · showing 51–60" in _text(html) and _first_cells(html, "registry")[0] == "Lab 50"
    assert "q=lab-" in unescape(re.findall(r'<a href="([^"]+)">First</a>', html)[0])
    html = client.get("/screening", params={"covered": "true"}).text
    assert all("covered" in r for r in _rows(html, "registry"))
    # The audit log: paged by its query, newest first, filters by action and by who.
    html = client.get("/admin/audit", params={"action": "test.", "per": 25}).text
    assert "60 events · showing 1–25" in _text(html) and "target-59" in _rows(html, "audit")[0]
    html = client.get("/admin/audit", params={"action": "test.", "actor": "robot-1", "sort": "target", "page": 2}).text
    assert "30 events · showing 1–30" in _text(html)  # one page: page 2 asked, the last one shown
    assert all("robot-1" in r for r in _rows(html, "audit")) and "target-01" in _rows(html, "audit")[0]
    html = client.get("/admin/audit", params={"action": "test.", "sort": "target", "order": "asc", "page": 2}).text
    assert "showing 51–60" in _text(html) and "target-50" in _rows(html, "audit")[0]
    assert "action=test." in unescape(re.findall(r'<a href="([^"]+)">First</a>', html)[0])
    # Request packages: newest first, the vendor's name (its id on hover), the search kept.
    html = client.get("/requests").text
    assert "60 packages · showing 1–50" in _text(html) and _first_cells(html, "packages")[0] == "REQ-59"
    assert '<td title="kaspersky">Kaspersky</td>' in _rows(html, "packages")[0]
    html = client.get("/requests", params={"q": "senate", "sort": "request", "page": 1}).text
    assert "30 packages" in _text(html) and _first_cells(html, "packages")[0] == "REQ-00"
    # Production volumes: newest first, sortable, the search kept.
    html = client.get("/records/productions").text
    assert "60 volumes · showing 1–50" in _text(html) and len(_rows(html, "productions")) == 50
    made = [re.findall(r"<td>(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d)</td>", r)[0] for r in _rows(html, "productions")]
    assert made == sorted(made, reverse=True)
    html = client.get("/records/productions", params={"q": "T000059", "page": 3}).text
    assert "1 volume · showing 1–1" in _text(html) and _first_cells(html, "productions") == ["VS-20261104T000059Z"]


def test_a_finding_reads_in_words_and_links_to_its_custody_record(site) -> None:  # type: ignore[no-untyped-def]
    service, client = site
    login(client, "viewer")
    fid = _finding_on(service, "prime-ws")
    html = client.get(f"/findings/{fid}").text
    why = _text(re.search(r'<p class="explanation" id="why">(.*?)</p>', html, re.S).group(1))  # type: ignore[union-attr]
    assert 'publisher is "AO Kaspersky Lab"' in why and "weight" not in why and "\\b" not in why
    [link] = set(re.findall(rf'href="(/findings/{fid}/source/[0-9a-f]{{64}})"', html))  # one file, several clues
    custody = client.get(link).text
    assert "SHA-256" in custody and link.rsplit("/", 1)[1] in custody and "Ingested" in custody
    other = _finding_on(service, "hq-ws")
    assert client.get(f"/findings/{other}/source/{link.rsplit('/', 1)[1]}").status_code == 404
    login(client, "prime-analyst")
    assert client.get(f"/findings/{other}").status_code == 404  # outside the org subtree


def test_remediation_from_the_page_is_checked_and_audited(site) -> None:  # type: ignore[no-untyped-def]
    service, client = site
    inside, outside = _finding_on(service, "prime-ws"), _finding_on(service, "hq-ws")
    change = {"status": "removal planned", "owner": "Pat Lee", "due": "2030-01-31", "note": "ticket 42"}
    login(client, "prime-analyst")
    assert client.post(f"/findings/{inside}/remediation", data=change).status_code == 403  # no CSRF token
    token = csrf_of(client)
    refused = client.post(f"/findings/{outside}/remediation", data=change | {"csrf": token})
    assert refused.status_code == 404  # another org's finding: as if it did not exist
    assert service.finding_history(outside) == []
    done = client.post(f"/findings/{inside}/remediation", data=change | {"csrf": token}, follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"].startswith(f"/findings/{inside}?saved=")
    page = client.get(done.headers["location"]).text
    assert "removal planned" in _text(page.split('id="status"')[1][:200]) and "Pat Lee" in page and "ticket 42" in page
    work = service.finding_work(inside)
    assert work and work["owner"] == "Pat Lee" and work["due"] == "2030-01-31"
    [event] = audit.events(service.store, action="remediation.set")
    assert event["actor"] == "prime-analyst" and event["target"] == f"finding:{inside}"
    bad = client.post(f"/findings/{inside}/remediation", data={"due": "31/01/2030", "csrf": token})
    assert bad.status_code == 400
    login(client, "viewer")  # may read, may not change
    assert client.post(f"/findings/{inside}/remediation", data=change | {"csrf": csrf_of(client)}).status_code == 403


def test_the_request_form_reports_everything_then_writes_the_request(site, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    service, client = site
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1501545600")
    login(client, "admin")
    token = csrf_of(client)
    bad = client.post("/requests/new", data={"csrf": token, "id": "../x", "received": "27/07/2017", "vendor": "acme"})
    assert bad.status_code == 400
    problems = _text(re.search(r'id="problems">(.*?)</div>', bad.text, re.S).group(1))  # type: ignore[union-attr]
    for expected in ("id: use letters", "requester: missing", "received: not a date", "vendor: no catalog", "items"):
        assert expected in problems, problems
    assert "Value error" not in bad.text and "Input should" not in bad.text
    good = {
        "csrf": token,
        "id": "HSST-2017-001",
        "requester": "House Committee on Science, Space, and Technology",
        "received": "2017-07-27",
        "due": "2017-08-10",
        "vendor": "kaspersky",
        "item_systems": "1",
        "item_documents": "1",
        "since": "2013-01-01",
    }
    download = client.post("/requests/new", data=good | {"action": "download"})
    assert download.status_code == 200 and "HSST-2017-001.yaml" in download.headers["content-disposition"]
    request = Request.model_validate(yaml.safe_load(download.text))
    assert request.items == ("systems", "documents") and str(request.documents.since) == "2013-01-01"  # type: ignore[union-attr]
    built = client.post("/requests/new", data=good | {"action": "build"})
    assert built.status_code == 200 and 'id="built"' in built.text
    assert [e["action"] for e in audit.events(service.store, action="request.build")] == ["request.build"]


def test_trend_per_collection_day(site) -> None:  # type: ignore[no-untyped-def]
    _service, client = site
    login(client, "admin")
    rows = _rows(client.get("/trend").text, "trend")
    cells = [re.findall(r"<td[^>]*>(.*?)</td>", r) for r in rows]
    assert cells and all(re.fullmatch(r"\d{4}-\d\d-\d\d", c[0]) for c in cells)
    assert cells[-1][1] == "3" and cells[-1][4] == "3"  # three hosts with KES, three examined
    login(client, "sub-viewer")
    cells = [re.findall(r"<td[^>]*>(.*?)</td>", r) for r in _rows(client.get("/trend").text, "trend")]
    assert cells[-1][1] == "1"  # only its own subtree


def test_produce_documents_from_the_web(site) -> None:  # type: ignore[no-untyped-def]
    import io
    import zipfile

    from tests.web_support import document_ids

    service, client = site
    helpdesk = document_ids(service)["Kaspersky on the help desk"]
    login(client, "reviewer")
    token = csrf_of(client)
    client.post(f"/records/{helpdesk}/review", data={"csrf": token, "tag": "responsive"})
    assert client.post("/records/produce", data={"prefix": "VS"}).status_code == 403  # no CSRF token
    assert client.post("/records/produce", data={"prefix": "../x", "csrf": token}).status_code == 400
    made = client.post("/records/produce", data={"prefix": "VS", "csrf": token})
    assert made.status_code == 200 and 'id="made"' in made.text
    assert re.search(r"Produced 1 documents\s+\(VS0+1–VS0+1\)", made.text)
    link = re.findall(r'href="(/records/productions/[^"]+\.zip)"', made.text.split('id="made"')[1])[0]
    login(client, "admin")
    archive = client.get(link)
    assert archive.status_code == 200 and any(
        n.endswith(".dat") or "DAT" in n.upper() for n in zipfile.ZipFile(io.BytesIO(archive.content)).namelist()
    )
    assert [e["action"] for e in audit.events(service.store, action="records.produce")] == ["records.produce"]
    login(client, "viewer")
    assert client.post("/records/produce", data={"prefix": "VS", "csrf": csrf_of(client)}).status_code == 403
    assert client.get("/records/productions/../../etc.zip").status_code == 404
