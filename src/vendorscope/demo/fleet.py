"""A deterministic sample fleet with a known answer, so matching can be tested and benchmarked.

``generate_fleet(out_dir, hosts, seed)`` writes Windows, macOS, Linux and Android
hosts (about 55/15/22/8 %) with everyday software, Kaspersky products in the
forms they take in real inventories on ~12 % of hosts, and look-alikes that must
not match on ~10 %. Everything comes from ``random.Random(seed)`` and a fixed
clock (2026-11-01 09:00 UTC plus seeded offsets): the same seed gives
byte-identical files.

Layout of ``out_dir``:

- ``osquery/results-NNN.log``: osqueryd result logs, one JSON object a line,
  several hosts a file; each host is in snapshot, event or batch format. Some
  hosts uninstall a product days later: "removed" events, a batch with
  ``removed`` rows, or a later snapshot without it.
- ``osqueryi/HOST__TABLE.json``: ``osqueryi --json`` output. It has no host
  column, so the file name carries host and table, split at the last ``__``.
- ``inventory/collector-NNN.jsonl`` and ``inventory/mdm-android-NNN.jsonl``:
  vendorscope inventory JSONL (``host``, ``name``, optional item fields and
  ``seen_at``). All Android hosts are here.
- ``truth.json``: what a correct matcher reports, one finding per (host,
  product) still present at the end; ``unidentified`` only for a host whose
  sole evidence names the vendor but no product (a renamed, signed file).
- ``hosts.txt``: every host, sorted.

Row columns follow osquery's table specs and every value is a string, as
osquery writes them; keys are sorted, as osquery's row maps are. The everyday
software (programs, services, drivers, packages, apps…) is listed in
``demo/data/*.txt``, one entry a line, fields split at ``|``.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache
from pathlib import Path

from vendorscope.sources.reader import IGNORE_FILE

try:
    from orjson import OPT_SORT_KEYS
    from orjson import dumps as _orjson_dumps

    def _dumps(obj: object) -> bytes:
        return _orjson_dumps(obj, option=OPT_SORT_KEYS)

except ImportError:  # pragma: no cover - orjson is a dependency; json keeps the generator usable without it

    def _dumps(obj: object) -> bytes:
        return json.dumps(obj, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode()


VENDOR = "kaspersky"
# The ground truth and the host list are the generator's, not evidence: `ingest fleet/` leaves them out.
GENERATED_NOTE = "# written by vendorscope sample-fleet: not evidence\ntruth.json\nhosts.txt\n"
DATA = Path(__file__).with_name("data")  # the everyday software, one text file per kind (package data)
DOMAIN = "agency.example"
BASE_TIME = 1793523600  # Sun Nov  1 09:00:00 2026 UTC: the fixed clock every timestamp is derived from
OS_SHARES = (("windows", "ws", 0.55), ("macos", "mac", 0.15), ("linux", "srv", 0.22), ("android", "mob", 0.08))
KASPERSKY_SHARE = 0.12
DECOY_SHARE = 0.10
DEB_SHARE = 0.6  # Linux hosts on Ubuntu (deb); the others run RHEL (rpm)
FORMATS = ("snapshot", "event", "batch", "osqueryi", "jsonl")
FORMAT_WEIGHTS = (50, 12, 10, 10, 18)
HOSTS_PER_LOG = 40
HOSTS_PER_JSONL = 100
TABLE_ORDER = (
    "programs",
    "services",
    "drivers",
    "authenticode",
    "deb_packages",
    "rpm_packages",
    "kernel_modules",
    "apps",
    "signature",
    "homebrew_packages",
    "processes",
)
USERS = ("jsmith", "mgarcia", "akim", "tnguyen", "lbrown", "rpatel", "ewilson", "dchen")
UBUNTU = "Ubuntu Developers <ubuntu-devel-discuss@lists.ubuntu.com>"
REDHAT = "Red Hat, Inc."
KL_WIN = "C:\\Program Files (x86)\\Kaspersky Lab\\"
KL_DN = "CN=AO Kaspersky Lab, O=AO Kaspersky Lab, L=Moscow, C=RU"
KL_TEAM = "2Y8XE5CQ94"
RU_PUBLISHER = "АО Лаборатория Касперского"
_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
# ---------------------------------------------------------------------------------------------------------
# Everyday software. One entry a line, fields split at "|"; versions split at ","; %TOKENS% keep lines short.
# ---------------------------------------------------------------------------------------------------------

_TOKENS = (
    ("%DEF%", "C:\\ProgramData\\Microsoft\\Windows Defender\\Platform\\4.18.24090.11-0"),
    ("%MS%", "O=Microsoft Corporation, L=Redmond, S=Washington, C=US"),
    ("%CA%", "S=California, C=US"),
    ("%PF86%", "C:\\Program Files (x86)"),
    ("%PF%", "C:\\Program Files"),
    ("%SYS%", "C:\\Windows\\System32"),
    ("%MDF%", "Frameworks/Metadata.framework"),
)


def _words(text: str) -> list[str]:
    return text.split()


def _text(name: str) -> str:
    """A block of everyday software from ``demo/data/NAME.txt``; its first lines, starting with ``#``, say
    what the fields are and are not part of it."""
    text = DATA.joinpath(f"{name}.txt").read_text(encoding="utf-8")
    return "".join(line for line in text.splitlines(keepends=True) if not line.startswith("#"))


# name | publisher | versions | install location
_WIN_PROGRAMS = _text("win_programs")

# service name | display name | executable path (default: a shared svchost group)
_WIN_SERVICES = _text("win_services")

# image | service | description | device class | provider (default Microsoft)
_WIN_DRIVERS = _text("win_drivers")

# process name | path | command line (default: the path)
_WIN_PROCESSES = _text("win_processes")

# path | subject common name | rest of the subject DN (O= defaults to the common name) | original name
_WIN_SIGNED = _text("win_signed")

# name | version | section | arch
_DEB_PACKAGES = _text("deb_packages")

_DEB_LIBS = _text("deb_libs")

_PYTHON_MODULES = _words(_text("python_modules"))

_PERL_MODULES = _words(_text("perl_modules"))

# name | version | release | package group
_RPM_PACKAGES = _text("rpm_packages")

# name | version (EPEL and third-party repositories have other vendors)
_RPM_OTHER = _text("rpm_other")

_KERNEL_MODULES = _words(_text("kernel_modules"))

# process name | path
_LINUX_PROCESSES = _text("linux_processes")

# display name | bundle id | version | team id | signing organization (empty team: Apple platform binary)
_MAC_APPS = _text("mac_apps")

_HOMEBREW = _words(_text("homebrew"))

_MAC_PROCESSES = _text("mac_processes")

# package | label | version
_ANDROID_APPS = _text("android_apps")


# ---------------------------------------------------------------------------------------------------------
# Entries: one piece of software as osquery rows and as one inventory item, serialized once.
# ---------------------------------------------------------------------------------------------------------


@dataclass(slots=True, eq=False)  # not frozen: a frozen init costs more, and there are millions of these
class _Entry:
    """Rows for osquery formats, item for JSONL; ``product`` is the truth a matcher must find ("" = none)."""

    rows: tuple[tuple[str, bytes], ...]
    item: bytes
    product: str = ""


@dataclass(slots=True, frozen=True)
class _Proc:
    """A process row split around its pid, so one template serves every pid cheaply."""

    head: bytes
    tail: bytes
    item: bytes

    def entry(self, pid: int, product: str = "") -> _Entry:
        return _Entry((("processes", self.head + str(pid).encode() + self.tail),), self.item, product)


def _entry(rows: list[tuple[str, dict[str, str]]], item: dict[str, str], product: str = "") -> _Entry:
    return _Entry(tuple((t, _dumps(r)) for t, r in rows), _dumps({k: v for k, v in item.items() if v}), product)


def _guid(r: random.Random) -> str:
    return (
        f"{{{r.getrandbits(32):08X}-{r.getrandbits(16):04X}-{r.getrandbits(16):04X}-"
        f"{r.getrandbits(16):04X}-{r.getrandbits(48):012X}}}"
    )


def _hex(r: random.Random, bits: int) -> str:
    return f"{r.getrandbits(bits):0{bits // 4}x}"


def _basename(path: str) -> str:
    return path.replace("\\", "/").rsplit("/", 1)[-1]


def _program(name: str, version: str, publisher: str, location: str = "", product: str = "") -> _Entry:
    r = random.Random(f"{name}|{version}")  # str seeds are stable across runs (sha512), unlike hash()
    guid = _guid(r) if r.random() < 0.6 else ""
    exe = location.rstrip("\\") + "\\uninstall.exe"
    uninstall = f"MsiExec.exe /X{guid}" if guid else (f'"{exe}"' if location else "")
    row = {
        "name": name,
        "version": version,
        "install_location": location,
        "install_source": "",
        "language": "1033" if guid else "",
        "publisher": publisher,
        "uninstall_string": uninstall,
        "install_date": f"{r.choice(('2024', '2025'))}{r.randrange(1, 13):02d}{r.randrange(1, 29):02d}",
        "identifying_number": guid,
        "package_family_name": "",
        "upgrade_code": _guid(r) if guid else "",
    }
    item = {
        "name": name,
        "version": version,
        "publisher": publisher,
        "source": "programs",
        "path": location,
        "identifier": guid,
    }
    return _entry([("programs", row)], item, product)


def _service(name: str, display: str, path: str, product: str = "") -> _Entry:
    r = random.Random(name)
    shared = "svchost.exe" in path
    running = r.random() < 0.7
    row = {
        "name": name,
        "service_type": "SHARE_PROCESS" if shared else "OWN_PROCESS",
        "display_name": display,
        "status": "RUNNING" if running else "STOPPED",
        "pid": str(r.randrange(600, 9000)) if running else "0",
        "start_type": "AUTO_START" if running else "DEMAND_START",
        "win32_exit_code": "0",
        "service_exit_code": "0",
        "path": path,
        "module_path": "",
        "description": "",
        "user_account": "LocalSystem" if not shared or r.random() < 0.5 else "NT AUTHORITY\\LocalService",
    }
    item = {"name": display, "source": "services", "path": path, "identifier": name}
    return _entry([("services", row)], item, product)


def _driver(
    image_name: str,
    service: str,
    description: str,
    cls: str,
    provider: str = "Microsoft",
    version: str = "10.0.22621.4391",
    product: str = "",
) -> _Entry:
    image = f"C:\\Windows\\system32\\drivers\\{image_name}"
    legacy = cls == "LegacyDriver"
    row = {
        "device_id": f"ROOT\\LEGACY_{service.upper()}\\0000" if legacy else f"ROOT\\{cls.upper()}\\0000",
        "device_name": description,
        "image": image,
        "description": description,
        "service": service,
        "service_key": f"HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Services\\{service}",
        "version": version,
        "inf": "" if legacy else ("machine.inf" if provider == "Microsoft" else "oem14.inf"),
        "class": cls,
        "provider": provider,
        "manufacturer": provider,
        "driver_key": "",
        "date": "",
        "signed": "1",
    }
    item = {
        "name": description,
        "version": version,
        "publisher": provider,
        "source": "drivers",
        "path": image,
        "identifier": service,
    }
    return _entry([("drivers", row)], item, product)


def _proc(name: str, path: str, cmdline: str = "", uid: str = "0") -> _Proc:
    row = {"cmdline": cmdline or path, "name": name, "path": path, "pid": "@PID@", "uid": uid}
    head, tail = _dumps(row).split(b"@PID@")
    return _Proc(
        head, tail, _dumps({k: v for k, v in {"name": name, "source": "processes", "path": path}.items() if v})
    )


def _signed_file(
    path: str, cn: str, dn: str, issuer: str, r: random.Random, original: str = "", product: str = ""
) -> _Entry:
    signed = bool(cn)
    row = {
        "path": path,
        "original_program_name": original,
        "serial_number": _hex(r, 128) if signed else "",
        "issuer_name": issuer if signed else "",
        "subject_name": cn,
        "result": "trusted" if signed else "missing",
    }
    item = {"name": _basename(path), "source": "files", "path": path, "signer": dn, "sha256": _hex(r, 256)}
    return _entry([("authenticode", row)], item, product)


def _deb(
    name: str,
    version: str,
    section: str = "libs",
    arch: str = "amd64",
    maintainer: str = UBUNTU,
    path: str = "",
    product: str = "",
) -> _Entry:
    r = random.Random(name)
    upstream = version.split(":", 1)[-1]
    row = {
        "name": name,
        "version": version,
        "source": "",
        "size": str(r.randrange(20, 40000)),
        "arch": arch,
        "revision": upstream.rsplit("-", 1)[1] if "-" in upstream else "",
        "status": "install ok installed",
        "maintainer": maintainer,
        "section": section,
        "priority": "optional",
        "admindir": "/var/lib/dpkg",
    }
    item = {"name": name, "version": version, "publisher": maintainer, "source": "deb_packages", "path": path}
    return _entry([("deb_packages", row)], item, product)


def _rpm(
    name: str,
    version: str,
    release: str,
    vendor: str = REDHAT,
    group: str = "Unspecified",
    path: str = "",
    product: str = "",
) -> _Entry:
    r = random.Random(name)
    row = {
        "name": name,
        "version": version,
        "release": release,
        "source": f"{name}-{version}-{release}.src.rpm",
        "size": str(r.randrange(20_000, 90_000_000)),
        "sha1": _hex(r, 160),
        "arch": "x86_64",
        "epoch": "",
        "install_time": str(BASE_TIME - r.randrange(86400, 400 * 86400)),
        "vendor": vendor,
        "package_group": group,
    }
    item = {
        "name": name,
        "version": f"{version}-{release}",
        "publisher": vendor,
        "source": "rpm_packages",
        "path": path,
    }
    return _entry([("rpm_packages", row)], item, product)


def _kmod(name: str) -> _Entry:
    r = random.Random(name)
    row = {
        "name": name,
        "size": str(r.randrange(8192, 2_000_000)),
        "used_by": "-",
        "status": "Live",
        "address": "0x0000000000000000",
    }
    return _entry([("kernel_modules", row)], {"name": name, "source": "kernel_modules"})


def _app(
    display: str, bundle_id: str, version: str, team: str, org: str, folder: str = "/Applications", product: str = ""
) -> _Entry:
    r = random.Random(bundle_id)
    path = f"{folder}/{display}.app"
    authority = f"Developer ID Application: {org} ({team})" if team else "Software Signing"
    app = {
        "name": f"{display}.app",
        "path": path,
        "bundle_executable": display,
        "bundle_identifier": bundle_id,
        "bundle_name": display,
        "bundle_short_version": version,
        "bundle_version": version,
        "bundle_package_type": "APPL",
        "environment": "",
        "element": "",
        "compiler": "",
        "development_region": "en",
        "display_name": display,
        "info_string": "",
        "minimum_system_version": "12.0",
        "category": "",
        "applescript_enabled": "0",
        "copyright": "",
        "last_opened_time": f"{BASE_TIME - r.randrange(3600, 90 * 86400)}.0",
    }
    sig = {
        "path": path,
        "hash_resources": "1",
        "arch": "",
        "signed": "1",
        "identifier": bundle_id,
        "cdhash": _hex(r, 160),
        "team_identifier": team,
        "authority": authority,
    }
    item = {
        "name": display,
        "version": version,
        "source": "apps",
        "path": path,
        "identifier": bundle_id,
        "team_id": team,
        "signer": authority,
    }
    return _entry([("apps", app), ("signature", sig)], item, product)


def _homebrew(name: str, version: str) -> _Entry:
    path = f"/opt/homebrew/Cellar/{name}/{version}"
    row = {"name": name, "path": path, "version": version, "type": "formula", "prefix": "/opt/homebrew"}
    return _entry(
        [("homebrew_packages", row)], {"name": name, "version": version, "source": "homebrew_packages", "path": path}
    )


def _android(package: str, label: str, version: str, product: str = "") -> _Entry:
    item = {"name": label, "version": version, "source": "android_packages", "identifier": package}
    return _entry([], item, product)


# ---------------------------------------------------------------------------------------------------------
# Pools of everyday software per platform (built once, independent of the seed).
# ---------------------------------------------------------------------------------------------------------


@dataclass(slots=True, frozen=True)
class _Pool:
    """Tables with the share of a host's budget each gets; processes fill the rest (they may repeat)."""

    parts: tuple[tuple[float, tuple[tuple[_Entry, ...], ...]], ...]
    processes: tuple[_Proc, ...] = ()


def _rows(text: str) -> list[list[str]]:
    for token, value in _TOKENS:
        text = text.replace(token, value)
    return [[f.strip() for f in line.split("|")] for line in text.strip().splitlines()]


def _pyversion(module: str) -> tuple[str, str]:
    r = random.Random(module)
    return f"{r.randrange(1, 25)}.{r.randrange(0, 12)}.{r.randrange(0, 9)}", str(r.randrange(1, 5))


@cache
def _pools() -> dict[str, _Pool]:
    programs = tuple(tuple(_program(n, v, p, loc) for v in vs.split(",")) for n, p, vs, loc in _rows(_WIN_PROGRAMS))
    services = tuple(
        (_service(n, dn, path or f"C:\\Windows\\system32\\svchost.exe -k {_svc_group(n)} -p"),)
        for n, dn, path in _rows(_WIN_SERVICES)
    )
    drivers = tuple((_driver(f[0], f[1], f[2], f[3], *f[4:]),) for f in _rows(_WIN_DRIVERS))
    issuer = "DigiCert Trusted G4 Code Signing RSA4096 SHA384 2021 CA1"
    signed = tuple(
        (_signed_file(p, cn, _dn(cn, tail), issuer, random.Random(p), orig),)
        for p, cn, tail, orig in _rows(_WIN_SIGNED)
    )
    win_procs = tuple(_proc(n, p, c, "-1") for n, p, c in _rows(_WIN_PROCESSES))
    debs = [(_deb(n, v, s, a),) for n, v, s, a in _rows(_DEB_PACKAGES)]
    debs += [(_deb(n, v),) for n, v in _rows(_DEB_LIBS)]
    debs += [
        (_deb(f"python3-{m}", f"{v}-{rel}", "python", "all"),) for m in _PYTHON_MODULES for v, rel in [_pyversion(m)]
    ]
    rpms = [(_rpm(n, v, rel, group=g),) for n, v, rel, g in _rows(_RPM_PACKAGES)]
    rpms += [(_rpm(n, v, rel, vendor),) for n, v, rel, vendor in _rows(_RPM_OTHER)]
    rpms += [(_rpm(f"python3-{m}", v, f"{rel}.el9"),) for m in _PYTHON_MODULES for v, rel in [_pyversion(m)]]
    rpms += [(_rpm(f"perl-{m}", v, f"{rel}.el9"),) for m in _PERL_MODULES for v, rel in [_pyversion(m)]]
    kmods = tuple((_kmod(m),) for m in _KERNEL_MODULES)
    linux_procs = tuple(_proc(n, p, uid="0") for n, p in _rows(_LINUX_PROCESSES))
    apps = tuple(
        (_app(n, b, v, t, o, "/Applications" if t or n == "Safari" else "/System/Applications"),)
        for n, b, v, t, o in _rows(_MAC_APPS)
    )
    brews = tuple((_homebrew(*s.split(":", 1)),) for s in _HOMEBREW)
    mac_procs = tuple(
        _proc(n, p, uid="0" if p.startswith(("/usr", "/sbin")) else "501") for n, p in _rows(_MAC_PROCESSES)
    )
    android = [(_android(p, label, v),) for p, label, v in _rows(_ANDROID_APPS)]
    android += [
        (_android(f"com.android.theme.icon_pack.{style}.{target}", f"{style.title()} {target}", "1.0"),)
        for style in ("circular", "filled", "kai", "rounded", "sam", "victor")
        for target in ("android", "launcher", "settings", "systemui", "themepicker")
    ]
    return {
        "windows": _Pool(((0.22, programs), (0.33, services), (0.2, drivers), (0.05, signed)), win_procs),
        "deb": _Pool(((0.75, tuple(debs)), (0.1, kmods)), linux_procs),
        "rpm": _Pool(((0.75, tuple(rpms)), (0.1, kmods)), linux_procs),
        "macos": _Pool(((0.22, apps), (0.12, brews)), mac_procs),
        "android": _Pool(((1.0, tuple(android)),)),
    }


def _dn(cn: str, rest: str) -> str:
    if not cn:
        return ""
    return f"CN={cn}, {rest}" if rest.startswith("O=") else f"CN={cn}, O={cn}, {rest}"


def _svc_group(name: str) -> str:
    return random.Random(name).choice(
        (
            "netsvcs",
            "LocalService",
            "NetworkService",
            "LocalSystemNetworkRestricted",
            "LocalServiceNetworkRestricted",
            "DcomLaunch",
            "appmodel",
        )
    )


def _everyday(rng: random.Random, pool: _Pool, budget: int) -> list[_Entry]:
    """A host's ordinary software: about a table's share of each table, processes for the remainder.

    Draws with ``random()`` (a C call) rather than ``sample``/``randrange`` (Python loops): this is the
    inner loop of a 300k-item fleet.
    """
    rand = rng.random
    out: list[_Entry] = []
    for share, entries in pool.parts:
        p = share * budget / len(entries)
        for variants in entries:
            if rand() < p:
                out.append(variants[0] if len(variants) == 1 else variants[int(rand() * len(variants))])
    rest = budget - len(out)
    if rest > 0 and pool.processes:
        pid = 300 + int(rand() * 1700)
        for tpl in rng.choices(pool.processes, k=rest):
            pid += 4 + int(rand() * 196)
            out.append(tpl.entry(pid))
    return out


# ---------------------------------------------------------------------------------------------------------
# Kaspersky, in the forms real inventories show it. A scenario returns (entries, entries removed later).
# ---------------------------------------------------------------------------------------------------------

Scenario = Callable[[random.Random, "_Host"], tuple[list[_Entry], list[_Entry]]]


def _kes_win(rng: random.Random, ru: bool = False) -> list[_Entry]:
    version = rng.choice(("12.6.0.438", "12.5.0.538", "12.4.0.467", "11.11.0.452"))
    folder = f"{KL_WIN}KES.{version.rsplit('.', 1)[0]}\\"
    name = "Kaspersky Endpoint Security для Windows" if ru else "Kaspersky Endpoint Security for Windows"
    out = [_program(name, version, RU_PUBLISHER if ru else "AO Kaspersky Lab", folder, "kes-windows")]
    kind = rng.randrange(3)  # service, driver, or both
    if kind != 1:
        out.append(_service("AVP", "Kaspersky Endpoint Security Service", f'"{folder}avp.exe" -r', "kes-windows"))
    if kind != 0:
        description = "Klif Mini-Filter [fre_wnet_x64]"
        out.append(_driver("klif.sys", "klif", description, "LegacyDriver", "AO Kaspersky Lab", version, "kes-windows"))
    return out


def _agent_win(rng: random.Random, ru: bool = False) -> list[_Entry]:
    version = rng.choice(("14.2.0.26967", "15.1.0.20748", "13.2.0.1511"))
    folder = f"{KL_WIN}NetworkAgent\\"
    exe = f"{folder}klnagent.exe"
    name = "Агент администрирования Kaspersky Security Center" if ru else "Kaspersky Security Center Network Agent"
    out = [
        _program(name, version, RU_PUBLISHER if ru else "Kaspersky Lab", folder, "ksc-agent"),
        _service("klnagent", name, f'"{exe}"', "ksc-agent"),
    ]
    if rng.random() < 0.5:
        out.append(_proc("klnagent.exe", exe, uid="-1").entry(rng.randrange(1000, 9000), "ksc-agent"))
    return out


def _home(name: str, versions: tuple[str, ...], publisher: str, product: str) -> Callable[[random.Random], _Entry]:
    def build(rng: random.Random) -> _Entry:
        return _program(name, rng.choice(versions), publisher, f"{KL_WIN}{name}\\", product)

    return build


_KAV_2013 = _home("Kaspersky Anti-Virus 2013", ("13.0.1.4190",), "Kaspersky Lab ZAO", "kav")
_KIS_2016 = _home("Kaspersky Internet Security 2016", ("16.0.0.614", "16.0.1.445"), "Kaspersky Lab", "kis")
_KTS = _home("Kaspersky Total Security", ("21.3.10.391", "21.2.16.590"), "Kaspersky", "kts")
_CLOUD = _home("Kaspersky Security Cloud", ("21.3.10.391", "20.0.14.1085"), "Kaspersky", "security-cloud")
_KPM = _home("Kaspersky Password Manager", ("9.0.2.1186", "24.0.0.427"), "Kaspersky", "password-manager")
_VPN = _home("Kaspersky VPN Secure Connection", ("21.18.28.478", "5.20.28.420"), "Kaspersky", "secure-connection")


def _renamed_win(rng: random.Random, host: _Host) -> list[_Entry]:
    """A Kaspersky-signed file under a neutral name: only the signer says whose it is."""
    name = rng.choice(("setup_2019.exe", "update.exe", "installer_x64.exe", "tool.exe"))
    folder = rng.choice((f"C:\\Users\\{rng.choice(USERS)}\\Downloads\\", "C:\\ProgramData\\Updater\\", "C:\\Temp\\"))
    issuer = "DigiCert Assured ID Code Signing CA"
    return [_signed_file(folder + name, "AO Kaspersky Lab", KL_DN, issuer, rng, product="unidentified")]


def _kesl(rng: random.Random, host: _Host) -> list[_Entry]:
    version, build = rng.choice((("12.1.0", "1297"), ("12.0.0", "6672"), ("11.4.0", "5049")))
    path = "/opt/kaspersky/kesl/"
    pkg = (
        _deb(
            "kesl",
            f"{version}-{build}",
            "non-free/utils",
            maintainer="AO Kaspersky Lab",
            path=path,
            product="kes-linux",
        )
        if host.platform == "deb"
        else _rpm("kesl", version, build, "AO Kaspersky Lab", path=path, product="kes-linux")
    )
    return [pkg, _proc("kesl", f"{path}libexec/kesl").entry(rng.randrange(700, 5000), "kes-linux")]


def _klnagent(rng: random.Random, host: _Host) -> list[_Entry]:
    version, build = rng.choice((("15.1.0", "20748"), ("14.2.0", "35148")))
    path = "/opt/kaspersky/klnagent64/"
    pkg = (
        _deb(
            "klnagent64",
            f"{version}-{build}",
            "non-free/admin",
            maintainer="Kaspersky Lab",
            path=path,
            product="ksc-agent",
        )
        if host.platform == "deb"
        else _rpm("klnagent64", version, build, "Kaspersky Lab", path=path, product="ksc-agent")
    )
    return [pkg, _proc("klnagent", f"{path}sbin/klnagent").entry(rng.randrange(700, 5000), "ksc-agent")]


def _kes_mac(rng: random.Random, host: _Host) -> list[_Entry]:
    version = rng.choice(("12.1.0.553", "12.0.0.325", "11.3.0.218"))
    return [
        _app(
            "Kaspersky Endpoint Security for Mac",
            "com.kaspersky.kesmac",
            version,
            KL_TEAM,
            "AO Kaspersky Lab",
            product="kes-mac",
        )
    ]


def _kpm_mac(rng: random.Random, host: _Host) -> list[_Entry]:
    version = rng.choice(("24.0.0.427", "9.0.2.1187"))
    return [
        _app(
            "Kaspersky Password Manager",
            "com.kaspersky.kpm",
            version,
            KL_TEAM,
            "AO Kaspersky Lab",
            product="password-manager",
        )
    ]


def _renamed_mac(rng: random.Random, host: _Host) -> list[_Entry]:
    """A signed helper under a neutral name: only the Apple team id points at the vendor."""
    path = f"/Users/{rng.choice(USERS)}/Downloads/{rng.choice(('Installer.app', 'Setup.app', 'Downloader.app'))}"
    sig = {
        "path": path,
        "hash_resources": "1",
        "arch": "",
        "signed": "1",
        "identifier": "com.kaspersky.installer",
        "cdhash": _hex(rng, 160),
        "team_identifier": KL_TEAM,
        "authority": f"Developer ID Application: AO Kaspersky Lab ({KL_TEAM})",
    }
    item = {
        "name": _basename(path),
        "source": "files",
        "path": path,
        "team_id": KL_TEAM,
        "signer": sig["authority"],
        "sha256": _hex(rng, 256),
    }
    return [_entry([("signature", sig)], item, "unidentified")]


def _only(*parts: Callable[[random.Random], _Entry | list[_Entry]]) -> Scenario:
    """A scenario of programs that all stay installed."""

    def build(rng: random.Random, host: _Host) -> tuple[list[_Entry], list[_Entry]]:
        out: list[_Entry] = []
        for part in parts:
            made = part(rng)
            out.extend(made if isinstance(made, list) else [made])
        return out, []

    return build


def _stays(fn: Callable[[random.Random, _Host], list[_Entry]]) -> Scenario:
    return lambda rng, host: (fn(rng, host), [])


def _kes_removed_agent_stays(rng: random.Random, host: _Host) -> tuple[list[_Entry], list[_Entry]]:
    kes = _kes_win(rng)
    return kes + _agent_win(rng), kes


def _kis_removed(rng: random.Random, host: _Host) -> tuple[list[_Entry], list[_Entry]]:
    kis = [_KIS_2016(rng)]
    return kis, kis


def _kesl_removed_agent_stays(rng: random.Random, host: _Host) -> tuple[list[_Entry], list[_Entry]]:
    kesl = _kesl(rng, host)
    return kesl + _klnagent(rng, host), kesl


def _android_kaspersky(rng: random.Random, host: _Host) -> tuple[list[_Entry], list[_Entry]]:
    if rng.random() < 0.7:
        version = rng.choice(("11.121.4.11929", "11.118.4.10805"))
        return [_android("com.kms.free", "Kaspersky: VPN & Antivirus", version, "android-security")], []
    version = rng.choice(("1.56.0.97", "1.59.1.53"))
    return [
        _android("com.kaspersky.secure.connection", "Kaspersky VPN: Secure Connection", version, "secure-connection")
    ], []


# Uninstall scenarios have "uninstall" in their name: their hosts are written in a format that can say so.
SCENARIOS: dict[str, tuple[tuple[str, Scenario], ...]] = {
    "windows": (
        ("kes+agent", _only(_kes_win, _agent_win)),
        ("kes", _only(_kes_win)),
        ("kes-ru+agent-ru", _only(lambda r: _kes_win(r, True), lambda r: _agent_win(r, True))),
        ("agent-only", _only(_agent_win)),
        ("kav-2013", _only(_KAV_2013)),
        ("kis-2016", _only(_KIS_2016)),
        ("kts+kpm+vpn", _only(_KTS, _KPM, _VPN)),
        ("security-cloud+vpn", _only(_CLOUD, _VPN)),
        ("password-manager", _only(_KPM)),
        ("renamed-signed", _stays(_renamed_win)),
        ("uninstall-kes-agent-stays", _kes_removed_agent_stays),
        ("uninstall-kis", _kis_removed),
    ),
    "macos": (
        ("kes-mac", _stays(_kes_mac)),
        ("kes-mac-again", _stays(_kes_mac)),  # the usual case on managed Macs, so it comes up twice as often
        ("password-manager-mac", _stays(_kpm_mac)),
        ("renamed-signed", _stays(_renamed_mac)),
    ),
    "linux": (
        ("kesl+agent", _stays(lambda r, h: _kesl(r, h) + _klnagent(r, h))),
        ("kesl", _stays(_kesl)),
        ("agent-only", _stays(_klnagent)),
        ("uninstall-kesl-agent-stays", _kesl_removed_agent_stays),
    ),
    "android": (("kaspersky-mobile", _android_kaspersky),),
}


# ---------------------------------------------------------------------------------------------------------
# Look-alikes a careful analyst would not attribute to Kaspersky.
# ---------------------------------------------------------------------------------------------------------


def _fans_club(rng: random.Random) -> _Entry:
    path = f"C:\\Users\\{rng.choice(USERS)}\\Downloads\\fanclub_wallpapers_setup.exe"
    return _signed_file(
        path,
        "Kaspersky Fans Club",
        "CN=Kaspersky Fans Club, O=Kaspersky Fans Club",
        "Sectigo Public Code Signing CA R36",
        rng,
    )


def _klist(rng: random.Random) -> list[_Entry]:
    path = "C:\\Windows\\System32\\klist.exe"
    return [
        _proc("klist.exe", path, f"{path} tickets", "-1").entry(rng.randrange(1000, 9000)),
        _signed_file(
            path,
            "Microsoft Windows",
            "CN=Microsoft Windows, O=Microsoft Corporation, L=Redmond, S=Washington, C=US",
            "Microsoft Windows Production PCA 2011",
            rng,
            "klist.exe",
        ),
    ]


def _avg(rng: random.Random) -> list[_Entry]:
    exe = "C:\\Program Files\\AVG\\Antivirus\\AVGUI.exe"
    return [
        _program("AVG AntiVirus FREE", "24.11.3358", "Gen Digital Inc.", "C:\\Program Files\\AVG\\Antivirus"),
        _proc("AVGUI.exe", exe, uid="-1").entry(rng.randrange(1000, 9000)),
    ]


DECOYS: dict[str, tuple[Callable[[random.Random, _Host], list[_Entry]], ...]] = {
    "windows": (
        lambda r, h: [
            _program("Casper 11", "11.0.8254", "Future Systems Solutions, Inc.", "C:\\Program Files\\Casper\\")
        ],
        lambda r, h: [_program("Casper Backup", "2.4.1", "Casper Sleep Inc.", "C:\\Program Files\\Casper Backup\\")],
        lambda r, h: [
            _program(
                "Kasper Timetracker",
                "2.3.1",
                "Kasper Jensen",
                f"C:\\Users\\{r.choice(USERS)}\\AppData\\Local\\Programs\\kasper-timetracker\\",
            )
        ],
        lambda r, h: [
            _program(
                "KAV Soft Video Converter", "5.2.0", "KAV Soft", "C:\\Program Files (x86)\\KAV Soft\\Video Converter\\"
            )
        ],
        lambda r, h: [
            _program(
                "KES Systems Fleet Client", "3.1.4", "KES Systems LLC", "C:\\Program Files\\KES Systems\\Fleet Client\\"
            )
        ],
        lambda r, h: _klist(r),
        lambda r, h: _avg(r),
        lambda r, h: [
            _program("Dr.Web Security Space", "12.0.4.5060", "Doctor Web, Ltd.", "C:\\Program Files\\DrWeb\\")
        ],
        lambda r, h: [_fans_club(r)],
        lambda r, h: [_driver("kldbgdrv.sys", "kldbgdrv", "Kernel Debugger Driver", "LegacyDriver")],
    ),
    "macos": (
        lambda r, h: [
            _app("Kasper Timetracker", "dk.kasperjensen.timetracker", "2.3.1", "7K3R2JX9QM", "Kasper Jensen")
        ],
        lambda r, h: [
            _app("KES Systems Fleet Client", "com.kessystems.fleetclient", "3.1.4", "Q4KES8SYS2", "KES Systems LLC")
        ],
        lambda r, h: [_app("AVG AntiVirus", "com.avg.Antivirus", "16.1", "6H4HRTU5E3", "AVG Technologies")],
        lambda r, h: [
            _app("Fan Club Wallpapers", "club.kasperskyfans.wallpapers", "1.2", "KF8CLUB123", "Kaspersky Fans Club")
        ],
    ),
    "linux": (
        lambda r, h: [_deb("casper", "1.486", "misc") if h.platform == "deb" else _kmod("kl5kusb105")],
        lambda r, h: [
            _proc(
                "klauncher", "/usr/lib/x86_64-linux-gnu/libexec/kf5/klauncher", "klauncher [kdeinit5] --fd=9", "1000"
            ).entry(r.randrange(1000, 9000))
        ],
        lambda r, h: [_kmod("kl5kusb105")],
    ),
    "android": (
        lambda r, h: [_android("com.kasperskyfan.wallpapers", "Cyber Wallpapers HD", "3.4.1")],
        lambda r, h: [_android("com.drweb", "Dr.Web Security Space", "12.9.2")],
        lambda r, h: [_android("com.antivirus", "AVG AntiVirus & Security", "24.20.0")],
    ),
}


# ---------------------------------------------------------------------------------------------------------
# Hosts and output.
# ---------------------------------------------------------------------------------------------------------


@dataclass(slots=True)
class _Host:
    name: str
    os: str  # windows, macos, linux, android
    platform: str  # windows, macos, deb, rpm, android: which everyday pool
    fmt: str = "snapshot"
    t0: int = BASE_TIME
    special: list[_Entry] = field(default_factory=list)
    removed: list[_Entry] = field(default_factory=list)
    entries: list[_Entry] = field(default_factory=list)


@dataclass(slots=True, frozen=True)
class FleetSummary:
    """What was written: ``items`` counts rows and JSONL lines, ``files`` the input files (not truth/hosts)."""

    out_dir: Path
    hosts: int
    items: int
    files: int
    truth_path: Path
    affected_hosts: int


def _plan(rng: random.Random, count: int, weights: tuple[int, ...] = FORMAT_WEIGHTS) -> list[_Host]:
    """Hosts with platform, format and their Kaspersky and decoy entries, in a seeded order."""
    sizes = [round(count * share) for _, _, share in OS_SHARES[:-1]]
    sizes.append(max(0, count - sum(sizes)))
    while sum(sizes) > count:  # rounding up three times can overshoot a tiny fleet
        sizes[sizes.index(max(sizes))] -= 1
    hosts: list[_Host] = []
    by_os: dict[str, list[_Host]] = {}
    for (os_name, prefix, _), size in zip(OS_SHARES, sizes, strict=True):
        width = max(4, len(str(size)))
        group = []
        for n in range(1, size + 1):
            platform = ("deb" if rng.random() < DEB_SHARE else "rpm") if os_name == "linux" else os_name
            fmt = "jsonl" if os_name == "android" else rng.choices(FORMATS, weights)[0]
            group.append(
                _Host(
                    f"{prefix}-{n:0{width}d}.{DOMAIN}", os_name, platform, fmt, BASE_TIME + rng.randrange(0, 8 * 3600)
                )
            )
        by_os[os_name] = group
        hosts.extend(group)
    uninstall_formats = ("event", "batch", "snapshot")
    uninstalls = 0
    for os_name, group in by_os.items():
        if not group:
            continue
        scenarios = list(SCENARIOS[os_name])
        rng.shuffle(scenarios)
        chosen = rng.sample(group, max(1, round(len(group) * KASPERSKY_SHARE)) if len(group) >= 3 else 0)
        for i, host in enumerate(chosen):
            label, scenario = scenarios[i % len(scenarios)]
            host.special, host.removed = scenario(rng, host)
            if "uninstall" in label:
                host.fmt = uninstall_formats[uninstalls % len(uninstall_formats)]
                uninstalls += 1
        decoys = DECOYS[os_name]
        offset = rng.randrange(len(decoys))
        for i, host in enumerate(rng.sample(group, round(len(group) * DECOY_SHARE))):
            host.special += decoys[(offset + i) % len(decoys)](rng, host)
            if rng.random() < 0.3:
                host.special += decoys[(offset + i + 1) % len(decoys)](rng, host)
    rng.shuffle(hosts)
    return hosts


def _fill(rng: random.Random, host: _Host, items_per_host: int) -> None:
    pool = _pools()[host.platform]
    entries = _everyday(rng, pool, max(0, items_per_host - len(host.special)))
    for extra in host.special:
        entries.insert(rng.randrange(len(entries) + 1), extra)
    host.entries = entries


def _calendar(ts: int) -> str:
    t = datetime.fromtimestamp(ts, UTC)
    return f"{_DAYS[t.weekday()]} {_MONTHS[t.month - 1]} {t.day:2d} {t:%H:%M:%S} {t.year} UTC"


def _tables(entries: list[_Entry], skip: frozenset[int] = frozenset()) -> list[tuple[str, list[bytes]]]:
    grouped: dict[str, list[bytes]] = {}
    for entry in entries:
        if id(entry) in skip:
            continue
        for table, row in entry.rows:
            grouped.setdefault(table, []).append(row)
    return [(t, grouped[t]) for t in TABLE_ORDER if t in grouped]


def _envelope(table: str, host: bytes, ts: int, counter: int) -> bytes:
    return (
        b'{"name":"pack_vendorscope_'
        + table.encode()
        + b'","hostIdentifier":'
        + host
        + b',"calendarTime":"'
        + _calendar(ts).encode()
        + b'","unixTime":'
        + str(ts).encode()
        + b',"epoch":0,"counter":'
        + str(counter).encode()
        + b',"numerics":false,"decorations":{"hostname":'
        + host
        + b"},"
    )


def _osquery_lines(rng: random.Random, host: _Host) -> tuple[list[bytes], list[bytes], int]:
    """(first lines, lines days later, rows written) for one host in its osqueryd format."""
    hj = _dumps(host.name)
    first: list[bytes] = []
    later: list[bytes] = []
    rows_written = 0
    tables = _tables(host.entries)
    for n, (table, rows) in enumerate(tables):
        env = _envelope(table, hj, host.t0 + 30 * n, 0)
        rows_written += len(rows)
        if host.fmt == "snapshot":
            first.append(env + b'"action":"snapshot","snapshot":[' + b",".join(rows) + b"]}\n")
        elif host.fmt == "event":
            first.extend(env + b'"columns":' + row + b',"action":"added"}\n' for row in rows)
        else:
            first.append(env + b'"diffResults":{"added":[' + b",".join(rows) + b'],"removed":[]}}\n')
    if host.removed:
        when = host.t0 + rng.randrange(1, 6) * 86400 + rng.randrange(3600)
        gone = _tables(host.removed)
        if host.fmt == "snapshot":  # osquery's next snapshot simply no longer lists it
            names = {t for t, _ in gone}
            gone = [(t, r) for t, r in _tables(host.entries, frozenset(map(id, host.removed))) if t in names]
        for n, (table, rows) in enumerate(gone):
            env = _envelope(table, hj, when + 30 * n, 1)
            rows_written += len(rows)
            if host.fmt == "snapshot":
                later.append(env + b'"action":"snapshot","snapshot":[' + b",".join(rows) + b"]}\n")
            elif host.fmt == "event":
                later.extend(env + b'"columns":' + row + b',"action":"removed"}\n' for row in rows)
            else:
                later.append(env + b'"diffResults":{"added":[],"removed":[' + b",".join(rows) + b"]}}\n")
    return first, later, rows_written


def _jsonl_lines(host: _Host) -> list[bytes]:
    seen = datetime.fromtimestamp(host.t0, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    head = b'{"host":' + _dumps(host.name) + b',"seen_at":"' + seen.encode() + b'",'
    return [head + e.item[1:] + b"\n" for e in host.entries]


def _remove_stale(out_dir: Path, written: set[Path]) -> None:
    """Delete files an earlier run wrote (matched by our own name patterns only) that this run did not."""
    for pattern in (
        "osquery/results-*.log",
        "osqueryi/*__*.json",
        "inventory/collector-*.jsonl",
        "inventory/mdm-android-*.jsonl",
    ):
        for path in out_dir.glob(pattern):
            if path not in written:
                path.unlink()


def _truth(hosts: list[_Host]) -> list[dict[str, str]]:
    found = set()
    for host in hosts:
        gone = set(map(id, host.removed))
        found.update((host.name, e.product) for e in host.special if e.product and id(e) not in gone)
    return [{"host": h, "vendor": VENDOR, "product": p} for h, p in sorted(found)]


def _truth_text(seed: int, hosts: int, findings: list[dict[str, str]]) -> str:
    """JSON with one finding a line, so a diff of two truths reads as a list of hosts."""
    body = ",\n".join("  " + json.dumps(f, ensure_ascii=False) for f in findings)
    return f'{{"seed": {seed}, "hosts": {hosts}, "findings": [' + (f"\n{body}\n" if body else "") + "]}\n"


def generate_fleet(
    out_dir: Path, hosts: int, seed: int, items_per_host: int = 40, osquery_only: bool = False
) -> FleetSummary:
    """Write a sample fleet and its truth to ``out_dir``; the same arguments give byte-identical files.

    ``osquery_only`` writes every desktop and server host in an osquery format (Android hosts, which
    osquery does not run on, stay in MDM JSONL).
    """
    if hosts < 1 or items_per_host < 0:
        raise ValueError("hosts must be at least 1 and items_per_host not negative")
    rng = random.Random(seed)
    out_dir = Path(out_dir)
    for sub in ("osquery", "osqueryi", "inventory"):
        (out_dir / sub).mkdir(parents=True, exist_ok=True)
    written: set[Path] = set()

    def write(relative: str, data: bytes) -> None:
        path = out_dir / relative
        path.write_bytes(data)
        written.add(path)

    weights = tuple(0 if fmt == "jsonl" else w for fmt, w in zip(FORMATS, FORMAT_WEIGHTS, strict=True))
    plan = _plan(rng, hosts, weights if osquery_only else FORMAT_WEIGHTS)
    items = 0
    logs: list[_Host] = []
    jsonl: dict[str, list[_Host]] = {"collector": [], "mdm-android": []}
    for host in plan:
        _fill(rng, host, items_per_host)
        if host.fmt == "osqueryi":
            for table, rows in _tables(host.entries):
                write(f"osqueryi/{host.name}__{table}.json", b"[\n  " + b",\n  ".join(rows) + b"\n]\n")
                items += len(rows)
        elif host.fmt == "jsonl":
            jsonl["mdm-android" if host.os == "android" else "collector"].append(host)
        else:
            logs.append(host)
    for start in range(0, len(logs), HOSTS_PER_LOG):
        first: list[bytes] = []
        later: list[bytes] = []  # days after every host's first results, as a shipped log would have them
        for host in logs[start : start + HOSTS_PER_LOG]:
            f, lt, n = _osquery_lines(rng, host)
            first += f
            later += lt
            items += n
        if first or later:
            write(f"osquery/results-{start // HOSTS_PER_LOG:03d}.log", b"".join(first + later))
    for prefix, group in jsonl.items():
        for start in range(0, len(group), HOSTS_PER_JSONL):
            lines = [line for host in group[start : start + HOSTS_PER_JSONL] for line in _jsonl_lines(host)]
            if lines:
                write(f"inventory/{prefix}-{start // HOSTS_PER_JSONL:03d}.jsonl", b"".join(lines))
                items += len(lines)
    _remove_stale(out_dir, written)
    findings = _truth(plan)
    truth_path = out_dir / "truth.json"
    truth_path.write_text(_truth_text(seed, hosts, findings), encoding="utf-8")
    (out_dir / "hosts.txt").write_text("".join(f"{h}\n" for h in sorted(h.name for h in plan)), encoding="utf-8")
    (out_dir / IGNORE_FILE).write_text(GENERATED_NOTE, encoding="utf-8")
    return FleetSummary(out_dir, hosts, items, len(written), truth_path, len({f["host"] for f in findings}))
