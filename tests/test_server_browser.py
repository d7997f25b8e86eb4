"""The pages in a real browser (Playwright driving Debian's Chromium): sign in, read, filter, hostile text.

Screenshots are kept under the test's tmp dir (pytest keeps the last runs' dirs) as artifacts.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.server_support import KES, PASSWORD, bundle, fast_hashing, live_server, server_service, setup_accounts
from vendorscope.web.app import create_app

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-dev-shm-usage",
]
HOSTILE = "<script>alert('x')</script>"

sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright for Python is not installed")
if not Path(CHROMIUM).exists() and not shutil.which("chromium"):
    pytest.skip("Chromium is not installed (apt-get install -y chromium; .ci/run does it)", allow_module_level=True)


@pytest.fixture
def site(tmp_path: Path):  # type: ignore[no-untyped-def]
    service = server_service(f"sqlite:///{tmp_path / 'browser.db'}")
    with fast_hashing():
        tokens = setup_accounts(service)
        agents = {org: service.accounts.token_principal(t) for org, t in (("prime", tokens.prime), ("", tokens.root))}
        evil = {"name": f"Kaspersky Free {HOSTILE}", "publisher": "AO Kaspersky Lab", "source": "programs"}
        service.agents.push(agents["prime"], "a", bundle("prime-ws-1", KES))  # type: ignore[arg-type]
        service.agents.push(agents["prime"], "b", bundle("prime-ws-2"))  # type: ignore[arg-type]
        service.agents.push(agents[""], "c", bundle("hq-ws-1", evil))  # type: ignore[arg-type]
        with live_server(create_app(service)) as url:
            yield url
    service.close()


@pytest.fixture
def browser():  # type: ignore[no-untyped-def]
    with sync_api.sync_playwright() as p:
        chromium = p.chromium.launch(
            executable_path=shutil.which("chromium") or CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


def _sign_in(page, url: str, user: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{url}/findings")
    assert "/login" in page.url
    page.fill("input[name=username]", user)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{url}/findings")


def test_sign_in_read_and_filter(site: str, browser, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    shots = tmp_path / "screenshots"
    shots.mkdir()
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    _sign_in(page, site, "admin")
    page.goto(site + "/")
    assert page.inner_text("#hosts-known") == "3" and page.inner_text("#hosts-examined") == "3"
    assert page.locator("svg.chart").count() >= 2
    page.screenshot(path=str(shots / "dashboard.png"), full_page=True)
    page.goto(site + "/findings")
    page.fill("input[name=host]", "prime")
    page.click("form.filters button[type=submit]")
    page.wait_for_url("**/findings?*host=prime*")
    assert page.inner_text("#count").startswith("1 finding ·")
    page.screenshot(path=str(shots / "findings-filtered.png"), full_page=True)
    page.click("#findings tbody a")
    assert "AO Kaspersky Lab" in page.inner_text("#evidence")
    # Hostile text: shown as text, never run.
    page.goto(site + "/findings?host=hq")
    page.click("#findings tbody a")
    assert HOSTILE in page.inner_text("#evidence")
    assert page.locator("script").count() == 0 and dialogs == []
    page.screenshot(path=str(shots / "hostile-escaped.png"), full_page=True)
    assert all((shots / n).stat().st_size > 1000 for n in ("dashboard.png", "findings-filtered.png"))


def test_contractor_sees_its_subtree_on_a_phone(site: str, browser, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    page = browser.new_page(viewport={"width": 390, "height": 844}, is_mobile=True)
    _sign_in(page, site, "prime-analyst")
    assert page.inner_text("#count").startswith("1 finding ·")
    page.goto(site + "/hosts")
    hosts = page.inner_text("#hosts")
    assert "prime-ws-1" in hosts and "prime-ws-2" in hosts and "hq-ws-1" not in hosts
    page.goto(site + "/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # no sideways scrolling of the page
    page.screenshot(path=str(tmp_path / "phone-dashboard.png"), full_page=True)
