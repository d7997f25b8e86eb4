"""Windows offline evidence: registry hives (built with hivexregedit, and real ones), .reg exports in
UTF-16 LE and UTF-8, and a mounted Windows volume (collect --windows-root)."""

from __future__ import annotations

import lzma
from pathlib import Path

import pytest

from tests.collect_support import build_hive, reg_export
from vendorscope.collect.collector import Request, collect
from vendorscope.service import Service
from vendorscope.sources.base import Hints

REAL = Path(__file__).resolve().parents[2] / "shared" / "real-samples" / "windows-registry"
SOFT = "HKEY_LOCAL_MACHINE\\SOFTWARE"
SYS = "HKEY_LOCAL_MACHINE\\SYSTEM"
UNINSTALL = "Microsoft\\Windows\\CurrentVersion\\Uninstall"
PROGRAMS = {
    f"{SOFT}\\{UNINSTALL}\\{{7A4192A1-84C4-4E90-A31B-B4847CA8E23A}}": {
        "DisplayName": "Kaspersky Endpoint Security for Windows",
        "Publisher": "AO Kaspersky Lab",
        "DisplayVersion": "11.6.0.394",
        "InstallLocation": "C:\\Program Files (x86)\\Kaspersky Lab\\KES 11.6.0\\",
    },
    f"{SOFT}\\{UNINSTALL}\\7-Zip": {"DisplayName": "7-Zip 23.01 (x64)", "Publisher": "Igor Pavlov"},
    f"{SOFT}\\{UNINSTALL}\\KB123": {"Publisher": "no display name: not a program"},
}
SYSTEM = {
    f"{SYS}\\Select": {"Current": 1},
    f"{SYS}\\ControlSet001\\Control\\ComputerName\\ComputerName": {"ComputerName": "WS-0042"},
    f"{SYS}\\ControlSet001\\Services\\klif": {"Type": 1, "ImagePath": "system32\\DRIVERS\\klif.sys"},
    f"{SYS}\\ControlSet001\\Services\\AVP": {"Type": 16, "DisplayName": "Kaspersky Endpoint Security Service"},
    f"{SYS}\\ControlSet001\\Services\\Spooler": {"Type": 16, "DisplayName": "@%systemroot%\\system32\\spool.dll,-1"},
}


def _ingest(service: Service, path: Path, host: str = "") -> tuple[object, list[dict]]:
    report = service.ingest([path], Hints(host=host))
    return report, service.findings("kaspersky")


@pytest.mark.parametrize("encoding", ["utf-16", "utf-8"])
def test_reg_exports_yield_programs_services_drivers(sqlite_service: Service, tmp_path: Path, encoding: str) -> None:
    export = tmp_path / "export.reg"
    export.write_bytes(reg_export(PROGRAMS | SYSTEM).encode(encoding))  # utf-16 writes the BOM regedit writes
    report, found = _ingest(sqlite_service, export)
    assert report.ok and report.files[0].format == "reg-export"
    assert {f["host"] for f in found} == {"WS-0042"}
    (host,) = sqlite_service.hosts()
    assert host["software"] == 5 and host["coverage"] == "registry-export"
    assert set(host["sources"]) == {"drivers", "services"}


def test_reg_export_bad_lines_are_numbered(sqlite_service: Service, tmp_path: Path) -> None:
    export = tmp_path / "export.reg"
    export.write_text(reg_export(PROGRAMS) + "this is not registry\r\n")
    report, found = _ingest(sqlite_service, export, host="laptop-7")
    assert report.files[0].messages() == [
        f"{export}:{reg_export(PROGRAMS).count(chr(10)) + 1}: not a registry key or value line"
    ]
    assert {f["host"] for f in found} == {"laptop-7"}


def test_hives_built_by_hivex_round_trip(sqlite_service: Service, tmp_path: Path) -> None:
    software = build_hive(tmp_path / "SOFTWARE", SOFT, PROGRAMS)
    system = build_hive(tmp_path / "SYSTEM", SYS, SYSTEM)
    report = sqlite_service.ingest([system], Hints())
    assert report.ok and report.files[0].format == "windows-hive"
    report = sqlite_service.ingest([software], Hints(host="WS-0042"))
    assert report.ok
    (host,) = sqlite_service.hosts()
    assert host["host"] == "WS-0042" and host["software"] == 5
    sources = {e["source"] for f in sqlite_service.findings("kaspersky") for e in f["evidence"]}
    assert sources == {"programs", "services", "drivers"}
    other = {k: v for k, v in PROGRAMS.items() if "7-Zip" in k}
    no_host = sqlite_service.ingest([build_hive(tmp_path / "OTHER", SOFT, other)], Hints())
    assert "give --host" in no_host.files[0].messages()[0]


def test_mounted_windows_volume(tmp_path: Path) -> None:
    volume = tmp_path / "c"
    config = volume / "Windows" / "System32" / "config"
    config.mkdir(parents=True)
    build_hive(config / "SOFTWARE", SOFT, PROGRAMS)
    build_hive(config / "SYSTEM", SYS, SYSTEM)
    (volume / "Users" / "ann").mkdir(parents=True)
    (volume / "Users" / "ann" / "NTUSER.DAT").write_bytes(b"regf but broken")
    (volume / "Program Files" / "Kaspersky Lab").mkdir(parents=True)
    (volume / "Windows" / "System32" / "drivers").mkdir(parents=True)
    (volume / "Windows" / "System32" / "drivers" / "klhk.sys").write_bytes(b"MZ")
    doc = collect(Request(root=tmp_path / "empty-linux", windows_root=volume))
    assert doc["host"]["hostname"] == "WS-0042"
    names = {(r["source"], r["name"]) for r in doc["items"]}
    assert ("files", "Kaspersky Lab") in names and ("drivers", "klhk.sys") in names and ("drivers", "klif") in names
    assert ("programs", "Kaspersky Endpoint Security for Windows") in names
    assert [p["where"] for p in doc["problems"]] == [str(volume / "Users" / "ann" / "NTUSER.DAT")]


@pytest.mark.skipif(not REAL.is_dir(), reason="shared/real-samples/windows-registry not present")
def test_real_hives_ingest_without_findings_and_the_corrupt_one_fails_cleanly(
    sqlite_service: Service, tmp_path: Path
) -> None:
    for sample in sorted(REAL.glob("*.xz")):
        if sample.name.startswith("corrupted"):
            continue
        report = sqlite_service.ingest([sample], Hints(host="sample-host"))  # read as xz, transparently
        assert report.ok, report.files[0].messages()
    assert sqlite_service.findings() == []
    before = sqlite_service.hosts()
    corrupt = tmp_path / "corrupted_system_hive"
    corrupt.write_bytes(lzma.decompress((REAL / "corrupted_system_hive.xz").read_bytes()))
    report = sqlite_service.ingest([corrupt], Hints(host="sample-host"))
    (message,) = report.files[0].messages()
    assert report.files[0].status == "failed" and message.startswith(f"{corrupt}: corrupt registry")
    assert "\n" not in message and sqlite_service.hosts() == before
