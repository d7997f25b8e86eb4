"""Cases the matcher must get right on the shipped Kaspersky catalog: localized and legacy forms,
renamed binaries, and the look-alikes that must never be attributed."""

from __future__ import annotations

import pytest

from vendorscope.catalog.loader import load_catalogs
from vendorscope.match.matcher import DECISIVE, REPORT_THRESHOLD, Matcher
from vendorscope.sources.base import Item

MATCHER = Matcher(load_catalogs())


def verdict(**fields: str) -> tuple[str, float] | None:
    results = [r for r in MATCHER.match(Item(**fields)) if r.confidence >= REPORT_THRESHOLD]
    return (results[0].product, results[0].confidence) if results else None


MUST_MATCH = [
    # (fields, expected product)
    (
        dict(name="Kaspersky Endpoint Security for Windows", publisher="AO Kaspersky Lab", source="programs"),
        "kes-windows",
    ),
    (
        dict(name="Kaspersky Endpoint Security для Windows", publisher="АО Лаборатория Касперского", source="programs"),
        "kes-windows",
    ),
    (dict(name="Kaspersky Anti-Virus 2013", publisher="Kaspersky Lab ZAO", source="programs"), "kav"),
    (dict(name="Kaspersky Internet Security 2016", publisher="Kaspersky Lab", source="programs"), "kis"),
    (dict(name="Kaspersky Total Security", publisher="AO Kaspersky Lab", source="programs"), "kts"),
    (dict(name="Kaspersky Security Center Network Agent", publisher="Kaspersky Lab", source="programs"), "ksc-agent"),
    (
        dict(
            name="Агент администрирования Kaspersky Security Center",
            publisher="АО «Лаборатория Касперского»",
            source="programs",
        ),
        "ksc-agent",
    ),
    (dict(name="Kaspersky Password Manager", publisher="Kaspersky", source="programs"), "password-manager"),
    (
        dict(
            name="Kaspersky Endpoint Security for Mac",
            source="apps",
            identifier="com.kaspersky.kes",
            team_id="2Y8XE5CQ94",
        ),
        "kes-mac",
    ),
    (
        dict(name="kesl", version="11.3.0", source="deb_packages", publisher="Kaspersky Lab <support@kaspersky.com>"),
        "kes-linux",
    ),
    (dict(name="klnagent64", version="14.0", source="rpm_packages", publisher="Kaspersky Lab"), "ksc-agent"),
    (dict(name="Kaspersky: VPN & Antivirus", source="android_packages", identifier="com.kms.free"), "android-security"),
    (
        dict(
            name="setup_2019.exe",
            source="files",
            signer="CN=AO Kaspersky Lab, O=AO Kaspersky Lab, L=Moscow, C=RU",
            sha256="ab" * 32,
        ),
        "unidentified",
    ),
    (dict(name="klif.sys", source="drivers", path=r"C:\Windows\system32\DRIVERS\klif.sys"), None),  # any product
    (
        dict(
            name="klnagent.exe",
            source="processes",
            path=r"C:\Program Files (x86)\Kaspersky Lab\NetworkAgent\klnagent.exe",
        ),
        "ksc-agent",
    ),
]

MUST_NOT_MATCH = [
    dict(name="Casper Backup", publisher="Casper Sleep Inc.", source="programs"),
    dict(name="Kasper Timetracker", publisher="Kasper Jensen", source="programs"),
    dict(name="Kasperski Photo Tools", publisher="Jan Kasperski", source="programs"),
    dict(name="KAV Soft Video Converter", publisher="KAV Soft", source="programs"),
    dict(name="KES Systems Fleet Client", publisher="KES Systems LLC", source="programs"),
    dict(name="klist.exe", source="processes", path=r"C:\Windows\System32\klist.exe"),
    dict(name="avgui.exe", source="processes", path=r"C:\Program Files\AVG\Antivirus\avgui.exe"),
    dict(name="AVG AntiVirus Free", publisher="AVG Technologies", source="programs"),
    dict(name="Kaspersky Fan Wallpapers", source="android_packages", identifier="com.kasperskyfan.wallpapers"),
    dict(name="Dr.Web Security Space", publisher="Doctor Web, Ltd.", source="programs"),
    dict(name="update.exe", source="files", signer="CN=Kaspersky Fans Club, O=Kaspersky Fans Club"),
    dict(name="7-Zip 23.01 (x64)", publisher="Igor Pavlov", source="programs"),
    # a weak indicator alone never decides: a process named avp.exe anywhere
    dict(name="avp.exe", source="processes", path=r"C:\Users\bob\Downloads\avp.exe"),
]


@pytest.mark.parametrize(("fields", "product"), MUST_MATCH, ids=[c[0]["name"] for c in MUST_MATCH])
def test_must_match(fields: dict[str, str], product: str | None) -> None:
    result = verdict(**fields)
    assert result is not None, f"not attributed: {fields}"
    if product is not None:
        assert result[0] == product
    assert result[1] >= REPORT_THRESHOLD


@pytest.mark.parametrize("fields", MUST_NOT_MATCH, ids=[c["name"] for c in MUST_NOT_MATCH])
def test_must_not_match(fields: dict[str, str]) -> None:
    assert verdict(**fields) is None


def test_explanation_names_indicator_field_and_rule() -> None:
    [result] = MATCHER.match(Item(name="Kaspersky Anti-Virus 2013", publisher="Kaspersky Lab ZAO", source="programs"))
    fields = {e["field"] for e in result.evidence}
    assert {"publisher", "name"} <= fields
    for evidence in result.evidence:
        assert {"source", "field", "value", "rule", "reference", "strength"} <= evidence.keys()
    assert "Kaspersky Lab ZAO" in result.explanation and "confidence" in result.explanation


def test_weak_hits_alone_do_not_decide() -> None:
    weak = [i for i in MATCHER.indexes[0].catalog.all_indicators() if i.effective_weight < DECISIVE]
    assert weak, "the catalog should carry weak indicators"
    for indicator in weak:
        if indicator.kind.value in ("executable", "port", "domain"):
            continue
        assert indicator.effective_weight < DECISIVE


def test_name_only_with_foreign_publisher_is_halved() -> None:
    [result] = MATCHER.match(Item(name="Kaspersky Removal Helper", publisher="Totally Other Corp", source="programs"))
    assert result.confidence < REPORT_THRESHOLD
    assert "publisher" in result.explanation


def test_namespace_matches_whole_segments_only() -> None:
    assert verdict(name="x", source="apps", identifier="com.kaspersky.kav.sysext") is not None
    assert verdict(name="x", source="apps", identifier="com.kasperskyfan.kav") is None


def test_kaspersky_catalog_gaps_closed() -> None:
    """Drivers from Kaspersky's removal steps and public driver lists; the password manager's id on Android;
    UltraAV (Pango Group), which replaced Kaspersky on US home machines in 2024, is not Kaspersky."""
    from vendorscope.catalog.loader import load_catalogs
    from vendorscope.match.matcher import Matcher
    from vendorscope.sources.base import Item

    matcher = Matcher(load_catalogs())

    def verdict(item: Item) -> tuple[str, str] | None:
        found = [(a.vendor, a.product) for a in matcher.match(item) if a.confidence >= 0.5]
        return found[0] if found else None

    for driver in ("kneps.sys", "kltdi.sys", "klwfp.sys", "klelam.sys", "klim5.sys", "kl2.sys", "klfltdev.sys"):
        assert verdict(Item(name=driver, path=rf"C:\Windows\System32\drivers\{driver}", source="drivers")) == (
            "kaspersky",
            "unidentified",
        ), driver
    android = Item(name="KPM", identifier="com.kaspersky.passwordmanager", source="android_packages")
    assert verdict(android) == ("kaspersky", "password-manager")
    assert verdict(Item(name="UltraAV", publisher="Pango Group", source="programs")) is None
    assert verdict(Item(name="UltraVPN", publisher="Pango Group", source="programs")) is None
