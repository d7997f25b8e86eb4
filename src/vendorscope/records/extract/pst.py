"""Outlook .pst through Debian's pst-utils ``readpst`` (when installed): each message becomes an email."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from vendorscope.records.extract.base import CONTENT, NAME, NO, DocumentFormat, extension
from vendorscope.records.extract.mbox import guarded_message
from vendorscope.records.model import Doc, Limits

READPST_TIMEOUT = 3600


def readpst_available() -> bool:
    return shutil.which("readpst") is not None


def extract_pst(data: bytes, filename: str, limits: Limits, depth: int) -> list[Doc]:
    """``readpst -e`` writes one .eml per message; folders are kept in the documents' names."""
    if not readpst_available():
        return [
            Doc(filename, "pst", data, error="cannot read PST: readpst (Debian package pst-utils) is not installed")
        ]
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "in.pst"
        source.write_bytes(data)
        out = Path(tmp) / "out"
        out.mkdir()
        result = subprocess.run(
            ["readpst", "-e", "-q", "-o", str(out), str(source)],
            capture_output=True,
            timeout=READPST_TIMEOUT,
            check=False,
        )
        files = sorted(p for p in out.rglob("*") if p.is_file())
        docs = [guarded_message(p.read_bytes(), f"{filename}#{p.relative_to(out)}", limits, depth) for p in files]
    if result.returncode != 0 and not docs:
        message = result.stderr.decode("utf-8", errors="replace").strip().splitlines()
        return [Doc(filename, "pst", data, error=f"readpst failed: {message[-1] if message else result.returncode}")]
    return docs or [Doc(filename, "pst", data, error="no message found in PST")]


def identify(head: bytes, name: str) -> int:
    if head.startswith(b"!BDN"):
        return CONTENT
    return NAME if extension(name) == ".pst" else NO


FORMAT = DocumentFormat(
    "pst",
    identify,
    extract_pst,
    container=True,
    description="Outlook data file (.pst)",
    magic=(b"!BDN",),
    extensions=(".pst",),
)
