"""`vendorscope verify PACKAGE_DIR`: everything a reader of a package would check, one line per problem.

Checks, each naming the file: SHA256SUMS and manifest.json against the bytes on disk (changed, missing,
added files), the signature over the manifest (and the signer when the reader pins a key), the document
production (Bates numbers in order without gaps or repeats, DAT and OPT rows against the files present,
no produced file left out of the load files), and the manifest's counts against the CSV files.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path, PureWindowsPath
from typing import Any

import orjson

from vendorscope.records.loadfile import read_dat, read_opt
from vendorscope.respond import seal, sshsig
from vendorscope.respond.package import file_digest
from vendorscope.respond.recount import recount

LINKS = ("NATIVELINK", "TEXTLINK", "NATIVEPATH", "TEXTPATH")  # the DAT's file columns (older productions: …PATH)
_BATES = re.compile(r"^(?P<prefix>.*?)(?P<number>\d+)$")


@dataclass
class VerifyReport:
    folder: Path
    problems: list[str] = field(default_factory=list)
    facts: list[str] = field(default_factory=list)  # what was checked and holds, for the summary

    @property
    def ok(self) -> bool:
        return not self.problems

    def problem(self, path: str, message: str) -> None:
        self.problems.append(f"{path}: {message}")


def verify_package(folder: Path, pinned: sshsig.PublicKey | None = None) -> VerifyReport:
    """Check the package in ``folder``; ``pinned`` is the signer's key the reader expects (optional)."""
    report = VerifyReport(folder)
    if not folder.is_dir():
        report.problem(str(folder), "not a folder")
        return report
    manifest = _manifest(folder, report)
    on_disk = set(_files(folder, report))
    _check_sums(folder, on_disk, report)
    if manifest is None:
        return report
    _check_manifest_files(folder, manifest, on_disk, report)
    _check_signature(folder, manifest, pinned, report)
    _check_productions(folder, report)
    _check_counts(folder, manifest, report)
    return report


def _manifest(folder: Path, report: VerifyReport) -> dict[str, Any] | None:
    path = folder / seal.MANIFEST
    try:
        data = orjson.loads(path.read_bytes())
    except FileNotFoundError:
        report.problem(seal.MANIFEST, "missing: not a vendorscope package, or its manifest was removed")
        return None
    except orjson.JSONDecodeError as exc:
        report.problem(seal.MANIFEST, f"not valid JSON ({exc})")
        return None
    if not isinstance(data, dict) or not isinstance(data.get("files"), list):
        report.problem(seal.MANIFEST, "has no 'files' list")
        return None
    return data


def _files(folder: Path, report: VerifyReport) -> Iterator[str]:
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder).as_posix()
        if path.is_symlink():
            report.problem(relative, "a symbolic link, not a file: packages hold files only")
        elif path.is_file():
            yield relative


def _check_sums(folder: Path, on_disk: set[str], report: VerifyReport) -> None:
    try:
        text = (folder / seal.SUMS).read_text(encoding="utf-8")
    except FileNotFoundError:
        report.problem(seal.SUMS, "missing")
        return
    except (OSError, UnicodeDecodeError) as exc:
        report.problem(seal.SUMS, f"unreadable ({exc})")
        return
    sums, bad = seal.parse_sums(text)
    for line in bad:
        report.problem(seal.SUMS, line)
    for path, digest in sorted(sums.items()):
        if path not in on_disk:
            report.problem(path, f"missing (listed in {seal.SUMS})")
        elif file_digest(folder / path) != digest:
            report.problem(path, f"changed: its SHA-256 differs from {seal.SUMS}")
    for path in sorted(on_disk - set(sums) - {seal.SUMS}):
        report.problem(path, f"added: not listed in {seal.SUMS}")
    if not bad:
        report.facts.append(f"{len(sums)} files match {seal.SUMS}")


def _check_manifest_files(folder: Path, manifest: dict[str, Any], on_disk: set[str], report: VerifyReport) -> None:
    listed: dict[str, dict[str, Any]] = {}
    for entry in manifest["files"]:
        if not isinstance(entry, dict) or not isinstance(entry.get("path"), str):
            report.problem(seal.MANIFEST, f"unreadable file entry {str(entry)[:80]}")
            continue
        listed[entry["path"]] = entry
    for path, entry in sorted(listed.items()):
        if path not in on_disk:
            report.problem(path, f"missing (listed in {seal.MANIFEST})")
            continue
        if entry.get("size") != (folder / path).stat().st_size or entry.get("sha256") != file_digest(folder / path):
            report.problem(path, f"changed: its SHA-256 or size differs from {seal.MANIFEST}")
    for path in sorted(on_disk - set(listed) - set(seal.OUTSIDE_MANIFEST)):
        report.problem(path, f"added: not listed in {seal.MANIFEST}")


def _check_signature(
    folder: Path, manifest: dict[str, Any], pinned: sshsig.PublicKey | None, report: VerifyReport
) -> None:
    entry = manifest.get("signature")
    signature = folder / seal.SIGNATURE
    if not entry:
        if signature.exists():
            report.problem(seal.SIGNATURE, "present, but the manifest says the package is not signed")
        elif pinned is not None:
            report.problem(seal.MANIFEST, f"not signed, but a signature by {pinned.fingerprint} was expected")
        else:
            report.facts.append("not signed (no signing key was configured when it was built)")
        return
    try:
        declared = sshsig.parse_public_key(str(entry.get("public_key", "")))
        allowed = sshsig.parse_public_key((folder / seal.ALLOWED_SIGNERS).read_text(encoding="utf-8"))
    except (OSError, sshsig.SignatureError) as exc:
        report.problem(seal.ALLOWED_SIGNERS, f"cannot read the signer's key ({exc})")
        return
    if allowed.blob != declared.blob:
        report.problem(seal.ALLOWED_SIGNERS, f"holds another key than the manifest's {declared.fingerprint}")
    if pinned is not None and pinned.blob != allowed.blob:
        report.problem(seal.SIGNATURE, f"signed with {allowed.fingerprint}, not the expected {pinned.fingerprint}")
    try:
        sshsig.verify(signature.read_text(encoding="utf-8"), (folder / seal.MANIFEST).read_bytes(), allowed)
    except FileNotFoundError:
        report.problem(seal.SIGNATURE, "missing, but the manifest says the package is signed")
    except (OSError, UnicodeDecodeError, sshsig.SignatureError) as exc:
        report.problem(seal.SIGNATURE, f"does not verify: {exc}")
    else:
        report.facts.append(f"signature good: {allowed.signer}, key {allowed.fingerprint}")


def _check_productions(folder: Path, report: VerifyReport) -> None:
    for dat in sorted(folder.rglob("*.dat")):
        _check_volume(folder, dat.parent.parent if dat.parent.name.upper() == "DATA" else dat.parent, dat, report)


def _check_volume(folder: Path, volume: Path, dat_path: Path, report: VerifyReport) -> None:
    shown = dat_path.relative_to(folder).as_posix()
    try:
        rows = read_dat(dat_path)
    except ValueError as exc:
        report.problem(shown, str(exc).removeprefix(f"{dat_path}: "))
        return
    referenced: set[str] = set()
    _check_bates(shown, rows, report)
    for line, row in enumerate(rows, 2):
        for column in LINKS:
            if row.get(column):
                referenced.add(_present(folder, volume, row[column], f"{shown}: line {line}", report))
    for opt_path in sorted(volume.rglob("*.opt")):
        referenced |= _check_opt(folder, volume, opt_path, report)
    for path in sorted(volume.rglob("*")):
        relative = path.relative_to(folder).as_posix()
        top = path.relative_to(volume).parts[0].upper()
        if path.is_file() and top in ("NATIVES", "TEXT", "IMAGES") and relative not in referenced:
            report.problem(relative, "produced but in no load file row")
    report.facts.append(f"{shown}: {len(rows)} documents, load file rows match the files")


def _check_bates(shown: str, rows: list[dict[str, str]], report: VerifyReport) -> None:
    previous: tuple[str, int] | None = None
    for line, row in enumerate(rows, 2):
        begin, end = split_bates(row.get("BEGBATES", "")), split_bates(row.get("ENDBATES", ""))
        where = f"{shown}: line {line}"
        if begin is None or end is None or begin[0] != end[0] or end[1] < begin[1]:
            report.problems.append(f"{where}: Bates range {row.get('BEGBATES')}–{row.get('ENDBATES')} is not valid")
            continue
        if previous is not None:
            if begin[0] != previous[0]:
                report.problems.append(f"{where}: Bates prefix {begin[0]!r} differs from the line before")
            elif begin[1] <= previous[1]:
                report.problems.append(f"{where}: Bates {row['BEGBATES']} out of order or repeated")
            elif begin[1] != previous[1] + 1:
                report.problems.append(f"{where}: Bates gap before {row['BEGBATES']} (previous ends at {previous[1]})")
        previous = end


def _check_opt(folder: Path, volume: Path, opt_path: Path, report: VerifyReport) -> set[str]:
    shown = opt_path.relative_to(folder).as_posix()
    try:
        rows = read_opt(opt_path)
    except ValueError as exc:
        report.problem(shown, str(exc).removeprefix(f"{opt_path}: "))
        return set()
    return {_present(folder, volume, row.path, f"{shown}: line {n}", report) for n, row in enumerate(rows, 1)}


def _present(folder: Path, volume: Path, value: str, where: str, report: VerifyReport) -> str:
    """The file a load file row names, relative to the package; a problem when it is not there."""
    target = volume / relative_path(value)
    relative = target.relative_to(folder).as_posix() if target.is_relative_to(folder) else value
    if ".." in Path(relative_path(value)).parts or not target.is_file():
        report.problems.append(f"{where}: {value} is not in the package")
    return relative


def _check_counts(folder: Path, manifest: dict[str, Any], report: VerifyReport) -> None:
    counts = manifest.get("counts")
    if not isinstance(counts, dict):
        return
    recounted = recount(folder, _csv_rows)
    checked = 0
    for name, value in sorted(counts.items()):
        if name not in recounted:
            continue
        checked += 1
        if value != recounted[name]:
            report.problem(seal.MANIFEST, f"counts.{name} is {value}, the files say {recounted[name]}")
    report.facts.append(f"{checked} counts match the CSV files")


def _csv_rows(path: Path) -> list[dict[str, str]] | None:
    if not path.is_file():
        return None
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def split_bates(value: str) -> tuple[str, int] | None:
    """``VS000000012`` → ("VS", 12); None when the value has no trailing number."""
    match = _BATES.match(value.strip())
    return (match["prefix"], int(match["number"])) if match else None


def relative_path(value: str) -> str:
    """A load file's path (Windows separators, relative to the volume) as a POSIX relative path."""
    return PureWindowsPath(value).as_posix().lstrip("/")
