"""Each device importer reads its real-format samples, and a malformed part costs one line naming the place."""

from __future__ import annotations

from pathlib import Path

from vendorscope import sources
from vendorscope.service import Service
from vendorscope.sources.base import Hints, Observation, Problem, SourceFormat
from vendorscope.sources.reader import read_head

FORMATS = Path(__file__).parent / "data" / "formats"


def _read(fmt: SourceFormat, path: Path, hints: Hints | None = None) -> tuple[dict[str, Observation], list[Problem]]:
    with path.open("rb") as stream:
        records = list(fmt.parse(stream, path.name, hints or Hints()))
    devices = {r.host: r for r in records if isinstance(r, Observation)}
    return devices, [r for r in records if isinstance(r, Problem)]


def _evidence(observation: Observation) -> set[tuple[str, str]]:
    return {(i.source, i.name) for i in observation.items}


def test_every_device_sample_is_detected_as_its_format_only() -> None:
    folders = ("nmap-xml", "zeek-devices", "switch-table", "isc-dhcp", "windows-dhcp", "snmpwalk", "runzero")
    folders += ("ksc-devices",)
    for folder in folders:
        for path in sorted((FORMATS / folder).iterdir()):
            claims = [f.name for f in sources.FORMATS if f.identify(path.name, read_head(path))]
            assert claims == [folder], (path, claims)


def test_zeek_device_logs() -> None:
    fmt = sources.by_name("zeek-devices")
    assert fmt is not None
    x509, problems = _read(fmt, FORMATS / "zeek-devices" / "x509.log")
    assert not problems and sorted(x509) == ["10.40.1.22", "10.40.1.31"]  # the web server's certificate names no device
    (cert,) = x509["10.40.1.22"].items
    assert cert.source == "tls_certificate" and "Zhejiang Dahua" in cert.publisher
    dhcp, _ = _read(fmt, FORMATS / "zeek-devices" / "dhcp.log")
    assert ("dhcp", "IPC-HDW2431T-AS") in _evidence(dhcp["IPC-HDW2431T-AS"])
    assert {i.source for i in dhcp["Galaxy-S23"].items} == {"dhcp"}  # randomized MAC: no maker
    software, _ = _read(fmt, FORMATS / "zeek-devices" / "software.log")
    assert _evidence(software["10.40.2.1"]) == {("service_banner", "SSH-2.0-HUAWEI-1.5")}
    assert "10.40.9.15" not in software  # a browser's user agent is a client, not a device banner
    http, _ = _read(fmt, FORMATS / "zeek-devices" / "http.json.log")
    assert _evidence(http["10.40.1.23"]) == {("http_server", "App-webs/")}


def test_zeek_bad_row_is_one_problem(tmp_path: Path) -> None:
    text = (FORMATS / "zeek-devices" / "software.log").read_text(encoding="utf-8")
    broken = text.replace("10.40.2.2\t22\tSSH::SERVER", "10.40.2.2\tSSH::SERVER")
    path = tmp_path / "software.log"
    path.write_text(broken, encoding="utf-8")
    devices, problems = _read(sources.by_name("zeek-devices"), path)  # type: ignore[arg-type]
    assert len(problems) == 1 and problems[0].line == 12 and "columns" in problems[0].message
    assert "10.40.2.1" in devices


def test_switch_tables_cisco_juniper_arp() -> None:
    fmt = sources.by_name("switch-table")
    mac_table, problems = _read(fmt, FORMATS / "switch-table" / "sw-branch-01-mac.txt")  # type: ignore[arg-type]
    assert not problems and len(mac_table) == 5  # CPU, multicast and broadcast entries are not devices
    camera = mac_table["44:19:b6:3a:10:21"]
    assert camera.host_facts["switch_port"] == "sw-branch-01 Gi1/0/5" and camera.host_facts["vlan"] == "40"
    assert _evidence(camera) == {("mac_oui", "Hangzhou Hikvision Digital Technology Co.,Ltd.")}
    assert mac_table["da:a1:19:4c:77:02"].items == []
    arp, _ = _read(fmt, FORMATS / "switch-table" / "rtr-branch-01-arp.txt")  # type: ignore[arg-type]
    assert arp["10.40.1.22"].host_facts["mac"] == "e0:50:8b:71:0c:22"
    juniper, _ = _read(fmt, FORMATS / "switch-table" / "ex-branch-02-ethernet-switching.txt")  # type: ignore[arg-type]
    assert juniper["bc:32:5f:0a:11:43"].host_facts["switch_port"] == "ex-branch-02 ge-0/0/5.0"


def test_isc_dhcp_leases_and_syslog(tmp_path: Path) -> None:
    fmt = sources.by_name("isc-dhcp")
    leases, problems = _read(fmt, FORMATS / "isc-dhcp" / "dhcpd.leases")  # type: ignore[arg-type]
    assert not problems and sorted(leases) == ["DS-7608NI-K2", "Galaxy-S23", "IPC-HDW2431T-AS"]
    dahua = leases["IPC-HDW2431T-AS"]
    assert dahua.host_facts["ip"] == "10.40.1.22"
    assert any(i.source == "dhcp" and i.identifier == "udhcp 1.23.2" for i in dahua.items)
    syslog, _ = _read(fmt, FORMATS / "isc-dhcp" / "dhcpd-syslog.log")  # type: ignore[arg-type]
    assert sorted(syslog) == ["Galaxy-S23", "IPC-HDW2431T-AS", "axis-00408c9e2107"]
    broken = tmp_path / "dhcpd.leases"
    broken.write_text("lease 10.1.1.1 {\n  hardware ethernet 44:19:b6:00:00:01;\n", encoding="utf-8")
    devices, problems = _read(fmt, broken)  # type: ignore[arg-type]
    assert devices == {} and [(p.line, "not closed" in p.message) for p in problems] == [(1, True)]


def test_windows_dhcp_audit_log(tmp_path: Path) -> None:
    fmt = sources.by_name("windows-dhcp")
    devices, problems = _read(fmt, FORMATS / "windows-dhcp" / "DhcpSrvLog-Tue.log")  # type: ignore[arg-type]
    assert not problems and len(devices) == 4
    camera = devices["DS-2CD2387G2-LU.hq.example.gov"]
    assert camera.host_facts["mac"] == "c4:2f:90:a1:b2:07"
    assert ("dhcp", "DS-2CD2387G2-LU") in _evidence(camera)
    text = (FORMATS / "windows-dhcp" / "DhcpSrvLog-Tue.log").read_text(encoding="utf-8")
    path = tmp_path / "DhcpSrvLog-Wed.log"
    path.write_text(text.replace("3CEF8C11D402", "NOT-A-MAC"), encoding="utf-8")
    devices, problems = _read(fmt, path)  # type: ignore[arg-type]
    assert len(devices) == 3 and len(problems) == 1 and "bad MAC" in problems[0].message


def test_snmpwalk_with_mibs_and_numeric(tmp_path: Path) -> None:
    fmt = sources.by_name("snmpwalk")
    devices, _ = _read(fmt, FORMATS / "snmpwalk" / "10.40.2.1.walk")  # type: ignore[arg-type]
    router = devices["rtr-branch-01"]
    (snmp,) = [i for i in router.items if i.source == "snmp"]
    assert snmp.identifier == "1.3.6.1.4.1.2011.2.224.67" and "Huawei AR2220E Router" in snmp.name
    assert router.host_facts["ip"] == "10.40.2.1" and router.host_facts["mac"] == "00:e0:fc:12:34:01"
    numeric, _ = _read(fmt, FORMATS / "snmpwalk" / "sw-hq-core.txt")  # type: ignore[arg-type]
    assert [i.identifier for i in numeric["sw-hq-core"].items if i.source == "snmp"] == ["1.3.6.1.4.1.9.1.2066"]
    empty = tmp_path / "x.walk"
    empty.write_text("IF-MIB::ifNumber.0 = INTEGER: 4\n", encoding="utf-8")
    devices, problems = _read(fmt, empty)  # type: ignore[arg-type]
    assert devices == {} and len(problems) == 1


def test_one_device_seen_by_four_tools_is_one_host(sqlite_service: Service) -> None:
    folder = FORMATS
    sqlite_service.ingest(
        [
            folder / "nmap-xml" / "branch-cameras.xml",
            folder / "switch-table" / "rtr-branch-01-arp.txt",
            folder / "isc-dhcp" / "dhcpd.leases",
            folder / "zeek-devices" / "x509.log",
        ]
    )
    hosts = {h["host"]: h for h in sqlite_service.hosts()}
    dahua = [h for h in hosts.values() if h["facts"].get("mac") == "e0:50:8b:71:0c:22"]
    assert [h["host"] for h in dahua] == ["10.40.1.22"]  # ARP first named it by address; DHCP and Zeek found it
    assert {"dhcp", "tls_certificate", "mac_oui"} <= set(dahua[0]["sources"])
    findings = {(f["host"], f["vendor"], f["kind"]) for f in sqlite_service.findings()}
    assert ("10.40.1.22", "dahua", "device") in findings
    assert not any(f[0] == "10.40.1.77" for f in findings)  # the phone with a randomized MAC


def test_runzero_assets(tmp_path: Path) -> None:
    fmt = sources.by_name("runzero")
    devices, problems = _read(fmt, FORMATS / "runzero" / "assets.json")  # type: ignore[arg-type]
    assert not problems and sorted(devices) == ["10.40.1.77", "AXIS-ACCC8E5B2031", "CAM-LOBBY-01"]
    camera = devices["CAM-LOBBY-01"]
    assert ("service_banner", "Hikvision DS-2CD2143G2-I") in _evidence(camera)
    assert camera.host_facts["runzero_type"] == "IP Camera"
    assert _evidence(devices["10.40.1.77"]) == {("nmap_os", "Android")}  # randomized MAC: no maker
    lines = tmp_path / "assets.jsonl"
    lines.write_text(
        '{"id":"1","addresses":["10.1.1.1"],"macs":["44:19:b6:00:00:01"],"mac_vendors":[],"hw":""}\n{oops\n'
    )
    devices, problems = _read(fmt, lines)  # type: ignore[arg-type]
    assert sorted(devices) == ["10.1.1.1"] and [p.line for p in problems] == [2]


def test_kaspersky_security_center_device_list(sqlite_service: Service, tmp_path: Path) -> None:
    """The vendor's own management server says where its Network Agent and protection run."""
    path = FORMATS / "ksc-devices" / "managed-devices.txt"
    devices, problems = _read(sources.by_name("ksc-devices"), path)  # type: ignore[arg-type]
    assert not problems and sorted(devices) == ["SRV-FILE-01", "WS-0042"]  # no agent: the server knows nothing
    assert devices["WS-0042"].host_facts["addresses"] == "10.50.3.42"
    sqlite_service.ingest([path])
    found = {(f["host"], f["product"]) for f in sqlite_service.findings("kaspersky")}
    assert found == {("WS-0042", "ksc-agent"), ("SRV-FILE-01", "ksc-agent")}
    utf16 = tmp_path / "devices-utf16.txt"
    utf16.write_bytes(path.read_text(encoding="utf-8").replace("\t12.0.0.465", "").encode("utf-16"))
    devices, problems = _read(sources.by_name("ksc-devices"), utf16)  # type: ignore[arg-type]
    assert sorted(devices) == ["WS-0042"] and [p.line for p in problems] == [3]  # the short row: one line
