"""LLDP/CDP neighbor tables, Kea DHCP, ONVIF/UPnP discovery dumps and runZero's CSV export: each reads its
real-format samples, and a malformed part costs one line naming the place while the rest goes in."""

from __future__ import annotations

from pathlib import Path

import pytest

from vendorscope import sources
from vendorscope.service import Service
from vendorscope.sources.base import Hints, Observation, Problem, SourceFormat
from vendorscope.sources.reader import read_head

FORMATS = Path(__file__).parent / "data" / "formats"
NEW = ("lldp-neighbors", "kea-dhcp", "onvif-upnp", "runzero-csv")


def _fmt(name: str) -> SourceFormat:
    fmt = sources.by_name(name)
    assert fmt is not None
    return fmt


def _read(name: str, path: Path, hints: Hints | None = None) -> tuple[dict[str, Observation], list[Problem]]:
    with path.open("rb") as stream:
        records = list(_fmt(name).parse(stream, path.name, hints or Hints()))
    devices = {r.host: r for r in records if isinstance(r, Observation)}
    return devices, [r for r in records if isinstance(r, Problem)]


def _evidence(observation: Observation) -> set[tuple[str, str, str]]:
    return {(i.source, i.publisher, i.name) for i in observation.items}


@pytest.mark.parametrize("folder", NEW)
def test_every_sample_is_detected_as_its_format_only(folder: str) -> None:
    for path in sorted((FORMATS / folder).iterdir()):
        claims = [f.name for f in sources.FORMATS if f.identify(path.name, read_head(path))]
        assert claims == [folder], (path, claims)


def test_cisco_ios_lldp_detail() -> None:
    devices, problems = _read("lldp-neighbors", FORMATS / "lldp-neighbors" / "sw-branch-01-lldp-detail.txt")
    assert not problems and sorted(devices) == ["10.40.1.21", "axis-accc8e5b2031", "rtr-branch-01"]
    router = devices["rtr-branch-01"]
    assert router.host_facts["mac"] == "00:e0:fc:12:34:01" and router.host_facts["ip"] == "10.40.2.1"
    assert router.host_facts["switch_port"] == "sw-branch-01 Gi1/0/48"
    (lldp,) = [i for i in router.items if i.source == "lldp"]  # the description's four lines, and not one more
    assert lldp.name.startswith("Huawei Versatile Routing Platform Software VRP (R)")
    assert lldp.name.endswith("Huawei AR2220E Router")
    camera = devices["10.40.1.21"]  # "System Name - not advertised": named by its management address
    assert ("lldp", "", "Hikvision DS-2CD2143G2-I") in _evidence(camera)
    assert camera.host_facts["mac"] == "44:19:b6:3a:10:21"


def test_cdp_juniper_and_aruba_neighbors() -> None:
    cdp, problems = _read("lldp-neighbors", FORMATS / "lldp-neighbors" / "sw-hq-core-cdp-detail.txt")
    assert not problems and sorted(cdp) == ["rtr-hq-wan-02", "sw-hq-access-03.hq.example.gov"]
    router = cdp["rtr-hq-wan-02"]
    assert ("device_info", "", "HUAWEI NetEngine AR6140-16G4XG") in _evidence(router)
    assert router.host_facts["ip"] == "10.20.0.2"
    assert router.host_facts["switch_port"] == "sw-hq-core GigabitEthernet1/0/24"
    access = cdp["sw-hq-access-03.hq.example.gov"]
    assert "Technical Support" in next(i.name for i in access.items if i.source == "lldp")
    juniper, problems = _read("lldp-neighbors", FORMATS / "lldp-neighbors" / "ex-branch-02-lldp.txt")
    assert not problems and sorted(juniper) == ["IPC-HFW2431S-S-S2", "ap-branch-02-01", "rtr-branch-02"]
    assert juniper["IPC-HFW2431S-S-S2"].host_facts["switch_port"] == "ex-branch-02 ge-0/0/5"
    aruba, problems = _read("lldp-neighbors", FORMATS / "lldp-neighbors" / "sw-0620-aoscx-lldp-detail.txt")
    assert not problems and sorted(aruba) == ["IPC-HDW2431T-AS", "ap-9999-335-fe"]
    dahua = aruba["IPC-HDW2431T-AS"]  # chassis id is its address; the port id its MAC
    assert dahua.host_facts["ip"] == "10.40.1.22" and dahua.host_facts["mac"] == "e0:50:8b:71:0c:22"


def test_arubaos_switch_remote_device_detail(tmp_path: Path) -> None:
    path = tmp_path / "sw-closet-lldp.txt"
    path.write_text(
        "\n LLDP Remote Device Information Detail\n\n  Local Port   : 7\n  ChassisType  : mac-address\n"
        "  ChassisId    : 4419b6-3a1021\n  PortType     : mac-address\n  PortId       : 44 19 b6 3a 10 21\n"
        "  SysName      :\n  System Descr : Hikvision DS-2CD2143G2-I\n  PortDescr    : eth0\n\n"
        "  Remote Management Address\n     Type    : ipv4\n     Address : 10.40.1.21\n",
        encoding="utf-8",
    )
    devices, problems = _read("lldp-neighbors", path, Hints(host="sw-closet"))
    assert not problems and list(devices) == ["10.40.1.21"]
    assert devices["10.40.1.21"].host_facts["mac"] == "44:19:b6:3a:10:21"
    assert devices["10.40.1.21"].host_facts["switch_port"] == "sw-closet 7"


def test_lldp_malformed_entries_cost_one_line_each(tmp_path: Path) -> None:
    text = (FORMATS / "lldp-neighbors" / "sw-branch-01-lldp-detail.txt").read_bytes()
    broken = text.replace(b"Chassis id: accc.8e5b.2031", b"Chassis id: \xff\xfe-not-a-mac")
    broken = broken.replace(b"System Name: axis-accc8e5b2031", b"System Name - not advertised")
    broken = broken.replace(b"    IP: 10.40.1.31", b"    IP: none")
    broken = broken.replace(b"Port id: accc.8e5b.2031", b"Port id: eth0")
    path = tmp_path / "lldp.txt"
    path.write_bytes(broken)
    devices, problems = _read("lldp-neighbors", path)
    assert sorted(devices) == ["10.40.1.21", "rtr-branch-01"]
    lines = broken.decode("utf-8", errors="replace").splitlines()
    entry, chassis = lines.index("Local Intf: Gi1/0/7") + 1, lines.index("Port id: eth0")  # 1-based: the line before
    assert [(p.line, p.message.split(";")[0]) for p in problems] == [
        (chassis, "not UTF-8"),
        (entry, "neighbor entry with no chassis MAC, name or management address"),
    ]
    empty = tmp_path / "nothing.txt"
    empty.write_text("Chassis id:\nPort id: 7\n", encoding="utf-8")
    devices, problems = _read("lldp-neighbors", empty)
    assert devices == {} and [p.line for p in problems] == [1]


def test_lldp_neighbor_is_graded_with_the_existing_device_evidence(sqlite_service: Service) -> None:
    sqlite_service.ingest([FORMATS / "lldp-neighbors" / "sw-branch-01-lldp-detail.txt"])
    findings = {(f["host"], f["vendor"], f["kind"]) for f in sqlite_service.findings()}
    assert ("rtr-branch-01", "huawei", "device") in findings  # its LLDP sysDescr and its MAC prefix agree
    assert ("10.40.1.21", "hikvision", "device") in findings
    assert not any(host == "axis-accc8e5b2031" for host, _vendor, _kind in findings)


def test_kea_lease_file_and_log(tmp_path: Path) -> None:
    leases, problems = _read("kea-dhcp", FORMATS / "kea-dhcp" / "kea-leases4.csv")
    assert not problems
    assert sorted(leases) == ["DS-2CD2143G2-I", "Galaxy-S23", "IPC-HDW2431T-AS", "axis-accc8e5b2031.branch.example.gov"]
    camera = leases["DS-2CD2143G2-I"]
    assert camera.host_facts["mac"] == "44:19:b6:3a:10:21" and camera.host_facts["ip"] == "10.40.1.21"
    assert str(camera.seen_at) == "2026-12-01 08:14:10"  # the later of its two rows: expire − valid_lifetime
    assert ("dhcp", "", "IPC-HDW2431T-AS") in _evidence(leases["IPC-HDW2431T-AS"])
    log, problems = _read("kea-dhcp", FORMATS / "kea-dhcp" / "kea-dhcp4.log")
    assert not problems and sorted(log) == ["10.40.1.21", "10.40.1.77", "IPC-HDW2431T-AS"]
    assert log["IPC-HDW2431T-AS"].host_facts["ip"] == "10.40.1.22"  # host name and lease lines are one device
    text = (FORMATS / "kea-dhcp" / "kea-leases4.csv").read_text(encoding="utf-8")
    broken = tmp_path / "kea-leases4.csv"
    broken.write_text(text.replace("e0:50:8b:71:0c:22,01", "e0:50:8b:zz,01").replace(",86400,1796199302,", ",86400,"))
    devices, problems = _read("kea-dhcp", broken)
    assert [p.line for p in problems] == [3, 4] and "hwaddr" in problems[0].message
    assert "columns" in problems[1].message and "DS-2CD2143G2-I" in devices


def test_kea_log_with_a_bad_client_address_is_one_line(tmp_path: Path) -> None:
    path = tmp_path / "kea-dhcp4.log"
    path.write_text(
        "2026-12-01 08:14:10.021 INFO  [kea-dhcp4.leases/1402.139] DHCP4_LEASE_ALLOC [hwtype=1 44:19:b6:3a:10], "
        "cid=[no info], tid=0x1: lease 10.40.1.21 has been allocated for 86400 seconds\n"
        "2026-12-01 08:14:11.500 INFO  [kea-dhcp4.leases/1402.139] DHCP4_LEASE_ALLOC [hwtype=1 e0:50:8b:71:0c:22], "
        "cid=[no info], tid=0x2: lease 10.40.1.22 has been allocated for 86400 seconds\n",
        encoding="utf-8",
    )
    devices, problems = _read("kea-dhcp", path)
    assert [p.line for p in problems] == [1] and list(devices) == ["10.40.1.22"]
    assert str(devices["10.40.1.22"].seen_at) == "2026-12-01 08:14:11"


def test_onvif_probe_matches() -> None:
    devices, problems = _read("onvif-upnp", FORMATS / "onvif-upnp" / "wsdiscovery-probematches.xml")
    assert not problems and sorted(devices) == ["10.40.1.21", "10.40.1.24", "10.40.1.31"]
    hikvision = devices["10.40.1.21"]
    assert _evidence(hikvision) >= {("device_info", "HIKVISION DS-2CD2143G2-I", "DS-2CD2143G2-I")}
    assert hikvision.host_facts["mac"] == "44:19:b6:3a:10:21"  # from the MAC scope; the IPv6 XAddr is second
    assert ("device_info", "Honeywell", "HC30W45R3") in _evidence(devices["10.40.1.24"])


def test_onvif_device_information_upnp_description_and_ssdp() -> None:
    info, problems = _read("onvif-upnp", FORMATS / "onvif-upnp" / "10.40.1.23.xml")  # the address is the file name
    assert not problems and list(info) == ["10.40.1.23"]
    (item,) = info["10.40.1.23"].items
    assert (item.publisher, item.name, item.version) == ("HIKVISION", "DS-7608NI-K2", "V4.30.085 build 210513")
    upnp, problems = _read("onvif-upnp", FORMATS / "onvif-upnp" / "upnp-description.xml")
    assert not problems and list(upnp) == ["10.40.2.50"]
    assert _evidence(upnp["10.40.2.50"]) == {
        ("device_info", "Dahua", "XVR5108HS-I3"),
        ("device_info", "Dahua", "DH-XVR5108HS-I3"),
    }
    ssdp, problems = _read("onvif-upnp", FORMATS / "onvif-upnp" / "ssdp-replies.txt")
    assert not problems and sorted(ssdp) == ["10.40.1.31", "10.40.2.50", "10.40.9.4"]
    assert ("service_banner", "", "Linux UPnP/1.0 Sonos/70.3-35220 (ZPS27)") in _evidence(ssdp["10.40.9.4"])


def test_discovery_dump_errors_are_one_line(tmp_path: Path) -> None:
    entity = tmp_path / "probe.xml"
    entity.write_text(
        '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
        '<e:Envelope xmlns:e="http://www.w3.org/2003/05/soap-envelope" xmlns:d="http://schemas.xmlsoap.org/ws/2005/04/'
        'discovery"><e:Body><d:ProbeMatches><d:ProbeMatch><d:Scopes>&e;</d:Scopes></d:ProbeMatch></d:ProbeMatches>'
        "</e:Body></e:Envelope>",
        encoding="utf-8",
    )
    devices, problems = _read("onvif-upnp", entity)
    assert devices == {} and len(problems) == 1 and "refused" in problems[0].message
    text = (FORMATS / "onvif-upnp" / "wsdiscovery-probematches.xml").read_text(encoding="utf-8")
    broken = tmp_path / "probes.xml"
    broken.write_text(text.replace("<d:Types>dn:NetworkVideoTransmitter</d:Types>", "<d:Types>oops</d:Typo>"))
    devices, problems = _read("onvif-upnp", broken)
    assert sorted(devices) == ["10.40.1.21", "10.40.1.24"] and [p.line for p in problems] == [41]
    nowhere = tmp_path / "camera-info.xml"
    nowhere.write_bytes((FORMATS / "onvif-upnp" / "10.40.1.23.xml").read_bytes())
    devices, problems = _read("onvif-upnp", nowhere)
    assert devices == {} and [(p.line, "--host" in p.message) for p in problems] == [(2, True)]
    devices, problems = _read("onvif-upnp", nowhere, Hints(host="nvr-branch-40"))
    assert list(devices) == ["nvr-branch-40"] and not problems
    unclosed = tmp_path / "cut.xml"  # a dump cut short: the replies before the cut are read, then one line
    unclosed.write_text(text + "\n<env:Envelope xmlns:env='x'><env:Body>" * 3, encoding="utf-8")
    devices, problems = _read("onvif-upnp", unclosed)
    assert len(devices) == 3 and [p.message.split(";")[0] for p in problems] == ["XML reply without its end tag"]


def test_discovery_dumps_grade_covered_and_relabeled_devices(sqlite_service: Service) -> None:
    folder = FORMATS / "onvif-upnp"
    sqlite_service.ingest([folder / "wsdiscovery-probematches.xml", folder / "10.40.1.23.xml"])
    findings = {(f["host"], f["vendor"]) for f in sqlite_service.findings()}
    assert ("10.40.1.21", "hikvision") in findings and ("10.40.1.23", "hikvision") in findings
    assert not any(host == "10.40.1.31" for host, _vendor in findings)  # Axis: a look-alike


def test_runzero_csv_export(tmp_path: Path) -> None:
    devices, problems = _read("runzero-csv", FORMATS / "runzero-csv" / "asset-inventory.csv")
    assert not problems and sorted(devices) == ["10.40.1.24", "10.40.1.77", "AXIS-ACCC8E5B2031", "CAM-LOBBY-01"]
    camera = devices["CAM-LOBBY-01"]
    assert ("service_banner", "", "hikvision ip camera httpd") in _evidence(camera)
    assert camera.host_facts["runzero_mac_vendor"] == "Hangzhou Hikvision Digital Technology Co.,Ltd."
    assert str(camera.seen_at) == "2026-11-18 09:15:01"
    assert _evidence(devices["10.40.1.77"]) == {("nmap_os", "", "Android")}  # randomized MAC: no maker
    text = (FORMATS / "runzero-csv" / "asset-inventory.csv").read_text(encoding="utf-8")
    broken = tmp_path / "assets.csv"
    broken.write_text(text.replace("2026-11-18T09:14:48Z", "yesterday").replace(",IP Camera,Branch 40,true", ",x", 1))
    devices, problems = _read("runzero-csv", broken)
    assert [p.line for p in problems] == [2, 4] and sorted(devices) == ["10.40.1.24", "10.40.1.77"]


def test_kaspersky_device_list_under_its_older_column_names(tmp_path: Path) -> None:
    """Administration Kit's computer list: "Agent / Antivirus" as +/- marks, "IP address", "Domain"."""
    path = tmp_path / "computers.txt"
    path.write_text(
        "Name\tOS type\tDomain\tAgent / Antivirus\tVisible in the network\tDNS domain\tDomain name\tIP address\n"
        "WS-0101\tWorkstation\tAGENCY\t+ / +\t11/18/2025\tagency.example.gov\tws-0101.agency.example.gov\t10.50.3.101\n"
        "WS-0102\tWorkstation\tAGENCY\t+ / -\t11/18/2025\tagency.example.gov\tws-0102.agency.example.gov\t10.50.3.102\n"
        "PRN-0007\tPrinter\tAGENCY\t- / -\t11/18/2025\tagency.example.gov\t\t10.50.3.7\n",
        encoding="utf-8",
    )
    assert [f.name for f in sources.FORMATS if f.identify(path.name, read_head(path))] == ["ksc-devices"]
    devices, problems = _read("ksc-devices", path)
    assert not problems and sorted(devices) == ["WS-0101", "WS-0102"]  # the printer has no agent: never examined
    assert len(devices["WS-0101"].items) == 2 and len(devices["WS-0102"].items) == 1
    facts = devices["WS-0101"].host_facts
    assert (facts["addresses"], facts["windows_domain"], facts["dns_name"]) == (
        "10.50.3.101",
        "AGENCY",
        "ws-0101.agency.example.gov",
    )
