"""Linux sources: packages (dpkg, rpm, snap, flatpak), processes, systemd units, kernel modules,
install folders under /opt and /usr/local, and the system trust store.

Each reader takes the examined root (``/`` live, or a mounted image) and yields items; live-only
sources (processes, loaded modules, rpm's database through the rpm tool) say why they are unavailable.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

from vendorscope.collect.fs import entries, inside, read_bytes, read_text
from vendorscope.collect.model import Collection, Reader, Unavailable
from vendorscope.sources.base import Item

UNIT_DIRS = ("etc/systemd/system", "usr/lib/systemd/system", "lib/systemd/system")
CERT_BUNDLE = ("etc/ssl/certs/ca-certificates.crt", "etc/pki/tls/certs/ca-bundle.crt")
_PEM = re.compile(rb"-----BEGIN CERTIFICATE-----(.+?)-----END CERTIFICATE-----", re.DOTALL)
RPM_FORMAT = "%{NAME}\\t%{VERSION}-%{RELEASE}\\t%{VENDOR}\\n"


def dpkg(root: Path) -> Iterator[Item]:
    path = inside(root, "var/lib/dpkg/status")
    if not path.exists():
        raise Unavailable("no dpkg database (var/lib/dpkg/status)")
    for stanza in read_text(path).split("\n\n"):
        fields = _control_fields(stanza)
        if fields.get("package") and fields.get("status", "").endswith(" installed"):
            yield Item(
                name=fields["package"],
                version=fields.get("version", ""),
                publisher=fields.get("maintainer", ""),
                source="deb_packages",
            )


def _control_fields(stanza: str) -> dict[str, str]:
    fields: dict[str, str] = {}
    for line in stanza.splitlines():
        if line[:1] not in (" ", "\t") and ":" in line:
            key, _, value = line.partition(":")
            fields[key.strip().lower()] = value.strip()
    return fields


def rpm(root: Path) -> Iterator[Item]:
    has_db = any(inside(root, p).exists() for p in ("var/lib/rpm", "usr/lib/sysimage/rpm"))
    if not has_db:
        raise Unavailable("no rpm database")
    tool = shutil.which("rpm")
    if tool is None:
        raise Unavailable("rpm database present but the rpm tool is not installed")
    args = [tool, "-qa", "--queryformat", RPM_FORMAT] + ([] if str(root) == "/" else ["--root", str(root)])
    done = subprocess.run(args, capture_output=True, text=True, timeout=120, check=False)
    if done.returncode != 0:
        raise Unavailable(f"rpm -qa failed: {done.stderr.strip()[:200]}")
    for line in done.stdout.splitlines():
        name, _, rest = line.partition("\t")
        version, _, vendor = rest.partition("\t")
        if name:
            yield Item(
                name=name, version=version, publisher="" if vendor == "(none)" else vendor, source="rpm_packages"
            )


def snap(root: Path) -> Iterator[Item]:
    folder = inside(root, "var/lib/snapd/snaps")
    if not folder.is_dir():
        raise Unavailable("snapd not installed (no var/lib/snapd/snaps)")
    for path in entries(folder):
        name, _, revision = path.name.removesuffix(".snap").rpartition("_")
        if path.suffix == ".snap" and name:
            yield Item(name=name, version=revision, source="snap_packages", path=f"/snap/{name}")


def flatpak(root: Path) -> Iterator[Item]:
    folder = inside(root, "var/lib/flatpak/app")
    if not folder.is_dir():
        raise Unavailable("flatpak not installed (no var/lib/flatpak/app)")
    for app in entries(folder):
        for arch in entries(app):
            for branch in entries(arch):
                if branch.is_dir() and not branch.is_symlink():
                    yield Item(name=app.name, version=branch.name, identifier=app.name, source="flatpak_packages")


def processes(root: Path) -> Iterator[Item]:
    if str(root) != "/":
        raise Unavailable("not a live system (--root): no running processes")
    seen: set[tuple[str, str]] = set()
    for pid in entries(Path("/proc")):
        if not pid.name.isdigit():
            continue
        try:
            name = (pid / "comm").read_text().strip()
        except OSError:  # the process ended meanwhile
            continue
        try:
            exe = str((pid / "exe").readlink())
        except OSError:  # another user's process: its name alone still counts
            exe = ""
        if name and (name, exe) not in seen:
            seen.add((name, exe))
            yield Item(name=name, path=exe, source="processes")


def systemd_units(root: Path) -> Iterator[Item]:
    seen: set[str] = set()
    for folder in UNIT_DIRS:
        for path in entries(inside(root, folder)):
            if path.suffix in (".service", ".socket", ".timer") and path.name not in seen and path.is_file():
                seen.add(path.name)
                exec_start = _unit_value(read_text(path, 1024 * 1024), "ExecStart")
                yield Item(name=path.name, identifier=path.name, path=exec_start, source="systemd_units")


def _unit_value(text: str, key: str) -> str:
    for line in text.splitlines():
        name, sep, value = line.partition("=")
        if sep and name.strip() == key:
            return value.strip().lstrip("-@+!:")
    return ""


def kernel_modules(root: Path) -> Iterator[Item]:
    if str(root) != "/":
        raise Unavailable("not a live system (--root): no loaded kernel modules")
    for line in read_text(Path("/proc/modules")).splitlines():
        name = line.split(" ", 1)[0]
        if name:
            yield Item(name=name, identifier=name, source="kernel_modules")


def install_dirs(root: Path) -> Iterator[Item]:
    for top in ("opt", "usr/local", "usr/local/share", "usr/local/lib"):
        for path in entries(inside(root, top)):
            if path.is_dir() and not path.is_symlink() and path.name not in _USR_LOCAL_LAYOUT:
                yield Item(name=path.name, path=f"/{top}/{path.name}", source="files")


_USR_LOCAL_LAYOUT = {"bin", "sbin", "lib", "lib64", "include", "share", "etc", "src", "man", "games", "libexec"}


def certificates(root: Path) -> Iterator[Item]:
    """Trust-store certificates: an interception root (Kaspersky's, say) names its owner here."""
    from asn1crypto import pem, x509

    bundle = next((inside(root, p) for p in CERT_BUNDLE if inside(root, p).exists()), None)
    if bundle is None:
        raise Unavailable("no system certificate bundle")
    for block in _PEM.findall(read_bytes(bundle)):
        try:
            _, _, der = pem.unarmor(b"-----BEGIN CERTIFICATE-----" + block + b"-----END CERTIFICATE-----")
            cert = x509.Certificate.load(der)
            subject = cert.subject.native
        except (ValueError, TypeError):
            continue
        yield Item(
            name=str(subject.get("common_name") or subject.get("organization_name") or cert.subject.human_friendly),
            publisher=str(subject.get("organization_name", "")),
            signer=cert.issuer.human_friendly,
            identifier=cert.sha256_fingerprint.replace(" ", "").lower(),
            source="certificates",
        )


SOURCES: tuple[tuple[str, object], ...] = (
    ("deb_packages", dpkg),
    ("rpm_packages", rpm),
    ("snap_packages", snap),
    ("flatpak_packages", flatpak),
    ("processes", processes),
    ("systemd_units", systemd_units),
    ("kernel_modules", kernel_modules),
    ("files", install_dirs),
    ("certificates", certificates),
)


def collect(collection: Collection, root: Path) -> None:
    for name, reader in SOURCES:
        collection.run(name, _bound(reader, root))


def _bound(reader: object, root: Path) -> Reader:
    return lambda _collection: reader(root)  # type: ignore[operator]
