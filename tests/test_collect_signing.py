"""Code-signing evidence: PE files signed at test time with osslsigncode, read with signify.

A renamed binary signed as "AO Kaspersky Lab" is attributed to the vendor; a look-alike signer, an
unsigned PE and a truncated PE are not, and the truncated one is noted.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.collect_support import (
    KASPERSKY_SUBJECT,
    LOOKALIKE_SUBJECT,
    fake_linux_root,
    make_cert,
    minimal_pe,
    need_tools,
    sign_pe,
)
from vendorscope.collect import signing
from vendorscope.collect.collector import Request, collect, write
from vendorscope.service import Service
from vendorscope.sources.base import Hints


@pytest.fixture(scope="module")
def pe_tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    need_tools("openssl", "osslsigncode")
    work = tmp_path_factory.mktemp("pe")
    tree = work / "tree"
    (tree / "sub").mkdir(parents=True)
    unsigned = work / "plain.exe"
    unsigned.write_bytes(minimal_pe(b"\x90\xc3"))
    vendor = sign_pe(unsigned, tree / "sub" / "update.exe", *make_cert(work / "certs", KASPERSKY_SUBJECT))
    sign_pe(unsigned, tree / "kavsetup.exe", *make_cert(work / "certs", LOOKALIKE_SUBJECT))
    (tree / "unsigned.dll").write_bytes(unsigned.read_bytes())
    (tree / "truncated.exe").write_bytes(vendor.read_bytes()[: len(unsigned.read_bytes()) + 100])
    (tree / "notes.txt").write_text("MZ but not a PE")
    os.symlink(tree, tree / "sub" / "loop")
    return tree


def test_scan_reads_signers_and_hashes_only_signed_files(pe_tree: Path) -> None:
    doc = collect(Request(root=fake_linux_root(pe_tree.parent / "root"), scan=[pe_tree]))
    found = {Path(r["path"]).name: r for r in doc["items"] if r["source"] == "authenticode"}
    assert set(found) == {"update.exe", "kavsetup.exe"}
    vendor = found["update.exe"]
    assert "CN=AO Kaspersky Lab" in vendor["signer"] and len(vendor["sha256"]) == 64
    assert vendor["extra"]["issuer"] == vendor["signer"] and vendor["extra"]["serial"]
    assert vendor["extra"]["verified"] is False and "self-signed" in vendor["extra"]["verification"]
    assert [p["where"] for p in doc["problems"]] == [str(pe_tree / "truncated.exe")]
    assert "truncated PE" in doc["problems"][0]["message"]
    assert next(s for s in doc["sources"] if s["name"] == "authenticode")["complete"] is False


def test_vendor_signer_is_attributed_and_lookalike_is_not(pe_tree: Path, sqlite_service: Service) -> None:
    root = fake_linux_root(pe_tree.parent / "root-clean", with_vendor=False)
    out = pe_tree.parent / "scan.json.gz"
    write(collect(Request(root=root, scan=[pe_tree])), out)
    assert sqlite_service.ingest([out], Hints()).ok
    found = sqlite_service.findings("kaspersky")
    assert len(found) == 1
    evidence = found[0]["evidence"]
    assert {e["field"] for e in evidence} == {"signer"}
    assert all("update.exe" not in str(e["value"]) for e in evidence)


def test_cert_table_of_non_pe_and_unsigned(tmp_path: Path) -> None:
    plain = tmp_path / "a.exe"
    plain.write_bytes(minimal_pe())
    assert signing.cert_table(plain) == (0, 0)
    text = tmp_path / "b.exe"
    text.write_bytes(b"MZ" + b"\0" * 10)
    assert signing.cert_table(text) is None


def test_a_tampered_file_fails_even_when_its_chain_was_verified_before(pe_tree: Path, tmp_path: Path) -> None:
    good = pe_tree / "sub" / "update.exe"
    data = bytearray(good.read_bytes())
    data[0x200] ^= 0xFF  # first byte of .text: the Authenticode digest no longer matches
    tampered = tmp_path / "tampered.exe"
    tampered.write_bytes(bytes(data))
    cache = signing.ChainCache()
    first = signing.signature(good, cache)
    second = signing.signature(tampered, cache)
    assert first is not None and second is not None and len(cache.verdicts) == 1
    assert first["verification"].startswith("CERTIFICATE_ERROR")
    assert second["verified"] is False and second["verification"].startswith("INVALID")
    assert signing.signature(tampered)["verification"].startswith("INVALID_DIGEST")  # uncached: the same verdict
