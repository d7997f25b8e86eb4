"""Asset-management exports: SCCM/MECM Add/Remove Programs, Intune discovered apps, any CSV through --map."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from typer.testing import CliRunner

from vendorscope import sources
from vendorscope.cli import app
from vendorscope.errors import VendorscopeError
from vendorscope.service import Service
from vendorscope.sources.base import Hints, Observation, Problem
from vendorscope.sources.mapped_csv import parse_mapping

SCCM = (
    "ResourceID,Netbios_Name0,DisplayName0,Publisher0,Version0,InstallDate0\r\n"
    "16777220,WS-0001,Kaspersky Endpoint Security for Windows,AO Kaspersky Lab,11.11.0.452,20240101\r\n"
    "16777220,WS-0001,7-Zip 23.01 (x64),Igor Pavlov,23.01,20240101\r\n"
    "16777221,WS-0002,Mozilla Firefox (x64 en-US),Mozilla,128.0,20240102\r\n"
)
INTUNE_DEVICE = (
    "DeviceId,DeviceName,ApplicationName,ApplicationPublisher,ApplicationVersion,Platform\n"
    "d1,LAPTOP-17,Kaspersky Plus,Kaspersky,21.15,Windows\n"
    "d2,LAPTOP-18,Notepad++,Notepad++ Team,8.6,Windows\n"
)
INTUNE_TENANT = (
    "Application Name,Version,Device count,Publisher,Platform\n"
    "Kaspersky Security Cloud,21.3,4,Kaspersky Lab,Windows\n"
    "Zoom,5.17,300,Zoom Video Communications,Windows\n"
)


def parse(name: str, data: bytes, hints: Hints | None = None) -> tuple[str, list[object]]:
    fmt = sources.detect(name, data[:65536], hints)
    assert fmt is not None, name
    return fmt.name, list(fmt.parse(io.BufferedReader(io.BytesIO(data)), name, hints or Hints()))


def test_sccm_export_is_detected_and_finds(sqlite_service: Service, tmp_path: Path) -> None:
    path = tmp_path / "arp.csv"
    path.write_text(SCCM)
    report = sqlite_service.ingest([path])
    assert report.ok and report.files[0].format == "sccm" and report.items == 3
    assert sqlite_service.hosts_with("kaspersky") == ["WS-0001"]
    assert {h["host"]: h["coverage"] for h in sqlite_service.hosts()} == {"WS-0001": "sccm", "WS-0002": "sccm"}


def test_sccm_utf16_and_resource_id_only() -> None:
    data = "ResourceID,DisplayName0,Publisher0,Version0\r\n42,Kaspersky Security Center Network Agent,Kaspersky,14\r\n"
    name, records = parse("arp16.csv", data.encode("utf-16"))
    assert name == "sccm"
    [obs] = records
    assert isinstance(obs, Observation) and obs.host == "42" and obs.items[0].publisher == "Kaspersky"


def test_intune_per_device_and_tenant_reports(sqlite_service: Service, tmp_path: Path) -> None:
    folder = tmp_path / "intune"
    folder.mkdir()
    (folder / "devices.csv").write_text(INTUNE_DEVICE)
    (folder / "tenant.csv").write_text(INTUNE_TENANT)
    report = sqlite_service.ingest([folder])
    assert report.ok and {f.format for f in report.files} == {"intune"}
    hosts = sqlite_service.hosts_with("kaspersky")
    assert sorted(hosts) == ["LAPTOP-17", "intune-report:tenant.csv"]


def test_mapped_csv_with_addresses(sqlite_service: Service, tmp_path: Path) -> None:
    path = tmp_path / "cmdb.csv"
    path.write_text(
        "Computer,IP,Software,Vendor,Ver\nsrv-db-1,10.9.0.4,Kaspersky Security for Windows Server,AO Kaspersky Lab,11\n"
    )
    hints = Hints(mapping=parse_mapping("name=Software,publisher=Vendor,version=Ver,host=Computer,address=IP"))
    report = sqlite_service.ingest([path], hints)
    assert report.ok and report.files[0].format == "mapped-csv"
    [host] = sqlite_service.hosts()
    assert host["host"] == "srv-db-1" and host["facts"]["addresses"] == "10.9.0.4" and host["findings"]


def test_mapped_csv_through_the_cli(tmp_path: Path) -> None:
    path = tmp_path / "any.csv"
    path.write_text("Machine,Title,Maker\nPC-9,Kaspersky Free,Kaspersky\n")
    db = str(tmp_path / "s.db")
    result = CliRunner().invoke(
        app, ["--db", db, "ingest", "-q", "--map", "name=Title,publisher=Maker,host=Machine", str(path)]
    )
    assert result.exit_code == 0, result.output
    result = CliRunner().invoke(app, ["--db", db, "findings", "--format", "json"])
    assert '"PC-9"' in result.output


def test_csv_mapping_errors_name_the_columns_and_the_rest_goes_in(tmp_path: Path) -> None:
    """An unknown CSV, or a --map naming a column the file lacks: one line each naming the columns, exit 2,
    and the batch's other files are ingested."""
    folder = tmp_path / "exports"
    folder.mkdir()
    (folder / "cmdb.csv").write_text("Machine,Title,Maker\nPC-9,Kaspersky Free,Kaspersky\n")
    (folder / "other.csv").write_text("Computer,Program\nPC-3,Kaspersky Free\n")
    db = str(tmp_path / "s.db")
    unknown = CliRunner().invoke(app, ["--db", db, "ingest", "-q", str(folder / "other.csv")])
    assert unknown.exit_code != 0 and "Traceback" not in unknown.output
    [line] = [ln for ln in unknown.output.splitlines() if "other.csv" in ln]
    assert "columns present: 'Computer', 'Program'" in line and "--map name=" in line
    mapped = CliRunner().invoke(
        app, ["--db", db, "ingest", "--map", "name=Title,publisher=maker,host=Machine", str(folder)]
    )
    assert mapped.exit_code != 0 and "Traceback" not in mapped.output
    [line] = [ln for ln in mapped.output.splitlines() if "other.csv" in ln]
    assert "--map names 'Title', 'maker', 'Machine', not in this file's header" in line
    assert "columns present: 'Computer', 'Program'" in line
    [line] = [ln for ln in mapped.output.splitlines() if "cmdb.csv" in ln and "maker" in ln]
    assert "--map names 'maker'" in line and "did you mean 'Maker'?" in line
    fixed = CliRunner().invoke(app, ["--db", db, "ingest", "--map", "name=Program,host=Computer", str(folder)])
    assert fixed.exit_code != 0  # cmdb.csv still lacks the mapped columns; other.csv goes in
    result = CliRunner().invoke(app, ["--db", db, "findings", "--format", "json"])
    assert '"PC-3"' in result.output and '"PC-9"' not in result.output


@pytest.mark.parametrize("text", ["name", "nome=X", "publisher=Publisher", "name="])
def test_bad_mappings_are_user_errors(text: str) -> None:
    with pytest.raises(VendorscopeError, match="--map"):
        parse_mapping(text)


def test_bad_rows_are_problems_with_line_numbers() -> None:
    data = (
        b"Netbios_Name0,DisplayName0,Publisher0,Version0\r\n"
        b"WS-1,Kaspersky Free,Kaspersky,1,extra\r\n"
        b"WS-1,,Kaspersky,1\r\n"
        b"WS-1,Caf\xe9 Reader,Caf\xe9 Soft,1\r\n"
        b'WS-1,"unterminated\r\n'
    )
    name, records = parse("bad.csv", data)
    problems = [r for r in records if isinstance(r, Problem)]
    assert name == "sccm"
    assert [p.line for p in problems][:2] == [2, 3]
    assert "columns" in problems[0].message and "name" in problems[1].message
    observed = [i.name for r in records if isinstance(r, Observation) for i in r.items]
    assert observed == ["Café Reader"]  # a Windows-1252 line is read, not dropped
