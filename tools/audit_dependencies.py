"""Offline dependency audit: the installed distributions against a vendored advisory snapshot.

pip-audit and safety ask an online vulnerability database, which this network cannot reach. The snapshot read
here is the ``safety-db`` package from PyPI (PyUp.io's open "insecure packages" list: package name → vulnerable
version ranges, with advisories and CVE ids). Limits, said plainly: it is a snapshot of July 2021 and PyUp no
longer updates its free list, so it catches versions known vulnerable by then (an old pin, a downgrade) and
nothing published since; a connected CI should also run ``pip-audit``. Exit status 1 when something matches.

    .venv/bin/python tools/audit_dependencies.py
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable
from importlib import metadata
from pathlib import Path

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

# Advisories read and found not to apply, with why; they are still printed, they do not fail the audit.
REVIEWED: dict[tuple[str, str], str] = {
    ("reportlab", "CVE-2020-28463"): "SSRF through <img> URLs in Paragraph markup or URL strings given to "
    "ImageReader; records/imaging.py draws text with drawString and images from bytes (BytesIO), no markup, no URL",
}


def advisories() -> tuple[dict[str, list[dict[str, object]]], int]:
    """The snapshot: canonical package name → advisories (each with ``specs``), and its timestamp."""
    # located, not imported: the package's __init__ opens a path relative to the working folder
    path = Path(str(metadata.distribution("safety-db").locate_file("safety_db/insecure_full.json")))
    data = json.loads(path.read_text(encoding="utf-8"))
    meta = data.pop("$meta", {})
    return {canonicalize_name(name): entries for name, entries in data.items()}, int(meta.get("timestamp", 0))


def installed() -> list[tuple[str, str]]:
    return sorted({(canonicalize_name(d.metadata["Name"]), d.version) for d in metadata.distributions()})


def findings(
    packages: Iterable[tuple[str, str]], known: dict[str, list[dict[str, object]]], reviewed: bool = False
) -> list[str]:
    """One line per (package, version) inside an advisory's vulnerable range; the REVIEWED ones only when
    ``reviewed`` (and then only those)."""
    found = []
    for name, version in packages:
        try:
            parsed = Version(version)
        except InvalidVersion:
            continue
        for advisory in known.get(name, []):
            for spec in advisory.get("specs") or []:  # type: ignore[union-attr]
                try:
                    hit = parsed in SpecifierSet(str(spec))
                except InvalidSpecifier:
                    continue
                cve = str(advisory.get("cve") or advisory.get("id"))
                if hit and ((name, cve) in REVIEWED) == reviewed:
                    found.append(f"{name} {version}: {cve} (affected {spec}): {str(advisory.get('advisory'))[:160]}")
                    break
    return found


def main() -> int:
    known, stamp = advisories()
    packages = installed()
    problems = findings(packages, known)
    for line in problems:
        print(line)
    for line in findings(packages, known, reviewed=True):
        print(f"reviewed (does not apply, see REVIEWED): {line}")
    print(
        f"{len(packages)} installed distributions checked against {len(known)} packages of advisories "
        f"(safety-db snapshot, timestamp {stamp}): {len(problems)} known-vulnerable"
    )
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
