"""What changed between two answers: systems added and removed, hosts newly examined, new contractors,
documents produced since. Committees send follow-up letters; the second answer must say what moved.

Read from the two packages' own files (systems.csv, coverage.csv, contractors.csv, the DAT load files), so
`vendorscope diff OLD NEW` needs nothing but the packages; a removal is explained by the evidence that
verified it when the store knows the finding (``explain``), else by the host's later examination.
"""

from __future__ import annotations

import csv
import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from vendorscope.errors import InputError
from vendorscope.records.loadfile import read_dat

Row = dict[str, str]
Explain = Callable[[str], str | None]  # finding id → how its removal was verified, when known
NOT_EXAMINED = "not examined"
CHANGES = "changes.json"
SYSTEM_COLUMNS = ("change", "host", "org", "product", "kind", "status", "verified_by")
SECTIONS = ("systems_added", "systems_removed", "hosts_newly_examined", "contractors_new", "documents_produced")


@dataclass
class Changes:
    since: dict[str, Any]  # the earlier package: request, generated_at, manifest_sha256, folder name
    systems_added: list[Row] = field(default_factory=list)
    systems_removed: list[Row] = field(default_factory=list)
    hosts_newly_examined: list[Row] = field(default_factory=list)
    contractors_new: list[Row] = field(default_factory=list)
    documents_produced: list[Row] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        return {name: len(getattr(self, name)) for name in SECTIONS}

    def as_dict(self) -> dict[str, Any]:
        return {"since": self.since, "counts": self.counts()} | {name: getattr(self, name) for name in SECTIONS}


def compare(old: Path, new: Path, explain: Explain | None = None) -> Changes:
    """The changes from the package in ``old`` to the one in ``new`` (a finished package or one being built)."""
    changes = Changes(since=_describe(old))
    old_systems, new_systems = _systems(old), _systems(new)
    changes.systems_added = [_system("added", r, "") for k, r in sorted(new_systems.items()) if k not in old_systems]
    new_coverage = {r["host"]: r for r in _rows(new / "coverage.csv")}
    for key, row in sorted(old_systems.items()):
        if key not in new_systems:
            how = explain(row.get("finding_id", "")) if explain else None
            changes.systems_removed.append(_system("removed", row, how or _by_coverage(new_coverage.get(row["host"]))))
    old_coverage = {r["host"]: r for r in _rows(old / "coverage.csv")}
    changes.hosts_newly_examined = [
        {k: row.get(k, "") for k in ("host", "org", "examined_by", "last_examined")}
        for host, row in sorted(new_coverage.items())
        if row["examined_by"] != NOT_EXAMINED and _examined_before(old_coverage.get(host)) is False
    ]
    old_contractors = {r["org_id"] for r in _rows(old / "contractors.csv")}
    changes.contractors_new = [
        {k: r.get(k, "") for k in ("org_id", "name", "kind", "prime", "contract")}
        for r in _rows(new / "contractors.csv")
        if r["org_id"] not in old_contractors
    ]
    old_bates = {r["BEGBATES"] for r in _documents(old)}
    changes.documents_produced = [
        {k: r.get(k, "") for k in ("BEGBATES", "ENDBATES", "CUSTODIAN", "DATESENT", "SUBJECT", "FILENAME")}
        for r in _documents(new)
        if r.get("BEGBATES") not in old_bates
    ]
    return changes


def _describe(folder: Path) -> dict[str, Any]:
    manifest_path = folder / "manifest.json"
    try:
        data = manifest_path.read_bytes()
        manifest = orjson.loads(data)
    except (OSError, orjson.JSONDecodeError) as exc:
        raise InputError(str(folder), f"not a vendorscope package (manifest.json: {exc})") from None
    return {
        "package": folder.name,
        "request": manifest.get("request", ""),
        "generated_at": manifest.get("generated_at", ""),
        "manifest_sha256": hashlib.sha256(data).hexdigest(),
    }


def _rows(path: Path) -> list[Row]:
    if not path.is_file():
        return []
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def _systems(folder: Path) -> dict[tuple[str, ...], Row]:
    """Systems by what identifies them: host, product and kind (a purchase by its evidence line)."""
    rows: dict[tuple[str, ...], Row] = {}
    for row in _rows(folder / "systems.csv"):
        key = (row["host"], row["product"], row["kind"]) if row.get("host") else ("", row["kind"], row["evidence"])
        rows[key] = row
    return rows


def _system(change: str, row: Row, verified_by: str) -> Row:
    values = {"change": change, "verified_by": verified_by}
    return {c: values.get(c, row.get(c, "")) for c in SYSTEM_COLUMNS}


def _examined_before(row: Row | None) -> bool:
    return row is not None and row.get("examined_by", NOT_EXAMINED) != NOT_EXAMINED


def _by_coverage(row: Row | None) -> str:
    if row is None:
        return "the host is no longer known to any source"
    if row["examined_by"] == NOT_EXAMINED:
        return "NOT verified: the host was not examined again"
    return f"no longer seen when the host was examined ({row['examined_by']}, {row['last_examined'] or 'date unknown'})"


def _documents(folder: Path) -> list[Row]:
    rows: list[Row] = []
    for dat in sorted((folder / "documents").rglob("*.dat")) if (folder / "documents").is_dir() else []:
        try:
            rows += read_dat(dat)
        except ValueError as exc:
            raise InputError(str(dat), str(exc).removeprefix(f"{dat}: ")) from None
    return rows
