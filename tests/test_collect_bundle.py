"""Bundles round-trip: collect → write → ingest → findings; same bundle twice is one collection;
a later bundle without the product marks it absent; coverage records what was and was not read."""

from __future__ import annotations

import gzip
from datetime import UTC, datetime
from pathlib import Path

import orjson
from typer.testing import CliRunner

from tests.collect_support import fake_linux_root
from vendorscope.cli import app
from vendorscope.collect.collector import Request, collect, write
from vendorscope.service import Service
from vendorscope.sources.base import Hints

T1 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
T2 = datetime(2026, 4, 1, 12, 0, tzinfo=UTC)


def _bundle(tmp_path: Path, name: str, with_vendor: bool, when: datetime) -> Path:
    root = fake_linux_root(tmp_path / f"root-{name}", with_vendor=with_vendor)
    out = tmp_path / f"{name}.json.gz"
    write(collect(Request(root=root), when), out)
    return out


def test_bundle_bytes_are_deterministic_and_gzip_carries_no_name_or_time(tmp_path: Path) -> None:
    root = fake_linux_root(tmp_path / "root")
    first = write(collect(Request(root=root), T1), tmp_path / "a.json.gz")
    second = write(collect(Request(root=root), T1), tmp_path / "b.json.gz")
    assert first == second
    assert first[4:8] == b"\0\0\0\0" and not first[3] & 0x08  # MTIME zero, no FNAME flag
    assert gzip.decompress(first).startswith(b'{"schema":"vendorscope-collector-bundle","version":1')


def test_round_trip_into_findings_once_and_absent_later(service: Service, tmp_path: Path) -> None:
    first = _bundle(tmp_path, "first", with_vendor=True, when=T1)
    report = service.ingest([first], Hints())
    assert report.ok and report.files[0].format == "collector-bundle"
    found = service.findings("kaspersky")
    assert {f["host"] for f in found} == {"ws-0042.agency.example"}
    assert {e["source"] for f in found for e in f["evidence"]} >= {"deb_packages"}
    again = service.ingest([first], Hints())
    assert again.files[0].status == "duplicate"
    service.ingest([_bundle(tmp_path, "later", with_vendor=False, when=T2)], Hints())
    assert service.findings("kaspersky") == []
    assert service.findings("kaspersky", include_absent=True)


def test_hosts_show_how_examined_and_what_was_not_read(service: Service, tmp_path: Path) -> None:
    service.ingest([_bundle(tmp_path, "first", with_vendor=True, when=T1)], Hints())
    (host,) = service.hosts()
    assert host["coverage"] == "collector"
    assert {"deb_packages", "systemd_units", "snap_packages"} <= set(host["sources"])
    assert "rpm_packages: no rpm database" in host["facts"]["unavailable_sources"]
    assert host["facts"]["machine_id"] == "0123456789abcdef0123456789abcdef"


def test_damaged_bundle_is_one_line_and_leaves_nothing(sqlite_service: Service, tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"schema":"vendorscope-collector-bundle","version":99}')
    report = sqlite_service.ingest([bad], Hints())
    assert report.files[0].status == "failed"
    assert report.files[0].messages() == [f"{bad}: unsupported bundle version 99"]
    assert sqlite_service.hosts() == []


def test_cli_collect_then_ingest(tmp_path: Path) -> None:
    root = fake_linux_root(tmp_path / "root")
    out, db = tmp_path / "b.json.gz", str(tmp_path / "s.db")
    runner = CliRunner()
    done = runner.invoke(app, ["--db", db, "collect", "--root", str(root), "--out", str(out)])
    assert done.exit_code == 0, done.output
    assert "ws-0042.agency.example" in done.output and "rpm_packages (no rpm database)" in done.output
    done = runner.invoke(app, ["--db", db, "ingest", "-q", str(out)])
    assert done.exit_code == 0 and "1 files ingested" in done.output
    missing = runner.invoke(app, ["--db", db, "collect", "--root", str(tmp_path / "nope"), "--out", str(out)])
    assert missing.exit_code != 0


def test_a_reformatted_bundle_is_still_recognized(sqlite_service: Service, tmp_path: Path) -> None:
    doc = collect(Request(root=fake_linux_root(tmp_path / "root")), T1)
    pretty = tmp_path / "pretty.json"
    pretty.write_bytes(orjson.dumps(doc, option=orjson.OPT_INDENT_2))
    report = sqlite_service.ingest([pretty], Hints())
    assert report.ok and report.files[0].format == "collector-bundle"
    assert report.files[0].items == len(doc["items"])
