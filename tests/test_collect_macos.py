"""macOS collector over a generated volume: apps from Info.plist (XML and binary), package receipts,
launchd jobs, system extensions; a damaged plist is noted and the rest is read."""

from __future__ import annotations

import plistlib
from pathlib import Path

from vendorscope.collect.collector import Request, collect


def _plist(path: Path, data: dict, fmt: plistlib.PlistFormat = plistlib.FMT_XML) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(plistlib.dumps(data, fmt=fmt))


def _volume(root: Path) -> Path:
    _plist(root / "System/Library/CoreServices/SystemVersion.plist", {"ProductName": "macOS", "ProductVersion": "14.4"})
    kav = {
        "CFBundleIdentifier": "com.kaspersky.kav",
        "CFBundleName": "Kaspersky Internet Security",
        "CFBundleShortVersionString": "21.0.8",
    }
    _plist(root / "Applications/Kaspersky Internet Security.app/Contents/Info.plist", kav, plistlib.FMT_BINARY)
    _plist(root / "Users/ann/Applications/Notes2.app/Contents/Info.plist", {"CFBundleIdentifier": "org.example.notes"})
    (root / "Applications/Broken.app/Contents").mkdir(parents=True)
    (root / "Applications/Broken.app/Contents/Info.plist").write_bytes(b"<?xml version='1.0'?><plist><dict><key>")
    _plist(
        root / "var/db/receipts/com.kaspersky.kav.plist",
        {"PackageIdentifier": "com.kaspersky.kav", "PackageVersion": "21.0.8"},
    )
    _plist(
        root / "Library/LaunchDaemons/com.kaspersky.kav.plist",
        {"Label": "com.kaspersky.kav", "ProgramArguments": ["/Library/Application Support/Kaspersky Lab/kav"]},
    )
    ext = {"identifier": "com.kaspersky.kav.sysext", "teamID": "2Y8XE5CQ94", "bundleVersion": {"CFBundleVersion": "1"}}
    _plist(root / "Library/SystemExtensions/db.plist", {"extensions": [ext, "junk"]})
    return root


def test_macos_volume_sources(tmp_path: Path) -> None:
    root = _volume(tmp_path / "mac")
    doc = collect(Request(root=root))
    assert (doc["host"]["os"], doc["host"]["os_version"]) == ("macOS", "14.4")
    by_source: dict[str, list[dict]] = {}
    for row in doc["items"]:
        by_source.setdefault(row["source"], []).append(row)
    apps = {r["identifier"]: r for r in by_source["apps"]}
    assert set(apps) == {"com.kaspersky.kav", "org.example.notes"}
    assert apps["com.kaspersky.kav"]["version"] == "21.0.8"
    assert apps["com.kaspersky.kav"]["path"] == "/Applications/Kaspersky Internet Security.app"
    assert by_source["package_receipts"][0]["version"] == "21.0.8"
    assert by_source["launchd"][0]["path"] == "/Library/Application Support/Kaspersky Lab/kav"
    assert by_source["system_extensions"][0]["team_id"] == "2Y8XE5CQ94"
    assert [p["where"] for p in doc["problems"]] == [str(root / "Applications/Broken.app/Contents/Info.plist")]
    assert all(s["status"] == "read" for s in doc["sources"])


def test_macos_without_receipts_says_so(tmp_path: Path) -> None:
    root = tmp_path / "mac"
    _plist(root / "System/Library/CoreServices/SystemVersion.plist", {"ProductName": "macOS"})
    status = {s["name"]: s for s in collect(Request(root=root))["sources"]}
    assert status["package_receipts"]["reason"].startswith("no package receipts folder")
    assert status["apps"] == {**status["apps"], "status": "read", "items": 0}
