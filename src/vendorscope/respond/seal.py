"""What lets a reader check a package without vendorscope: SHA256SUMS, the signature, README.txt.

Order of writing (each step covers the ones before): the content files and README.txt (and allowed_signers
when signed) → manifest.json lists them with their SHA-256 → manifest.json.sig signs the manifest →
certification.txt quotes the manifest's hash → SHA256SUMS covers every file but itself, in the format
``sha256sum -c`` reads.
"""

from __future__ import annotations

from pathlib import Path

from vendorscope.respond import sshsig
from vendorscope.respond.keys import SigningKey

MANIFEST = "manifest.json"
SUMS = "SHA256SUMS"
SIGNATURE = "manifest.json.sig"
ALLOWED_SIGNERS = "allowed_signers"
SIGNER_PUB = "signer.pub"
README = "README.txt"
CERTIFICATION = "certification.txt"
OUTSIDE_MANIFEST = (MANIFEST, SUMS, SIGNATURE, CERTIFICATION)  # written after the manifest, so not listed in it


def sums_line(sha256: str, path: str) -> str:
    """One line as GNU coreutils writes it: names with a backslash or a newline get a leading backslash."""
    if "\\" in path or "\n" in path or "\r" in path:
        escaped = path.replace("\\", "\\\\").replace("\n", "\\n").replace("\r", "\\r")
        return f"\\{sha256}  {escaped}\n"
    return f"{sha256}  {path}\n"


def parse_sums(text: str) -> tuple[dict[str, str], list[str]]:
    """SHA256SUMS as {path: sha256}, and the lines that are not in the format."""
    sums: dict[str, str] = {}
    bad: list[str] = []
    for number, line in enumerate(text.splitlines(), 1):
        escaped = line.startswith("\\")
        body = line[1:] if escaped else line
        digest, sep, name = body.partition(" ")
        if not sep or len(digest) != 64 or not name or name[0] not in " *":
            bad.append(f"line {number}: not '<sha256>  <file>'")
            continue
        name = name[1:]
        if escaped:
            name = name.replace("\\n", "\n").replace("\\r", "\r").replace("\\\\", "\\")
        if name in sums:
            bad.append(f"line {number}: {name} listed twice")
        sums[name] = digest.lower()
    return sums, bad


def write_sums(folder: Path, digests: dict[str, str]) -> None:
    """SHA256SUMS for every file in ``digests`` (relative path → SHA-256), sorted by path."""
    text = "".join(sums_line(digests[path], path) for path in sorted(digests))
    (folder / SUMS).write_text(text, encoding="utf-8", newline="\n")


def write_signer_files(folder: Path, key: SigningKey | None) -> None:
    """allowed_signers (the one key that may sign this package) and signer.pub, when the package is signed."""
    if key is not None:
        (folder / ALLOWED_SIGNERS).write_text(key.public.allowed_signers(), encoding="utf-8", newline="\n")
        (folder / SIGNER_PUB).write_text(key.public.openssh + "\n", encoding="utf-8", newline="\n")


def write_signature(folder: Path, key: SigningKey | None) -> None:
    if key is not None:
        signature = key.sign((folder / MANIFEST).read_bytes())
        (folder / SIGNATURE).write_text(signature, encoding="utf-8", newline="\n")


def signature_entry(key: SigningKey | None) -> dict[str, str] | None:
    """The manifest's ``signature`` object: how the manifest is signed and by which key."""
    if key is None:
        return None
    return {
        "file": SIGNATURE,
        "format": "OpenSSH SSHSIG (ssh-keygen -Y verify)",
        "namespace": sshsig.NAMESPACE,
        "signer": key.public.signer,
        "public_key": key.public.openssh,
        "fingerprint": key.public.fingerprint,
        "allowed_signers": ALLOWED_SIGNERS,
        "public_key_file": SIGNER_PUB,
    }


def readme_text(request_id: str, key: SigningKey | None) -> str:
    """README.txt: what the package is and the exact commands that check it with standard tools."""
    lines = [
        f"Response package for request {request_id}, built by vendorscope.",
        "",
        "report.pdf / report.html / report.xlsx  the answer; systems.csv, contractors.csv, coverage.csv its rows;",
        "documents/  the document production (if asked); manifest.json  every file with its SHA-256 and size;",
        "certification.txt  the certificate of authenticity for a qualified person to sign.",
        "",
        "CHECK THE FILES (GNU coreutils; on macOS `shasum -a 256 -c SHA256SUMS`), from inside this folder:",
        "",
        "    sha256sum -c SHA256SUMS",
        "",
        "Every line must say OK. SHA256SUMS lists every file of the package except itself.",
        "",
    ]
    if key is None:
        lines += [
            "SIGNATURE: this package is NOT signed (no signing key was configured when it was built).",
            "The hashes above show the files are intact, not who issued them.",
        ]
    else:
        lines += [
            "CHECK THE SIGNATURE (OpenSSH 8.1 or later), from inside this folder:",
            "",
            f"    ssh-keygen -Y verify -f {ALLOWED_SIGNERS} -I {key.public.signer} -n {sshsig.NAMESPACE} \\",
            f"        -s {SIGNATURE} < {MANIFEST}",
            "",
            f'It must print: Good "{sshsig.NAMESPACE}" signature for {key.public.signer} with ED25519 key',
            f"{key.public.fingerprint}",
            "",
            "The signature covers manifest.json, which holds the SHA-256 of every other file (but",
            "SHA256SUMS, the signature and certification.txt, written after it): with both",
            "checks passing, every file is as the signer issued it. The key (allowed_signers, signer.pub)",
            "travels with the package, so compare its fingerprint with the one the issuing agency",
            "publishes or states in its cover letter:",
            "",
            f"    ssh-keygen -l -f {SIGNER_PUB}",
            f"    expected: {key.public.fingerprint}",
        ]
    lines += [
        "",
        "With vendorscope installed, `vendorscope verify .` does all of the above and also checks the",
        "Bates numbers, the load files against the files present and the counts against the CSV files.",
    ]
    return "\n".join(lines) + "\n"
