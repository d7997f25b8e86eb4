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
