"""The sample agency's camera network and branch routers, as the tools that saw them wrote it down.

A branch office scanned with nmap (``-sV -O`` with the title, server-header and certificate scripts),
its access switch's MAC address table, the headquarters' Windows DHCP audit log, and Zeek's
``x509.log``, ``http.log`` and ``software.log`` from the branch sensor. The devices are covered
(Hikvision, Dahua, Huawei, ZTE), relabeled (Honeywell over Dahua, LTS over Hikvision), look-alikes
(Axis, Bosch, Hanwha, Cisco, Juniper), a phone with a randomized MAC, and one device known only by
its MAC prefix (a candidate, not a finding). ``devices-truth.json`` says which is which.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

SCAN_TIME = 1763457123  # Tue 18 Nov 2025 09:12:03 UTC


@dataclass(frozen=True)
class Port:
    number: int
    product: str = ""
    server: str = ""  # http-server-header script
    title: str = ""  # http-title script
    cert: tuple[str, str] = ("", "")  # (subject O, issuer O) of ssl-cert


@dataclass(frozen=True)
class Device:
    name: str
    ip: str
    mac: str
    maker: str  # vendor id of a covered maker, or "" for look-alikes and unknowns
    label: str  # the brand on the device
    what: str  # camera, recorder, router...
    ports: tuple[Port, ...] = ()
    os: tuple[str, str] = ("", "")  # (osmatch name, osclass vendor)
    dhcp: str = ""  # host name in the DHCP log
    site: str = "branch"  # branch (nmap, switch), hq (DHCP log), contractor (nmap)
    grade: str = "covered"  # covered | candidate | clean
    note: str = ""
    extra: dict[str, str] = field(default_factory=dict)


HTTP = "http"
DEVICES: tuple[Device, ...] = (
    Device(
        "cam-lobby-01",
        "10.40.1.21",
        "44:19:b6:3a:10:21",
        "hikvision",
        "Hikvision",
        "camera",
        (
            Port(80, "Hikvision IP camera httpd", "DNVRS-Webs"),
            Port(443, "Hikvision IP camera httpd", cert=("Hikvision", "Hikvision")),
            Port(554, "Hikvision 7513 POE IP camera rtspd"),
        ),
        ("Linux 3.2 - 4.9", "Linux"),
    ),
    Device(
        "cam-garage-01",
        "10.40.1.22",
        "e0:50:8b:71:0c:22",
        "dahua",
        "Dahua",
        "camera",
        (Port(80, title="WEB SERVICE"), Port(443)),
        ("Linux 3.2 - 4.9", "Linux"),
        note="certificate seen by Zeek: O=Zhejiang Dahua Technology",
    ),
    Device(
        "nvr-branch-01",
        "10.40.1.23",
        "bc:ad:28:5e:31:09",
        "hikvision",
        "Hikvision",
        "recorder",
        (Port(80), Port(8000)),
        dhcp="DS-7608NI-K2",
        note="Server header App-webs/ seen by Zeek",
    ),
    Device(
        "cam-entry-02",
        "10.40.1.24",
        "3c:ef:8c:11:d4:02",
        "dahua",
        "Honeywell",
        "camera",
        (Port(80, title="Honeywell HC35W45R3"), Port(554)),
        ("Linux 3.2 - 4.9", "Linux"),
        note="relabeled: Honeywell label, Dahua network interface and firmware",
    ),
    Device(
        "cam-yard-03",
        "10.40.1.25",
        "c4:2f:90:a1:10:25",
        "hikvision",
        "LTS",
        "camera",
        (Port(80, "Hikvision IP camera httpd", title="LTS Platinum Bullet IP Camera"),),
        ("Linux 3.2 - 4.9", "Linux"),
        note="relabeled: LTS label over Hikvision firmware",
    ),
    Device(
        "cam-dock-02",
        "10.40.1.31",
        "ac:cc:8e:5b:20:31",
        "",
        "Axis",
        "camera",
        (
            Port(80, "Apache httpd", "Apache", "AXIS P3245-V Network Camera"),
            Port(443, "Apache httpd", cert=("Axis Communications AB", "Axis Communications AB")),
        ),
        ("Linux 4.15 - 5.8", "Linux"),
        grade="clean",
    ),
    Device(
        "cam-gate-04",
        "10.40.1.32",
        "00:04:63:2a:41:32",
        "",
        "Bosch",
        "camera",
        (Port(80, "lighttpd", "lighttpd/1.4.59", "FLEXIDOME IP 5100i"),),
        grade="clean",
    ),
    Device(
        "cam-fence-05",
        "10.40.1.33",
        "e4:30:22:0b:51:33",
        "",
        "Hanwha",
        "camera",
        (Port(80, "nginx", "nginx", "Wisenet WEB VIEWER"),),
        grade="clean",
    ),
    Device(
        "10.40.1.77",
        "10.40.1.77",
        "da:a1:19:4c:77:02",
        "",
        "(phone)",
        "phone",
        grade="clean",
        note="randomized MAC (locally administered): names no maker",
    ),
    Device(
        "rtr-branch-01",
        "10.40.0.1",
        "00:27:0d:be:7f:40",
        "",
        "Cisco",
        "router",
        (
            Port(
                22,
                "Cisco SSH",
            ),
            Port(443, "Cisco IOS http config"),
        ),
        ("Cisco IOS 15.X", "Cisco"),
        grade="clean",
    ),
    Device(
        "rtr-branch-02",
        "10.40.2.1",
        "00:e0:fc:12:34:01",
        "huawei",
        "Huawei",
        "router",
        (Port(22), Port(23, "Huawei VRP telnetd")),
        ("Huawei VRP 8.X", "Huawei"),
        note="SSH banner SSH-2.0-HUAWEI-1.5 seen by Zeek",
    ),
    Device(
        "fw-branch-01",
        "10.40.2.2",
        "00:10:db:ff:20:02",
        "",
        "Juniper",
        "firewall",
        (Port(22, "OpenSSH"), Port(443, "Juniper SRX http config")),
        ("Juniper Junos OS 19.X", "Juniper"),
        grade="clean",
    ),
    Device(
        "lte-branch-01",
        "10.40.2.3",
        "00:15:eb:40:02:03",
        "zte",
        "ZTE",
        "modem",
        (Port(80, "mini_httpd", title="ZXHN H298A"),),
    ),
    Device(
        "",
        "",
        "bc:32:5f:0a:11:43",
        "dahua",
        "(unknown)",
        "device",
        site="switch-only",
        grade="candidate",
        note="only the switch's MAC table knows it: a Dahua MAC prefix, to confirm",
    ),
    Device(
        "DS-2CD2387G2-LU",
        "10.50.1.21",
        "c4:2f:90:a1:b2:07",
        "hikvision",
        "Hikvision",
        "camera",
        site="hq",
        dhcp="DS-2CD2387G2-LU.hq.example.gov",
        note="Hikvision MAC prefix and factory host name in the DHCP log",
    ),
    Device(
        "HC35W45R3",
        "10.50.1.22",
        "3c:ef:8c:11:d4:99",
        "dahua",
        "Honeywell",
        "camera",
        site="hq",
        dhcp="HC35W45R3.hq.example.gov",
        note="relabeled: Honeywell model number, Dahua MAC prefix",
    ),
    Device(
        "nvr-acme-01",
        "10.60.1.10",
        "08:ed:ed:60:01:10",
        "dahua",
        "Dahua",
        "recorder",
        (
            Port(80, title="WEB SERVICE"),
            Port(443, cert=("Zhejiang Dahua Technology Co., Ltd.", "Zhejiang Dahua Technology Co., Ltd.")),
        ),
        site="contractor",
        note="at the prime contractor's site",
    ),
)


def generate_devices(out_dir: Path) -> list[Path]:
    """Write the device evidence and its truth under ``out_dir`` (the organization's ``devices`` folder)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    zeek = out_dir / "zeek"
    zeek.mkdir(exist_ok=True)
    files = {
        out_dir / "nmap-branch.xml": _nmap([d for d in DEVICES if d.site in ("branch", "contractor") and d.ip]),
        out_dir / "sw-branch-01-mac.txt": _mac_table([d for d in DEVICES if d.site in ("branch", "switch-only")]),
        out_dir / "DhcpSrvLog-Tue.log": _dhcp_log([d for d in DEVICES if d.dhcp]),
        zeek / "x509.log": _zeek_x509(),
        zeek / "http.log": _zeek_http(),
        zeek / "software.log": _zeek_software(),
        out_dir.parent / "devices-truth.json": _truth(),
    }
    for path, text in files.items():
        path.write_text(text, encoding="utf-8", newline="")
    return sorted(files)


def truth_pairs(truth_path: Path, grade: str = "covered") -> set[tuple[str, str]]:
    """(MAC, vendor) of the truth's devices of one grade (covered, candidate, clean)."""
    truth = json.loads(truth_path.read_text(encoding="utf-8"))
    return {(d["mac"], d["vendor"]) for d in truth["devices"] if d["grade"] == grade}


def _truth() -> str:
    devices = [
        {
            "host": d.name or d.mac,
            "ip": d.ip,
            "mac": d.mac,
            "vendor": d.maker,
            "label": d.label,
            "device_class": d.what,
            "grade": d.grade,
            "note": d.note,
        }
        for d in DEVICES
    ]
    return json.dumps({"devices": devices}, indent=2, sort_keys=True) + "\n"


def _nmap(devices: list[Device]) -> str:
    args = "nmap -sV -O --script http-title,http-server-header,ssl-cert -oX nmap-branch.xml 10.40.0.0/22 10.60.1.0/24"
    hosts = "".join(_nmap_host(d, SCAN_TIME + 10 * i) for i, d in enumerate(devices))
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE nmaprun>\n'
        '<?xml-stylesheet href="file:///usr/bin/../share/nmap/nmap.xsl" type="text/xsl"?>\n'
        f'<nmaprun scanner="nmap" args="{args}" start="{SCAN_TIME}" startstr="Tue Nov 18 09:12:03 2025" '
        'version="7.94SVN" xmloutputversion="1.05">\n'
        '<scaninfo type="syn" protocol="tcp" numservices="1000" services="1,3-4,6-7,9,13,17,19-26"/>\n'
        '<verbose level="0"/>\n<debugging level="0"/>\n'
        f"{hosts}"
        f'<runstats><finished time="{SCAN_TIME + 600}" timestr="Tue Nov 18 09:22:03 2025" elapsed="600.00" '
        f'exit="success"/><hosts up="{len(devices)}" down="{1278 - len(devices)}" total="1278"/>\n</runstats>\n'
        "</nmaprun>\n"
    )


def _nmap_host(device: Device, when: int) -> str:
    names = (
        f'<hostname name="{device.name}.example.gov" type="PTR"/>\n' if device.name and device.name != device.ip else ""
    )
    ports = "".join(_nmap_port(p) for p in device.ports)
    os_name, os_vendor = device.os
    os = (
        f'<os><osmatch name="{os_name}" accuracy="95" line="1">\n'
        f'<osclass type="general purpose" vendor="{os_vendor}" accuracy="95"/>\n</osmatch>\n</os>\n'
        if os_name
        else "<os></os>\n"
    )
    return (
        f'<host starttime="{when}" endtime="{when + 9}"><status state="up" reason="arp-response" reason_ttl="0"/>\n'
        f'<address addr="{device.ip}" addrtype="ipv4"/>\n'
        f'<address addr="{device.mac.upper()}" addrtype="mac"/>\n'
        f"<hostnames>\n{names}</hostnames>\n"
        f'<ports><extraports state="closed" count="{1000 - len(device.ports)}"/>\n{ports}</ports>\n'
        f"{os}</host>\n"
    )


def _nmap_port(port: Port) -> str:
    product = f' product="{port.product}"' if port.product else ""
    scripts = ""
    if port.server:
        scripts += f'<script id="http-server-header" output="{port.server}"><elem>{port.server}</elem>\n</script>'
    if port.title:
        scripts += f'<script id="http-title" output="{port.title}"><elem key="title">{port.title}</elem>\n</script>'
    subject, issuer = port.cert
    if subject:
        scripts += (
            f'<script id="ssl-cert" output="Subject: organizationName={subject}">'
            f'<table key="subject">\n<elem key="organizationName">{subject}</elem>\n</table>\n'
            f'<table key="issuer">\n<elem key="organizationName">{issuer}</elem>\n</table>\n</script>'
        )
    service = "https" if port.number == 443 else ("ssh" if port.number == 22 else "http")
    return (
        f'<port protocol="tcp" portid="{port.number}"><state state="open" reason="syn-ack" reason_ttl="64"/>'
        f'<service name="{service}"{product} method="probed" conf="10"/>{scripts}</port>\n'
    )


def _cisco_mac(mac: str) -> str:
    digits = mac.replace(":", "")
    return ".".join(digits[i : i + 4] for i in range(0, 12, 4))


def _mac_table(devices: list[Device]) -> str:
    lines = [
        "sw-branch-01#show mac address-table",
        "          Mac Address Table",
        "-------------------------------------------",
        "",
        "Vlan    Mac Address       Type        Ports",
        "----    -----------       --------    -----",
        " All    0100.0ccc.cccc    STATIC      CPU",
        " All    ffff.ffff.ffff    STATIC      CPU",
    ]
    for port, device in enumerate(devices, start=2):
        lines.append(f"  40    {_cisco_mac(device.mac)}    DYNAMIC     Gi1/0/{port}")
    lines += [f"Total Mac Addresses for this criterion: {len(devices) + 2}", "sw-branch-01#", ""]
    return "\n".join(lines)


DHCP_PREAMBLE = (
    "\t\tMicrosoft DHCP Service Activity Log\r\n\r\n\r\nEvent ID  Meaning\r\n00\tThe log was started.\r\n"
    "10\tA new IP address was leased to a client.\r\n11\tA lease was renewed by a client.\r\n"
    "12\tA lease was released by a client.\r\n\r\n"
    "ID,Date,Time,Description,IP Address,Host Name,MAC Address,User Name, TransactionID, QResult,Probationtime, "
    "CorrelationID,Dhcid,VendorClass(Hex),VendorClass(ASCII),UserClass(Hex),UserClass(ASCII),"
    "RelayAgentInformation,DnsRegError.\r\n00,11/18/25,00:00:01,Log Started,,,,,0,6,,,,,,,,,0\r\n"
)


def _dhcp_log(devices: list[Device]) -> str:
    rows = []
    for minute, device in enumerate(devices):
        mac = device.mac.replace(":", "").upper()
        rows.append(
            f"11,11/18/25,08:{10 + minute:02d}:40,Renew,{device.ip},{device.dhcp},{mac},,27319{minute},0,,,,,,,,,0\r\n"
        )
    return DHCP_PREAMBLE + "".join(rows)


_ZEEK_HEAD = (
    "#separator \\x09\n#set_separator\t,\n#empty_field\t(empty)\n#unset_field\t-\n"
    "#path\t{path}\n#open\t2025-11-18-09-00-00\n"
)


def _zeek_x509() -> str:
    fields = (
        "ts",
        "fingerprint",
        "certificate.version",
        "certificate.serial",
        "certificate.subject",
        "certificate.issuer",
        "san.ip",
        "host_cert",
        "client_cert",
    )
    rows = [
        (
            "1763456412.118734",
            "6f4b1c1d2e9a0c8b7e33b2a1f0d9c8b7",
            "3",
            "5E1C7A32",
            "CN=10.40.1.22,O=Zhejiang Dahua Technology Co.\\, Ltd.,C=CN",
            "CN=General Root CA,O=Zhejiang Dahua Technology Co.\\, Ltd.,C=CN",
            "10.40.1.22",
            "T",
            "F",
        ),
        (
            "1763456420.552301",
            "1a2b3c4d5e6f708192a3b4c5d6e7f809",
            "3",
            "01",
            "CN=axis-accc8e5b2031,O=Axis Communications AB",
            "CN=Axis Communications AB Root CA,O=Axis Communications AB",
            "10.40.1.31",
            "T",
            "F",
        ),
    ]
    return _zeek("x509", fields, rows)


def _zeek_http() -> str:
    rows = [
        {
            "ts": 1763456701.204411,
            "uid": "CHhAvVGS1DHFjwGM9",
            "id.orig_h": "10.40.9.15",
            "id.orig_p": 52311,
            "id.resp_h": "10.40.1.23",
            "id.resp_p": 80,
            "trans_depth": 1,
            "method": "GET",
            "host": "10.40.1.23",
            "uri": "/doc/page/login.asp",
            "version": "1.1",
            "status_code": 200,
            "status_msg": "OK",
            "server": "App-webs/",
        },
        {
            "ts": 1763456702.771290,
            "uid": "C4J4Th3PJpwUYZZ6gc",
            "id.orig_h": "10.40.9.15",
            "id.orig_p": 52312,
            "id.resp_h": "10.40.1.31",
            "id.resp_p": 80,
            "trans_depth": 1,
            "method": "GET",
            "host": "10.40.1.31",
            "uri": "/axis-cgi/param.cgi?action=list",
            "version": "1.1",
            "status_code": 401,
            "status_msg": "Unauthorized",
            "server": "Apache",
        },
    ]
    return "".join(json.dumps(r, separators=(",", ":")) + "\n" for r in rows)


def _zeek_software() -> str:
    fields = ("ts", "host", "host_p", "software_type", "name", "unparsed_version")
    rows = [
        ("1763456509.003318", "10.40.2.1", "22", "SSH::SERVER", "HUAWEI", "SSH-2.0-HUAWEI-1.5"),
        ("1763456511.420071", "10.40.0.1", "22", "SSH::SERVER", "Cisco", "SSH-2.0-Cisco-1.25"),
        ("1763456512.100200", "10.40.2.2", "22", "SSH::SERVER", "OpenSSH", "SSH-2.0-OpenSSH_7.5"),
    ]
    return _zeek("software", fields, rows)


def _zeek(path: str, fields: tuple[str, ...], rows: list[tuple[str, ...]]) -> str:
    body = "".join("\t".join(row) + "\n" for row in rows)
    return (
        _ZEEK_HEAD.format(path=path) + "#fields\t" + "\t".join(fields) + "\n" + body + "#close\t2025-11-18-10-00-00\n"
    )
