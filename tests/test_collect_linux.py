"""The Linux collector over a generated fake root: sources read, sources unavailable and why, bad input."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.collect_support import fake_linux_root
from vendorscope.collect import fs, linux
from vendorscope.collect.collector import Request, collect
from vendorscope.collect.model import Collection


def _items(doc: dict, source: str) -> list[dict]:
    return [row for row in doc["items"] if row["source"] == source]


def _status(doc: dict) -> dict[str, dict]:
    return {s["name"]: s for s in doc["sources"]}


def test_fake_root_yields_packages_units_folders_and_host_facts(tmp_path: Path) -> None:
    doc = collect(Request(root=fake_linux_root(tmp_path / "root")))
    debs = {row["name"]: row for row in _items(doc, "deb_packages")}
    assert set(debs) == {"bash", "kesl"}  # the deinstalled package is not installed
    assert debs["kesl"]["publisher"].startswith("AO Kaspersky Lab")
    assert [r["name"] for r in _items(doc, "snap_packages")] == ["core22"]
    assert [r["identifier"] for r in _items(doc, "flatpak_packages")] == ["org.mozilla.firefox"]
    units = {r["name"]: r.get("path", "") for r in _items(doc, "systemd_units")}
    assert units["kesl.service"] == "/opt/kaspersky/kesl/libexec/kesl"
    assert {r["path"] for r in _items(doc, "files")} == {"/opt/kaspersky", "/opt/google"}
    host = doc["host"]
    assert (host["hostname"], host["os"], host["os_version"]) == ("ws-0042.agency.example", "Debian GNU/Linux", "12")
    assert host["machine_id"] == "0123456789abcdef0123456789abcdef"
    assert host["examined_root"] == str(tmp_path / "root")


def test_unavailable_sources_say_why(tmp_path: Path) -> None:
    status = _status(collect(Request(root=fake_linux_root(tmp_path / "root"))))
    assert status["deb_packages"]["status"] == "read"
    assert status["rpm_packages"] == {**status["rpm_packages"], "status": "unavailable", "reason": "no rpm database"}
    assert "not a live system" in status["processes"]["reason"]
    assert "not a live system" in status["kernel_modules"]["reason"]
    assert status["certificates"]["reason"] == "no system certificate bundle"


def test_rpm_database_without_the_rpm_tool_is_noted(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = fake_linux_root(tmp_path / "root")
    (root / "var/lib/rpm").mkdir(parents=True)
    monkeypatch.setattr(linux.shutil, "which", lambda name: None)
    status = _status(collect(Request(root=root)))
    assert status["rpm_packages"]["reason"] == "rpm database present but the rpm tool is not installed"


def test_trust_store_certificates_name_their_owner(tmp_path: Path) -> None:
    root = fake_linux_root(tmp_path / "root")
    bundle = root / "etc/ssl/certs/ca-certificates.crt"
    bundle.parent.mkdir(parents=True)
    bundle.write_bytes(Path("/etc/ssl/certs/ca-certificates.crt").read_bytes()[:200_000] + b"\ngarbage\n")
    certs = _items(collect(Request(root=root)), "certificates")
    assert certs and all(len(c["identifier"]) == 64 for c in certs)
    assert all(c["name"] for c in certs)


def test_permission_denied_and_huge_files_are_noted_and_collection_goes_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = fake_linux_root(tmp_path / "root")
    real_entries = fs.entries

    def denied(folder: Path) -> list[Path]:
        if folder.name == "snaps":
            raise PermissionError(13, "Permission denied", str(folder))
        return real_entries(folder)

    monkeypatch.setattr(linux, "entries", denied)
    monkeypatch.setattr(linux, "read_text", lambda path, limit=100: fs.read_text(path, 100))
    status = _status(collect(Request(root=root)))
    assert status["snap_packages"]["reason"].startswith("permission denied: ")
    assert status["deb_packages"]["reason"].startswith("larger than 0 MiB; skipped: ")
    assert status["flatpak_packages"]["status"] == "read"


def test_symlink_loops_and_escaping_links_are_not_followed(tmp_path: Path) -> None:
    root = fake_linux_root(tmp_path / "root")
    os.symlink(root / "opt", root / "opt" / "loop")
    os.symlink("/", root / "opt" / "host-root")
    collection = Collection()
    collection.run("files", lambda c: linux.install_dirs(root))
    paths = {row["path"] for row in collection.items}
    assert "/opt/loop" not in paths and "/opt/host-root" not in paths
    assert list(fs.walk_files(root / "opt")) == sorted(fs.walk_files(root / "opt"))


def test_live_collection_reads_processes_and_addresses() -> None:
    doc = collect(Request())
    status = _status(doc)
    assert status["processes"]["status"] == "read" and status["processes"]["items"] > 0
    assert any(row["name"] == "python" or row["name"].startswith("python") for row in _items(doc, "processes"))
    assert doc["host"]["hostname"] and "ip_addresses" in doc["host"]


def test_a_failing_reader_costs_only_its_own_source() -> None:
    def broken(_collection: Collection) -> list:
        raise KeyError("odd input")

    collection = Collection()
    collection.run("snap_packages", broken)
    collection.run("files", lambda c: [])
    assert collection.sources["snap_packages"].reason == "failed: KeyError: 'odd input'"
    assert collection.sources["files"].status == "read"
