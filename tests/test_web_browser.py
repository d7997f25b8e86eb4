"""The org tree, records review and request packages in a real browser (Playwright driving Debian's Chromium):
review a document with the keyboard, build and download a package, hostile text shown escaped.

Reuses the browser fixture of test_server_browser.py; screenshots are kept under the test's tmp dir.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from tests.server_support import fast_hashing, live_server, server_service
from tests.test_server_browser import _sign_in, browser  # noqa: F401  (the shared Chromium fixture)
from tests.web_support import HOSTILE, REQUEST, Agency, build_agency
from vendorscope.web.app import create_app


@pytest.fixture
def agency_site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    service = server_service(f"sqlite:///{tmp_path / 'web.db'}")
    with fast_hashing():
        build_agency(service, tmp_path, monkeypatch)
        with live_server(create_app(service)) as url:
            yield url
    service.close()


def _page(browser, dialogs: list[str]):  # type: ignore[no-untyped-def]  # noqa: F811
    page = browser.new_page(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    return page


def test_review_a_document_then_build_and_download_a_package(agency_site: str, browser, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    dialogs: list[str] = []
    page = _page(browser, dialogs)
    _sign_in(page, agency_site, "admin")
    page.goto(agency_site + "/records")
    page.fill("input[name=q]", "kaspersky")
    page.keyboard.press("Enter")  # the search form submits from the keyboard
    page.wait_for_url("**/records?*q=kaspersky*")
    page.click(f"#results a:has-text('{Agency.email_subject}')")
    # Hostile text in the email body: shown as text, never run.
    assert HOSTILE in page.inner_text("#text")
    assert page.locator("script").count() == 0 and dialogs == []
    page.screenshot(path=str(tmp_path / "record.png"), full_page=True)
    page.focus("#review button[value=responsive]")
    page.keyboard.press("Enter")
    page.wait_for_url("**/records/*?tagged=responsive")
    assert "responsive" in page.inner_text("#current-tag") and "admin" in page.inner_text("#history")
    page.goto(agency_site + "/requests")
    page.set_input_files(
        "input[name=request]", {"name": "hsst.yaml", "mimeType": "text/yaml", "buffer": REQUEST.encode()}
    )
    page.click("form[action='/requests'] button[type=submit]")
    page.wait_for_selector("#built")
    with page.expect_download() as info:
        page.click("#built a")
    saved = tmp_path / "package.zip"
    info.value.save_as(saved)
    names = set(zipfile.ZipFile(saved).namelist())
    assert {"manifest.json", "systems.csv"} <= names
    page.screenshot(path=str(tmp_path / "requests.png"), full_page=True)
    assert all((tmp_path / n).stat().st_size > 1000 for n in ("record.png", "requests.png"))


def test_hostile_org_name_is_shown_escaped(agency_site: str, browser, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    dialogs: list[str] = []
    page = _page(browser, dialogs)
    _sign_in(page, agency_site, "admin")
    page.goto(agency_site + "/orgs")
    assert f"Evil {HOSTILE} Corp" in page.inner_text("#org-tree")
    assert f"Evil {HOSTILE} Corp" in page.inner_text("#contractors")
    assert page.locator("script").count() == 0 and dialogs == []
    page.screenshot(path=str(tmp_path / "orgs.png"), full_page=True)
    assert (tmp_path / "orgs.png").stat().st_size > 1000
