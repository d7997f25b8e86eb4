"""A package anyone can check: SHA256SUMS with the real `sha256sum`, the signature with the real `ssh-keygen`,
and `vendorscope verify` catching each tampering a reader could meet — including a forger who re-seals."""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
from pathlib import Path

import orjson
import pytest

from tests.test_cli import run
from vendorscope.demo.run import DEMO_SIGNER, run_demo
from vendorscope.respond import seal, sshsig
from vendorscope.respond.keys import create_key
from vendorscope.respond.verify import verify_package

EPOCH = "1501545600"


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo's signed package (60 hosts, documents produced and withheld)."""
    out = tmp_path_factory.mktemp("demo")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SOURCE_DATE_EPOCH", EPOCH)
        patch.delenv("VENDORSCOPE_SIGNING_KEY", raising=False)
        run_demo(out, hosts=60, seed=7)
    return out / "response"


@pytest.fixture
def package(demo: Path, tmp_path: Path) -> Path:
    """A fresh copy of the package to tamper with."""
    return Path(shutil.copytree(demo, tmp_path / "package"))


def tool(name: str) -> str:
    found = shutil.which(name)
    if not found:
        pytest.skip(f"{name} is not installed (.ci/run installs it)")
    return found


def problems(folder: Path, pinned: sshsig.PublicKey | None = None) -> list[str]:
    return verify_package(folder, pinned).problems


def test_sha256sum_checks_every_file_from_inside_the_package(package: Path) -> None:
    result = subprocess.run([tool("sha256sum"), "-c", "SHA256SUMS"], cwd=package, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    checked = {line.rsplit(": ", 1)[0] for line in result.stdout.splitlines() if line.endswith(": OK")}
    on_disk = {p.relative_to(package).as_posix() for p in package.rglob("*") if p.is_file()}
    assert checked == on_disk - {"SHA256SUMS"}
    assert any(p.startswith("documents/NATIVES/") for p in checked)
    (package / "documents" / "DATA" / "loadfile.dat").write_bytes(b"x")
    broken = subprocess.run([tool("sha256sum"), "-c", "SHA256SUMS"], cwd=package, capture_output=True, text=True)
    assert broken.returncode != 0 and "documents/DATA/loadfile.dat: FAILED" in broken.stdout


def test_ssh_keygen_verifies_the_signature_with_the_readme_command(package: Path) -> None:
    ssh_keygen = tool("ssh-keygen")
    manifest = json.loads((package / "manifest.json").read_text())
    assert manifest["signature"]["signer"] == DEMO_SIGNER
    readme = (package / "README.txt").read_text()
    command = f"ssh-keygen -Y verify -f allowed_signers -I {DEMO_SIGNER} -n vendorscope"
    assert command in readme and "-s manifest.json.sig < manifest.json" in readme
    args = [ssh_keygen, "-Y", "verify", "-f", "allowed_signers", "-I", DEMO_SIGNER, "-n", "vendorscope"]
    with (package / "manifest.json").open("rb") as stdin:
        good = subprocess.run([*args, "-s", "manifest.json.sig"], cwd=package, stdin=stdin, capture_output=True)
    assert good.returncode == 0, good.stderr
    fingerprint = manifest["signature"]["fingerprint"]
    assert f'Good "vendorscope" signature for {DEMO_SIGNER} with ED25519 key {fingerprint}' in good.stdout.decode()
    listed = subprocess.run([ssh_keygen, "-l", "-f", "signer.pub"], cwd=package, capture_output=True, text=True)
    assert fingerprint in listed.stdout and fingerprint in readme
    assert fingerprint in (package / "report.html").read_text()  # methods section: the key to compare with
    (package / "manifest.json").write_bytes((package / "manifest.json").read_bytes().replace(b'"HSST', b'"XSST'))
    with (package / "manifest.json").open("rb") as stdin:
        bad = subprocess.run([*args, "-s", "manifest.json.sig"], cwd=package, stdin=stdin, capture_output=True)
    assert bad.returncode != 0


def test_signatures_made_by_ssh_keygen_verify_here(tmp_path: Path) -> None:
    """The other direction: our reader accepts what OpenSSH itself signs with the same key file."""
    key = create_key(tmp_path / "k", "a@b.example")
    (tmp_path / "m").write_bytes(b"manifest\n")
    subprocess.run([tool("ssh-keygen"), "-Y", "sign", "-f", str(key.path), "-n", "vendorscope", str(tmp_path / "m")],
                   check=True, capture_output=True)  # fmt: skip
    sshsig.verify((tmp_path / "m.sig").read_text(), b"manifest\n", key.public)
    with pytest.raises(sshsig.SignatureError, match="does not match"):
        sshsig.verify((tmp_path / "m.sig").read_text(), b"manifest!\n", key.public)


def test_untouched_package_verifies_from_the_command_line(package: Path) -> None:
    result = run("verify", str(package), cwd=package.parent)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "verified" in result.stdout and "signature good" in result.stdout
    assert "documents/DATA/loadfile.dat" in result.stdout


def test_one_changed_byte_anywhere_names_the_file(package: Path) -> None:
    native = sorted((package / "documents" / "NATIVES").iterdir())[0]
    data = bytearray(native.read_bytes())
    data[len(data) // 2] ^= 1
    native.write_bytes(bytes(data))
    name = native.relative_to(package).as_posix()
    assert problems(package) == [
        f"{name}: changed: its SHA-256 differs from SHA256SUMS",
        f"{name}: changed: its SHA-256 or size differs from manifest.json",
    ]
    result = run("verify", str(package), cwd=package.parent)
    assert result.returncode == 1 and result.stdout.splitlines()[0].startswith(f"{name}: changed")


def test_removed_and_added_files_are_named(package: Path) -> None:
    (package / "coverage.csv").unlink()
    (package / "documents" / "NATIVES" / "extra.txt").write_text("slipped in")
    found = problems(package)
    assert "coverage.csv: missing (listed in SHA256SUMS)" in found
    assert "coverage.csv: missing (listed in manifest.json)" in found
    assert "documents/NATIVES/extra.txt: added: not listed in SHA256SUMS" in found
    assert "documents/NATIVES/extra.txt: produced but in no load file row" in found


def test_reordered_dat_rows_are_caught_even_when_resealed(package: Path, tmp_path: Path) -> None:
    dat = package / "documents" / "DATA" / "loadfile.dat"
    header, *rows = dat.read_bytes().split(b"\r\n")[:-1]
    assert len(rows) >= 2
    dat.write_bytes(b"\r\n".join([header, rows[1], rows[0], *rows[2:]]) + b"\r\n")
    assert "documents/DATA/loadfile.dat: changed: its SHA-256 differs from SHA256SUMS" in problems(package)
    reseal(package, tmp_path / "forger")  # hashes and signature made consistent again, with the forger's key
    found = problems(package)
    assert any(p.startswith("documents/DATA/loadfile.dat: line 3: Bates") and "out of order" in p for p in found)


def test_edited_count_is_caught_even_when_resealed(package: Path, tmp_path: Path) -> None:
    manifest = json.loads((package / "manifest.json").read_text())
    counts = manifest.get("counts") or {}
    counts["hosts_known"] = counts.get("hosts_known", 0) + 1 if counts else 1000
    manifest["counts"] = counts
    (package / "manifest.json").write_bytes(orjson.dumps(manifest, option=orjson.OPT_INDENT_2) + b"\n")
    found = problems(package)
    assert "manifest.json: changed: its SHA-256 differs from SHA256SUMS" in found
    assert any(p.startswith("manifest.json.sig: does not verify") for p in found)
    reseal(package, tmp_path / "forger")
    [line] = [p for p in problems(package) if "counts." in p]
    assert line.startswith("manifest.json: counts.hosts_known is ") and "the files say" in line


def test_forged_signature_is_caught(package: Path, tmp_path: Path) -> None:
    original = sshsig.parse_public_key((package / "signer.pub").read_text())
    forger = create_key(tmp_path / "forger", "mallory@example.org")
    (package / "manifest.json.sig").write_text(forger.sign((package / "manifest.json").read_bytes()))
    assert any(p.startswith("manifest.json.sig: does not verify: signed by another key") for p in problems(package))
    reseal(package, tmp_path / "forger2")  # a forger who also swaps the key that travels with the package
    assert problems(package) == []  # consistent by itself: only the reader's own copy of the key tells
    pinned = problems(package, original)
    forged = sshsig.parse_public_key((package / "signer.pub").read_text()).fingerprint
    assert pinned == [f"manifest.json.sig: signed with {forged}, not the expected {original.fingerprint}"]
    (tmp_path / "expected.pub").write_text(original.openssh + "\n")
    result = run("verify", str(package), "--key", str(tmp_path / "expected.pub"), cwd=tmp_path)
    assert result.returncode == 1 and "not the expected" in result.stdout


def test_unsigned_package_says_so_and_a_stray_signature_is_a_problem(package: Path) -> None:
    manifest = json.loads((package / "manifest.json").read_text())
    manifest["signature"] = None
    (package / "manifest.json").write_bytes(orjson.dumps(manifest, option=orjson.OPT_INDENT_2) + b"\n")
    assert "manifest.json.sig: present, but the manifest says the package is not signed" in problems(package)


def test_keys_commands(tmp_path: Path) -> None:
    created = run("--db", "s.db", "keys", "create", "--signer", "it@agency.example", cwd=tmp_path)
    assert created.returncode == 0, created.stderr
    private = tmp_path / "s.db.keys" / "signing_key"
    assert private.stat().st_mode & 0o777 == 0o600
    shown = run("--db", "s.db", "keys", "show", cwd=tmp_path)
    listed = subprocess.run([tool("ssh-keygen"), "-l", "-f", f"{private}.pub"], capture_output=True, text=True)
    assert listed.stdout.split()[1] in shown.stdout and "it@agency.example" in shown.stdout
    again = run("--db", "s.db", "keys", "create", "--signer", "it@agency.example", cwd=tmp_path)
    assert again.returncode == 1 and again.stderr.startswith("error: ") and "exists already" in again.stderr
    bad = run("--db", "s.db", "keys", "create", "--signer", "two words", "--key", "k2", cwd=tmp_path)
    assert bad.returncode == 1 and len(bad.stderr.strip().splitlines()) == 1 and "--signer" in bad.stderr
    missing = run("--db", "other.db", "keys", "show", cwd=tmp_path)
    assert missing.returncode == 1 and "vendorscope keys create" in missing.stderr


def test_sums_file_escapes_names_as_coreutils_does(tmp_path: Path) -> None:
    odd = "a\\b.txt"
    (tmp_path / odd).write_text("x")
    seal.write_sums(tmp_path, {odd: hashlib.sha256(b"x").hexdigest()})
    result = subprocess.run([tool("sha256sum"), "-c", "SHA256SUMS"], cwd=tmp_path, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout
    sums, bad = seal.parse_sums((tmp_path / "SHA256SUMS").read_text())
    assert sums == {odd: hashlib.sha256(b"x").hexdigest()} and not bad


def reseal(folder: Path, key_path: Path) -> None:
    """What a careful forger does: recompute every hash, re-sign with a key of their own, ship that key."""
    key = create_key(key_path, "mallory@example.org", replace=True)
    seal.write_signer_files(folder, key)
    manifest = json.loads((folder / "manifest.json").read_text())
    for entry in manifest["files"]:
        data = (folder / entry["path"]).read_bytes()
        entry["sha256"], entry["size"] = hashlib.sha256(data).hexdigest(), len(data)
    manifest["signature"] = seal.signature_entry(key)
    (folder / "manifest.json").write_bytes(orjson.dumps(manifest, option=orjson.OPT_INDENT_2) + b"\n")
    seal.write_signature(folder, key)
    digests = {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in folder.rglob("*")
        if p.is_file() and p.name != "SHA256SUMS"
    }
    seal.write_sums(folder, digests)
