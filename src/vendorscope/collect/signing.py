"""Code-signing evidence: walk folders for PE files and read their Authenticode signer with signify.

A file's name proves nothing (a renamed binary keeps its signature); the signer's subject does,
and whether its chain verifies says how much. Only files that carry a signature are hashed, so a
walk over a large tree reads little more than two bytes of most files.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from vendorscope.collect.authenticode_lib import load
from vendorscope.collect.fs import walk_files
from vendorscope.collect.model import Collection, Extra, os_reason
from vendorscope.sources.base import Item

MAX_PE = 512 * 1024 * 1024


def cert_table(path: Path) -> tuple[int, int] | None:
    """(offset, size) of a PE's certificate table, (0, 0) when unsigned, None when not a PE.

    Two small reads: the MZ header, then the PE and optional headers it points at.
    """
    with path.open("rb") as handle:
        dos = handle.read(64)
        if len(dos) < 64 or dos[:2] != b"MZ":
            return None
        handle.seek(int.from_bytes(dos[60:64], "little"))
        headers = handle.read(24 + 112 + 8 * 5)
    if headers[:4] != b"PE\0\0" or len(headers) < 26:
        return None
    magic = int.from_bytes(headers[24:26], "little")
    start = 24 + (96 if magic == 0x10B else 112) + 4 * 8
    entry = headers[start : start + 8]
    if len(entry) < 8:
        return (0, 0)
    return int.from_bytes(entry[:4], "little"), int.from_bytes(entry[4:], "little")


class ChainCache:
    """Chain verdicts by the certificates a signature carries.

    Building a chain against signify's trust store costs ~0.2 s (the store is re-indexed on every
    verification); a vendor signs thousands of files with one chain. So the full verification runs
    once per distinct chain, and every file still gets its own checks: its Authenticode digest and
    the signer's signature over its authenticated attributes.
    """

    def __init__(self) -> None:
        self.verdicts: dict[tuple[str, ...], tuple[bool, str]] = {}


def signature(path: Path, cache: ChainCache | None = None) -> Extra | None:
    """Signer subject, issuer, serial and chain verdict of a PE's first embedded signature; None if unsigned.

    Raises ValueError for a PE whose signature cannot be parsed (truncated, damaged).
    """
    authenticode = load()
    from signify.exceptions import SignifyError

    with path.open("rb") as handle:
        try:
            signed = authenticode.AuthenticodeFile.from_stream(handle)
            signatures = list(signed.iter_embedded_signatures(include_nested=False, ignore_parse_errors=False))
            if not signatures:
                return None
            verified, verification = _verify(signed, signatures[0], cache or ChainCache())
        except SignifyError as exc:
            raise ValueError(f"unreadable signature ({exc})") from exc
    return _describe(signatures[0]) | {"verified": verified, "verification": verification}


def _verify(signed: Any, sig: Any, cache: ChainCache) -> tuple[bool, str]:
    from signify.exceptions import VerificationError

    info = sig.signer_info
    key = (info.issuer.dn, str(info.serial_number), *sorted(c.sha256_fingerprint for c in sig.certificates))
    if key not in cache.verdicts:
        verdict, error = signed.explain_verify()
        cache.verdicts[key] = (
            verdict.name == "OK",
            verdict.name if error is None else f"{verdict.name}: {error}"[:300],
        )
        return cache.verdicts[key]
    try:
        sig.verify_indirect_data(sig.indirect_data)
        signer = next(c for c in sig.certificates if c.serial_number == info.serial_number)
        signer.verify_signature(info.encrypted_digest, info._encoded_authenticated_attributes, info.digest_algorithm)
    except (VerificationError, StopIteration) as exc:
        return False, f"INVALID: {exc}"[:300]
    return cache.verdicts[key]


def _describe(sig: Any) -> Extra:
    info = sig.signer_info
    cert = next((c for c in sig.certificates if c.serial_number == info.serial_number), None)
    return {
        "subject": cert.subject.dn if cert else "",
        "issuer": info.issuer.dn,
        "serial": format(info.serial_number, "x"),
    }


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def scan(collection: Collection, folders: list[Path]) -> Iterator[tuple[Item, Extra]]:
    """Signed PE files under the folders, as ``authenticode`` items; problems noted, walk goes on."""

    def note(exc: OSError) -> None:
        collection.problem(str(exc.filename or ""), os_reason(exc))

    cache = ChainCache()
    for folder in folders:
        if not folder.is_dir():
            collection.problem(str(folder), "not a folder; not scanned")
            continue
        for path in walk_files(folder, note):
            found = _examine(collection, path, cache)
            if found:
                yield found


def _examine(collection: Collection, path: Path, cache: ChainCache) -> tuple[Item, Extra] | None:
    try:
        table = cert_table(path)
        size = path.stat().st_size
        if table is None or table[1] == 0 or size > MAX_PE:
            return None  # not a PE, or an unsigned one: no evidence, not hashed
        if table[0] + table[1] > size:
            raise ValueError(f"truncated PE: its signature ends at byte {table[0] + table[1]}, the file at {size}")
        found = signature(path, cache)
    except OSError as exc:
        collection.problem(str(path), os_reason(exc))
        return None
    except ValueError as exc:
        collection.problem(str(path), str(exc))
        return None
    if found is None:
        return None
    item = Item(name=path.name, path=str(path), signer=found["subject"], sha256=sha256(path), source="authenticode")
    return item, found
