"""Fixture builders shared by the collect tests and benchmarks: fake roots, minimal PE files, signing.

Everything is generated at test time: a minimal PE32 image written in Python (no compiler needed),
test certificates made with openssl, Authenticode signatures applied with osslsigncode.
"""

from __future__ import annotations

import shutil
import struct
import subprocess
from pathlib import Path

import pytest

_SECTION = 0x200


def minimal_pe(payload: bytes = b"\xc3") -> bytes:
    """A valid, tiny PE32 console image with one .text section holding ``payload``."""
    dos = b"MZ" + b"\0" * 58 + struct.pack("<I", 0x40)
    coff = struct.pack("<HHIIIHH", 0x14C, 1, 0, 0, 0, 0xE0, 0x0102)
    optional = struct.pack(
        "<HBBIIIIIIIIIHHHHHHIIIIHHIIIIII",
        0x10B, 14, 0, _SECTION, 0, 0, 0x1000, 0x1000, 0x2000, 0x400000, 0x1000, _SECTION,
        6, 0, 0, 0, 6, 0, 0, 0x2000, _SECTION, 0, 3, 0, 0x100000, 0x1000, 0x100000, 0x1000, 0, 16,
    )  # fmt: skip
    optional += b"\0" * (16 * 8)
    section = struct.pack("<8sIIIIIIHHI", b".text", _SECTION, 0x1000, _SECTION, _SECTION, 0, 0, 0, 0, 0x60000020)
    headers = dos + b"PE\0\0" + coff + optional + section
    body = payload[:_SECTION].ljust(_SECTION, b"\0")
    return headers.ljust(_SECTION, b"\0") + body


def need_tools(*names: str) -> None:
    """Skip the calling test, naming the Debian package, when a signing tool is missing."""
    for name in names:
        if shutil.which(name) is None:
            pytest.skip(f"{name} is not installed (apt-get install {name}); .ci/run installs it")


def make_cert(folder: Path, subject: str) -> tuple[Path, Path]:
    """A self-signed code-signing certificate and its key, for ``subject`` like ``/CN=X/O=X/C=RU``."""
    folder.mkdir(parents=True, exist_ok=True)
    stem = folder / subject.strip("/").replace("/", "_").replace("=", "-").replace(" ", "")
    key, cert = stem.with_suffix(".key"), stem.with_suffix(".pem")
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out", str(cert),
         "-days", "30", "-subj", subject, "-addext", "extendedKeyUsage=codeSigning"],
        check=True, capture_output=True,
    )  # fmt: skip
    return cert, key


def sign_pe(unsigned: Path, out: Path, cert: Path, key: Path) -> Path:
    """Authenticode-sign ``unsigned`` into ``out`` with osslsigncode (no timestamp server: offline)."""
    out.unlink(missing_ok=True)  # osslsigncode refuses to overwrite
    subprocess.run(
        ["osslsigncode", "sign", "-certs", str(cert), "-key", str(key), "-n", "test", "-in", str(unsigned),
         "-out", str(out)],
        check=True, capture_output=True,
    )  # fmt: skip
    return out


KASPERSKY_SUBJECT = "/CN=AO Kaspersky Lab/O=AO Kaspersky Lab/L=Moscow/C=RU"
LOOKALIKE_SUBJECT = "/CN=Kaspersky Labs Security Tools LLC/O=Kaspersky Labs Security Tools LLC/C=CY"

DPKG_STATUS = """Package: bash
Status: install ok installed
Maintainer: Matthias Klose <doko@debian.org>
Version: 5.2.15-2+b2

Package: kesl
Status: install ok installed
Maintainer: AO Kaspersky Lab <support@kaspersky.com>
Version: 12.0.0-6672
Description: Kaspersky Endpoint Security for Linux

Package: removed-thing
Status: deinstall ok config-files
Version: 1.0
"""


def fake_linux_root(root: Path, with_vendor: bool = True) -> Path:
    """A small Debian-like root: dpkg status, a snap, a flatpak, systemd units, /opt folders."""
    stanzas = DPKG_STATUS.split("\n\n")
    status = "\n\n".join(s for s in stanzas if with_vendor or "Package: kesl" not in s)
    files = {
        "etc/hostname": "ws-0042.agency.example\n",
        "etc/machine-id": "0123456789abcdef0123456789abcdef\n",
        "etc/os-release": 'NAME="Debian GNU/Linux"\nVERSION_ID="12"\n',
        "var/lib/dpkg/status": status,
        "var/lib/snapd/snaps/core22_1380.snap": "",
        "var/lib/flatpak/app/org.mozilla.firefox/x86_64/stable/metadata": "[Application]\n",
        "lib/systemd/system/ssh.service": "[Service]\nExecStart=/usr/sbin/sshd -D\n",
    }
    if with_vendor:
        files["lib/systemd/system/kesl.service"] = "[Service]\nExecStart=-/opt/kaspersky/kesl/libexec/kesl\n"
        files["opt/kaspersky/kesl/libexec/kesl"] = ""
    for relative, content in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content)
    (root / "opt" / "google").mkdir(parents=True, exist_ok=True)
    return root


def reg_export(keys: dict[str, dict[str, str | int]], with_parents: bool = False) -> str:
    """A ``.reg`` export of the given keys (values: str → REG_SZ, int → REG_DWORD)."""
    lines = ["Windows Registry Editor Version 5.00", ""]
    written: set[str] = set()
    for path, values in keys.items():
        parts = path.split("\\")
        chain = ["\\".join(parts[:n]) for n in range(3 if with_parents else len(parts), len(parts) + 1)]
        for key in chain:
            if key in written:
                continue
            written.add(key)
            lines.append(f"[{key}]")
            for name, value in values.items() if key == path else ():
                data = f"dword:{value:08x}" if isinstance(value, int) else '"' + value.replace("\\", "\\\\") + '"'
                lines.append(f'"{name}"={data}')
            lines.append("")
    return "\r\n".join(lines) + "\r\n"


def empty_hive() -> bytes:
    """A valid, empty registry hive (regf header, one hbin: root key and its security cell) for hivex to fill."""
    nk_off, sk_off, name = 0x20, 0x20 + 88, b"ROOT"
    nk = struct.pack(
        "<2sHQIIIIIIIIIIIIIIIHH",
        b"nk", 0x2C, 0, 0, 0xFFFFFFFF, 0, 0, 0xFFFFFFFF, 0xFFFFFFFF, 0, 0xFFFFFFFF, sk_off, 0xFFFFFFFF,
        0, 0, 0, 0, 0, len(name), 0,
    ) + name  # fmt: skip
    nk_cell = struct.pack("<i", -88) + nk.ljust(84, b"\0")
    descriptor = struct.pack("<BBHIIII", 1, 0, 0x8000, 0, 0, 0, 0)
    sk = struct.pack("<2sHIIII", b"sk", 0, sk_off, sk_off, 1, len(descriptor)) + descriptor
    size = (4 + len(sk) + 7) // 8 * 8
    sk_cell = struct.pack("<i", -size) + sk.ljust(size - 4, b"\0")
    free = struct.pack("<i", 4096 - 0x20 - len(nk_cell) - len(sk_cell))
    hbin = (struct.pack("<4sIIQQI", b"hbin", 0, 4096, 0, 0, 0) + nk_cell + sk_cell + free).ljust(4096, b"\0")
    header = struct.pack("<4sIIQIIIIIII", b"regf", 1, 1, 0, 1, 3, 0, 1, nk_off, 4096, 1).ljust(508, b"\0")
    checksum = 0
    for (dword,) in struct.iter_unpack("<I", header):
        checksum ^= dword
    return (header + struct.pack("<I", checksum)).ljust(4096, b"\0") + hbin


def build_hive(path: Path, prefix: str, keys: dict[str, dict[str, str | int]]) -> Path:
    """A hive file holding ``keys`` (full paths under ``prefix``), made by hivexregedit --merge."""
    need_tools("hivexregedit")
    path.write_bytes(empty_hive())
    export = path.with_suffix(".reg")
    export.write_text(reg_export(keys, with_parents=True))
    subprocess.run(["hivexregedit", "--merge", str(path), "--prefix", prefix, str(export)], check=True)
    export.unlink()
    return path
