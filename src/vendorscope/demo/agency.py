"""The rest of an agency at scale, beside the sample fleet: what the agency-scale benchmark needs.

``generate_agency_extras(out_dir, …)`` writes, from ``random.Random(seed)`` only (same arguments,
byte-identical files):

- ``sccm/add-remove-programs-NNN.csv``: SCCM/MECM Add/Remove Programs exports (``v_GS_ADD_REMOVE_PROGRAMS``
  joined with ``v_R_System``) of Windows hosts the fleet does not hold (``WSC-NNNNN``);
- ``intune/devices-NNN.csv``: Intune per-device discovered-apps exports of Windows laptops and Android
  phones (``LT-NNNNN``, ``MOBI-NNNNN``);
- ``sbom/appl-NNNNN.cdx.json``: one CycloneDX SBOM per appliance (the appliance is the SBOM's device), a
  share of them embedding the vendor's scan engine;
- ``registry/contractors.csv``: contractors and subcontractors (organization registry format) under the
  sample organization's offices, a few of them covered entities or their affiliates;
- ``truth.json``: the findings a correct run reports for these hosts (``findings``, as the fleet's truth)
  and the registry organizations screening must flag as covered suppliers (``suppliers``).

Kaspersky products appear on about 12 % of the hosts and appliances, look-alikes (which must not match) on
about 10 %, as in the fleet. ``truth.json`` and nothing else in the folder is the generator's, not evidence
(an ignore file says so).
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from pathlib import Path

from vendorscope.sources.reader import IGNORE_FILE

VENDOR = "kaspersky"
GENERATED_NOTE = "# written by the agency generator: not evidence\ntruth.json\n"
DATA = Path(__file__).with_name("data")
HOSTS_PER_EXPORT = 1_000
KASPERSKY_SHARE = 0.12
DECOY_SHARE = 0.10
COVERED_SHARE = 0.004  # of the contractors: covered entities (or affiliates named after one)

# (name, publisher, versions, product): the forms the vendor's Windows software takes in ARP and Intune.
KASPERSKY_WINDOWS = (
    ("Kaspersky Endpoint Security for Windows", "AO Kaspersky Lab", ("12.6.0.438", "11.11.0.452"), "kes-windows"),
    ("Kaspersky Security Center Network Agent", "Kaspersky Lab", ("14.2.0.26967", "15.1.0.20748"), "ksc-agent"),
    ("Kaspersky Endpoint Security для Windows", "АО Лаборатория Касперского", ("12.5.0.538",), "kes-windows"),
)
KASPERSKY_ANDROID = (("Kaspersky Endpoint Security for Android", "Kaspersky Lab", ("11.52.4.2040",), "kes-android"),)
# Names near the vendor's that are someone else's software.
DECOYS_WINDOWS = (
    ("Casper Secure Backup", "Casper Labs Inc.", "3.2.1"),
    ("KasperTech Timesheet", "Kasper Technologies ApS", "2.0.4"),
    ("Dr.Web Security Space", "Doctor Web", "12.0.4"),
    ("AVG AntiVirus FREE", "Gen Digital Inc.", "24.11.3358"),
)
DECOYS_ANDROID = (("Kasper Scanner", "Kasper Apps", "1.4"), ("Casper Notes", "Casper Mobile", "5.1"))
COMPONENTS = (
    ("busybox", "1.36.1", "BusyBox"),
    ("openssl", "3.0.15", "OpenSSL Software Foundation"),
    ("zlib", "1.3.1", "Jean-loup Gailly and Mark Adler"),
    ("lighttpd", "1.4.76", "lighttpd"),
    ("dropbear", "2024.85", "Matt Johnston"),
    ("sqlite", "3.46.1", "SQLite"),
    ("curl", "8.10.1", "Daniel Stenberg"),
    ("libxml2", "2.13.4", "GNOME"),
    ("u-boot", "2024.07", "DENX"),
    ("linux-kernel", "6.6.52", "The Linux Kernel Organization"),
)
APPLIANCE_MAKERS = ("Example Networks", "Northwind Appliances", "Contoso Secure Gateways")
KAV_SDK = {"type": "library", "name": "Kaspersky Anti-Virus SDK", "version": "8.1.4.1", "supplier": "AO Kaspersky Lab"}
DECOY_COMPONENT = {"type": "library", "name": "casper-js", "version": "1.1.4", "supplier": "Casper.js contributors"}
# Covered entities and affiliates as a registry would name them (FAR 52.204-23/-25 lists).
COVERED_NAMES = (
    "Huawei Technologies USA Inc.",
    "Futurewei Technologies, Inc.",
    "ZTE USA Inc.",
    "Hikvision USA Inc.",
    "Dahua Technology USA Inc.",
    "Kaspersky Lab, Inc.",
)
_FIRST = ("Blue", "Granite", "Harbor", "Liberty", "Summit", "Pioneer", "Cedar", "Meridian", "Keystone", "Atlas")
_SECOND = ("Ridge", "Point", "Bridge", "Field", "Stone", "Valley", "River", "Crest", "Gate", "Lake")
_TRADE = ("Systems", "Solutions", "Analytics", "Logistics", "Engineering", "Consulting", "Services", "Networks")
_FORM = ("LLC", "Inc.", "Corp.", "Group LLC", "Partners LLC")


@dataclass(frozen=True)
class ExtrasSummary:
    """What was written: hosts per source, inventory rows, contractors, and the truth's path."""

    sccm_hosts: int
    intune_hosts: int
    appliances: int
    rows: int
    contractors: int
    truth_path: Path


def generate_agency_extras(
    out_dir: Path, sccm_hosts: int, intune_hosts: int, appliances: int, contractors: int, seed: int
) -> ExtrasSummary:
    """Write SCCM and Intune exports, appliance SBOMs and a contractor registry, and their truth."""
    rng = random.Random(seed * 104_729 + 5)
    out_dir = Path(out_dir)
    for sub in ("sccm", "intune", "sbom", "registry"):
        (out_dir / sub).mkdir(parents=True, exist_ok=True)
    programs = _programs()
    findings: set[tuple[str, str]] = set()
    rows = _sccm(out_dir / "sccm", sccm_hosts, programs, rng, findings)
    rows += _intune(out_dir / "intune", intune_hosts, programs, rng, findings)
    rows += _sboms(out_dir / "sbom", appliances, rng, findings)
    suppliers = _registry(out_dir / "registry" / "contractors.csv", contractors, rng)
    truth = {
        "seed": seed,
        "findings": [{"host": h, "vendor": VENDOR, "product": p} for h, p in sorted(findings)],
        "suppliers": suppliers,
    }
    truth_path = out_dir / "truth.json"
    truth_path.write_text(json.dumps(truth, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    (out_dir / IGNORE_FILE).write_text(GENERATED_NOTE, encoding="utf-8")
    return ExtrasSummary(sccm_hosts, intune_hosts, appliances, rows, contractors, truth_path)


def _programs() -> list[tuple[str, str, str]]:
    """(name, publisher, version) of the fleet's everyday Windows programs (``data/win_programs.txt``)."""
    out = []
    for line in DATA.joinpath("win_programs.txt").read_text(encoding="utf-8").splitlines():
        if line.startswith("#") or not line.strip():
            continue
        name, publisher, versions, *_ = [*line.split("|"), "", ""][:4]
        out.append((name, publisher, versions.split(",")[0]))
    return out


def _android_apps() -> list[tuple[str, str, str]]:
    out = []
    for line in DATA.joinpath("android_apps.txt").read_text(encoding="utf-8").splitlines():
        if line.startswith("#") or not line.strip():
            continue
        package, label, version = [*line.split("|"), "", ""][:3]
        out.append((label, package.split(".")[1].capitalize() if "." in package else label, version))
    return out


def _csv_row(values: list[str]) -> str:
    return ",".join(f'"{v}"' if ("," in v or '"' in v) else v for v in values) + "\n"


def _vendor_software(
    rng: random.Random, host: str, choices: tuple, decoys: tuple, findings: set[tuple[str, str]]
) -> list[tuple[str, str, str]]:
    """The vendor's programs (into the truth) or look-alikes (not) for one host, by the usual shares."""
    roll = rng.random()
    if roll < KASPERSKY_SHARE:
        picked = rng.sample(choices, k=min(len(choices), rng.randint(1, 2)))
        findings.update((host, product) for *_, product in picked)
        return [(n, p, rng.choice(v)) for n, p, v, _ in picked]
    if roll < KASPERSKY_SHARE + DECOY_SHARE:
        return [rng.choice(decoys)]
    return []


def _sccm(folder: Path, hosts: int, programs: list[tuple[str, str, str]], rng: random.Random, findings: set) -> int:
    header = ["ResourceID", "Netbios_Name0", "DisplayName0", "Publisher0", "Version0", "InstallDate0"]
    rows = 0
    for start in range(0, hosts, HOSTS_PER_EXPORT):
        lines = [_csv_row(header)]
        for n in range(start, min(hosts, start + HOSTS_PER_EXPORT)):
            host = f"WSC-{n + 1:05d}"
            software = rng.sample(programs, k=min(len(programs), 30))
            software += _vendor_software(rng, host, KASPERSKY_WINDOWS, DECOYS_WINDOWS, findings)
            for name, publisher, version in software:
                day = f"2025{rng.randrange(1, 13):02d}{rng.randrange(1, 29):02d}"
                lines.append(_csv_row([str(16_777_216 + n), host, name, publisher, version, day]))
        rows += len(lines) - 1
        (folder / f"add-remove-programs-{start // HOSTS_PER_EXPORT:03d}.csv").write_text(
            "".join(lines), encoding="utf-8"
        )
    return rows


def _intune(folder: Path, hosts: int, programs: list[tuple[str, str, str]], rng: random.Random, findings: set) -> int:
    header = ["DeviceName", "ApplicationName", "ApplicationPublisher", "ApplicationVersion", "Platform"]
    apps = _android_apps()
    rows = 0
    for start in range(0, hosts, HOSTS_PER_EXPORT):
        lines = [_csv_row(header)]
        for n in range(start, min(hosts, start + HOSTS_PER_EXPORT)):
            android = n % 4 == 3
            host = f"MOBI-{n + 1:05d}" if android else f"LT-{n + 1:05d}"
            if android:
                software = rng.sample(apps, k=min(len(apps), 25))
                software += _vendor_software(rng, host, KASPERSKY_ANDROID, DECOYS_ANDROID, findings)
            else:
                software = rng.sample(programs, k=min(len(programs), 30))
                software += _vendor_software(rng, host, KASPERSKY_WINDOWS, DECOYS_WINDOWS, findings)
            platform = "Android" if android else "Windows"
            lines += [_csv_row([host, name, publisher, version, platform]) for name, publisher, version in software]
        rows += len(lines) - 1
        (folder / f"devices-{start // HOSTS_PER_EXPORT:03d}.csv").write_text("".join(lines), encoding="utf-8")
    return rows


def _sboms(folder: Path, appliances: int, rng: random.Random, findings: set) -> int:
    rows = 0
    for n in range(appliances):
        host = f"appl-{n + 1:05d}"
        maker = rng.choice(APPLIANCE_MAKERS)
        parts = [
            {"type": "library", "name": name, "version": version, "supplier": {"name": supplier}}
            for name, version, supplier in rng.sample(COMPONENTS, k=rng.randint(6, len(COMPONENTS)))
        ]
        roll = rng.random()
        if roll < KASPERSKY_SHARE:
            parts.append({**KAV_SDK, "supplier": {"name": KAV_SDK["supplier"]}})
            findings.add((host, "kav-sdk"))
        elif roll < KASPERSKY_SHARE + DECOY_SHARE:
            parts.append({**DECOY_COMPONENT, "supplier": {"name": DECOY_COMPONENT["supplier"]}})
        document = {
            "bomFormat": "CycloneDX",
            "specVersion": "1.5",
            "version": 1,
            "metadata": {"component": {"type": "device", "name": host, "supplier": {"name": maker}}},
            "components": parts,
        }
        (folder / f"{host}.cdx.json").write_text(json.dumps(document, ensure_ascii=False, indent=1), encoding="utf-8")
        rows += len(parts) + 1
    return rows


def _registry(path: Path, contractors: int, rng: random.Random) -> list[str]:
    """Contractors (under the sample offices) and subcontractors (under a contractor), about 2 : 3; the
    keys of the covered ones are returned."""
    header = ["id", "name", "kind", "parent", "contract", "uei", "cage", "country"]
    lines = [_csv_row(header)]
    primes: list[str] = []
    covered: list[str] = []
    used: set[str] = set()
    for n in range(contractors):
        key = f"ctr-{n + 1:05d}"
        prime = not primes or rng.random() < 0.4
        if rng.random() < COVERED_SHARE or (n == contractors // 2 and not covered):
            name = COVERED_NAMES[len(covered) % len(COVERED_NAMES)]
            covered.append(key)
        else:
            name = _company(rng, used)
        parent = rng.choice(("dea-hq", "dea-field")) if prime else rng.choice(primes)
        contract = f"70DEA0{rng.randrange(18, 26)}C{rng.randrange(10**8):08d}"
        uei = "".join(rng.choice("ABCDEFGHJKLMNPQRSTUVWXYZ0123456789") for _ in range(12))
        lines.append(_csv_row([key, name, "contractor" if prime else "subcontractor", parent, contract, uei, "", "US"]))
        if prime:
            primes.append(key)
    path.write_text("".join(lines), encoding="utf-8")
    return covered


def _company(rng: random.Random, used: set[str]) -> str:
    """A plausible, unique company name made of plain English words (none near a covered entity's)."""
    while True:
        name = f"{rng.choice(_FIRST)} {rng.choice(_SECOND)} {rng.choice(_TRADE)} {rng.choice(_FORM)}"
        if name in used:
            name = f"{name.rsplit(' ', 1)[0]} {rng.randrange(2, 999)} {name.rsplit(' ', 1)[1]}"
        if name not in used:
            used.add(name)
            return name
