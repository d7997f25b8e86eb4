"""The sample organization around a generated fleet: the rest of what an agency holds.

An agency with two offices, a prime contractor and its subcontractor; who owns which host; purchase
lines (one from a covered supplier); a proxy log naming managed hosts and a DNS log with a client no
inventory knows; a camera network and branch routers seen by nmap, a switch, DHCP and Zeek (demo/cameras.py);
and a small custodian mailbox, some of it assessing the vendor since 2013. Everything
is derived from the seed and the fleet's host list, so the package built from it has a known answer.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path

from vendorscope.demo.cameras import generate_devices

AGENCY = ("dea", "Department of Example Affairs", "agency", "", "", "")
OFFICES = (
    ("dea-hq", "Office of the Chief Information Officer", "office", "dea", "", ""),
    ("dea-field", "Field Operations Office", "office", "dea", "", ""),
)
PRIME = (
    "acme",
    "Acme Federal Systems LLC",
    "contractor",
    "dea-hq",
    "70DEA018C00000042;70DEA019F00000007",
    "ACMEF1234567",
)
SUB = ("beta", "Beta Widgets Inc", "subcontractor", "acme", "70DEA018C00000042", "BETAW7654321")
UNMANAGED_CLIENT = "10.20.30.40"
SINCE = datetime(2013, 1, 1, tzinfo=UTC)


@dataclass
class OrganizationSummary:
    out_dir: Path
    orgs: int
    owned: dict[str, str] = field(default_factory=dict)  # host -> org id (explicit and by rule)
    emails: int = 0
    responsive_subjects: list[str] = field(default_factory=list)
    files: list[Path] = field(default_factory=list)


def generate_organization(out_dir: Path, hosts: list[str], seed: int) -> OrganizationSummary:
    """Write the organization's files for a fleet whose host names are ``hosts``."""
    rng = random.Random(seed * 7919 + 17)
    out_dir.mkdir(parents=True, exist_ok=True)
    summary = OrganizationSummary(out_dir, orgs=2 + len(OFFICES) + 1)
    summary.files.append(_write(out_dir / "orgs.csv", _orgs_csv()))
    servers = sorted(h for h in hosts if h.startswith("srv-"))
    contractor_hosts = {h: ("acme" if i % 3 else "beta") for i, h in enumerate(servers[: max(2, len(servers) // 3)])}
    summary.files.append(_write(out_dir / "hosts.csv", _hosts_csv(contractor_hosts, hosts, rng)))
    summary.files.append(_write(out_dir / "ownership-rules.csv", _rules_csv()))
    summary.owned = _owners(hosts, contractor_hosts)
    summary.files.append(_write(out_dir / "procurement.csv", _procurement_csv()))
    network = out_dir / "network"
    network.mkdir(exist_ok=True)
    summary.files.append(_write(network / "proxy.csv", _proxy_csv(hosts, rng)))
    summary.files.append(_write(network / "dns.log", _zeek_dns()))
    summary.files += generate_devices(out_dir / "devices")  # the camera network and branch routers
    mailbox = out_dir / "mail" / "cio"
    mailbox.mkdir(parents=True, exist_ok=True)
    for name, message, responsive in _mailbox(rng):
        summary.files.append(_write(mailbox / name, message.as_bytes()))
        summary.emails += 1
        if responsive:
            summary.responsive_subjects.append(str(message["Subject"]))
    return summary


def _write(path: Path, data: str | bytes) -> Path:
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return path


def _csv(rows: list[tuple[str, ...]]) -> str:
    return "".join(",".join(f'"{c}"' if "," in c else c for c in row) + "\n" for row in rows)


def _orgs_csv() -> str:
    header = ("id", "name", "kind", "parent", "contract", "uei", "cage", "country")
    rows = [(*org[:5], org[5], "", "US") for org in (AGENCY, *OFFICES, PRIME, SUB)]
    return _csv([header, *rows])


def _hosts_csv(contractor_hosts: dict[str, str], hosts: list[str], rng: random.Random) -> str:
    rows = [("host", "org", "role", "sensitivity", "location")]
    for host, org in sorted(contractor_hosts.items()):
        rows.append((host, org, "build server" if org == "acme" else "test server", "moderate", "Reston, VA"))
    for host in sorted(h for h in hosts if h.startswith("ws-"))[:5]:
        rows.append((host, "dea-hq", "executive workstation", "high", "Washington, DC"))
    return _csv(rows)


def _rules_csv() -> str:
    return _csv(
        [
            ("org", "hostname", "network"),
            ("dea-hq", "ws-*", ""),
            ("dea-field", "mac-*", ""),
            ("dea-field", "mob-*", ""),
            ("dea-hq", "srv-*", ""),
            ("dea-field", "", "10.40.0.0/16"),  # the branch office's networks (cameras, routers)
            ("dea-hq", "", "10.50.0.0/16"),
            ("acme", "", "10.60.0.0/16"),  # the prime contractor's site
        ]
    )


def _owners(hosts: list[str], contractor_hosts: dict[str, str]) -> dict[str, str]:
    owners = {}
    for host in hosts:
        if host in contractor_hosts:
            owners[host] = contractor_hosts[host]
        elif host.startswith(("mac-", "mob-")):
            owners[host] = "dea-field"
        else:
            owners[host] = "dea-hq"
    return owners


def _procurement_csv() -> str:
    header = ("date", "org", "supplier", "description", "part", "amount", "contract", "order")
    return _csv(
        [
            header,
            (
                "2016-03-14",
                "dea-hq",
                "Softline Trade LLC",
                "Kaspersky Endpoint Security for Business Select, 250 nodes, 1 yr",
                "KL4863AAQFS",
                "11250.00",
                "70DEA016P00000311",
                "0001",
            ),
            (
                "2017-02-02",
                "acme",
                "Kaspersky Lab, Inc.",
                "Annual renewal, anti-virus licences for build servers",
                "",
                "3400.00",
                "70DEA018C00000042",
                "0007",
            ),
            (
                "2017-05-19",
                "dea-field",
                "CDW Government LLC",
                "Dell Latitude 7480 laptops",
                "LAT7480",
                "48210.00",
                "GS-35F-0000X",
                "0112",
            ),
            (
                "2018-01-08",
                "beta",
                "Insight Public Sector",
                "Microsoft 365 E3 licences",
                "AAA-10756",
                "9120.00",
                "70DEA018C00000042",
                "0009",
            ),
        ]
    )


def _proxy_csv(hosts: list[str], rng: random.Random) -> str:
    rows = [("time", "client", "client_name", "domain")]
    clients = sorted(h for h in hosts if h.startswith("ws-"))[:4]
    for n, host in enumerate(clients):
        when = datetime(2026, 10, 20, 8, tzinfo=UTC) + timedelta(minutes=17 * n + rng.randrange(5))
        rows.append((when.isoformat(), f"10.1.0.{n + 10}", host, f"dnl-0{n}.geo.kaspersky.com"))
        rows.append((when.isoformat(), f"10.1.0.{n + 10}", host, "www.example.gov"))
    return _csv(rows)


def _zeek_dns() -> str:
    fields = [
        "ts",
        "uid",
        "id.orig_h",
        "id.orig_p",
        "id.resp_h",
        "id.resp_p",
        "proto",
        "trans_id",
        "query",
        "qclass",
        "qclass_name",
        "qtype",
        "qtype_name",
        "rcode",
        "rcode_name",
    ]
    head = ["#separator \\x09", "#set_separator\t,", "#path\tdns", "#fields\t" + "\t".join(fields)]
    base = datetime(2026, 10, 21, 9, tzinfo=UTC).timestamp()
    lines = []
    for n, query in enumerate(("ksn-file-geo.kaspersky-labs.com", "www.example.gov", "dnl-03.geo.kaspersky.com")):
        lines.append(
            "\t".join(
                [
                    f"{base + 60 * n:.6f}",
                    f"C{n}x",
                    UNMANAGED_CLIENT,
                    "53211",
                    "10.0.0.2",
                    "53",
                    "udp",
                    str(1000 + n),
                    query,
                    "1",
                    "C_INTERNET",
                    "1",
                    "A",
                    "0",
                    "NOERROR",
                ]
            )
        )
    return "\n".join([*head, *lines]) + "\n"


def _email(sender: str, to: str, subject: str, body: str, when: datetime, cc: str = "") -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    if cc:
        message["Cc"] = cc
    message["Subject"] = subject
    message["Date"] = format_datetime(when)
    message["Message-ID"] = make_msgid(domain="dea.example.gov")
    message.set_content(body)
    return message


def _mailbox(rng: random.Random) -> list[tuple[str, EmailMessage, bool]]:
    """(file name, message, responsive to "documents assessing the vendor since 2013")."""
    ciso = "Dana Whitfield <dana.whitfield@dea.example.gov>"
    cio = "Sam Ortega <sam.ortega@dea.example.gov>"
    counsel = "Office of General Counsel <ogc@dea.example.gov>"
    risk = _email(
        ciso,
        cio,
        "Risk assessment: Kaspersky Endpoint Security on agency workstations",
        "Sam,\n\nAttached is our assessment of the Kaspersky products on the HQ fleet. The KSN cloud "
        "telemetry uploads file samples to servers in Moscow, and the Network Agent (klnagent) executes "
        "tasks pushed by the administration server. We recommend removal.\n\nDana\n",
        datetime(2017, 7, 28, 14, 5, tzinfo=UTC),
    )
    risk.add_attachment(
        "Assessment of Kaspersky Lab products (draft).\n\nFindings: kernel drivers (klif.sys), "
        "cloud telemetry (KSN), TLS interception by the Kaspersky root certificate.\n",
        filename="kaspersky-risk-assessment.txt",
    )
    reply = _email(
        cio,
        ciso,
        "Re: Risk assessment: Kaspersky Endpoint Security on agency workstations",
        "Agreed. Please prepare the removal plan under BOD 17-01.\n",
        datetime(2017, 7, 29, 9, tzinfo=UTC),
    )
    reply["In-Reply-To"] = risk["Message-ID"]
    reply["References"] = risk["Message-ID"]
    privileged = _email(
        counsel,
        cio,
        "Legal advice on the Kaspersky Lab contract termination",
        "Privileged and confidential: attorney-client communication about terminating the "
        "Kaspersky Lab, Inc. licence under the contract.\n",
        datetime(2017, 9, 14, 16, tzinfo=UTC),
    )
    old = _email(
        ciso,
        cio,
        "Kaspersky Anti-Virus renewal quote",
        "The renewal quote for Kaspersky Anti-Virus is attached.\n",
        datetime(2012, 11, 5, 10, tzinfo=UTC),
    )
    decoy = _email(
        ciso,
        cio,
        "Casper mattress delivery for the break room",
        "Casper will deliver on Friday; Kasper from facilities will sign.\n",
        datetime(2017, 8, 1, 11, tzinfo=UTC),
    )
    other = _email(
        cio,
        ciso,
        "Quarterly patch status",
        f"{rng.randrange(80, 99)}% of workstations are patched.\n",
        datetime(2018, 1, 15, 8, tzinfo=UTC),
    )
    return [
        ("0001-risk-assessment.eml", risk, True),
        ("0002-reply.eml", reply, True),
        ("0003-counsel.eml", privileged, True),
        ("0004-renewal-2012.eml", old, False),
        ("0005-casper.eml", decoy, False),
        ("0006-patches.eml", other, False),
    ]
