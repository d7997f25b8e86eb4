"""Every page in Chromium, checked by axe-core (WCAG 2.1 A and AA rules: zero serious or critical violations), and
the new actions used from the keyboard alone: skip link, paging 5,000 hosts, remediation, the request form.

axe-core comes from npm: .ci/run installs it under .ci/axe/, or this module does at setup when npm is there
(VENDORSCOPE_AXE may name an axe.min.js instead); the tests skip, saying why, when it cannot be had.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from sqlalchemy import insert

from tests.server_support import fast_hashing, live_server, server_service
from tests.test_server_browser import _sign_in, browser  # noqa: F401  (the shared Chromium fixture)
from tests.web_support import build_agency, document_ids, more_of_everything
from vendorscope.store.tables import Host
from vendorscope.web.app import create_app

ROOT = Path(__file__).resolve().parents[1]
AXE_DIR = ROOT / ".ci" / "axe"
AXE_PACKAGE = "axe-core@^4.10"
SERIOUS = ("serious", "critical")
WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def axe_script() -> Path:
    """axe.min.js: named by VENDORSCOPE_AXE, else under .ci/axe/ (installed from npm if missing)."""
    named = os.environ.get("VENDORSCOPE_AXE")
    if named:
        return Path(named)
    script = AXE_DIR / "node_modules" / "axe-core" / "axe.min.js"
    if not script.exists() and shutil.which("npm"):
        subprocess.run(
            ["npm", "install", "--silent", "--no-audit", "--no-fund", "--prefix", str(AXE_DIR), AXE_PACKAGE],
            capture_output=True,
            timeout=300,
            check=False,
        )
    return script


@pytest.fixture(scope="module")
def axe() -> Path:
    script = axe_script()
    if not script.exists():
        pytest.skip(f"axe-core is not installed ({script} missing; .ci/run installs it with npm)")
    return script


@pytest.fixture
def agency(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    service = server_service(f"sqlite:///{tmp_path / 'a11y.db'}")
    with fast_hashing():
        build_agency(service, tmp_path, monkeypatch)
        with service.store.transaction() as conn:
            rows = [{"key": f"lab-{n:04d}", "name": f"lab-{n:04d}", "facts": {}} for n in range(5000)]
            conn.execute(insert(Host), rows)
        more_of_everything(service, tmp_path)  # a page and more of every other list
        with live_server(create_app(service)) as url:
            yield service, url
    service.close()


def _violations(page, axe: Path) -> list[str]:  # type: ignore[no-untyped-def]
    page.add_script_tag(path=str(axe))
    result = page.evaluate("async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
        for v in result["violations"]
        if v["impact"] in SERIOUS
    ]


def test_every_page_passes_axe(agency, browser, axe: Path) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    service, url = agency
    finding = next(f for f in service.findings() if f["host"] == "prime-ws")
    source = finding["evidence"][0]["artifact"]
    document = next(iter(document_ids(service).values()))
    # The pages forbid every script (CSP default-src 'none'); the test's own axe script is let in.
    page = browser.new_page(viewport={"width": 1280, "height": 900}, bypass_csp=True)
    login = page.goto(url + "/login")
    assert login and login.ok
    assert _violations(page, axe) == [], "/login"
    _sign_in(page, url, "admin")
    paths = [
        "/",
        "/findings",
        "/findings?sort=confidence&order=desc",
        f"/findings/{finding['id']}",
        f"/findings/{finding['id']}/source/{source}",
        "/hosts",
        "/hosts?q=lab-&page=3",
        "/trend",
        "/orgs",
        "/orgs?sort=hosts&order=desc&page=2&c_sort=kind",
        "/screening",
        "/screening?q=lab&covered=false&sort=score&page=2",
        "/records?vendor=kaspersky",
        f"/records/{document}",
        "/records/productions",
        "/records/productions?sort=files&page=2",
        "/requests",
        "/requests?q=committee&sort=requester&page=2",
        "/catalog",
        "/catalog/kaspersky/kes-windows",
        "/admin/users",
        "/admin/tokens",
        "/admin/audit",
        "/admin/audit?action=test.&sort=actor&page=2",
    ]
    problems = {}
    for path in paths:
        response = page.goto(url + path)
        assert response and response.ok, path
        found = _violations(page, axe)
        if found:
            problems[path] = found
    assert problems == {}


def test_keyboard_only_skip_link_paging_remediation_and_request(agency, browser, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    service, url = agency
    page = browser.new_page(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    _sign_in(page, url, "admin")
    page.goto(url + "/hosts?q=lab-")
    page.keyboard.press("Tab")  # the first stop is the skip link
    assert page.evaluate("document.activeElement.textContent") == "Skip to the content"
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#main"
    assert page.inner_text("#count").startswith("5000 hosts · showing 1–50")
    page.focus("nav.pager a[rel=next]")
    page.keyboard.press("Enter")
    page.wait_for_url("**/hosts?*page=2*")
    assert "showing 51–100" in page.inner_text("#count") and "q=lab-" in page.url
    page.focus("#hosts th a:has-text('Host')")
    page.keyboard.press("Enter")  # sort by host, descending (the list was ascending)
    page.wait_for_url("**order=desc**")
    assert "lab-4999" in page.inner_text("#hosts tbody tr:first-child")
    # Remediation from the keyboard.
    finding = next(f for f in service.findings() if f["host"] == "prime-ws")
    page.goto(url + f"/findings/{finding['id']}")
    page.focus("#r-status")
    page.keyboard.press("ArrowDown")  # open → removal planned
    page.keyboard.press("Tab")
    page.keyboard.type("Pat Lee")
    page.focus("#r-note")
    page.keyboard.type("ticket 42")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    page.wait_for_selector("#saved")
    assert page.inner_text("#status").startswith("removal planned") and "Pat Lee" in page.inner_text("#remediation")
    # The request form from the keyboard: a mistake is told beside its field, then the YAML downloads.
    page.goto(url + "/requests")
    page.focus("#f-id")
    page.keyboard.type("HSST-2017-001")
    page.keyboard.press("Tab")
    page.keyboard.type("House Committee on Science")
    page.focus("#request-form button[value=download]")
    page.keyboard.press("Enter")
    page.wait_for_selector("#problems")
    assert "received" in page.inner_text("#problems") and page.input_value("#f-id") == "HSST-2017-001"
    page.fill("#f-received", "2017-07-27")
    page.focus("#request-form button[value=download]")
    with page.expect_download() as info:
        page.keyboard.press("Enter")
    saved = tmp_path / "request.yaml"
    info.value.save_as(saved)
    assert "id: HSST-2017-001" in saved.read_text() and "received: 2017-07-27" in saved.read_text()
    page.screenshot(path=str(tmp_path / "requests.png"), full_page=True)


def test_keyboard_only_paging_of_the_other_lists(agency, browser) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    """The org tree, the registry, the audit log, the packages and the volumes: search, sort and page by keyboard."""
    _service, url = agency
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    _sign_in(page, url, "admin")
    page.goto(url + "/orgs")
    page.focus("form[role=search] input[name=q]")
    page.keyboard.type("lab-")
    page.keyboard.press("Enter")
    page.wait_for_url("**/orgs?*q=lab-*")
    assert page.inner_text("#count").startswith("60 organizations · showing 1–50")
    page.focus("#org-tree th a:has-text('Organization')")
    page.keyboard.press("Enter")
    page.wait_for_url("**sort=name**")
    page.focus("nav.pager a[rel=next]")
    page.keyboard.press("Enter")
    page.wait_for_url("**page=2**")
    assert "showing 51–60" in page.inner_text("#count") and "q=lab" in page.url and "sort=name" in page.url
    assert page.inner_text("#org-tree tbody tr:first-child td:first-child").endswith("Lab 50")
    for path, table, count in (
        ("/screening?q=lab-", "#registry", "60 organizations"),
        ("/admin/audit?action=test.", "#audit", "60 events"),
        ("/requests", "#packages", "60 packages"),
        ("/records/productions", "#productions", "60 volumes"),
    ):
        page.goto(url + path)
        assert page.inner_text("#count").startswith(f"{count} · showing 1–50"), path
        page.focus("nav.pager a[rel=next]")
        page.keyboard.press("Enter")
        page.wait_for_url("**page=2**")
        assert "showing 51–60" in page.inner_text("#count") and page.locator(f"{table} tbody tr").count() == 10, path
